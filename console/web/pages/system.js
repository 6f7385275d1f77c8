// One information system: its details and duties, its level dossier (questionnaire with the
// suggested level and the criteria behind it, parts, the workflow's next steps for the person
// looking, history), the controls of its level with live evidence, and its reports. What a person
// may do is decided by the server from their duties; the page only offers what can work and says
// why the rest cannot.
import { h, clear, fmtTime, toast } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, api, del } from '../api.js';
import {
  tx, framework, stateName, levelText, scoreBar, duePill, verdictPill, effectivePill, dutyName, upload, fileLink, fmtDate,
} from './compliance_common.js';

const DUTIES = ['operator', 'expert', 'appraiser', 'approver', 'auditor'];
const put = (p, b) => api('PUT', p, b);
const fail = (ex) => toast(t('common.error', { msg: ex.message }), 'bad');

function kv(rows) {
  return h('table', { class: 'grid kv' }, h('tbody', null, rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))));
}

// --- details and duties -----------------------------------------------------------------------

async function renderInfo(box, data, ctx, again) {
  const s = data.system;
  box.append(kv([
    [t('cp.name'), s.name], [t('cp.owner'), s.owner], [t('cp.unit'), s.operating_unit], [t('cp.description'), s.description],
    [t('cp.ranges.short'), s.ranges.join(', ') || '—'],
    [t('cp.sensors.short'), s.sensors.length ? s.sensors.map((x) => '#' + x).join(', ') : '—'],
    [t('cp.contacts'), s.contacts.map((c) => [c.name, c.role, c.email, c.phone].filter(Boolean).join(' · ')).join('; ') || '—'],
    [t('cp.duties'), s.duties.map((d) => d.user + ': ' + dutyName(d.duty)).join('; ') || '—'],
  ]));
  box.append(h('p', null, h('a', { href: '#/alerts?system=' + s.id, id: 'cp-alerts-link' }, t('cp.alerts'))));
  if (ctx.me.role !== 'admin') return;

  const f = {
    name: h('input', { id: 'cp-edit-name', value: s.name, size: 40 }), owner: h('input', { id: 'cp-edit-owner', value: s.owner, size: 30 }),
    unit: h('input', { id: 'cp-edit-unit', value: s.operating_unit, size: 30 }),
    description: h('textarea', { id: 'cp-edit-description', rows: 2, cols: 50 }, s.description),
    ranges: h('textarea', { id: 'cp-edit-ranges', rows: 3, cols: 30 }, s.ranges.join('\n')),
    sensors: h('input', { id: 'cp-edit-sensors', value: s.sensors.join(', '), size: 12 }),
    archived: h('input', { type: 'checkbox', id: 'cp-edit-archived', checked: s.archived }),
  };
  const contacts = h('tbody');
  const contactRow = (c = {}) => h('tr', null, ['name', 'role', 'email', 'phone'].map((k) => h('td', null, h('input', { value: c[k] || '', dataset: { k } }))));
  for (const c of s.contacts) contacts.appendChild(contactRow(c));
  contacts.appendChild(contactRow());
  box.append(h('details', { class: 'panel' }, h('summary', null, t('cp.edit')),
    h('form', { class: 'inline', id: 'cp-edit-form', onsubmit: async (e) => {
      e.preventDefault();
      const cs = [...contacts.rows].map((r) => Object.fromEntries([...r.querySelectorAll('input')].map((i) => [i.dataset.k, i.value.trim()])))
        .filter((c) => c.name);
      try {
        await put('/compliance/systems/' + s.id, {
          revision: s.revision, name: f.name.value, owner: f.owner.value, operating_unit: f.unit.value, description: f.description.value,
          ranges: f.ranges.value.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean),
          sensors: f.sensors.value.split(/[\s,]+/).filter(Boolean).map(Number), contacts: cs, archived: f.archived.checked,
        });
        toast(t('cp.saved'));
        again();
      } catch (ex) { fail(ex); }
    } },
    h('label', null, t('cp.name'), f.name), h('label', null, t('cp.owner'), f.owner), h('label', null, t('cp.unit'), f.unit),
    h('label', null, t('cp.description'), f.description), h('label', null, t('cp.ranges'), f.ranges),
    h('label', null, t('cp.sensors'), f.sensors), h('label', null, t('cp.archived'), f.archived),
    h('table', { class: 'grid' }, h('thead', null, h('tr', null, ['cp.contact.name', 'cp.contact.role', 'cp.contact.email', 'cp.contact.phone'].map((k) => h('th', null, t(k))))), contacts),
    h('button', { type: 'submit' }, t('common.save')))));

  // Duties: who drafts, gives the expert opinion, appraises, approves, audits. The server refuses
  // combinations that break independence and roles that cannot hold a duty.
  const users = (await get('/users')).users.filter((u) => !u.disabled && u.role !== 'read-only');
  const rows = h('tbody', { id: 'cp-duty-rows' });
  const dutyRow = (d = {}) => h('tr', null,
    h('td', null, h('select', { class: 'cp-duty-user' }, h('option', { value: '' }, '—'),
      users.map((u) => h('option', { value: u.name, selected: u.name === d.user }, u.name + ' (' + t('role.' + u.role) + ')')))),
    h('td', null, h('select', { class: 'cp-duty-duty' }, DUTIES.map((x) => h('option', { value: x, selected: x === d.duty }, dutyName(x))))),
    h('td', null, h('button', { type: 'button', class: 'link', onclick: (e) => e.target.closest('tr').remove() }, t('cp.remove'))));
  for (const d of s.duties) rows.appendChild(dutyRow(d));
  box.append(h('section', { class: 'panel' }, h('h2', null, t('cp.duties')),
    h('table', { class: 'grid', id: 'cp-duties' }, h('thead', null, h('tr', null, h('th', null, t('cp.duty.user')), h('th', null, t('cp.duty.duty')), h('th'))), rows),
    h('p', null,
      h('button', { type: 'button', class: 'secondary', id: 'cp-duty-add', onclick: () => rows.appendChild(dutyRow()) }, t('cp.duty.add')), ' ',
      h('button', { type: 'button', id: 'cp-duty-save', onclick: async () => {
        const duties = [...rows.rows].map((r) => ({ user: r.querySelector('.cp-duty-user').value, duty: r.querySelector('.cp-duty-duty').value }))
          .filter((d) => d.user);
        try { await put('/compliance/systems/' + s.id + '/duties', { revision: s.revision, duties }); toast(t('cp.saved')); again(); } catch (ex) { fail(ex); }
      } }, t('cp.duty.save')))));
}

// --- the dossier ------------------------------------------------------------------------------

function questionInput(q, value, editable) {
  const id = 'cp-q-' + q.id;
  if (q.type === 'multi') {
    const set = new Set(Array.isArray(value) ? value : []);
    return h('div', { id, class: 'cp-multi' }, q.options.map((o) => h('label', { class: 'cp-check' },
      h('input', { type: 'checkbox', value: o.id, checked: set.has(o.id), disabled: !editable, dataset: { q: q.id } }), tx(o.text))));
  }
  if (q.type === 'enum' || q.type === 'bool') {
    const opts = q.type === 'bool' ? [{ id: 'true', text: null, label: t('cp.yes') }, { id: 'false', label: t('cp.no') }] : q.options;
    const cur = value === undefined || value === null ? '' : String(value);
    return h('select', { id, disabled: !editable, dataset: { q: q.id } }, h('option', { value: '' }, t('cp.unset')),
      opts.map((o) => h('option', { value: o.id, selected: cur === o.id }, o.label || tx(o.text))));
  }
  return h('input', { id, type: 'number', min: q.min, max: q.max, value: value === undefined || value === null ? '' : String(value),
    disabled: !editable, dataset: { q: q.id }, size: 10 });
}

function readAnswers(form, fw) {
  const answers = {};
  for (const q of fw.questions) {
    if (q.type === 'multi') {
      answers[q.id] = [...form.querySelectorAll(`input[data-q="${q.id}"]:checked`)].map((i) => i.value);
      continue;
    }
    const el = form.querySelector(`[data-q="${q.id}"]`);
    const v = el ? el.value : '';
    if (v === '') { answers[q.id] = null; continue; }
    answers[q.id] = q.type === 'bool' ? v === 'true' : q.type === 'int' ? Number(v) : v;
  }
  return answers;
}

function suggestionBox(sug) {
  const box = h('div', { class: 'panel cp-suggestion', id: 'cp-suggestion' });
  box.append(h('div', { class: 'big', id: 'cp-suggested' }, sug.level ? t('cp.suggested', { n: sug.level }) : t('cp.suggested.none')));
  if (sug.matched.length) {
    box.append(h('div', { class: 'muted' }, t('cp.matched')),
      h('ul', { id: 'cp-matched' }, sug.matched.map((m) => h('li', null, h('strong', null, m.article), ' — ', levelText(m.level), ': ', tx(m.text)))));
  }
  if (sug.missing.length) box.append(h('p', { class: 'muted' }, t('cp.missing', { q: sug.missing.join(', ') })));
  return box;
}

// The inputs an action asks for, from the requirement names the framework gives it.
function actionForm(a, d, onDone) {
  const fields = [];
  const vals = {};
  const add = (key, el, label) => { vals[key] = el; fields.push(h('label', null, label, el)); };
  for (const need of a.needs) {
    if (need === 'reasons') add('reasons', h('textarea', { id: `cp-in-${a.action}-reasons`, rows: 3, cols: 50 }), t('cp.reasons'));
    if (need === 'expert_opinion' || need === 'appraisal_opinion') add('opinion', h('textarea', { id: `cp-in-${a.action}-opinion`, rows: 3, cols: 50 }), t('cp.opinion'));
    if (need === 'decision_number') add('decision_number', h('input', { id: `cp-in-${a.action}-decision_number` }), t('cp.decision_number'));
    if (need === 'decision_date') add('decision_date', h('input', { id: `cp-in-${a.action}-decision_date`, type: 'date' }), t('cp.decision_date'));
    if (need === 'pm_list_decision' && d.proposed_level === 5)
      add('pm_decision', h('input', { id: `cp-in-${a.action}-pm_decision`, size: 30 }), t('cp.pm_decision'));
    if (need === 'trigger') add('trigger', h('textarea', { id: `cp-in-${a.action}-trigger`, rows: 2, cols: 50 }), t('cp.trigger'));
    if (need === 'plan_implemented') add('confirmed', h('input', { id: `cp-in-${a.action}-confirmed`, type: 'checkbox' }), t('cp.confirmed'));
  }
  if (a.action === 'start_reassessment') add('trigger', h('textarea', { id: `cp-in-${a.action}-trigger`, rows: 2, cols: 50 }), t('cp.trigger'));
  const form = h('form', { class: 'inline cp-action-form', id: 'cp-form-' + a.action, hidden: true, onsubmit: async (e) => {
    e.preventDefault();
    const body = { action: a.action, revision: d.revision };
    for (const [k, el] of Object.entries(vals)) body[k] = el.type === 'checkbox' ? el.checked : el.value;
    try {
      const r = await post(`/compliance/systems/${d.system}/dossiers/${d.version}/transitions`, body);
      toast(t('cp.done_action', { a: tx(a.label) }));
      onDone(r.version);
    } catch (ex) { fail(ex); }
  } }, fields, h('button', { type: 'submit', id: 'cp-do-' + a.action }, t('cp.do')));
  return form;
}

function actionsPanel(d, data, onDone) {
  const box = h('section', { class: 'panel', id: 'cp-actions' }, h('h2', null, t('cp.actions')));
  const mine = data.my_duties.length ? t('cp.my_duties', { d: data.my_duties.map(dutyName).join(', ') }) : t('cp.no_duty');
  box.append(h('p', { class: 'muted', id: 'cp-my-duties' }, mine));
  if (!d.actions.length) { box.append(h('p', { class: 'muted' }, t('cp.noactions'))); return box; }
  for (const a of d.actions) {
    const why = [];
    if (!a.has_duty) why.push(t('cp.needs_duty', { d: a.duties.map(dutyName).join(' / ') }));
    if (!a.independent) why.push(t('cp.not_independent'));
    if (a.unmet.length) why.push(t('cp.unmet', { u: a.unmet.join('; ') }));
    const form = actionForm(a, d, onDone);
    const ready = !why.length;
    box.append(h('div', { class: 'cp-action' + (ready ? '' : ' cp-blocked') },
      h('button', { type: 'button', id: 'cp-act-' + a.action, class: ready ? '' : 'secondary', disabled: !ready,
        onclick: () => { form.hidden = !form.hidden; const first = form.querySelector('textarea,input'); if (first) first.focus(); } },
      tx(a.label), ' → ', stateName(data.fw, a.to)),
      why.length ? h('span', { class: 'muted cp-why' }, ' ', why.join(' · ')) : null, form));
  }
  return box;
}

async function renderDossier(box, data, ctx, again) {
  const s = data.system;
  let d = data.dossier;
  if (ctx.params.v && d && String(d.version) !== ctx.params.v) d = await get(`/compliance/systems/${s.id}/dossiers/${ctx.params.v}`);
  const isOperator = data.my_duties.includes('operator');
  if (!d) {
    if (!isOperator) { box.append(h('p', { class: 'muted' }, t('cp.no_duty'))); return; }
    const fws = (await get('/compliance/frameworks')).frameworks;
    const sel = h('select', { id: 'cp-start-framework' }, fws.map((f) => h('option', { value: f.id, selected: f.status === 'current' }, tx(f.name))));
    box.append(h('form', { class: 'inline', id: 'cp-start-form', onsubmit: async (e) => {
      e.preventDefault();
      try { await post(`/compliance/systems/${s.id}/dossiers`, { framework: sel.value }); again(); } catch (ex) { fail(ex); }
    } }, h('label', null, t('cp.framework'), sel), h('button', { type: 'submit', id: 'cp-start' }, t('cp.start'))));
    return;
  }
  const fw = await framework(d.framework);
  data.fw = fw;
  if (data.versions.length > 1) {
    box.append(h('p', { class: 'toolbar', id: 'cp-versions' }, t('cp.versions') + ': ', data.versions.map((v) =>
      h('a', { href: `#/system/${s.id}?tab=dossier&v=${v.version}`, class: v.version === d.version ? 'pill active' : 'pill' },
        t('cp.version', { v: v.version }), ' · ', stateName(fw, v.state)))));
  }
  box.append(h('div', { class: 'cards' },
    h('div', { class: 'card' }, h('div', { class: 'muted' }, t('cp.version', { v: d.version }) + ' · ' + tx(fw.name)),
      h('div', { class: 'big', id: 'cp-dossier-state' }, stateName(fw, d.state)), h('div', { class: 'muted' }, fmtTime(d.state_since_ms))),
    h('div', { class: 'card' }, h('div', { class: 'muted' }, t('cp.proposed')), h('div', { class: 'big' }, levelText(d.proposed_level))),
    d.reassessment_due_ms ? h('div', { class: 'card' }, h('div', { class: 'muted' }, t('cp.reassessment_due', { d: fmtDate(d.reassessment_due_ms) })), duePill(d.due_status)) : null,
    d.decision_number ? h('div', { class: 'card' }, h('div', { class: 'muted' }, t('cp.decision', { n: d.decision_number, d: d.decision_date }))) : null));
  if (d.frozen) box.append(h('p', { class: 'panel cp-frozen', id: 'cp-frozen' }, t('cp.frozen'),
    d.snapshot && d.snapshot.score ? ' ' + t('cp.snapshot', { p: d.snapshot.score.percent === null ? '—' : d.snapshot.score.percent + '%' }) : ''));
  if (d.deadlines && d.deadlines.length) {
    box.append(h('p', { id: 'cp-deadlines' }, t('cp.deadlines') + ': ', d.deadlines.map((dl) => h('span', { class: 'pill' + (dl.overdue ? ' cp-due-overdue' : '') },
      t('cp.deadline', { a: dl.action, d: dl.due_date, n: dl.days, u: t(dl.working_days ? 'cp.working_days' : 'cp.days') })))));
  }
  const onDone = (version) => { ctx.navigate('system', { tab: 'dossier', v: version, at: Date.now() }, String(s.id)); };
  box.append(actionsPanel(d, data, onDone));

  const editable = d.editable && isOperator;
  const form = h('form', { id: 'cp-dossier-form', class: 'cp-dossier' });
  // Questionnaire with the suggestion beside it, recomputed by the server as answers change.
  const qs = h('table', { class: 'grid kv', id: 'cp-questions' }, h('tbody', null, fw.questions.map((q) =>
    h('tr', null, h('th', null, tx(q.text)), h('td', null, questionInput(q, d.answers[q.id], editable))))));
  let sugBox = suggestionBox(d.suggestion);
  const refreshSuggestion = async () => {
    try {
      const sug = await post(`/compliance/frameworks/${fw.id}/suggest`, { answers: readAnswers(form, fw) });
      const nb = suggestionBox(sug);
      sugBox.replaceWith(nb);
      sugBox = nb;
    } catch (ex) { /* a half-typed number: keep the last suggestion */ }
  };
  if (editable) form.addEventListener('change', (e) => { if (e.target.dataset.q) refreshSuggestion(); });
  // The suggestion above the questions, not beside them: long Vietnamese questions need the width.
  const sugHolder = h('div', null, sugBox);
  form.append(h('h2', null, t('cp.questionnaire')), sugHolder, qs);

  const level = h('select', { id: 'cp-proposed', disabled: !editable }, h('option', { value: '' }, '—'),
    [1, 2, 3, 4, 5].map((n) => h('option', { value: n, selected: d.proposed_level === n }, levelText(n))));
  const just = h('textarea', { id: 'cp-justification', rows: 3, cols: 80, disabled: !editable }, d.justification);
  form.append(h('div', { class: 'inline' }, h('label', null, t('cp.proposed'), level), h('label', null, t('cp.justification'), just)));

  form.append(h('h2', null, t('cp.parts')));
  const partTexts = {};
  for (const p of fw.dossier_parts) {
    if (p.min_level > Math.max(d.proposed_level || 1, 1)) continue;
    const cur = d.parts.find((x) => x.id === p.id) || { text: '', files: [] };
    const ta = h('textarea', { id: 'cp-part-' + p.id, rows: 2, cols: 80, disabled: !editable }, cur.text);
    partTexts[p.id] = ta;
    const files = h('ul', { class: 'cp-files' }, cur.files.map((f) => h('li', null, fileLink(f.sha256, f.name), ' ',
      h('span', { class: 'muted' }, `${f.size} B`), editable ? [' ', h('button', { type: 'button', class: 'link', onclick: async () => {
        try { await del(`/compliance/systems/${s.id}/dossiers/${d.version}/parts/${p.id}/files/${f.sha256}`); again(); } catch (ex) { fail(ex); }
      } }, t('cp.remove'))] : null)));
    const fileInput = editable ? h('input', { type: 'file', id: 'cp-part-file-' + p.id, onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      try { await upload(`/compliance/systems/${s.id}/dossiers/${d.version}/parts/${p.id}/files?name=${encodeURIComponent(file.name)}`, file, ctx.me); again(); } catch (ex) { fail(ex); }
    } }) : null;
    form.append(h('div', { class: 'cp-part' }, h('label', null, tx(p.text), ta), files, fileInput));
  }
  const reg = h('input', { type: 'checkbox', id: 'cp-regulation', checked: d.regulation_approved, disabled: !editable });
  const regRef = h('input', { id: 'cp-regulation-ref', value: d.regulation_ref, size: 40, disabled: !editable });
  const running = h('input', { type: 'checkbox', id: 'cp-running', checked: d.system_running, disabled: !editable });
  form.append(h('div', { class: 'inline' }, h('label', { class: 'cp-check' }, reg, t('cp.regulation')), h('label', null, t('cp.regulation_ref'), regRef),
    h('label', { class: 'cp-check' }, running, t('cp.running'))));
  if (editable) {
    form.append(h('p', null, h('button', { type: 'submit', id: 'cp-save' }, t('cp.save'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const parts = Object.fromEntries(Object.entries(partTexts).map(([k, el]) => [k, el.value]));
      try {
        await put(`/compliance/systems/${s.id}/dossiers/${d.version}`, {
          revision: d.revision, answers: readAnswers(form, fw), proposed_level: level.value ? Number(level.value) : null,
          justification: just.value, parts, regulation_approved: reg.checked, regulation_ref: regRef.value, system_running: running.checked,
        });
        toast(t('cp.saved'));
        onDone(d.version);
      } catch (ex) { fail(ex); }
    });
  }
  box.append(form);

  const opinions = [['cp.return_reasons', d.return_reasons], ['cp.expert_opinion', d.expert_opinion], ['cp.appraisal_opinion', d.appraisal_opinion]]
    .filter(([, v]) => v);
  if (opinions.length) box.append(kv(opinions.map(([k, v]) => [t(k), v])));
  const au = d.authority;
  if (au) box.append(h('details', { class: 'panel' }, h('summary', null, t('cp.authority')), kv([
    [t('cp.auth.expert'), tx(au.expert_opinion) || '—'], [t('cp.auth.appraises'), tx(au.appraises)], [t('cp.auth.approves'), tx(au.approves)],
    ['', tx(au.note)]])));
  box.append(h('h2', null, t('cp.history')), h('table', { class: 'grid', id: 'cp-history' },
    h('thead', null, h('tr', null, ['cp.when', 'cp.who', 'cp.step', 'cp.state', 'cp.note'].map((k) => h('th', null, t(k))))),
    h('tbody', null, d.history.map((e) => h('tr', null, h('td', null, fmtTime(e.time_ms)), h('td', null, e.actor, ' ', h('span', { class: 'muted' }, dutyName(e.duty))),
      h('td', null, e.action), h('td', null, stateName(fw, e.from), ' → ', stateName(fw, e.to)), h('td', null, e.note))))));
}

// --- controls and evidence --------------------------------------------------------------------

function evidenceList(c, s, canEdit, again) {
  return h('ul', { class: 'cp-evidence' }, c.state.evidence.map((e) => {
    let link;
    if (e.kind === 'file') link = fileLink(e.ref, e.label);
    else if (e.kind === 'alert') link = h('a', { href: '#/alert/' + encodeURIComponent(e.ref) }, e.label || e.ref);
    else link = /^https?:\/\//.test(e.ref) ? h('a', { href: e.ref, rel: 'noopener noreferrer', target: '_blank' }, e.label || e.ref) : e.ref;
    return h('li', null, link, ' ', h('span', { class: 'muted' }, e.added_by + ' ' + fmtDate(e.added_ms)),
      canEdit ? [' ', h('button', { type: 'button', class: 'link', onclick: async () => {
        if (!confirm(t('cp.confirm.remove'))) return;
        try { await del(`/compliance/systems/${s.id}/controls/${c.id}/evidence/${e.id}`); again(); } catch (ex) { fail(ex); }
      } }, t('cp.remove'))] : null);
  }));
}

function controlRow(c, s, canEdit, ctx, again) {
  const st = c.state;
  const req = h('td', null, h('div', null, tx(c.text)),
    c.at_level ? h('div', { class: 'muted' }, tx(c.at_level)) : null,
    c.conditional ? h('div', { class: 'muted' }, t('cp.conditional', { c: tx(c.conditional) })) : null);
  let live = h('td', { class: 'muted' }, '—');
  if (c.live) {
    live = h('td', null, verdictPill(c.live.verdict), ' ', h('span', null, c.live.summary),
      h('details', null, h('summary', null, t('cp.figures')), h('pre', { class: 'cp-figures' }, JSON.stringify(c.live.figures, null, 1))));
  }
  let status;
  if (canEdit) {
    const sel = h('select', { class: 'cp-status', id: 'cp-status-' + c.id },
      ['', 'met', 'partly_met', 'not_met', 'not_applicable'].map((v) => h('option', { value: v, selected: st.status === v }, t('cp.st.' + v))));
    const reason = h('input', { class: 'cp-reason', placeholder: t('cp.ctl.reason'), value: st.reason, size: 18, hidden: st.status !== 'not_applicable' });
    const notes = h('textarea', { class: 'cp-notes', rows: 1, cols: 22, placeholder: t('cp.ctl.notes') }, st.notes);
    sel.addEventListener('change', () => { reason.hidden = sel.value !== 'not_applicable'; });
    const save = h('button', { type: 'button', class: 'secondary cp-save-control', id: 'cp-save-' + c.id, onclick: async () => {
      try {
        await put(`/compliance/systems/${s.id}/controls/${c.id}`, { status: sel.value, reason: reason.value, notes: notes.value, revision: st.revision });
        toast(t('cp.saved'));
        again();
      } catch (ex) { fail(ex); }
    } }, t('common.save'));
    status = h('td', null, sel, reason, notes, save);
  } else {
    status = h('td', null, t('cp.st.' + (st.status || '')), st.reason ? h('div', { class: 'muted' }, st.reason) : null,
      st.notes ? h('div', null, st.notes) : null);
  }
  const evidence = h('td', null, evidenceList(c, s, canEdit, again));
  if (canEdit) {
    const ref = h('input', { placeholder: t('cp.link.url'), size: 22 });
    const label = h('input', { placeholder: t('cp.link.label'), size: 12 });
    evidence.append(h('div', { class: 'cp-add-evidence' }, ref, label, h('button', { type: 'button', class: 'link', onclick: async () => {
      const v = ref.value.trim();
      const kind = /^[0-9a-f]{32}$/i.test(v) ? 'alert' : 'url';
      try { await post(`/compliance/systems/${s.id}/controls/${c.id}/links`, { kind, ref: v, label: label.value }); again(); } catch (ex) { fail(ex); }
    } }, t('cp.link')), h('input', { type: 'file', class: 'cp-file', onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      try { await upload(`/compliance/systems/${s.id}/controls/${c.id}/files?name=${encodeURIComponent(file.name)}`, file, ctx.me); again(); } catch (ex) { fail(ex); }
    } })));
  }
  return h('tr', { dataset: { control: c.id, group: c.group, effective: c.effective }, id: 'cp-control-' + c.id },
    h('td', null, h('code', null, c.id)), req, h('td', null, c.clause || '—'), h('td', null, t('cp.kind.' + c.evidence_kind)),
    live, status, h('td', null, effectivePill(c.effective)), evidence);
}

async function renderControls(box, data, ctx, again) {
  const s = data.system;
  const cj = await get(`/compliance/systems/${s.id}/controls`);
  if (!cj.level) { box.append(h('p', { class: 'muted', id: 'cp-nolevel' }, t('cp.nolevel'))); return; }
  const sc = cj.score;
  box.append(h('section', { class: 'panel', id: 'cp-score' }, h('h2', null, t('cp.controls', { n: cj.level, f: cj.framework })), scoreBar(sc),
    h('p', { class: 'muted' }, t('cp.score.detail', { met: sc.met, partly: sc.partly_met, notmet: sc.not_met, na: sc.not_assessed, ne: sc.not_evaluated, excl: sc.not_applicable }),
      ' — ', sc.denominator)));
  const canEdit = !s.archived && data.my_duties.some((x) => ['operator', 'appraiser', 'auditor'].includes(x));
  const group = h('select', { id: 'cp-filter-group' }, h('option', { value: '' }, t('cp.all')), cj.groups.map((g) => h('option', { value: g.id }, g.id + ' · ' + tx(g.text))));
  const eff = h('select', { id: 'cp-filter-eff' }, h('option', { value: '' }, t('cp.all')),
    ['met', 'partly_met', 'not_met', 'not_applicable', 'not_assessed', 'not_evaluated'].map((e) => h('option', { value: e }, t('cp.eff.' + e))));
  const body = h('tbody');
  const apply = () => {
    for (const tr of body.rows) tr.hidden = (group.value && tr.dataset.group !== group.value) || (eff.value && tr.dataset.effective !== eff.value);
  };
  group.addEventListener('change', apply);
  eff.addEventListener('change', apply);
  box.append(h('div', { class: 'toolbar' }, h('label', null, t('cp.filter.group'), group), h('label', null, t('cp.filter.eff'), eff)));
  for (const c of cj.controls) body.appendChild(controlRow(c, s, canEdit, ctx, again));
  box.append(h('table', { class: 'grid cp-controls', id: 'cp-controls' }, h('thead', null, h('tr', null,
    ['cp.ctl.id', 'cp.ctl.req', 'cp.ctl.clause', 'cp.ctl.kind', 'cp.ctl.live', 'cp.ctl.status', 'cp.ctl.effective', 'cp.ctl.evidence'].map((k) => h('th', null, t(k))))), body));
}

function renderReport(box, data, ctx) {
  const s = data.system;
  const today = new Date();
  const from = h('input', { type: 'date', id: 'cp-report-from', value: fmtDate(today.getTime() - 30 * 86400000) });
  const to = h('input', { type: 'date', id: 'cp-report-to', value: fmtDate(today.getTime()) });
  const links = h('p', { class: 'toolbar' });
  const update = () => {
    const f = new Date(from.value + 'T00:00:00').getTime();
    const tt = new Date(to.value + 'T00:00:00').getTime() + 86400000;
    const q = `from_ms=${f}&to_ms=${tt}`;
    clear(links).append(
      h('a', { class: 'button', id: 'cp-report-open', href: `#/compliance-report/${s.id}?${q}` }, t('cp.report.open')), ' ',
      h('a', { class: 'button secondary', id: 'cp-report-csv', href: `/api/v1/compliance/systems/${s.id}/report.csv?${q}`, download: `canh-system-${s.id}-report.csv` }, t('cp.report.csv')));
  };
  from.addEventListener('change', update);
  to.addEventListener('change', update);
  update();
  box.append(h('div', { class: 'inline' }, h('label', null, t('cp.report.from'), from), h('label', null, t('cp.report.to'), to)), links);
}

async function render(main, ctx) {
  const id = ctx.arg;
  const tab = ctx.params.tab || 'dossier';
  const again = () => { clear(main); render(main, ctx).catch(fail); };
  const data = await get('/compliance/systems/' + encodeURIComponent(id));
  const s = data.system;
  if (data.dossier) data.fw = await framework(data.dossier.framework);
  main.append(h('p', null, h('a', { href: '#/compliance' }, '← ' + t('nav.compliance'))),
    h('h1', { id: 'cp-system-name' }, s.name, ' ', h('span', { class: 'pill' }, levelText(data.approved_level || data.assessed_level)),
      s.archived ? [' ', h('span', { class: 'pill' }, t('cp.archived'))] : null));
  main.append(h('div', { class: 'tabs', id: 'cp-tabs' }, ['dossier', 'controls', 'info', 'report'].map((x) =>
    h('button', { type: 'button', class: x === tab ? 'active' : 'secondary', id: 'cp-tab-' + x,
      onclick: () => ctx.navigate('system', { tab: x }, String(s.id)) }, t('cp.tab.' + x)))));
  const box = h('div', { id: 'cp-tab-body' });
  main.append(box);
  if (tab === 'info') await renderInfo(box, data, ctx, again);
  else if (tab === 'controls') await renderControls(box, data, ctx, again);
  else if (tab === 'report') renderReport(box, data, ctx);
  else await renderDossier(box, data, ctx, again);
}

export default { id: 'system', title: 'nav.compliance', nav: false, render };
