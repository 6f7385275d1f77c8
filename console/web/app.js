// The single-page shell: sign-in, navigation built from the page registry, hash routing with the
// filters kept in the URL (#/alerts?state=new&sid=2001), the language switch.
import { h, clear, toast } from './dom.js';
import { t, setLang, getLang, languages, addMessages } from './i18n.js';
import { get, post, setCsrf, ApiError } from './api.js';
import { pages } from './pages/index.js';

export const state = { me: null };
let cleanup = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [id, query] = raw.split('?');
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  const parts = (id || '').split('/');
  return { id: parts[0] || 'dashboard', arg: parts.slice(1).join('/'), params };
}

export function navigate(id, params, arg) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  location.hash = '#/' + id + (arg ? '/' + encodeURIComponent(arg) : '') + (s ? '?' + s : '');
}

function allowed(page) {
  return !page.roles || (state.me && page.roles.includes(state.me.role));
}

function renderNav() {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  const langSel = h('select', { id: 'lang', 'aria-label': t('lang.switch'),
    onchange: (e) => { setLang(e.target.value); renderNav(); route(); } },
  languages().map((l) => h('option', { value: l, selected: l === getLang() }, t('lang.' + l))));
  if (!state.me) { who.appendChild(langSel); return; }
  const current = parseHash().id;
  for (const p of pages) {
    if (!p.nav || !allowed(p)) continue;
    nav.appendChild(h('a', { href: '#/' + p.id, class: current === p.id ? 'active' : '', id: 'nav-' + p.id }, t(p.title)));
  }
  who.append(
    h('span', { class: 'user' }, state.me.name, ' (', t('role.' + state.me.role), ')'),
    langSel,
    h('button', { id: 'signout', class: 'link', onclick: signOut }, t('auth.signout')));
}

async function signOut() {
  try { await post('/logout'); } catch (e) { /* the session may be gone already */ }
  state.me = null;
  setCsrf('');
  showLogin();
}

function showLogin(message) {
  if (cleanup) { cleanup(); cleanup = null; }
  renderNav();
  const main = clear(document.getElementById('main'));
  const err = h('p', { class: 'error', id: 'login-error' }, message || '');
  const name = h('input', { id: 'login-name', name: 'name', autocomplete: 'username', required: true });
  const pw = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'login', id: 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const me = await post('/login', { name: name.value, password: pw.value });
      state.me = me;
      setCsrf(me.csrf);
      // Setting the hash routes through the hashchange event; otherwise route here, once.
      if (!location.hash || location.hash === '#/login') location.hash = '#/dashboard';
      else route();
    } catch (ex) {
      err.textContent = ex instanceof ApiError && ex.status === 429 ? t('auth.locked') : t('auth.failed');
    }
  } },
  h('h1', null, t('auth.signin')),
  h('label', null, t('auth.name'), name),
  h('label', null, t('auth.password'), pw),
  h('button', { type: 'submit', id: 'login-submit' }, t('auth.signin')),
  err);
  main.appendChild(form);
  name.focus();
}

async function route() {
  if (!state.me) return showLogin();
  if (cleanup) { cleanup(); cleanup = null; }
  renderNav();
  const { id, arg, params } = parseHash();
  const page = pages.find((p) => p.id === id);
  const main = clear(document.getElementById('main'));
  if (!page) { main.appendChild(h('p', { class: 'error' }, t('common.notfound'))); return; }
  if (!allowed(page)) { main.appendChild(h('p', { class: 'error' }, t('common.forbidden'))); return; }
  try {
    const c = await page.render(main, { arg, params, me: state.me, navigate });
    if (typeof c === 'function') cleanup = c;
  } catch (e) {
    main.appendChild(h('p', { class: 'error' }, t('common.error', { msg: e.message })));
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('canh:signed-out', () => {
  if (!state.me) return;
  state.me = null;
  showLogin(t('auth.expired'));
});

async function boot() {
  setLang(getLang());
  try {
    state.me = await get('/me');
    setCsrf(state.me.csrf);
  } catch (e) {
    state.me = null;
  }
  route();
}

// Exposed for the browser tests: catalogue completeness and missing keys.
window.canh = { navigate, state, t, addMessages };
boot();
