// Dashboard: alerts over time, severity breakdown, top signatures, sources and destinations, and
// per-sensor rates. Every bar leads to the alert inbox filtered on it.
import { h, clear } from '../dom.js';
import { t, addMessages } from '../i18n.js';
import { get, qs } from '../api.js';
import { timeBars, barList } from '../chart.js';

addMessages({
  vi: {
    'dash.title': 'Tổng quan', 'dash.range': 'Khoảng thời gian', 'dash.total': 'Tổng số cảnh báo', 'dash.new': 'Chưa xử lý',
    'dash.escalated': 'Đã chuyển cấp', 'dash.sev1': 'Mức nghiêm trọng 1', 'dash.overtime': 'Cảnh báo theo thời gian',
    'dash.severity': 'Theo mức nghiêm trọng', 'dash.topsig': 'Chữ ký nhiều nhất', 'dash.topsrc': 'Nguồn nhiều nhất',
    'dash.topdst': 'Đích nhiều nhất', 'dash.sensors': 'Theo cảm biến (cảnh báo/giờ)', 'dash.states': 'Theo trạng thái',
    'range.1h': '1 giờ', 'range.24h': '24 giờ', 'range.7d': '7 ngày', 'range.30d': '30 ngày',
    'sev.1': 'Mức 1 (cao)', 'sev.2': 'Mức 2', 'sev.3': 'Mức 3', 'sev.4': 'Mức 4', 'sev.0': 'Khác',
  },
  en: {
    'dash.title': 'Dashboard', 'dash.range': 'Time range', 'dash.total': 'Alerts', 'dash.new': 'New',
    'dash.escalated': 'Escalated', 'dash.sev1': 'Severity 1', 'dash.overtime': 'Alerts over time',
    'dash.severity': 'By severity', 'dash.topsig': 'Top signatures', 'dash.topsrc': 'Top sources',
    'dash.topdst': 'Top destinations', 'dash.sensors': 'By sensor (alerts/hour)', 'dash.states': 'By state',
    'range.1h': '1 hour', 'range.24h': '24 hours', 'range.7d': '7 days', 'range.30d': '30 days',
    'sev.1': 'Severity 1 (high)', 'sev.2': 'Severity 2', 'sev.3': 'Severity 3', 'sev.4': 'Severity 4', 'sev.0': 'Other',
  },
});

export const RANGES = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

export default {
  id: 'dashboard', title: 'nav.dashboard', nav: true,
  async render(main, ctx) {
    const range = RANGES[ctx.params.range] ? ctx.params.range : '24h';
    const now = Date.now();
    const from = now - RANGES[range];
    const st = await get('/alerts/stats' + qs({ from, to: now + 1 }));
    const go = (params) => ctx.navigate('alerts', Object.assign({ range }, params));
    const sev = st.by_severity || {};
    // by_severity is [severity 1, 2, 3, 4, other] (console/alerts_api.h).
    const sevCount = (k) => Number((Array.isArray(sev) ? sev[k - 1] : sev[String(k)]) || 0);
    main.append(
      h('div', { class: 'toolbar' }, h('h1', null, t('dash.title')),
        h('label', null, t('dash.range'), h('select', { id: 'dash-range', onchange: (e) => ctx.navigate('dashboard', { range: e.target.value }) },
          Object.keys(RANGES).map((r) => h('option', { value: r, selected: r === range }, t('range.' + r)))))),
      h('div', { class: 'cards' },
        card(t('dash.total'), st.total, () => go({})),
        card(t('dash.new'), (st.by_state || {}).new || 0, () => go({ state: 'new' })),
        card(t('dash.escalated'), (st.by_state || {}).escalated || 0, () => go({ state: 'escalated' })),
        card(t('dash.sev1'), sevCount(1), () => go({ severity: 1 }))),
      h('section', { class: 'panel' }, h('h2', null, t('dash.overtime')),
        timeBars((st.series || []).map((b) => ({ t: Date.parse(b.start), v: b.count })), { label: t('dash.overtime') })),
      h('div', { class: 'cols' },
        panel(t('dash.severity'), barList([1, 2, 3, 4].map((k) => ({ label: t('sev.' + k), value: sevCount(k), onclick: () => go({ severity: k }) })), { id: 'dash-severity' })),
        panel(t('dash.topsig'), barList((st.top_signatures || []).map((x) => ({ label: `${x.signature || ''} [${x.sid}]`, value: x.count, onclick: () => go({ sid: x.sid }) })), { id: 'dash-topsig' })),
        panel(t('dash.topsrc'), barList((st.top_sources || []).map((x) => ({ label: x.ip, value: x.count, onclick: () => go({ src: x.ip }) })))),
        panel(t('dash.topdst'), barList((st.top_destinations || []).map((x) => ({ label: x.ip, value: x.count, onclick: () => go({ dst: x.ip }) })))),
        panel(t('dash.sensors'), barList((st.by_sensor || []).map((x) => ({
          label: x.name || ('#' + x.sensor), value: Math.round((x.count * 3600e3) / RANGES[range]), onclick: () => go({ sensor: x.sensor }) })))),
        panel(t('dash.states'), barList(Object.entries(st.by_state || {}).map(([k, v]) => ({ label: t('state.' + k), value: v, onclick: () => go({ state: k }) }))))));
    // Refresh while the page is open: a wall screen should not go stale.
    const timer = setInterval(() => { if (document.visibilityState === 'visible') ctx.navigate('dashboard', { range, r: Date.now() % 1000 }); }, 60000);
    return () => clearInterval(timer);
  },
};

function card(label, value, onclick) {
  return h('div', { class: 'card pivot', onclick }, h('div', { class: 'muted' }, label), h('div', { class: 'big' }, String(value)));
}
function panel(title, body) {
  return h('section', { class: 'panel' }, h('h2', null, title), body);
}
