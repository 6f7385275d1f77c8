// Shared by the compliance pages: their messages (both languages), text from framework data in the
// current language, framework metadata (state names) cached per page load, small widgets (score
// bar, verdict and status pills) and file upload. Text from the server is always inserted as text.
import { h } from '../dom.js';
import { t, addMessages, getLang } from '../i18n.js';
import { get } from '../api.js';

addMessages({
  vi: {
    'nav.compliance': 'Cấp độ an toàn',
    'cp.title': 'Đánh giá cấp độ hệ thống thông tin', 'cp.systems': 'Hệ thống thông tin', 'cp.unassessed': 'Chưa xác định cấp',
    'cp.level': 'Cấp độ', 'cp.level.n': 'Cấp {n}', 'cp.approved_level': 'Cấp đã duyệt', 'cp.assessed_level': 'Cấp đang đánh giá',
    'cp.framework': 'Khung pháp lý', 'cp.state': 'Trạng thái hồ sơ', 'cp.score': 'Điểm tuân thủ', 'cp.due': 'Đánh giá lại',
    'cp.due.none': '—', 'cp.due.ok': 'còn hạn', 'cp.due.due': 'sắp đến hạn', 'cp.due.overdue': 'quá hạn',
    'cp.due.count': 'Sắp đến hạn đánh giá lại', 'cp.overdue.count': 'Quá hạn đánh giá lại', 'cp.deadline.count': 'Trễ thời hạn xử lý',
    'cp.deadline.late': 'trễ hạn', 'cp.name': 'Tên hệ thống', 'cp.owner': 'Chủ quản', 'cp.unit': 'Đơn vị vận hành',
    'cp.description': 'Mô tả', 'cp.ranges': 'Dải địa chỉ mạng (mỗi dòng một CIDR)', 'cp.ranges.short': 'Dải địa chỉ',
    'cp.sensors': 'Cảm biến giám sát (số hiệu, cách nhau bởi dấu phẩy)', 'cp.sensors.short': 'Cảm biến', 'cp.contacts': 'Đầu mối liên hệ',
    'cp.contact.name': 'Họ tên', 'cp.contact.role': 'Chức vụ', 'cp.contact.email': 'Thư điện tử', 'cp.contact.phone': 'Điện thoại',
    'cp.add': 'Thêm hệ thống', 'cp.created': 'Đã tạo hệ thống {name}', 'cp.saved': 'Đã lưu', 'cp.none': 'Chưa có hệ thống nào',
    'cp.noscore': 'chưa có', 'cp.score.of': '{p}% trên {n} yêu cầu áp dụng',
    'cp.tab.info': 'Thông tin', 'cp.tab.dossier': 'Hồ sơ cấp độ', 'cp.tab.controls': 'Yêu cầu và bằng chứng', 'cp.tab.report': 'Báo cáo',
    'cp.alerts': 'Xem cảnh báo của hệ thống', 'cp.duties': 'Phân công trong hồ sơ', 'cp.duty.user': 'Người dùng', 'cp.duty.duty': 'Nhiệm vụ',
    'cp.duty.add': 'Thêm người', 'cp.duty.save': 'Lưu phân công', 'cp.my_duties': 'Nhiệm vụ của bạn: {d}', 'cp.no_duty': 'Bạn không có nhiệm vụ nào trong hồ sơ hệ thống này',
    'duty.operator': 'Đơn vị vận hành (lập hồ sơ)', 'duty.expert': 'Đơn vị chuyên trách (ý kiến chuyên môn)',
    'duty.appraiser': 'Đơn vị thẩm định', 'duty.approver': 'Cấp phê duyệt', 'duty.auditor': 'Kiểm tra, đánh giá độc lập', 'duty.system': 'Canh (tự động)',
    'cp.edit': 'Sửa thông tin', 'cp.archived': 'Lưu trữ (không còn đánh giá)',
    'cp.start': 'Lập hồ sơ đề xuất cấp độ', 'cp.version': 'Phiên bản {v}', 'cp.versions': 'Các phiên bản',
    'cp.questionnaire': 'Bộ câu hỏi phân loại', 'cp.suggested': 'Cấp độ gợi ý: {n}', 'cp.suggested.none': 'Chưa đáp ứng tiêu chí nào',
    'cp.matched': 'Tiêu chí đáp ứng', 'cp.missing': 'Chưa trả lời: {q}', 'cp.proposed': 'Cấp độ đề xuất', 'cp.justification': 'Thuyết minh (bắt buộc khi khác cấp gợi ý)',
    'cp.parts': 'Thành phần hồ sơ', 'cp.regulation': 'Quy chế bảo đảm an ninh mạng đã được ban hành', 'cp.regulation_ref': 'Số, ngày quy chế',
    'cp.running': 'Hệ thống đang vận hành', 'cp.save': 'Lưu hồ sơ', 'cp.yes': 'có', 'cp.no': 'không', 'cp.unset': '— chưa trả lời —',
    'cp.upload': 'Tải tệp lên', 'cp.files': 'Tệp đính kèm', 'cp.actions': 'Bước tiếp theo', 'cp.noactions': 'Không có bước nào bạn thực hiện được lúc này',
    'cp.needs_duty': 'cần nhiệm vụ: {d}', 'cp.not_independent': 'phải do người độc lập với người đã lập hồ sơ thực hiện', 'cp.unmet': 'còn thiếu: {u}',
    'cp.reasons': 'Lý do', 'cp.opinion': 'Ý kiến', 'cp.decision_number': 'Số quyết định', 'cp.decision_date': 'Ngày quyết định',
    'cp.pm_decision': 'Quyết định phê duyệt danh mục của Thủ tướng', 'cp.trigger': 'Lý do đánh giá lại', 'cp.confirmed': 'Xác nhận đã triển khai đầy đủ phương án',
    'cp.do': 'Thực hiện', 'cp.done_action': 'Đã thực hiện: {a}', 'cp.history': 'Lịch sử hồ sơ', 'cp.when': 'Thời điểm', 'cp.who': 'Người thực hiện',
    'cp.step': 'Bước', 'cp.note': 'Ghi chú', 'cp.deadlines': 'Thời hạn', 'cp.deadline': '{a}: trước {d} ({n} {u})',
    'cp.days': 'ngày', 'cp.working_days': 'ngày làm việc', 'cp.authority': 'Thẩm quyền theo quy định',
    'cp.auth.appraises': 'Thẩm định', 'cp.auth.approves': 'Phê duyệt', 'cp.auth.expert': 'Ý kiến chuyên môn',
    'cp.frozen': 'Phiên bản đã phê duyệt: không thể sửa; đánh giá lại sẽ tạo phiên bản mới.', 'cp.reassessment_due': 'Hạn đánh giá lại: {d}',
    'cp.decision': 'Quyết định {n} ngày {d}', 'cp.return_reasons': 'Lý do trả lại gần nhất', 'cp.expert_opinion': 'Ý kiến chuyên môn',
    'cp.appraisal_opinion': 'Ý kiến thẩm định', 'cp.snapshot': 'Ảnh chụp tuân thủ lúc phê duyệt: {p}',
    'cp.controls': 'Yêu cầu của cấp {n} ({f})', 'cp.nolevel': 'Hệ thống chưa có cấp độ: lập hồ sơ và đề xuất cấp trước.',
    'cp.ctl.id': 'Mã', 'cp.ctl.req': 'Yêu cầu', 'cp.ctl.clause': 'Điều khoản', 'cp.ctl.kind': 'Bằng chứng', 'cp.ctl.live': 'Giám sát tự động',
    'cp.ctl.status': 'Đánh giá', 'cp.ctl.effective': 'Kết quả', 'cp.ctl.evidence': 'Bằng chứng', 'cp.ctl.notes': 'Ghi chú', 'cp.ctl.reason': 'Lý do không áp dụng',
    'cp.kind.manual': 'tài liệu', 'cp.kind.live': 'tự động', 'cp.kind.mixed': 'tài liệu + tự động',
    'cp.st.': '— chưa đánh giá —', 'cp.st.met': 'Đáp ứng', 'cp.st.partly_met': 'Đáp ứng một phần', 'cp.st.not_met': 'Chưa đáp ứng', 'cp.st.not_applicable': 'Không áp dụng',
    'cp.eff.met': 'đáp ứng', 'cp.eff.partly_met': 'một phần', 'cp.eff.not_met': 'chưa đáp ứng', 'cp.eff.not_applicable': 'không áp dụng',
    'cp.eff.not_assessed': 'chưa đánh giá', 'cp.eff.not_evaluated': 'chưa đủ dữ liệu',
    'cp.verdict.pass': 'đạt', 'cp.verdict.fail': 'không đạt', 'cp.verdict.not_evaluated': 'chưa đánh giá được',
    'cp.figures': 'Số liệu', 'cp.link': 'Thêm liên kết', 'cp.link.url': 'Địa chỉ (https://…) hoặc mã cảnh báo', 'cp.link.label': 'Mô tả',
    'cp.filter.group': 'Nhóm', 'cp.filter.eff': 'Kết quả', 'cp.all': 'Tất cả', 'cp.conditional': 'Chỉ áp dụng khi: {c}',
    'cp.score.detail': 'Đáp ứng {met}, một phần {partly}, chưa đáp ứng {notmet}, chưa đánh giá {na}, chưa đủ dữ liệu {ne}, không áp dụng {excl}',
    'cp.report': 'Báo cáo tuân thủ', 'cp.report.print': 'In báo cáo', 'cp.report.csv': 'Xuất CSV', 'cp.report.open': 'Mở trang báo cáo in được',
    'cp.report.period': 'Kỳ báo cáo', 'cp.report.from': 'Từ ngày', 'cp.report.to': 'Đến ngày', 'cp.report.generated': 'Lập lúc {t}',
    'cp.alerts.stats': 'Thống kê cảnh báo trong kỳ', 'cp.alerts.total': 'Tổng số cảnh báo', 'cp.alerts.open': 'Chưa xử lý',
    'cp.alerts.triage': 'Thời gian xử lý (trung vị / p90, phút)', 'cp.alerts.sev': 'Mức {n}', 'cp.alerts.partial': 'chỉ đọc các cảnh báo mới nhất',
    'cp.alerts.unknown': 'Không đọc được kho cảnh báo', 'cp.category': 'Phân loại',
    'cp.frameworks.reload': 'Nạp lại khung pháp lý', 'cp.remove': 'Gỡ', 'cp.confirm.remove': 'Gỡ bằng chứng này? Việc gỡ được ghi vào nhật ký kiểm toán.',
  },
  en: {
    'nav.compliance': 'Security levels',
    'cp.title': 'Security-level assessment of information systems', 'cp.systems': 'Information systems', 'cp.unassessed': 'No level yet',
    'cp.level': 'Level', 'cp.level.n': 'Level {n}', 'cp.approved_level': 'Approved level', 'cp.assessed_level': 'Level being assessed',
    'cp.framework': 'Framework', 'cp.state': 'Dossier state', 'cp.score': 'Compliance score', 'cp.due': 'Re-assessment',
    'cp.due.none': '—', 'cp.due.ok': 'in time', 'cp.due.due': 'due soon', 'cp.due.overdue': 'overdue',
    'cp.due.count': 'Re-assessment due soon', 'cp.overdue.count': 'Re-assessment overdue', 'cp.deadline.count': 'Processing deadlines missed',
    'cp.deadline.late': 'late', 'cp.name': 'System name', 'cp.owner': 'Owner (chủ quản)', 'cp.unit': 'Operating unit',
    'cp.description': 'Description', 'cp.ranges': 'Network ranges (one CIDR per line)', 'cp.ranges.short': 'Ranges',
    'cp.sensors': 'Sensors watching it (ids, comma-separated)', 'cp.sensors.short': 'Sensors', 'cp.contacts': 'Contacts',
    'cp.contact.name': 'Name', 'cp.contact.role': 'Position', 'cp.contact.email': 'E-mail', 'cp.contact.phone': 'Phone',
    'cp.add': 'Add system', 'cp.created': 'System {name} created', 'cp.saved': 'Saved', 'cp.none': 'No information systems yet',
    'cp.noscore': 'none yet', 'cp.score.of': '{p}% of {n} applicable controls',
    'cp.tab.info': 'Details', 'cp.tab.dossier': 'Level dossier', 'cp.tab.controls': 'Controls and evidence', 'cp.tab.report': 'Report',
    'cp.alerts': 'Alerts of this system', 'cp.duties': 'Dossier duties', 'cp.duty.user': 'User', 'cp.duty.duty': 'Duty',
    'cp.duty.add': 'Add person', 'cp.duty.save': 'Save duties', 'cp.my_duties': 'Your duties: {d}', 'cp.no_duty': 'You hold no duty in this system\'s dossier',
    'duty.operator': 'Operating unit (drafts)', 'duty.expert': 'Security unit (expert opinion)',
    'duty.appraiser': 'Appraiser', 'duty.approver': 'Approver', 'duty.auditor': 'Independent auditor', 'duty.system': 'Canh (automatic)',
    'cp.edit': 'Edit details', 'cp.archived': 'Archived (no longer assessed)',
    'cp.start': 'Start the level dossier', 'cp.version': 'Version {v}', 'cp.versions': 'Versions',
    'cp.questionnaire': 'Classification questionnaire', 'cp.suggested': 'Suggested level: {n}', 'cp.suggested.none': 'No criterion met yet',
    'cp.matched': 'Criteria met', 'cp.missing': 'Not answered: {q}', 'cp.proposed': 'Proposed level', 'cp.justification': 'Justification (required when it differs from the suggestion)',
    'cp.parts': 'Dossier parts', 'cp.regulation': 'The system\'s security regulation is approved', 'cp.regulation_ref': 'Regulation number and date',
    'cp.running': 'The system is already running', 'cp.save': 'Save dossier', 'cp.yes': 'yes', 'cp.no': 'no', 'cp.unset': '— not answered —',
    'cp.upload': 'Upload file', 'cp.files': 'Attached files', 'cp.actions': 'Next steps', 'cp.noactions': 'Nothing you can do at this step',
    'cp.needs_duty': 'needs duty: {d}', 'cp.not_independent': 'must be done by someone independent of who drafted it', 'cp.unmet': 'missing: {u}',
    'cp.reasons': 'Reasons', 'cp.opinion': 'Opinion', 'cp.decision_number': 'Decision number', 'cp.decision_date': 'Decision date',
    'cp.pm_decision': 'Prime Minister\'s list decision', 'cp.trigger': 'Why re-assess', 'cp.confirmed': 'I confirm the plan is fully implemented',
    'cp.do': 'Do it', 'cp.done_action': 'Done: {a}', 'cp.history': 'Dossier history', 'cp.when': 'When', 'cp.who': 'Who',
    'cp.step': 'Step', 'cp.note': 'Note', 'cp.deadlines': 'Deadlines', 'cp.deadline': '{a}: by {d} ({n} {u})',
    'cp.days': 'days', 'cp.working_days': 'working days', 'cp.authority': 'Competent bodies',
    'cp.auth.appraises': 'Appraises', 'cp.auth.approves': 'Approves', 'cp.auth.expert': 'Expert opinion',
    'cp.frozen': 'Approved version: it cannot change; re-assessment starts a new version.', 'cp.reassessment_due': 'Re-assessment due: {d}',
    'cp.decision': 'Decision {n} of {d}', 'cp.return_reasons': 'Latest reasons for return', 'cp.expert_opinion': 'Expert opinion',
    'cp.appraisal_opinion': 'Appraisal opinion', 'cp.snapshot': 'Compliance snapshot at approval: {p}',
    'cp.controls': 'Controls of level {n} ({f})', 'cp.nolevel': 'The system has no level yet: start its dossier and propose one.',
    'cp.ctl.id': 'ID', 'cp.ctl.req': 'Requirement', 'cp.ctl.clause': 'Clause', 'cp.ctl.kind': 'Evidence', 'cp.ctl.live': 'Live check',
    'cp.ctl.status': 'Assessment', 'cp.ctl.effective': 'Result', 'cp.ctl.evidence': 'Evidence', 'cp.ctl.notes': 'Notes', 'cp.ctl.reason': 'Why it does not apply',
    'cp.kind.manual': 'documents', 'cp.kind.live': 'measured', 'cp.kind.mixed': 'documents + measured',
    'cp.st.': '— not assessed —', 'cp.st.met': 'Met', 'cp.st.partly_met': 'Partly met', 'cp.st.not_met': 'Not met', 'cp.st.not_applicable': 'Not applicable',
    'cp.eff.met': 'met', 'cp.eff.partly_met': 'partly met', 'cp.eff.not_met': 'not met', 'cp.eff.not_applicable': 'not applicable',
    'cp.eff.not_assessed': 'not assessed', 'cp.eff.not_evaluated': 'not evaluated',
    'cp.verdict.pass': 'pass', 'cp.verdict.fail': 'fail', 'cp.verdict.not_evaluated': 'not evaluated',
    'cp.figures': 'Figures', 'cp.link': 'Add link', 'cp.link.url': 'Address (https://…) or alert id', 'cp.link.label': 'Description',
    'cp.filter.group': 'Group', 'cp.filter.eff': 'Result', 'cp.all': 'All', 'cp.conditional': 'Applies only: {c}',
    'cp.score.detail': 'Met {met}, partly {partly}, not met {notmet}, not assessed {na}, not evaluated {ne}, not applicable {excl}',
    'cp.report': 'Compliance report', 'cp.report.print': 'Print', 'cp.report.csv': 'Export CSV', 'cp.report.open': 'Open the printable report',
    'cp.report.period': 'Period', 'cp.report.from': 'From', 'cp.report.to': 'To', 'cp.report.generated': 'Generated {t}',
    'cp.alerts.stats': 'Alert statistics for the period', 'cp.alerts.total': 'Alerts', 'cp.alerts.open': 'Not yet triaged',
    'cp.alerts.triage': 'Triage time (median / p90, minutes)', 'cp.alerts.sev': 'Severity {n}', 'cp.alerts.partial': 'only the newest alerts were read',
    'cp.alerts.unknown': 'The alert store could not be read', 'cp.category': 'Category',
    'cp.frameworks.reload': 'Reload frameworks', 'cp.remove': 'Remove', 'cp.confirm.remove': 'Remove this evidence? The removal is written to the audit log.',
  },
});

// The compliance pages' own styles, loaded once beside the console's.
if (!document.getElementById('compliance-css')) {
  document.head.appendChild(h('link', { id: 'compliance-css', rel: 'stylesheet', href: '/assets/compliance.css' }));
}

// Framework data carries its text in both languages: pick the current one.
export function tx(text) {
  if (!text) return '';
  return (getLang() === 'en' ? text.en : text.vi) || text.en || text.vi || '';
}

const frameworks = new Map();
export async function framework(id) {
  if (!id) return null;
  if (!frameworks.has(id)) frameworks.set(id, get('/compliance/frameworks/' + encodeURIComponent(id)));
  try { return await frameworks.get(id); } catch (e) { frameworks.delete(id); throw e; }
}
export function forgetFrameworks() { frameworks.clear(); }

export function stateName(fw, state) {
  if (!state) return '—';
  const s = fw && fw.states.find((x) => x.id === state);
  return s ? tx(s.name) : state;
}

export function levelText(n) { return n ? t('cp.level.n', { n }) : t('cp.unassessed'); }

export function scoreBar(score) {
  if (!score || score.percent === null || score.percent === undefined) return h('span', { class: 'muted' }, t('cp.noscore'));
  const p = Number(score.percent);
  const cls = p >= 80 ? 'good' : p >= 50 ? 'warn' : 'bad';
  // Width through the CSSOM: the console's CSP (style-src 'self') refuses style attributes.
  const fill = h('span', { class: 'cp-score-fill ' + cls });
  fill.style.width = Math.max(0, Math.min(100, p)) + '%';
  return h('span', { class: 'cp-score', title: score.denominator },
    h('span', { class: 'cp-score-bar' }, fill),
    h('span', { class: 'cp-score-text' }, t('cp.score.of', { p: p.toFixed(1), n: score.applicable })));
}

export function duePill(status) {
  return h('span', { class: 'pill cp-due-' + (status || 'none') }, t('cp.due.' + (status || 'none')));
}

export function verdictPill(v) {
  return h('span', { class: 'pill cp-verdict-' + v }, t('cp.verdict.' + v));
}

export function effectivePill(e) {
  return h('span', { class: 'pill cp-eff-' + e }, t('cp.eff.' + e));
}

export function dutyName(d) { return t('duty.' + d); }

// Uploads raw bytes (the API takes application/octet-stream) with the session's CSRF token.
export async function upload(path, file, me) {
  const res = await fetch('/api/v1' + path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': me.csrf },
    body: file,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

export function fileLink(sha, name) {
  return h('a', { href: '/api/v1/compliance/files/' + sha + '?name=' + encodeURIComponent(name || sha), download: name || sha,
    rel: 'noopener', title: 'SHA-256 ' + sha }, name || sha.slice(0, 12));
}

export function fmtDate(ms) {
  if (!ms) return '';
  const d = new Date(Number(ms));
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
