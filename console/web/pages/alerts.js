// The alert inbox: filters kept in the URL, a list or groups (by signature, by source) with counts
// and first/last seen, click-to-pivot on any value, keyboard triage (j/k move, a acknowledge,
// e escalate, Enter open), bulk actions on everything the filter matches, live refresh.
import { h, clear, fmtTime, toast, zoneLabel } from '../dom.js';
import { t, addMessages } from '../i18n.js';
import { get, post, qs } from '../api.js';
import { RANGES } from './dashboard.js';

addMessages({
  vi: {
    'al.title': 'Cảnh báo', 'al.time': 'Thời điểm', 'al.sev': 'Mức', 'al.sig': 'Chữ ký', 'al.src': 'Nguồn', 'al.dst': 'Đích',
    'al.sensor': 'Cảm biến', 'al.state': 'Trạng thái', 'al.assignee': 'Người xử lý', 'al.count': 'Số lượng',
    'al.first': 'Lần đầu', 'al.last': 'Lần cuối', 'al.view.list': 'Danh sách', 'al.view.signature': 'Nhóm theo chữ ký',
    'al.view.source': 'Nhóm theo nguồn', 'al.f.range': 'Thời gian', 'al.f.all': 'Tất cả', 'al.f.severity': 'Mức',
    'al.f.sid': 'SID', 'al.f.q': 'Nội dung chữ ký', 'al.f.src': 'Nguồn (IP/CIDR)', 'al.f.dst': 'Đích (IP/CIDR)',
    'al.f.state': 'Trạng thái', 'al.f.assignee': 'Người xử lý', 'al.f.sensor': 'Cảm biến', 'al.f.system': 'Hệ thống',
    'al.f.any': 'Bất kỳ', 'al.bulk.ack': 'Tiếp nhận tất cả kết quả lọc', 'al.bulk.close': 'Đóng tất cả kết quả lọc…',
    'al.bulk.assign': 'Giao cho tôi tất cả kết quả lọc', 'al.bulk.done': 'Đã thay đổi {changed} / {matched} cảnh báo',
    'al.bulk.confirm': 'Áp dụng cho MỌI cảnh báo khớp bộ lọc (không chỉ trang này)?', 'al.live.new': '{n} cảnh báo mới',
    'al.empty': 'Không có cảnh báo nào khớp bộ lọc', 'al.partial': 'Kết quả một phần: hãy thu hẹp khoảng thời gian',
    'al.keys': 'Phím tắt: j/k di chuyển, Enter mở, a tiếp nhận, e chuyển cấp', 'al.new': 'mới',
    'reason.label': 'Lý do', 'reason.true-positive': 'Đúng là tấn công', 'reason.benign': 'Vô hại', 'reason.false-positive': 'Cảnh báo sai',
    'reason.duplicate': 'Trùng lặp', 'reason.test': 'Kiểm thử', 'reason.other': 'Khác', 'al.note': 'Ghi chú',
    'al.bulk.progress': 'Đang xử lý: đã xem {matched}, đã thay đổi {changed} cảnh báo…', 'al.bulk.stop': 'Dừng',
    'al.bulk.stopped': 'Đã dừng: đã thay đổi {changed} / {matched} cảnh báo đã xem', 'al.mine': 'Của tôi',
    'al.unassigned': 'Chưa giao', 'al.f.assignee.hint': 'tên, "me" (tôi) hoặc "unassigned" (chưa giao)',
    'al.view.destination': 'Nhóm theo đích', 'al.exclude': 'Loại trừ giá trị này', 'al.excluded': 'Đang loại trừ:',
    'al.unexclude': 'Bỏ loại trừ',
  },
  en: {
    'al.title': 'Alerts', 'al.time': 'Time', 'al.sev': 'Sev', 'al.sig': 'Signature', 'al.src': 'Source', 'al.dst': 'Destination',
    'al.sensor': 'Sensor', 'al.state': 'State', 'al.assignee': 'Assignee', 'al.count': 'Count',
    'al.first': 'First seen', 'al.last': 'Last seen', 'al.view.list': 'List', 'al.view.signature': 'By signature',
    'al.view.source': 'By source', 'al.f.range': 'Time', 'al.f.all': 'All', 'al.f.severity': 'Severity',
    'al.f.sid': 'SID', 'al.f.q': 'Signature text', 'al.f.src': 'Source (IP/CIDR)', 'al.f.dst': 'Destination (IP/CIDR)',
    'al.f.state': 'State', 'al.f.assignee': 'Assignee', 'al.f.sensor': 'Sensor', 'al.f.system': 'System',
    'al.f.any': 'Any', 'al.bulk.ack': 'Acknowledge all matching', 'al.bulk.close': 'Close all matching…',
    'al.bulk.assign': 'Assign all matching to me', 'al.bulk.done': 'Changed {changed} of {matched} alerts',
    'al.bulk.confirm': 'Apply to EVERY alert matching the filter (not just this page)?', 'al.live.new': '{n} new alerts',
    'al.empty': 'No alerts match the filter', 'al.partial': 'Partial result: narrow the time range',
    'al.keys': 'Keys: j/k move, Enter open, a acknowledge, e escalate', 'al.new': 'new',
    'reason.label': 'Reason', 'reason.true-positive': 'True positive', 'reason.benign': 'Benign', 'reason.false-positive': 'False positive',
    'reason.duplicate': 'Duplicate', 'reason.test': 'Test', 'reason.other': 'Other', 'al.note': 'Note',
    'al.bulk.progress': 'Working: {matched} looked at, {changed} alerts changed…', 'al.bulk.stop': 'Stop',
    'al.bulk.stopped': 'Stopped: changed {changed} of {matched} alerts looked at', 'al.mine': 'Mine',
    'al.unassigned': 'Unassigned', 'al.f.assignee.hint': 'a name, "me" or "unassigned"',
    'al.view.destination': 'By destination', 'al.exclude': 'Exclude this value', 'al.excluded': 'Excluding:',
    'al.unexclude': 'Stop excluding',
  },
});

export const STATES = ['new', 'acknowledged', 'escalated', 'closed', 'false-positive'];
export const REASONS = ['true-positive', 'benign', 'false-positive', 'duplicate', 'test', 'other'];
const FILTERS = ['severity', 'sid', 'q', 'src', 'dst', 'state', 'assignee', 'sensor', 'system'];
// Exclusions ("all but this scanner"): comma-separated in the URL, one API parameter per value.
const EXCLUSIONS = ['not_sid', 'not_src', 'not_dst', 'not_ip', 'not_sensor'];
const listOf = (v) => (v ? String(v).split(',').filter(Boolean) : []);

// URL params -> API filters (time range to from/to).
export function apiFilter(params) {
  const f = {};
  for (const k of FILTERS) if (params[k]) f[k] = params[k];
  for (const k of EXCLUSIONS) if (params[k]) f[k] = listOf(params[k]);
  const range = params.range || '24h';
  if (RANGES[range]) f.from = Date.now() - RANGES[range];
  return f;
}

export function sevBadge(s) { return h('span', { class: 'sev sev-' + (s >= 1 && s <= 4 ? s : 0) }, String(s)); }
export function stateBadge(s) { return h('span', { class: 'state state-' + s }, t('state.' + s)); }

export default {
  id: 'alerts', title: 'nav.alerts', nav: true,
  async render(main, ctx) {
    const p = ctx.params;
    const view = p.view || 'list';
    const canTriage = ['admin', 'analyst'].includes(ctx.me.role);
    const pivot = (k, v) => ctx.navigate('alerts', Object.assign({}, p, { [k]: v, view: k === 'sid' || k === 'src' ? 'list' : view }));
    const exclude = (k, v) => {
      const key = 'not_' + k;
      const have = listOf(p[key]);
      if (!have.includes(String(v))) have.push(String(v));
      ctx.navigate('alerts', Object.assign({}, p, { [key]: have.join(',') }));
    };
    const excluded = EXCLUSIONS.flatMap((k) => listOf(p[k]).map((v) => [k, v]));
    const exclusions = excluded.length ? h('div', { class: 'toolbar', id: 'exclusions' }, t('al.excluded'), excluded.map(([k, v]) =>
      h('button', { class: 'pill', title: t('al.unexclude'), dataset: { key: k, value: v },
        onclick: () => ctx.navigate('alerts', Object.assign({}, p, { [k]: listOf(p[k]).filter((x) => x !== v).join(',') })) },
      `${k.slice(4)} ≠ ${v} ×`))) : null;

    // --- filter form
    const field = (k, attrs = {}) => h('input', Object.assign({ id: 'f-' + k, name: k, value: p[k] || '' }, attrs));
    const range = h('select', { id: 'f-range', name: 'range' },
      [...Object.keys(RANGES), 'all'].map((r) => h('option', { value: r, selected: (p.range || '24h') === r }, r === 'all' ? t('al.f.all') : t('range.' + r))));
    const sev = h('select', { id: 'f-severity', name: 'severity' }, h('option', { value: '' }, t('al.f.any')),
      [1, 2, 3, 4].map((k) => h('option', { value: k, selected: String(p.severity) === String(k) }, String(k))));
    const state = h('select', { id: 'f-state', name: 'state' }, h('option', { value: '' }, t('al.f.any')),
      STATES.map((k) => h('option', { value: k, selected: p.state === k }, t('state.' + k))));
    const inputs = { range, severity: sev, state, sid: field('sid', { size: 9 }), q: field('q'), src: field('src', { size: 16 }),
      dst: field('dst', { size: 16 }), assignee: field('assignee', { size: 10, list: 'assignee-words', title: t('al.f.assignee.hint') }), sensor: field('sensor', { size: 4 }), system: field('system', { size: 4 }) };
    const form = h('form', { class: 'filters', id: 'alert-filters', onsubmit: (e) => {
      e.preventDefault();
      const next = { view };
      for (const [k, el] of Object.entries(inputs)) if (el.value) next[k] = el.value.trim();
      ctx.navigate('alerts', next);
    } },
    h('label', null, t('al.f.range'), range), h('label', null, t('al.f.severity'), sev), h('label', null, t('al.f.state'), state),
    h('label', null, t('al.f.sid'), inputs.sid), h('label', null, t('al.f.q'), inputs.q), h('label', null, t('al.f.src'), inputs.src),
    h('label', null, t('al.f.dst'), inputs.dst), h('label', null, t('al.f.assignee'), inputs.assignee),
    h('label', null, t('al.f.sensor'), inputs.sensor), h('label', null, t('al.f.system'), inputs.system),
    h('datalist', { id: 'assignee-words' }, h('option', { value: 'me' }, t('al.mine')), h('option', { value: 'unassigned' }, t('al.unassigned'))),
    h('button', { type: 'submit', id: 'filter-apply' }, t('common.apply')),
    h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('alerts', { view }) }, t('common.reset')));

    const tabs = h('div', { class: 'tabs' }, ['list', 'signature', 'source', 'destination'].map((v) =>
      h('button', { class: 'secondary' + (v === view ? ' active' : ''), id: 'view-' + v, onclick: () => ctx.navigate('alerts', Object.assign({}, p, { view: v })) }, t('al.view.' + v))));
    // The analyst's two daily questions, one click each; "me" stays in the URL, so a bookmark is
    // "my alerts" for whoever opens it.
    const quick = h('div', { class: 'tabs' }, [['me', 'al.mine', 'quick-mine'], ['unassigned', 'al.unassigned', 'quick-unassigned']].map(([v, k, id]) =>
      h('button', { class: 'secondary' + (p.assignee === v ? ' active' : ''), id,
        onclick: () => ctx.navigate('alerts', Object.assign({}, p, { assignee: p.assignee === v ? '' : v })) }, t(k))));

    const filter = apiFilter(p);
    const bulk = h('div', { class: 'toolbar', id: 'bulk' });
    if (canTriage) {
      // Steps of 5,000 alerts (one store write each), each continuing at the previous step's cursor:
      // the person sees how far a long action is and can stop it; what was done stays done.
      const progress = h('span', { id: 'bulk-progress', class: 'pill', hidden: true });
      const stop = h('button', { class: 'secondary', id: 'bulk-stop', hidden: true }, t('al.bulk.stop'));
      let stopping = false;
      stop.addEventListener('click', () => { stopping = true; });
      const act = async (change) => {
        if (!confirm(t('al.bulk.confirm'))) return;
        const total = { matched: 0, changed: 0 };
        let cursor = '';
        stopping = false;
        for (const b of bulk.querySelectorAll('button:not(#bulk-stop)')) b.disabled = true;
        progress.hidden = false;
        stop.hidden = false;
        progress.textContent = t('al.bulk.progress', total);
        try {
          for (;;) {
            const r = await post('/alerts/bulk', Object.assign({ filter, limit: 5000, cursor }, change));
            total.matched += r.matched;
            total.changed += r.changed;
            progress.textContent = t('al.bulk.progress', total);
            if (!r.next_cursor) break;
            cursor = r.next_cursor;
            if (stopping) break;
          }
          toast(t(stopping ? 'al.bulk.stopped' : 'al.bulk.done', total));
          ctx.navigate('alerts', Object.assign({}, p, { r: Date.now() % 100000 }));
        } catch (e) {
          toast(t('common.error', { msg: e.message }), 'bad');
          progress.textContent = t('al.bulk.stopped', total);
          stop.hidden = true;
          for (const b of bulk.querySelectorAll('button')) b.disabled = false;
        }
      };
      const reason = h('select', { id: 'bulk-reason' }, REASONS.map((r) => h('option', { value: r }, t('reason.' + r))));
      bulk.append(
        h('button', { class: 'secondary', id: 'bulk-ack', onclick: () => act({ state: 'acknowledged' }) }, t('al.bulk.ack')),
        h('button', { class: 'secondary', id: 'bulk-assign', onclick: () => act({ assignee: ctx.me.name }) }, t('al.bulk.assign')),
        h('label', null, t('reason.label'), reason),
        h('button', { class: 'secondary', id: 'bulk-close', onclick: () => act({ state: reason.value === 'false-positive' ? 'false-positive' : 'closed', reason: reason.value, note: 'bulk' }) }, t('al.bulk.close')),
        progress, stop);
    }
    const liveBox = h('input', { type: 'checkbox', id: 'live', checked: p.live === '1' });
    const liveNote = h('span', { id: 'live-note', class: 'pill' });
    main.append(h('h1', null, t('al.title')), form, h('div', { class: 'toolbar' }, tabs, quick,
      h('label', null, t('common.live'), liveBox), liveNote), exclusions, bulk);
    liveBox.addEventListener('change', () => ctx.navigate('alerts', Object.assign({}, p, { live: liveBox.checked ? '1' : '' })));

    const body = h('div', { id: 'alert-body' });
    main.appendChild(body);
    if (view !== 'list') {
      await renderGroups(body, view, filter, p, ctx);
      return;
    }
    return renderList(body, filter, p, ctx, canTriage, liveBox, liveNote, pivot, exclude);
  },
};

async function renderGroups(body, view, filter, p, ctx) {
  const data = await get('/alerts/groups' + qs(Object.assign({ by: view }, filter)));
  if (data.partial) body.appendChild(h('p', { class: 'muted' }, t('al.partial')));
  if (!data.groups.length) { body.appendChild(h('p', { class: 'muted', id: 'alert-empty' }, t('al.empty'))); return; }
  body.appendChild(h('table', { class: 'grid', id: 'group-table' },
    h('thead', null, h('tr', null, [{ signature: 'al.sig', source: 'al.src', destination: 'al.dst' }[view], 'al.count', 'al.new', 'al.first', 'al.last'].map((k) => h('th', null, t(k))))),
    h('tbody', null, data.groups.map((g) => h('tr', { class: 'pivot', onclick: () => ctx.navigate('alerts',
      Object.assign({}, p, { [{ signature: 'sid', source: 'src', destination: 'dst' }[view]]: g.key }, { view: 'list' })) },
    h('td', null, sevBadge(g.severity), ' ', g.label, view === 'signature' ? ` [${g.key}]` : ''),
    h('td', { class: 'num' }, String(g.count)), h('td', { class: 'num' }, String(g.new)),
    h('td', null, fmtTime(g.first_us / 1000)), h('td', null, fmtTime(g.last_us / 1000)))))));
}

function renderList(body, filter, p, ctx, canTriage, liveBox, liveNote, pivot, exclude) {
  const tbody = h('tbody');
  const more = h('button', { class: 'secondary', id: 'alerts-more', hidden: true }, t('common.more'));
  const seen = new Set();
  let cursor = null;
  let selected = -1;
  const rows = [];

  // Click a value to keep only it; its "−" to keep everything but it.
  const cell = (text, k, v) => h('td', null, h('span', { class: 'pivot', title: t('common.apply'), onclick: (e) => { e.stopPropagation(); pivot(k, v); } }, text),
    h('button', { class: 'excl', title: t('al.exclude'), 'aria-label': t('al.exclude'), dataset: { key: k }, onclick: (e) => { e.stopPropagation(); exclude(k, v); } }, '−'));
  function row(a, prepend) {
    seen.add(a.id);
    const tr = h('tr', { class: 'alert-row', dataset: { id: a.id }, onclick: () => ctx.navigate('alert', {}, a.id) },
      h('td', null, fmtTime(a.ts_us ? a.ts_us / 1000 : Date.parse(a.timestamp))),
      h('td', null, sevBadge(a.severity)),
      cell(a.signature, 'sid', a.sid),
      cell(`${a.src_ip}:${a.src_port}`, 'src', a.src_ip),
      cell(`${a.dest_ip}:${a.dest_port}`, 'dst', a.dest_ip),
      cell(a.sensor_name || ('#' + a.sensor), 'sensor', a.sensor),
      h('td', null, stateBadge(a.state)),
      h('td', null, a.assignee || ''));
    if (prepend) { tbody.insertBefore(tr, tbody.firstChild); rows.unshift({ a, tr }); } else { tbody.appendChild(tr); rows.push({ a, tr }); }
  }
  async function load() {
    const data = await get('/alerts' + qs(Object.assign({}, filter, { limit: 100, cursor })));
    for (const a of data.items) if (!seen.has(a.id)) row(a, false);
    cursor = data.next_cursor;
    more.hidden = !cursor;
    if (!rows.length) body.replaceChildren(h('p', { class: 'muted', id: 'alert-empty' }, t('al.empty')));
  }
  more.addEventListener('click', load);
  body.append(h('table', { class: 'grid', id: 'alert-table' },
    h('thead', null, h('tr', null, ['al.time', 'al.sev', 'al.sig', 'al.src', 'al.dst', 'al.sensor', 'al.state', 'al.assignee'].map((k) =>
      h('th', null, t(k), k === 'al.time' ? h('span', { class: 'muted', id: 'time-zone' }, ' (' + zoneLabel() + ')') : null)))),
    tbody), more, h('p', { class: 'muted' }, t('al.keys')));

  const select = (i) => {
    if (!rows.length) return;
    if (selected >= 0 && rows[selected]) rows[selected].tr.classList.remove('selected');
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows[selected].tr.classList.add('selected');
    rows[selected].tr.scrollIntoView({ block: 'nearest' });
  };
  const triage = async (state) => {
    const r = rows[selected];
    if (!r || !canTriage) return;
    try {
      const a = await post('/alerts/' + r.a.id + '/triage', { state });
      r.a.state = a.state;
      r.tr.children[6].replaceChildren(stateBadge(a.state));
    } catch (e) { toast(t('common.error', { msg: e.message }), 'bad'); }
  };
  const onKey = (e) => {
    if (e.target.closest('input,select,textarea')) return;
    if (e.key === 'j') select(selected + 1);
    else if (e.key === 'k') select(selected - 1);
    else if (e.key === 'Enter' && rows[selected]) ctx.navigate('alert', {}, rows[selected].a.id);
    else if (e.key === 'a') triage('acknowledged');
    else if (e.key === 'e') triage('escalated');
  };
  document.addEventListener('keydown', onKey);

  // Live refresh: newer alerts matching the filter appear on top, marked.
  let timer = null;
  if (liveBox.checked) {
    timer = setInterval(async () => {
      try {
        const data = await get('/alerts' + qs(Object.assign({}, apiFilter(p), { limit: 100 })));
        let n = 0;
        for (const a of data.items.slice().reverse()) if (!seen.has(a.id)) { row(a, true); n++; }
        if (n) liveNote.textContent = t('al.live.new', { n });
      } catch (e) { /* the next tick tries again */ }
    }, 5000);
  }
  return load().then(() => () => { document.removeEventListener('keydown', onKey); if (timer) clearInterval(timer); });
}
