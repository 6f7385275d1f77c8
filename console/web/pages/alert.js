// One alert: triage actions, one-click suppression or threshold, every EVE field, app-layer
// metadata, the payload as hex and ASCII, the flow's other alerts, sensor, information system,
// and the history of who changed what. All network-derived text is inserted as text.
import { h, clear, fmtTime, toast } from '../dom.js';
import { t, addMessages } from '../i18n.js';
import { get, post } from '../api.js';
import { STATES, REASONS, sevBadge, stateBadge } from './alerts.js';

addMessages({
  vi: {
    'ad.title': 'Chi tiết cảnh báo', 'ad.ack': 'Tiếp nhận', 'ad.escalate': 'Chuyển cấp', 'ad.close': 'Đóng', 'ad.fp': 'Cảnh báo sai',
    'ad.reopen': 'Mở lại', 'ad.assign': 'Giao cho', 'ad.assign.me': 'Giao cho tôi', 'ad.comment': 'Bình luận', 'ad.add': 'Thêm',
    'ad.suppress': 'Chặn cảnh báo / giới hạn…', 'ad.summary': 'Tóm tắt', 'ad.eve': 'Mọi trường EVE', 'ad.app': 'Siêu dữ liệu tầng ứng dụng',
    'ad.payload': 'Dữ liệu (hex và ASCII)', 'ad.nopayload': 'Cảm biến không gửi dữ liệu gói cho cảnh báo này',
    'ad.flow': 'Các cảnh báo khác của luồng', 'ad.noflow': 'Không có cảnh báo khác trong luồng này', 'ad.sensor': 'Cảm biến',
    'ad.system': 'Hệ thống thông tin', 'ad.level': 'cấp độ {n}', 'ad.level.proposed': 'cấp độ {n} (đề xuất, chưa phê duyệt)',
    'ad.level.none': 'chưa xác định cấp độ', 'ad.nosystem': 'Chưa thuộc hệ thống thông tin nào (khai báo dải địa chỉ trong phần tuân thủ)',
    'ad.level': 'Cấp độ', 'ad.history': 'Lịch sử xử lý', 'ad.rule': 'Luật',
    'ad.h.state': '{by}: {from} → {to}', 'ad.h.assign': '{by} giao cho {to}', 'ad.h.comment': '{by} bình luận',
    'sp.title': 'Tạo chặn hoặc giới hạn từ cảnh báo này', 'sp.kind': 'Loại', 'sp.kind.suppress': 'Chặn (suppress)',
    'sp.kind.threshold': 'Giới hạn (threshold)', 'sp.scope': 'Phạm vi', 'sp.scope.sid': 'Toàn bộ luật (SID {sid})',
    'sp.scope.src': 'Nguồn {ip}', 'sp.scope.dst': 'Đích {ip}', 'sp.scope.srcnet': 'Mạng nguồn {net}',
    'sp.expires': 'Hết hạn sau (giờ, 0 = không)', 'sp.reason': 'Lý do', 'sp.type': 'Kiểu', 'sp.count': 'Số lần', 'sp.seconds': 'Trong (giây)',
    'sp.done': 'Đã tạo; phiên bản bộ luật {v} sẽ được đẩy tới cảm biến', 'sp.create': 'Tạo và đẩy tới cảm biến',
  },
  en: {
    'ad.title': 'Alert', 'ad.ack': 'Acknowledge', 'ad.escalate': 'Escalate', 'ad.close': 'Close', 'ad.fp': 'False positive',
    'ad.reopen': 'Reopen', 'ad.assign': 'Assign to', 'ad.assign.me': 'Assign to me', 'ad.comment': 'Comment', 'ad.add': 'Add',
    'ad.suppress': 'Suppress / threshold…', 'ad.summary': 'Summary', 'ad.eve': 'Every EVE field', 'ad.app': 'App-layer metadata',
    'ad.payload': 'Payload (hex and ASCII)', 'ad.nopayload': 'The sensor sent no payload with this alert',
    'ad.flow': "The flow's other alerts", 'ad.noflow': 'No other alerts in this flow', 'ad.sensor': 'Sensor',
    'ad.system': 'Information system', 'ad.level': 'level {n}', 'ad.level.proposed': 'level {n} (proposed, not approved)',
    'ad.level.none': 'level not determined', 'ad.nosystem': 'Not in any information system yet (declare its ranges under compliance)',
    'ad.level': 'Level', 'ad.history': 'History', 'ad.rule': 'Rule',
    'ad.h.state': '{by}: {from} → {to}', 'ad.h.assign': '{by} assigned to {to}', 'ad.h.comment': '{by} commented',
    'sp.title': 'Suppress or threshold from this alert', 'sp.kind': 'Kind', 'sp.kind.suppress': 'Suppress',
    'sp.kind.threshold': 'Threshold', 'sp.scope': 'Scope', 'sp.scope.sid': 'Whole rule (SID {sid})',
    'sp.scope.src': 'Source {ip}', 'sp.scope.dst': 'Destination {ip}', 'sp.scope.srcnet': 'Source network {net}',
    'sp.expires': 'Expires after (hours, 0 = never)', 'sp.reason': 'Reason', 'sp.type': 'Type', 'sp.count': 'Count', 'sp.seconds': 'Seconds',
    'sp.done': 'Created; rule-set version {v} goes to the sensors', 'sp.create': 'Create and push to sensors',
  },
});

const APP_KEYS = ['http', 'dns', 'tls', 'ssh', 'smtp', 'ftp', 'fileinfo', 'flow', 'metadata', 'app_proto'];

// EVE as "a.b.c = value" rows, every field, nested objects flattened.
function flatten(obj, prefix = '', out = []) {
  if (obj === null || typeof obj !== 'object') { out.push([prefix, obj]); return out; }
  if (Array.isArray(obj)) { if (!obj.length) out.push([prefix, '[]']); obj.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out)); return out; }
  for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? prefix + '.' + k : k, out);
  return out;
}

// The alert's information systems by name and security level (Decree 85/2016: the level decides which
// obligations apply), each linking to its compliance page. Filled in as the compliance API answers; a
// system the API cannot show (archived, removed) keeps its number.
function systemLinks(ids) {
  const box = h('span', { id: 'alert-systems' });
  ids.forEach((id, i) => {
    const link = h('a', { href: '#/system/' + id, class: 'system-link', dataset: { system: id } }, '#' + id);
    box.append(i ? ', ' : '', link);
    get('/compliance/systems/' + id).then((v) => {
      const lv = v.approved_level ? t('ad.level', { n: v.approved_level })
        : v.assessed_level ? t('ad.level.proposed', { n: v.assessed_level }) : t('ad.level.none');
      link.textContent = `${v.system.name} (${lv})`;
    }).catch(() => {});
  });
  return box;
}

function kv(rows, id) {
  return h('table', { class: 'grid kv', id }, h('tbody', null, rows.map(([k, v]) =>
    h('tr', null, h('th', null, k), h('td', null, v instanceof Node ? v : String(v === undefined || v === null ? '' : v))))));
}

export function hexDump(bytes) {
  const lines = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const chunk = bytes.slice(off, off + 16);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(48, ' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(off.toString(16).padStart(8, '0') + '  ' + hex + '  ' + ascii);
  }
  return lines.join('\n');
}

function payloadBytes(eve) {
  if (typeof eve.payload === 'string') {
    try { const bin = atob(eve.payload); return Uint8Array.from(bin, (c) => c.charCodeAt(0)); } catch (e) { /* fall through */ }
  }
  if (typeof eve.payload_printable === 'string') return new TextEncoder().encode(eve.payload_printable);
  return null;
}

export default {
  id: 'alert', title: 'ad.title', nav: false,
  async render(main, ctx) {
    const a = await get('/alerts/' + encodeURIComponent(ctx.arg));
    const eve = a.eve && typeof a.eve === 'object' ? a.eve : {};
    const canTriage = ['admin', 'analyst'].includes(ctx.me.role);
    const refresh = () => ctx.navigate('alert', { r: Date.now() % 100000 }, a.id);
    const change = async (body) => {
      try { await post('/alerts/' + a.id + '/triage', body); refresh(); } catch (e) { toast(t('common.error', { msg: e.message }), 'bad'); }
    };

    main.append(h('p', null, h('a', { href: '#/alerts' }, '← ' + t('nav.alerts'))),
      h('h1', { id: 'alert-title' }, sevBadge(a.severity), ' ', a.signature, ' ', h('span', { class: 'muted' }, `[${a.gid}:${a.sid}:${a.rev}]`)),
      h('p', null, stateBadge(a.state), a.assignee ? ' · ' + t('al.assignee') + ': ' + a.assignee : ''));

    if (canTriage) {
      const reason = h('select', { id: 'close-reason' }, REASONS.map((r) => h('option', { value: r }, t('reason.' + r))));
      const note = h('input', { id: 'triage-note', placeholder: t('al.note'), size: 40 });
      const assignee = h('input', { id: 'assignee', size: 12, value: a.assignee || '' });
      main.appendChild(h('div', { class: 'toolbar', id: 'triage' },
        h('button', { id: 'btn-ack', onclick: () => change({ state: 'acknowledged', note: note.value }) }, t('ad.ack')),
        h('button', { id: 'btn-escalate', onclick: () => change({ state: 'escalated', note: note.value }) }, t('ad.escalate')),
        h('label', null, t('reason.label'), reason), note,
        h('button', { id: 'btn-close', onclick: () => change({ state: reason.value === 'false-positive' ? 'false-positive' : 'closed', reason: reason.value, note: note.value }) }, t('ad.close')),
        h('button', { id: 'btn-fp', class: 'secondary', onclick: () => change({ state: 'false-positive', note: note.value }) }, t('ad.fp')),
        a.state !== 'new' ? h('button', { class: 'secondary', id: 'btn-reopen', onclick: () => change({ state: 'new', note: note.value }) }, t('ad.reopen')) : null,
        h('label', null, t('ad.assign'), assignee),
        h('button', { class: 'secondary', id: 'btn-assign', onclick: () => change({ assignee: assignee.value.trim() }) }, t('common.save')),
        h('button', { class: 'secondary', id: 'btn-assign-me', onclick: () => change({ assignee: ctx.me.name }) }, t('ad.assign.me')),
        h('button', { class: 'secondary', id: 'btn-suppress', onclick: () => suppressDialog(a, main) }, t('ad.suppress'))));
    }

    const app = APP_KEYS.filter((k) => eve[k] !== undefined).flatMap((k) => flatten(eve[k], k));
    const bytes = payloadBytes(eve);
    main.appendChild(h('div', { class: 'cols' },
      h('section', { class: 'panel' }, h('h2', null, t('ad.summary')), kv([
        [t('al.time'), fmtTime(a.ts_us / 1000) + (eve.timestamp ? ` (${eve.timestamp})` : '')],
        [t('al.src'), `${a.src_ip}:${a.src_port}`], [t('al.dst'), `${a.dest_ip}:${a.dest_port}`], ['proto', a.proto],
        ['category', a.category], [t('ad.rule'), h('a', { href: '#/rules?q=' + a.sid }, String(a.sid))],
        [t('ad.sensor'), a.sensor_info ? `${a.sensor_info.name} (${a.sensor_info.hostname || '#' + a.sensor})` : '#' + a.sensor],
        [t('ad.system'), a.systems && a.systems.length ? systemLinks(a.systems) : t('ad.nosystem')],
      ], 'alert-summary')),
      h('section', { class: 'panel' }, h('h2', null, t('ad.app')), app.length ? kv(app, 'alert-app') : h('p', { class: 'muted' }, t('common.none')))));

    main.appendChild(h('section', { class: 'panel' }, h('h2', null, t('ad.payload')),
      bytes ? h('pre', { class: 'hex', id: 'alert-payload' }, hexDump(bytes)) : h('p', { class: 'muted' }, t('ad.nopayload'))));

    main.appendChild(h('section', { class: 'panel' }, h('h2', null, t('ad.flow')),
      a.flow_alerts && a.flow_alerts.length ? h('table', { class: 'grid', id: 'flow-alerts' }, h('tbody', null, a.flow_alerts.map((f) =>
        h('tr', { class: 'pivot', onclick: () => ctx.navigate('alert', {}, f.id) }, h('td', null, fmtTime(f.ts_us / 1000)), h('td', null, sevBadge(f.severity)),
          h('td', null, f.signature), h('td', null, `${f.src_ip}:${f.src_port} → ${f.dest_ip}:${f.dest_port}`), h('td', null, stateBadge(f.state))))))
        : h('p', { class: 'muted' }, t('ad.noflow'))));

    const comment = h('textarea', { id: 'comment-text', rows: 2, cols: 60 });
    main.appendChild(h('section', { class: 'panel' }, h('h2', null, t('ad.history')),
      h('ul', { id: 'alert-history' }, (a.history || []).map((n) => h('li', null, fmtTime(n.time_ms), ' — ',
        n.kind === 'state' ? t('ad.h.state', { by: n.by, from: t('state.' + n.from), to: t('state.' + n.to) })
          : n.kind === 'assign' ? t('ad.h.assign', { by: n.by, to: n.to || '—' }) : t('ad.h.comment', { by: n.by }),
        n.reason ? ` (${t('reason.' + n.reason)})` : '', n.text ? ': ' : '', n.text ? h('q', null, n.text) : ''))),
      canTriage ? h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        try { await post('/alerts/' + a.id + '/comments', { text: comment.value }); refresh(); } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); }
      } }, h('label', null, t('ad.comment'), comment), h('button', { type: 'submit', id: 'comment-add' }, t('ad.add'))) : null));

    main.appendChild(h('section', { class: 'panel' }, h('h2', null, t('ad.eve')), kv(flatten(eve), 'alert-eve')));
  },
};

function suppressDialog(a, main) {
  const net = a.src_ip.includes(':') ? a.src_ip : a.src_ip.split('.').slice(0, 3).join('.') + '.0/24';
  const scopes = [
    ['sid', t('sp.scope.sid', { sid: a.sid }), { }],
    ['src', t('sp.scope.src', { ip: a.src_ip }), { track: 'by_src', ip: a.src_ip }],
    ['dst', t('sp.scope.dst', { ip: a.dest_ip }), { track: 'by_dst', ip: a.dest_ip }],
    ['srcnet', t('sp.scope.srcnet', { net }), { track: 'by_src', ip: net }],
  ];
  const kind = h('select', { id: 'sp-kind' }, ['suppress', 'threshold'].map((k) => h('option', { value: k }, t('sp.kind.' + k))));
  const scope = h('select', { id: 'sp-scope' }, scopes.map(([k, label]) => h('option', { value: k }, label)));
  const expires = h('input', { id: 'sp-expires', type: 'number', min: 0, max: 8784, value: 168 });
  const reason = h('input', { id: 'sp-reason', size: 40, required: true });
  const type = h('select', { id: 'sp-type' }, ['limit', 'threshold', 'both'].map((k) => h('option', { value: k }, k)));
  const count = h('input', { id: 'sp-count', type: 'number', min: 1, value: 1 });
  const seconds = h('input', { id: 'sp-seconds', type: 'number', min: 1, value: 3600 });
  const thresholdFields = h('div', { class: 'toolbar', hidden: true }, h('label', null, t('sp.type'), type),
    h('label', null, t('sp.count'), count), h('label', null, t('sp.seconds'), seconds));
  kind.addEventListener('change', () => { thresholdFields.hidden = kind.value !== 'threshold'; });
  const err = h('p', { class: 'error' });
  const dlg = h('dialog', { id: 'suppress-dialog' }, h('form', { method: 'dialog', onsubmit: async (e) => {
    e.preventDefault();
    const body = Object.assign({ kind: kind.value, gid: a.gid, sid: a.sid, reason: reason.value, expires_hours: Number(expires.value), alert: a.id },
      scopes.find((s) => s[0] === scope.value)[2]);
    if (kind.value === 'threshold') Object.assign(body, { threshold_type: type.value, count: Number(count.value), seconds: Number(seconds.value), ip: undefined, track: body.track === 'by_dst' ? 'by_dst' : 'by_src' });
    try {
      const r = await post('/suppressions', body);
      dlg.close();
      dlg.remove();
      toast(t('sp.done', { v: r.version }));
    } catch (ex) { err.textContent = ex.message; }
  } },
  h('h2', null, t('sp.title')), h('label', null, t('sp.kind'), kind), h('label', null, t('sp.scope'), scope), thresholdFields,
  h('label', null, t('sp.expires'), expires), h('label', null, t('sp.reason'), reason), err,
  h('div', { class: 'toolbar' }, h('button', { type: 'submit', id: 'sp-create' }, t('sp.create')),
    h('button', { type: 'button', class: 'secondary', onclick: () => { dlg.close(); dlg.remove(); } }, t('common.cancel')))));
  main.appendChild(dlg);
  dlg.showModal();
}
