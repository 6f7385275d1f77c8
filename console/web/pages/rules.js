// Rules: browse and search the active set, switch rules on and off, suppressions and thresholds,
// versions with who changed what and rollback, and uploading a new set with its errors by
// file:line before anything is stored.
import { h, clear, fmtTime, toast } from '../dom.js';
import { t, addMessages } from '../i18n.js';
import { get, post, del, qs } from '../api.js';

addMessages({
  vi: {
    'ru.title': 'Luật', 'ru.tab.rules': 'Bộ luật hiện hành', 'ru.tab.supp': 'Chặn và giới hạn', 'ru.tab.versions': 'Phiên bản',
    'ru.search': 'Tìm (SID, nội dung, phân loại)', 'ru.status': 'Tình trạng', 'ru.st.active': 'đang dùng', 'ru.st.disabled': 'tắt',
    'ru.st.skipped': 'bỏ qua', 'ru.st.error': 'lỗi', 'ru.msg': 'Nội dung', 'ru.where': 'Tệp:dòng', 'ru.why': 'Lý do bỏ qua',
    'ru.enable': 'Bật', 'ru.disable': 'Tắt', 'ru.reason.prompt': 'Lý do (ghi vào lịch sử phiên bản):', 'ru.total': '{n} luật',
    'ru.version': 'Phiên bản {v}', 'ru.none': 'Chưa có bộ luật nào: quản trị viên hãy tải lên', 'ru.upload': 'Tải lên bộ luật mới',
    'ru.files': 'Tệp luật (.rules)', 'ru.note': 'Ghi chú', 'ru.validate': 'Kiểm tra', 'ru.allow': 'Bỏ qua các luật lỗi',
    'ru.valid': '{loadable} luật dùng được trên {read}; {errors} lỗi', 'ru.uploaded': 'Đã tạo phiên bản {v}',
    'ru.v.author': 'Người thay đổi', 'ru.v.change': 'Thay đổi', 'ru.v.when': 'Thời điểm', 'ru.v.counts': 'Dùng được / bỏ qua / lỗi',
    'ru.v.rollback': 'Quay về', 'ru.v.current': 'hiện hành', 'ru.s.line': 'Cấu hình', 'ru.s.by': 'Người tạo', 'ru.s.expires': 'Hết hạn',
    'ru.s.remove': 'Gỡ bỏ', 'ru.s.active': 'đang áp dụng', 'ru.s.inactive': 'hết hiệu lực', 'ru.s.version': 'Phiên bản',
    'ru.skipped': 'Bỏ qua theo lý do',
    'ru.bundle': 'Nhập gói luật đã ký', 'ru.bundle.file': 'Tệp gói (.bundle)',
    'ru.bundle.help': 'Gói luật do đơn vị chuyên trách ký (canh rules bundle create); máy chủ chỉ nhận gói ký bằng khóa tin cậy.',
    'ru.bundle.done': 'Gói {b} (khóa {k}) đã thành phiên bản {v}',
  },
  en: {
    'ru.title': 'Rules', 'ru.tab.rules': 'Active rule set', 'ru.tab.supp': 'Suppressions and thresholds', 'ru.tab.versions': 'Versions',
    'ru.search': 'Search (SID, message, class)', 'ru.status': 'Status', 'ru.st.active': 'active', 'ru.st.disabled': 'disabled',
    'ru.st.skipped': 'skipped', 'ru.st.error': 'error', 'ru.msg': 'Message', 'ru.where': 'File:line', 'ru.why': 'Skip reason',
    'ru.enable': 'Enable', 'ru.disable': 'Disable', 'ru.reason.prompt': 'Reason (kept in the version history):', 'ru.total': '{n} rules',
    'ru.version': 'Version {v}', 'ru.none': 'No rule set yet: an admin uploads one', 'ru.upload': 'Upload a new rule set',
    'ru.files': 'Rule files (.rules)', 'ru.note': 'Note', 'ru.validate': 'Validate', 'ru.allow': 'Skip rules with errors',
    'ru.valid': '{loadable} of {read} rules loadable; {errors} errors', 'ru.uploaded': 'Version {v} created',
    'ru.v.author': 'Changed by', 'ru.v.change': 'Change', 'ru.v.when': 'When', 'ru.v.counts': 'Loadable / skipped / errors',
    'ru.v.rollback': 'Roll back', 'ru.v.current': 'current', 'ru.s.line': 'Configuration', 'ru.s.by': 'Author', 'ru.s.expires': 'Expires',
    'ru.s.remove': 'Remove', 'ru.s.active': 'in force', 'ru.s.inactive': 'not in force', 'ru.s.version': 'Version',
    'ru.skipped': 'Skipped by reason',
    'ru.bundle': 'Import a signed rule bundle', 'ru.bundle.file': 'Bundle file (.bundle)',
    'ru.bundle.help': 'A bundle signed by the security unit (canh rules bundle create); only bundles signed by a trusted key are accepted.',
    'ru.bundle.done': 'Bundle {b} (key {k}) is now version {v}',
  },
});

export default {
  id: 'rules', title: 'nav.rules', nav: true,
  async render(main, ctx) {
    const p = ctx.params;
    const tab = p.tab || 'rules';
    main.append(h('h1', null, t('ru.title')), h('div', { class: 'tabs' }, ['rules', 'supp', 'versions'].map((k) =>
      h('button', { class: 'secondary' + (k === tab ? ' active' : ''), id: 'tab-' + k, onclick: () => ctx.navigate('rules', { tab: k }) }, t('ru.tab.' + k)))));
    const body = h('div');
    main.appendChild(body);
    if (tab === 'supp') return suppressions(body, ctx);
    if (tab === 'versions') return versions(body, ctx);
    return rules(body, ctx, p);
  },
};

async function rules(body, ctx, p) {
  const canEdit = ['admin', 'analyst'].includes(ctx.me.role);
  const offset = Number(p.offset || 0);
  const data = await get('/rules' + qs({ q: p.q, status: p.status, offset, limit: 100 }));
  if (!data.version) { body.appendChild(h('p', { class: 'muted' }, t('ru.none'))); return; }
  const q = h('input', { id: 'rule-q', value: p.q || '', size: 30 });
  const status = h('select', { id: 'rule-status' }, h('option', { value: '' }, t('al.f.any')),
    ['active', 'disabled', 'skipped', 'error'].map((s) => h('option', { value: s, selected: p.status === s }, t('ru.st.' + s))));
  body.append(h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); ctx.navigate('rules', { q: q.value, status: status.value }); } },
    h('label', null, t('ru.search'), q), h('label', null, t('ru.status'), status), h('button', { type: 'submit' }, t('common.apply'))),
  h('p', { class: 'muted' }, t('ru.version', { v: data.version }), ' · ', t('ru.total', { n: data.total })));
  body.append(h('table', { class: 'grid', id: 'rule-table' },
    h('thead', null, h('tr', null, ['al.f.sid', 'ru.msg', 'ru.status', 'ru.where', 'ru.why', canEdit ? 'common.actions' : null].filter(Boolean).map((k) => h('th', null, t(k))))),
    h('tbody', null, data.rules.map((r) => h('tr', { dataset: { sid: r.sid } },
      h('td', null, h('span', { class: 'pivot', onclick: () => ctx.navigate('alerts', { sid: r.sid }) }, String(r.sid))),
      h('td', null, r.msg, h('div', { class: 'muted' }, r.classtype || '')),
      h('td', { class: r.status === 'active' ? 'good' : r.status === 'error' ? 'bad' : 'muted' }, t('ru.st.' + r.status)),
      h('td', null, `${r.file}:${r.line}`),
      h('td', null, r.error || r.skip_reason || ''),
      canEdit ? h('td', null, h('button', { class: 'link rule-toggle', onclick: async () => {
        const reason = prompt(t('ru.reason.prompt'));
        if (reason === null) return;
        try { await post('/rules/' + r.sid + '/enabled', { enabled: !r.enabled, reason }); ctx.navigate('rules', Object.assign({}, p, { r: Date.now() % 1000 })); } catch (ex) { toast(ex.message, 'bad'); }
      } }, r.enabled ? t('ru.disable') : t('ru.enable'))) : null)))));
  const nav = h('div', { class: 'toolbar' });
  if (offset > 0) nav.appendChild(h('button', { class: 'secondary', onclick: () => ctx.navigate('rules', Object.assign({}, p, { offset: Math.max(0, offset - 100) })) }, '←'));
  if (offset + 100 < data.total) nav.appendChild(h('button', { class: 'secondary', onclick: () => ctx.navigate('rules', Object.assign({}, p, { offset: offset + 100 })) }, '→'));
  body.appendChild(nav);
  if (data.stats && data.stats.skipped) {
    const rows = Object.entries(data.stats.skipped).sort((a, b) => b[1] - a[1]);
    if (rows.length) body.append(h('h2', null, t('ru.skipped')), h('table', { class: 'grid' }, h('tbody', null, rows.map(([k, n]) => h('tr', null, h('td', null, k), h('td', { class: 'num' }, String(n)))))));
  }
}

async function suppressions(body, ctx) {
  const canEdit = ['admin', 'analyst'].includes(ctx.me.role);
  const data = await get('/suppressions');
  body.append(h('table', { class: 'grid', id: 'supp-table' },
    h('thead', null, h('tr', null, ['ru.s.line', 'sp.reason', 'ru.s.by', 'ru.s.expires', 'ru.s.version', 'ru.status', canEdit ? 'common.actions' : null].filter(Boolean).map((k) => h('th', null, t(k))))),
    h('tbody', null, data.suppressions.map((s) => h('tr', { dataset: { id: s.id } },
      h('td', null, h('code', null, s.line)), h('td', null, s.reason), h('td', null, s.author, h('div', { class: 'muted' }, fmtTime(s.created_ms))),
      h('td', null, s.expires_ms ? fmtTime(s.expires_ms) : '∞'), h('td', null, String(s.version || '')),
      h('td', { class: s.active ? 'good' : 'muted' }, s.active ? t('ru.s.active') : t('ru.s.inactive'), s.removed_by ? ` (${s.removed_by})` : ''),
      canEdit ? h('td', null, s.active ? h('button', { class: 'link', onclick: async () => {
        try { await del('/suppressions/' + s.id); ctx.navigate('rules', { tab: 'supp', r: Date.now() % 1000 }); } catch (ex) { toast(ex.message, 'bad'); }
      } }, t('ru.s.remove')) : '') : null)))));
}

async function versions(body, ctx) {
  const admin = ctx.me.role === 'admin';
  const data = await get('/rulesets');
  if (admin) body.append(uploadForm(ctx), bundleForm(ctx));
  body.append(h('table', { class: 'grid', id: 'version-table' },
    h('thead', null, h('tr', null, ['ru.s.version', 'ru.v.when', 'ru.v.author', 'ru.v.change', 'ru.v.counts', admin ? 'common.actions' : null].filter(Boolean).map((k) => h('th', null, t(k))))),
    h('tbody', null, data.versions.map((v) => h('tr', null,
      h('td', null, String(v.version), v.version === data.current ? h('span', { class: 'pill' }, t('ru.v.current')) : ''),
      h('td', null, fmtTime(v.created_ms)), h('td', null, v.author), h('td', null, v.change),
      h('td', { class: 'num' }, `${v.rules_loadable} / ${v.rules_skipped} / ${v.rules_errors}`),
      admin ? h('td', null, v.version !== data.current ? h('button', { class: 'link', onclick: async () => {
        try { const r = await post('/rulesets/' + v.version + '/activate'); toast(t('ru.uploaded', { v: r.version })); ctx.navigate('rules', { tab: 'versions', r: Date.now() % 1000 }); } catch (ex) { toast(ex.message, 'bad'); }
      } }, t('ru.v.rollback')) : '') : null)))));
}

function uploadForm(ctx) {
  const files = h('input', { id: 'upload-files', type: 'file', multiple: true, accept: '.rules,text/plain' });
  const note = h('input', { id: 'upload-note', size: 30 });
  const allow = h('input', { id: 'upload-allow', type: 'checkbox' });
  const out = h('div', { id: 'upload-result' });
  const read = async () => Promise.all(Array.from(files.files).map(async (f) => ({ name: f.name, content: await f.text() })));
  const show = (r) => {
    clear(out).appendChild(h('p', null, t('ru.valid', { loadable: r.loadable, read: r.read, errors: r.errors.length })));
    if (r.errors.length) out.appendChild(h('pre', { class: 'hex', id: 'upload-errors' }, r.errors.join('\n')));
  };
  return h('section', { class: 'panel' }, h('h2', null, t('ru.upload')), h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await post('/rulesets', { files: await read(), note: note.value, allow_errors: allow.checked });
      toast(t('ru.uploaded', { v: r.version }));
      ctx.navigate('rules', { tab: 'versions', r: Date.now() % 1000 });
    } catch (ex) { toast(ex.message, 'bad'); try { show(Object.assign({ loadable: '?', read: '?' }, await post('/rulesets/validate', { files: await read() }))); } catch (e2) { /* shown above */ } }
  } }, h('label', null, t('ru.files'), files), h('label', null, t('ru.note'), note), h('label', null, t('ru.allow'), allow),
  h('button', { type: 'button', class: 'secondary', id: 'upload-validate', onclick: async () => { try { show(await post('/rulesets/validate', { files: await read() })); } catch (ex) { toast(ex.message, 'bad'); } } }, t('ru.validate')),
  h('button', { type: 'submit', id: 'upload-submit' }, t('common.save'))), out);
}

// Signed bundles (rules/bundle.h) for air-gapped networks: the file goes to the server as base64 in
// JSON; the server checks the signature and every file against its trusted keys before anything
// changes, and says why when it refuses.
function bundleForm(ctx) {
  const file = h('input', { id: 'bundle-file', type: 'file', accept: '.bundle,application/x-tar' });
  const allow = h('input', { id: 'bundle-allow', type: 'checkbox' });
  const base64 = (f) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(f);
  });
  return h('section', { class: 'panel', id: 'bundle-panel' }, h('h2', null, t('ru.bundle')), h('p', { class: 'muted' }, t('ru.bundle.help')),
    h('form', { class: 'inline', onsubmit: async (e) => {
      e.preventDefault();
      const f = file.files[0];
      if (!f) return;
      try {
        const r = await post('/rulesets/bundle', { name: f.name, bundle: await base64(f), allow_errors: allow.checked });
        toast(t('ru.bundle.done', { b: r.bundle.version, k: r.bundle.key_id, v: r.version }));
        ctx.navigate('rules', { tab: 'versions', r: Date.now() % 1000 });
      } catch (ex) { toast(ex.message, 'bad'); }
    } }, h('label', null, t('ru.bundle.file'), file), h('label', null, t('ru.allow'), allow),
    h('button', { type: 'submit', id: 'bundle-submit' }, t('common.save'))));
}
