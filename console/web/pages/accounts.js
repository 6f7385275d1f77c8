// Accounts: your API tokens, your password, and (admins) the users and their roles.
import { h, clear, fmtTime, toast } from '../dom.js';
import { t, addMessages } from '../i18n.js';
import { get, post, del } from '../api.js';

addMessages({
  vi: {
    'acc.title': 'Tài khoản', 'acc.tokens': 'Mã truy cập API', 'acc.token.label': 'Tên gợi nhớ', 'acc.token.role': 'Vai trò',
    'acc.token.days': 'Hết hạn sau (ngày, 0 = không)', 'acc.token.created': 'Mã mới (chỉ hiện một lần): {secret}',
    'acc.token.revoke': 'Thu hồi', 'acc.token.revoked': 'đã thu hồi', 'acc.token.expires': 'Hết hạn',
    'acc.users': 'Người dùng', 'acc.user.name': 'Tên', 'acc.user.role': 'Vai trò', 'acc.user.created': 'Tạo lúc',
    'acc.user.disabled': 'Vô hiệu', 'acc.user.add': 'Thêm người dùng', 'acc.user.password': 'Mật khẩu (≥ 10 ký tự)',
    'acc.user.toggle': 'Bật/tắt', 'acc.password': 'Đổi mật khẩu', 'acc.password.old': 'Mật khẩu hiện tại',
    'acc.password.new': 'Mật khẩu mới', 'acc.saved': 'Đã lưu', 'acc.owner': 'Chủ sở hữu',
  },
  en: {
    'acc.title': 'Accounts', 'acc.tokens': 'API tokens', 'acc.token.label': 'Label', 'acc.token.role': 'Role',
    'acc.token.days': 'Expires after (days, 0 = never)', 'acc.token.created': 'New token (shown once): {secret}',
    'acc.token.revoke': 'Revoke', 'acc.token.revoked': 'revoked', 'acc.token.expires': 'Expires',
    'acc.users': 'Users', 'acc.user.name': 'Name', 'acc.user.role': 'Role', 'acc.user.created': 'Created',
    'acc.user.disabled': 'Disabled', 'acc.user.add': 'Add user', 'acc.user.password': 'Password (10+ characters)',
    'acc.user.toggle': 'Enable/disable', 'acc.password': 'Change password', 'acc.password.old': 'Current password',
    'acc.password.new': 'New password', 'acc.saved': 'Saved', 'acc.owner': 'Owner',
  },
});

const ROLES = ['admin', 'analyst', 'auditor', 'read-only'];

export default {
  id: 'accounts', title: 'nav.accounts', nav: true,
  async render(main, ctx) {
    main.appendChild(h('h1', null, t('acc.title')));
    const tokenBox = h('section');
    main.appendChild(tokenBox);
    async function tokens() {
      clear(tokenBox);
      const data = await get('/tokens');
      const label = h('input', { id: 'token-label' });
      const role = h('select', { id: 'token-role' }, [ctx.me.role, 'read-only'].filter((v, i, a) => a.indexOf(v) === i)
        .map((r) => h('option', { value: r }, t('role.' + r))));
      const days = h('input', { id: 'token-days', type: 'number', min: 0, max: 3650, value: 90 });
      const secret = h('p', { class: 'secret', id: 'token-secret' });
      tokenBox.append(h('h2', null, t('acc.tokens')),
        h('table', { class: 'grid' }, h('tbody', null, data.tokens.map((tk) => h('tr', null,
          h('td', null, tk.label || tk.id), h('td', null, tk.user), h('td', null, t('role.' + tk.role)),
          h('td', null, tk.expires_ms ? fmtTime(tk.expires_ms) : '∞'),
          h('td', null, tk.revoked ? t('acc.token.revoked') : h('button', { class: 'link', onclick: async () => { await del('/tokens/' + tk.id); tokens(); } }, t('acc.token.revoke'))))))),
        h('form', { class: 'inline', onsubmit: async (e) => {
          e.preventDefault();
          const r = await post('/tokens', { label: label.value, role: role.value, expires_days: Number(days.value) });
          await tokens();
          tokenBox.appendChild(h('p', { class: 'secret', id: 'token-secret' }, t('acc.token.created', { secret: r.secret })));
        } }, h('label', null, t('acc.token.label'), label), h('label', null, t('acc.token.role'), role),
        h('label', null, t('acc.token.days'), days), h('button', { type: 'submit' }, t('common.create'))), secret);
    }
    await tokens();

    const oldPw = h('input', { type: 'password', autocomplete: 'current-password' });
    const newPw = h('input', { type: 'password', autocomplete: 'new-password' });
    main.append(h('h2', null, t('acc.password')), h('form', { class: 'inline', onsubmit: async (e) => {
      e.preventDefault();
      try {
        await post('/me/password', { old_password: oldPw.value, new_password: newPw.value });
        toast(t('acc.saved'));
        window.dispatchEvent(new CustomEvent('canh:signed-out'));
      } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); }
    } }, h('label', null, t('acc.password.old'), oldPw), h('label', null, t('acc.password.new'), newPw),
    h('button', { type: 'submit' }, t('common.save'))));

    if (ctx.me.role !== 'admin') return;
    const userBox = h('section');
    main.appendChild(userBox);
    async function users() {
      clear(userBox);
      const data = await get('/users');
      const name = h('input', { id: 'user-name' });
      const pw = h('input', { id: 'user-password', type: 'password', autocomplete: 'new-password' });
      const role = h('select', { id: 'user-role' }, ROLES.map((r) => h('option', { value: r }, t('role.' + r))));
      userBox.append(h('h2', null, t('acc.users')),
        h('table', { class: 'grid', id: 'users-table' },
          h('thead', null, h('tr', null, ['acc.user.name', 'acc.user.role', 'acc.user.created', 'acc.user.disabled'].map((k) => h('th', null, t(k))))),
          h('tbody', null, data.users.map((u) => h('tr', null, h('td', null, u.name),
            h('td', null, h('select', { onchange: async (e) => {
              try { await post('/users/' + encodeURIComponent(u.name), { role: e.target.value }); toast(t('acc.saved')); } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); users(); }
            } }, ROLES.map((r) => h('option', { value: r, selected: r === u.role }, t('role.' + r))))),
            h('td', null, fmtTime(u.created_ms)),
            h('td', null, h('input', { type: 'checkbox', checked: u.disabled, onchange: async (e) => {
              try { await post('/users/' + encodeURIComponent(u.name), { disabled: e.target.checked }); } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); users(); }
            } })))))),
        h('form', { class: 'inline', onsubmit: async (e) => {
          e.preventDefault();
          try { await post('/users', { name: name.value, role: role.value, password: pw.value }); users(); } catch (ex) { toast(t('common.error', { msg: ex.message }), 'bad'); }
        } }, h('label', null, t('acc.user.name'), name), h('label', null, t('acc.user.role'), role),
        h('label', null, t('acc.user.password'), pw), h('button', { type: 'submit' }, t('acc.user.add'))));
    }
    await users();
  },
};
