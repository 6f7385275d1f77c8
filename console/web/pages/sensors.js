// The sensor fleet: health at a glance (a silent or dropping sensor stands out), the rule-set
// version each runs against the current one, enrolment tokens and decommissioning (admins).
import { h, clear, fmtTime, toast } from '../dom.js';
import { t, addMessages } from '../i18n.js';
import { get, post } from '../api.js';

addMessages({
  vi: {
    'sn.title': 'Cảm biến', 'sn.name': 'Tên', 'sn.state': 'Trạng thái', 'sn.heartbeat': 'Nhịp tim cuối', 'sn.packets': 'Gói tin',
    'sn.drops': 'Tỉ lệ mất gói', 'sn.aps': 'Cảnh báo/giây', 'sn.ruleset': 'Bộ luật', 'sn.software': 'Phần mềm', 'sn.spool': 'Hàng đợi',
    'sn.silent': 'im lặng', 'sn.current': 'mới nhất', 'sn.behind': 'cũ (hiện tại: {v})', 'sn.add': 'Thêm cảm biến',
    'sn.desc': 'Mô tả', 'sn.token': 'Mã đăng ký (chỉ hiện một lần, hết hạn {at}): {token}', 'sn.newtoken': 'Mã đăng ký mới',
    'sn.decommission': 'Ngừng sử dụng', 'sn.confirm': 'Ngừng sử dụng cảm biến {name}? Nó sẽ không gửi được dữ liệu nữa.',
    'sn.st.pending': 'chờ đăng ký', 'sn.st.active': 'hoạt động', 'sn.st.decommissioned': 'đã ngừng', 'sn.none': 'Chưa có cảm biến nào',
  },
  en: {
    'sn.title': 'Sensors', 'sn.name': 'Name', 'sn.state': 'State', 'sn.heartbeat': 'Last heartbeat', 'sn.packets': 'Packets',
    'sn.drops': 'Drop %', 'sn.aps': 'Alerts/s', 'sn.ruleset': 'Rule set', 'sn.software': 'Software', 'sn.spool': 'Backlog',
    'sn.silent': 'silent', 'sn.current': 'current', 'sn.behind': 'behind (current: {v})', 'sn.add': 'Add sensor',
    'sn.desc': 'Description', 'sn.token': 'Enrolment token (shown once, expires {at}): {token}', 'sn.newtoken': 'New enrolment token',
    'sn.decommission': 'Decommission', 'sn.confirm': 'Decommission sensor {name}? It will no longer be able to send data.',
    'sn.st.pending': 'pending', 'sn.st.active': 'active', 'sn.st.decommissioned': 'decommissioned', 'sn.none': 'No sensors yet',
  },
});

export default {
  id: 'sensors', title: 'nav.sensors', nav: true,
  async render(main, ctx) {
    const admin = ctx.me.role === 'admin';
    const data = await get('/sensors');
    const tokenBox = h('div', { id: 'sensor-token' });
    const showToken = (r) => { clear(tokenBox).appendChild(h('p', { class: 'secret' }, t('sn.token', { at: fmtTime(r.token_expires_ms), token: r.enrolment_token }))); };
    main.append(h('h1', null, t('sn.title')));
    if (admin) {
      const name = h('input', { id: 'sensor-name' });
      const desc = h('input', { id: 'sensor-desc', size: 30 });
      main.append(h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        try { showToken(await post('/sensors', { name: name.value, description: desc.value })); name.value = ''; } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); }
      } }, h('label', null, t('sn.name'), name), h('label', null, t('sn.desc'), desc), h('button', { type: 'submit' }, t('sn.add'))));
    }
    main.append(tokenBox);
    if (!data.sensors.length) { main.append(h('p', { class: 'muted' }, t('sn.none'))); return; }
    main.append(h('table', { class: 'grid', id: 'sensor-table' },
      h('thead', null, h('tr', null, ['sn.name', 'sn.state', 'sn.heartbeat', 'sn.packets', 'sn.drops', 'sn.aps', 'sn.ruleset', 'sn.software', 'sn.spool', admin ? 'common.actions' : null]
        .filter(Boolean).map((k) => h('th', null, t(k))))),
      h('tbody', null, data.sensors.map((s) => {
        const hl = s.health || {};
        const drop = s.drop_percent !== undefined ? s.drop_percent.toFixed(2) + ' %' : '';
        return h('tr', { dataset: { id: s.id } },
          h('td', null, h('span', { class: 'pivot', onclick: () => ctx.navigate('alerts', { sensor: s.id }) }, s.name), h('div', { class: 'muted' }, s.description || '', s.hostname ? ' · ' + s.hostname : '')),
          h('td', null, t('sn.st.' + s.state), s.silent ? h('span', { class: 'bad' }, ' · ' + t('sn.silent')) : ''),
          h('td', null, hl.received_ms ? fmtTime(hl.received_ms) : '—'),
          h('td', { class: 'num' }, hl.packets !== undefined ? String(hl.packets) : '—'),
          h('td', { class: 'num ' + (s.drop_percent > 1 ? 'bad' : '') }, drop),
          h('td', { class: 'num' }, s.alerts_per_second !== undefined ? s.alerts_per_second.toFixed(2) : '—'),
          h('td', null, hl.ruleset_version ? hl.ruleset_version + ' ' : '—', hl.ruleset_version ? h('span', { class: s.ruleset_current ? 'good' : 'bad' },
            s.ruleset_current ? t('sn.current') : t('sn.behind', { v: data.current_ruleset })) : ''),
          h('td', null, hl.software_version || ''),
          h('td', { class: 'num' }, hl.spool_batches ? String(hl.spool_batches) : '0'),
          admin ? h('td', null, s.state !== 'decommissioned' ? [
            h('button', { class: 'link', onclick: async () => { try { showToken(await post('/sensors/' + s.id + '/token')); } catch (ex) { toast(ex.message, 'bad'); } } }, t('sn.newtoken')), ' · ',
            h('button', { class: 'link', onclick: async () => {
              if (!confirm(t('sn.confirm', { name: s.name }))) return;
              try { await post('/sensors/' + s.id + '/decommission'); ctx.navigate('sensors', { r: Date.now() % 1000 }); } catch (ex) { toast(ex.message, 'bad'); }
            } }, t('sn.decommission'))] : '') : null);
      }))));
    const timer = setInterval(() => { if (document.visibilityState === 'visible') ctx.navigate('sensors', { r: Date.now() % 1000 }); }, 30000);
    return () => clearInterval(timer);
  },
};
