// Security levels: every information system by level, dossier state, compliance score and
// re-assessment status, with what is due or overdue on top. Admins register systems here.
import { h, toast } from '../dom.js';
import { t } from '../i18n.js';
import { get, post } from '../api.js';
import { framework, stateName, levelText, scoreBar, duePill, forgetFrameworks } from './compliance_common.js';

function lines(text) { return text.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean); }

function newSystemForm(ctx) {
  const f = {
    name: h('input', { id: 'cp-new-name', required: true, size: 40 }),
    owner: h('input', { id: 'cp-new-owner', required: true, size: 30 }),
    unit: h('input', { id: 'cp-new-unit', required: true, size: 30 }),
    description: h('textarea', { id: 'cp-new-description', rows: 2, cols: 50 }),
    ranges: h('textarea', { id: 'cp-new-ranges', rows: 3, cols: 30, placeholder: '10.20.0.0/16\n2001:db8:20::/48' }),
    sensors: h('input', { id: 'cp-new-sensors', size: 12, placeholder: '1, 2' }),
  };
  return h('details', { class: 'panel', id: 'cp-new' }, h('summary', null, t('cp.add')),
    h('form', { class: 'inline', id: 'cp-new-form', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const r = await post('/compliance/systems', {
          name: f.name.value, owner: f.owner.value, operating_unit: f.unit.value, description: f.description.value,
          ranges: lines(f.ranges.value), sensors: lines(f.sensors.value).map(Number),
        });
        toast(t('cp.created', { name: r.system.name }));
        ctx.navigate('system', {}, String(r.system.id));
      } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); }
    } },
    h('label', null, t('cp.name'), f.name), h('label', null, t('cp.owner'), f.owner), h('label', null, t('cp.unit'), f.unit),
    h('label', null, t('cp.description'), f.description), h('label', null, t('cp.ranges'), f.ranges),
    h('label', null, t('cp.sensors'), f.sensors), h('button', { type: 'submit', id: 'cp-new-submit' }, t('common.create'))));
}

export default {
  id: 'compliance', title: 'nav.compliance', nav: true,
  async render(main, ctx) {
    const admin = ctx.me.role === 'admin';
    const data = await get('/compliance/overview');
    main.append(h('h1', null, t('cp.title')));
    const levelCards = [1, 2, 3, 4, 5].map((n) => h('div', { class: 'card' }, h('div', { class: 'muted' }, levelText(n)),
      h('div', { class: 'big' }, String(data.by_level[String(n)] || 0))));
    main.append(h('div', { class: 'cards', id: 'cp-cards' },
      h('div', { class: 'card' }, h('div', { class: 'muted' }, t('cp.systems')), h('div', { class: 'big', id: 'cp-count' }, String(data.systems.length))),
      ...levelCards,
      h('div', { class: 'card' }, h('div', { class: 'muted' }, t('cp.unassessed')), h('div', { class: 'big' }, String(data.unassessed))),
      h('div', { class: 'card' + (data.due ? ' cp-warn' : '') }, h('div', { class: 'muted' }, t('cp.due.count')), h('div', { class: 'big', id: 'cp-due' }, String(data.due))),
      h('div', { class: 'card' + (data.overdue ? ' cp-alarm' : '') }, h('div', { class: 'muted' }, t('cp.overdue.count')), h('div', { class: 'big', id: 'cp-overdue' }, String(data.overdue))),
      h('div', { class: 'card' + (data.deadline_overdue ? ' cp-alarm' : '') }, h('div', { class: 'muted' }, t('cp.deadline.count')), h('div', { class: 'big' }, String(data.deadline_overdue)))));
    if (admin) {
      main.append(newSystemForm(ctx));
      main.append(h('p', null, h('button', { class: 'secondary', id: 'cp-reload', onclick: async () => {
        try { toast((await post('/compliance/frameworks/reload')).message); forgetFrameworks(); } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); }
      } }, t('cp.frameworks.reload'))));
    }
    if (!data.systems.length) { main.append(h('p', { class: 'muted', id: 'cp-empty' }, t('cp.none'))); return; }
    // Most urgent first: overdue, due, late deadlines, then by level (highest first) and name.
    const rank = (s) => (s.due_status === 'overdue' ? 0 : s.due_status === 'due' ? 1 : s.deadline_overdue ? 2 : 3);
    const rows = [...data.systems].sort((a, b) => rank(a) - rank(b) || (b.assessed_level - a.assessed_level) || a.name.localeCompare(b.name));
    const body = h('tbody');
    for (const s of rows) {
      const fw = s.framework ? await framework(s.framework).catch(() => null) : null;
      body.appendChild(h('tr', { dataset: { system: s.id } },
        h('td', null, h('a', { href: '#/system/' + s.id, class: 'cp-system-link' }, s.name)),
        h('td', null, s.owner), h('td', null, s.operating_unit),
        h('td', null, s.approved_level ? levelText(s.approved_level) : h('span', { class: 'muted' }, '—')),
        h('td', null, levelText(s.assessed_level)),
        h('td', null, s.framework),
        h('td', null, h('span', { class: 'state' }, stateName(fw, s.state)), s.deadline_overdue ? [' ', h('span', { class: 'pill cp-due-overdue' }, t('cp.deadline.late'))] : null),
        h('td', null, scoreBar(s.score)),
        h('td', null, duePill(s.due_status))));
    }
    main.append(h('table', { class: 'grid', id: 'cp-systems' },
      h('thead', null, h('tr', null, ['cp.name', 'cp.owner', 'cp.unit', 'cp.approved_level', 'cp.assessed_level', 'cp.framework', 'cp.state', 'cp.score', 'cp.due']
        .map((k) => h('th', null, t(k))))), body));
  },
};
