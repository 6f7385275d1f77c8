// The message catalogue: every string a person reads goes through t(). Vietnamese is the default;
// English is one click away and remembered in localStorage. Pages add their own messages with
// addMessages() beside their code, so a new page brings its strings in both languages.
const catalogue = { vi: {}, en: {} };
let lang = 'vi';
try { lang = localStorage.getItem('canh.lang') || 'vi'; } catch (e) { /* storage disabled */ }
if (!catalogue[lang]) lang = 'vi';

// Keys asked for but missing in the current language: the browser test fails on any.
export const missing = new Set();

export function addMessages(byLang) {
  for (const [l, msgs] of Object.entries(byLang)) Object.assign(catalogue[l] || (catalogue[l] = {}), msgs);
}

export function t(key, params) {
  let s = catalogue[lang][key];
  if (s === undefined) {
    missing.add(lang + ':' + key);
    s = catalogue.en[key] !== undefined ? catalogue.en[key] : key;
  }
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
  return s;
}

export function getLang() { return lang; }
export function setLang(l) {
  if (!catalogue[l]) return;
  lang = l;
  try { localStorage.setItem('canh.lang', l); } catch (e) { /* ignore */ }
  document.documentElement.lang = l;
}
export function languages() { return Object.keys(catalogue); }

// Every key in one language must exist in the other: checked by the browser test.
export function catalogueGaps() {
  const gaps = [];
  const langs = Object.keys(catalogue);
  for (const a of langs) for (const b of langs)
    for (const k of Object.keys(catalogue[a])) if (!(k in catalogue[b])) gaps.push(b + ':' + k);
  return gaps;
}

addMessages({
  vi: {
    'app.name': 'Canh', 'lang.vi': 'Tiếng Việt', 'lang.en': 'English', 'lang.switch': 'Ngôn ngữ',
    'nav.dashboard': 'Tổng quan', 'nav.alerts': 'Cảnh báo', 'nav.sensors': 'Cảm biến', 'nav.rules': 'Luật',
    'nav.audit': 'Nhật ký kiểm toán', 'nav.accounts': 'Tài khoản',
    'auth.signin': 'Đăng nhập', 'auth.signout': 'Đăng xuất', 'auth.name': 'Tên đăng nhập', 'auth.password': 'Mật khẩu',
    'auth.failed': 'Sai tên đăng nhập hoặc mật khẩu', 'auth.locked': 'Quá nhiều lần thử: hãy đợi rồi thử lại',
    'auth.expired': 'Phiên đã hết hạn: hãy đăng nhập lại',
    'role.admin': 'quản trị', 'role.analyst': 'phân tích viên', 'role.auditor': 'kiểm toán viên', 'role.read-only': 'chỉ đọc',
    'common.loading': 'Đang tải…', 'common.error': 'Lỗi: {msg}', 'common.save': 'Lưu', 'common.cancel': 'Hủy',
    'common.apply': 'Áp dụng', 'common.reset': 'Xóa lọc', 'common.more': 'Xem thêm', 'common.none': 'Không có',
    'common.yes': 'Có', 'common.no': 'Không', 'common.delete': 'Xóa', 'common.create': 'Tạo', 'common.done': 'Đã xong',
    'common.forbidden': 'Vai trò của bạn không được phép xem trang này', 'common.notfound': 'Không tìm thấy trang',
    'common.refresh': 'Làm mới', 'common.live': 'Tự cập nhật', 'common.count': 'Số lượng', 'common.actions': 'Thao tác',
    'common.close': 'Đóng', 'common.back': 'Quay lại',
    'state.new': 'Mới', 'state.acknowledged': 'Đã tiếp nhận', 'state.escalated': 'Đã chuyển cấp',
    'state.closed': 'Đã đóng', 'state.false-positive': 'Cảnh báo sai',
  },
  en: {
    'app.name': 'Canh', 'lang.vi': 'Tiếng Việt', 'lang.en': 'English', 'lang.switch': 'Language',
    'nav.dashboard': 'Dashboard', 'nav.alerts': 'Alerts', 'nav.sensors': 'Sensors', 'nav.rules': 'Rules',
    'nav.audit': 'Audit log', 'nav.accounts': 'Accounts',
    'auth.signin': 'Sign in', 'auth.signout': 'Sign out', 'auth.name': 'User name', 'auth.password': 'Password',
    'auth.failed': 'Wrong user name or password', 'auth.locked': 'Too many attempts: wait and try again',
    'auth.expired': 'Your session has ended: sign in again',
    'role.admin': 'admin', 'role.analyst': 'analyst', 'role.auditor': 'auditor', 'role.read-only': 'read-only',
    'common.loading': 'Loading…', 'common.error': 'Error: {msg}', 'common.save': 'Save', 'common.cancel': 'Cancel',
    'common.apply': 'Apply', 'common.reset': 'Clear filters', 'common.more': 'Load more', 'common.none': 'None',
    'common.yes': 'Yes', 'common.no': 'No', 'common.delete': 'Delete', 'common.create': 'Create', 'common.done': 'Done',
    'common.forbidden': 'Your role may not see this page', 'common.notfound': 'No such page',
    'common.refresh': 'Refresh', 'common.live': 'Live refresh', 'common.count': 'Count', 'common.actions': 'Actions',
    'common.close': 'Close', 'common.back': 'Back',
    'state.new': 'New', 'state.acknowledged': 'Acknowledged', 'state.escalated': 'Escalated',
    'state.closed': 'Closed', 'state.false-positive': 'False positive',
  },
});
