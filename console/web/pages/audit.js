// The audit trail: who did what, newest first, with the hash chain verified on demand.
import { h, clear, table, fmtTime, toast } from '../dom.js';
import { t, addMessages } from '../i18n.js';
import { get, qs } from '../api.js';

addMessages({
  vi: {
    'audit.title': 'Nhật ký kiểm toán', 'audit.time': 'Thời điểm', 'audit.actor': 'Người thực hiện', 'audit.action': 'Hành động',
    'audit.path': 'Đối tượng', 'audit.status': 'Kết quả', 'audit.detail': 'Chi tiết', 'audit.verify': 'Kiểm tra chuỗi băm',
    'audit.ok': 'Chuỗi băm nguyên vẹn: {n} bản ghi', 'audit.broken': 'Chuỗi băm bị phá vỡ: {problem}',
    'audit.export': 'Xuất (NDJSON)', 'audit.filter.action': 'Hành động bắt đầu bằng', 'audit.filter.actor': 'Người dùng',
  },
  en: {
    'audit.title': 'Audit log', 'audit.time': 'Time', 'audit.actor': 'Who', 'audit.action': 'Action',
    'audit.path': 'Target', 'audit.status': 'Result', 'audit.detail': 'Detail', 'audit.verify': 'Verify hash chain',
    'audit.ok': 'Hash chain intact: {n} records', 'audit.broken': 'Hash chain broken: {problem}',
    'audit.export': 'Export (NDJSON)', 'audit.filter.action': 'Action starts with', 'audit.filter.actor': 'User',
  },
});

export default {
  id: 'audit', title: 'nav.audit', nav: true, roles: ['admin', 'auditor'],
  async render(main, ctx) {
    const p = ctx.params;
    const action = h('input', { id: 'audit-action', value: p.action || '', placeholder: 'alert.' });
    const actor = h('input', { id: 'audit-actor', value: p.actor || '' });
    const verdict = h('p', { id: 'audit-verdict' });
    const body = h('tbody');
    let before = 0;
    const more = h('button', { class: 'secondary', onclick: () => load() }, t('common.more'));
    async function load() {
      const data = await get('/audit' + qs({ action: p.action, actor: p.actor, before, limit: 100 }));
      for (const r of data.records) {
        body.appendChild(h('tr', null,
          h('td', null, fmtTime(r.time_ms)), h('td', null, r.actor_name || r.actor_kind),
          h('td', null, r.action), h('td', null, r.method + ' ' + r.path),
          h('td', { class: r.status >= 400 ? 'bad' : 'good' }, String(r.status)), h('td', null, r.detail)));
      }
      before = data.next_before || 0;
      more.hidden = !data.next_before;
    }
    main.append(
      h('h1', null, t('audit.title')),
      h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); ctx.navigate('audit', { action: action.value, actor: actor.value }); } },
        h('label', null, t('audit.filter.action'), action), h('label', null, t('audit.filter.actor'), actor),
        h('button', { type: 'submit' }, t('common.apply')),
        h('button', { type: 'button', class: 'secondary', id: 'audit-verify', onclick: async () => {
          const v = await get('/audit/verify');
          verdict.className = v.ok ? 'good' : 'bad';
          verdict.textContent = v.ok ? t('audit.ok', { n: v.records }) : t('audit.broken', { problem: v.problem });
        } }, t('audit.verify')),
        h('a', { href: '/api/v1/audit/export', class: 'button secondary', download: 'canh-audit.ndjson' }, t('audit.export'))),
      verdict,
      h('table', { class: 'grid', id: 'audit-table' },
        h('thead', null, h('tr', null, ['audit.time', 'audit.actor', 'audit.action', 'audit.path', 'audit.status', 'audit.detail'].map((k) => h('th', null, t(k))))),
        body),
      more);
    await load();
  },
};
