// Browser test of the security-level assessment (ctest label `browser`): a real `canh server`, one
// Chromium context per party (admin, operator, appraiser, approver, auditor), and one information
// system walked from draft to approved through the pages — once in Vietnamese, once in English —
// with screenshots of every step under the build folder.
//
//   node compliance.test.mjs CANH_BINARY SCREENSHOT_DIR
//
// Exits non-zero on any failure, 77 (ctest: skipped) when Chromium or playwright-core is missing.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [canh, shots] = process.argv.slice(2);
if (!canh || !shots) {
  console.error('usage: node compliance.test.mjs CANH_BINARY SCREENSHOT_DIR');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log(`SKIP: ${chromiumPath} not found (deploy/install-deps.sh --browser installs it)`);
  process.exit(77);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.log('SKIP: playwright-core not installed (tests/browser/install.sh installs it)');
  process.exit(77);
}

mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'canh-compliance-browser-'));
const password = 'compliance browser password';
let server = null;
let browser = null;
let passed = 0;
let failed = 0;

function cleanup() {
  if (browser) browser.close().catch(() => {});
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}
function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// --- server with one account per party
const people = [['admin', 'admin'], ['lan', 'analyst'], ['minh', 'analyst'], ['hoa', 'auditor'], ['an', 'auditor']];
for (const [name, role] of people) {
  execFileSync(canh, ['user', 'add', '--data', join(work, 'data'), '--name', name, '--role', role], { input: password + '\n' });
}
let log = '';
server = spawn(canh, ['server', '--data', join(work, 'data'), '--listen', '127.0.0.1:0', '--threads', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
server.stderr.on('data', (d) => { log += d; });
const port = await new Promise((resolve, reject) => {
  const deadline = setTimeout(() => reject(new Error('server not ready within 20 s:\n' + log)), 20000);
  const poll = setInterval(() => {
    const m = log.match(/server: ready url=http:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) { clearInterval(poll); clearTimeout(deadline); resolve(Number(m[1])); }
    if (server.exitCode !== null) { clearInterval(poll); clearTimeout(deadline); reject(new Error('server exited:\n' + log)); }
  }, 50);
});
const base = `http://127.0.0.1:${port}`;

// playwright-core refuses --user-data-dir in launch(): it gives every launch a fresh temporary
// profile of its own, which is what the flag was for.
browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

const pageErrors = [];
const offsite = [];
// One signed-in page per party, in the language under test.
async function party(name, lang) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: lang === 'vi' ? 'vi-VN' : 'en-GB' });
  await context.addInitScript((l) => { localStorage.setItem('canh.lang', l); }, lang);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e}`));
  // Chromium logs every non-2xx fetch as a console error; the API's refusals the test provokes are
  // expected, so failed responses are judged by status below, other console errors always count.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`${name}: ${m.text()}`); });
  page.on('response', (r) => {
    const u = new URL(r.url());
    // This test judges the compliance pages' own calls; other pages have their own browser test.
    if (!u.pathname.startsWith('/api/v1/compliance')) return;
    if (r.status() >= 400)
      pageErrors.push(`${name}: ${r.request().method()} ${u.pathname} -> ${r.status()}`);
  });
  page.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
  page.on('dialog', (d) => d.accept());
  await page.goto(base + '/');
  await page.waitForSelector('#login-form');
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#nav-compliance');
  return page;
}

// Words the test expects on screen in each language (state names come from the framework data).
const words = {
  vi: { draft: 'Dự thảo', submitted: 'Đã nộp', under_appraisal: 'Đang thẩm định', appraised: 'Đã thẩm định',
    awaiting_approval: 'Chờ phê duyệt', in_force: 'Đang hiệu lực', level3: 'Cấp 3', nav: 'Cấp độ an toàn', suggested: 'Cấp độ gợi ý: 3' },
  en: { draft: 'Draft', submitted: 'Submitted', under_appraisal: 'Under appraisal', appraised: 'Appraised',
    awaiting_approval: 'Awaiting approval', in_force: 'In force', level3: 'Level 3', nav: 'Security levels', suggested: 'Suggested level: 3' },
};

async function openDossier(page, id) {
  await page.goto(`${base}/#/system/${id}?tab=dossier&at=${Date.now()}`);
  await page.waitForSelector('#cp-actions, #cp-start-form');
}
async function stateIs(page, text) {
  await page.waitForFunction((t) => {
    const el = document.querySelector('#cp-dossier-state');
    return el && el.textContent === t;
  }, text, { timeout: 10000 });
}
async function act(page, action, inputs = {}) {
  await page.click('#cp-act-' + action);
  for (const [k, v] of Object.entries(inputs)) {
    const sel = `#cp-in-${action}-${k}`;
    if (typeof v === 'boolean') await page.check(sel);
    else await page.fill(sel, v);
  }
  await page.click('#cp-do-' + action);
}

function yesterday() {
  const d = new Date(Date.now() - 86400000 + 7 * 3600000);  // the day before, in Hanoi
  return d.toISOString().slice(0, 10);
}

for (const lang of ['vi', 'en']) {
  const w = words[lang];
  const shot = (page, name) => page.screenshot({ path: join(shots, `${lang}-${name}.png`), fullPage: true });
  const sysName = lang === 'vi' ? 'Cổng dịch vụ công tỉnh' : 'Provincial e-services portal';
  const p = {};
  let id = 0;

  await check(`[${lang}] parties sign in; the navigation shows the compliance pages in ${lang}`, async () => {
    for (const [name] of people) p[name] = await party(name, lang);
    const nav = await p.lan.textContent('#nav-compliance');
    expect(nav === w.nav, `navigation reads "${nav}"`);
  });

  await check(`[${lang}] admin registers the system with its ranges and assigns the duties`, async () => {
    const a = p.admin;
    await a.click('#nav-compliance');
    await a.waitForSelector('#cp-new');
    await a.click('#cp-new summary');
    await a.fill('#cp-new-name', sysName);
    await a.fill('#cp-new-owner', 'UBND tỉnh');
    await a.fill('#cp-new-unit', 'Trung tâm CNTT');
    await a.fill('#cp-new-description', 'one-stop administrative procedures <b>portal</b>');
    await a.fill('#cp-new-ranges', lang === 'vi' ? '10.20.0.0/16\n2001:db8:20::/48' : '10.30.0.0/16');
    await a.click('#cp-new-submit');
    await a.waitForSelector('#cp-system-name');
    id = Number(new URL(a.url()).hash.match(/#\/system\/(\d+)/)[1]);
    expect(id > 0, 'no system id in ' + a.url());
    await a.click('#cp-tab-info');
    await a.waitForSelector('#cp-duty-add');
    const duties = [['lan', 'operator'], ['minh', 'appraiser'], ['hoa', 'approver'], ['an', 'auditor']];
    for (let i = 0; i < duties.length; i++) await a.click('#cp-duty-add');
    const rows = await a.$$('#cp-duty-rows tr');
    for (let i = 0; i < duties.length; i++) {
      await (await rows[i].$('.cp-duty-user')).selectOption(duties[i][0]);
      await (await rows[i].$('.cp-duty-duty')).selectOption(duties[i][1]);
    }
    await a.click('#cp-duty-save');
    await a.waitForFunction(() => document.querySelectorAll('#cp-duty-rows tr').length === 4 &&
      document.querySelector('#cp-tab-body').textContent.includes('minh:'));
    await shot(a, '01-system-and-duties');
  });

  await check(`[${lang}] the operator drafts: questionnaire, suggested level with its article, parts`, async () => {
    const o = p.lan;
    await openDossier(o, id);
    await o.click('#cp-start');
    await o.waitForSelector('#cp-dossier-form');
    await stateIs(o, w.draft);
    await o.check('#cp-q-info_classes input[value=public]');
    await o.check('#cp-q-info_classes input[value=personal]');
    await o.check('#cp-q-system_types input[value=citizen_business]');
    for (const [q, v] of [['online_service', 'true'], ['conditional_business', 'false'], ['admin_procedures', 'true'],
      ['infrastructure_scope', 'none'], ['national_egov_24x7', 'false'], ['ics_work_grade', 'none'],
      ['secret_or_defence_impact', 'none'], ['strategic_defence', 'false'], ['national_data_store', 'false']]) {
      await o.selectOption('#cp-q-' + q, v);
    }
    await o.fill('#cp-q-data_subjects_basic', '50000');
    await o.fill('#cp-q-data_subjects_sensitive', '0');
    await o.selectOption('#cp-proposed', '3');
    for (const part of ['overview', 'design', 'level_justification', 'security_plan']) await o.fill('#cp-part-' + part, part + ' text');
    await o.check('#cp-regulation');
    await o.fill('#cp-regulation-ref', 'QĐ 7/QĐ-UBND');
    await o.check('#cp-running');
    await o.click('#cp-save');
    await o.waitForFunction((t) => document.querySelector('#cp-suggested') && document.querySelector('#cp-suggested').textContent === t, w.suggested);
    const matched = await o.textContent('#cp-matched');
    expect(matched.includes('Art 13.2'), 'the administrative-procedures criterion is not shown: ' + matched);
    // The appraiser cannot submit: the page says which duty it needs.
    const ap = p.minh;
    await openDossier(ap, id);
    expect(await ap.isDisabled('#cp-act-submit'), 'the appraiser may press submit');
    await shot(o, '02-draft-questionnaire');
  });

  await check(`[${lang}] operator submits; appraiser accepts`, async () => {
    await openDossier(p.lan, id);
    await act(p.lan, 'submit');
    await stateIs(p.lan, w.submitted);
    await shot(p.lan, '03-submitted');
    await openDossier(p.minh, id);
    await act(p.minh, 'accept');
    await stateIs(p.minh, w.under_appraisal);
  });

  await check(`[${lang}] appraiser assesses the controls and appraises`, async () => {
    const ap = p.minh;
    await ap.goto(`${base}/#/system/${id}?tab=controls`);
    await ap.waitForSelector('#cp-controls tbody tr');
    // One control through the page, the rest through the same API the page uses.
    await ap.selectOption('#cp-status-MGMT\\.POLICY\\.DEFINE', 'met');
    await ap.click('#cp-save-MGMT\\.POLICY\\.DEFINE');
    await ap.waitForFunction(() => {
      const row = document.querySelector('#cp-control-MGMT\\.POLICY\\.DEFINE');
      return row && row.dataset.effective === 'met';
    });
    await ap.evaluate(async (sid) => {
      const me = window.canh.state.me;
      const cj = await (await fetch(`/api/v1/compliance/systems/${sid}/controls`)).json();
      for (const c of cj.controls) {
        if (c.state.status) continue;
        const live = c.evidence_kind === 'live';
        const body = live ? { status: 'not_applicable', reason: 'monitored by the provincial SOC', revision: c.state.revision }
          : { status: 'met', notes: 'checked on site', revision: c.state.revision };
        const r = await fetch(`/api/v1/compliance/systems/${sid}/controls/${c.id}`, {
          method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf }, body: JSON.stringify(body) });
        if (!r.ok) throw new Error(c.id + ': ' + r.status);
      }
    }, id);
    await ap.goto(`${base}/#/system/${id}?tab=controls&at=${Date.now()}`);
    await ap.waitForSelector('#cp-score');
    await shot(ap, '04-controls');
    await openDossier(ap, id);
    await act(ap, 'appraise', { opinion: 'Form 04: the system meets the level-3 requirements' });
    await stateIs(ap, w.appraised);
  });

  await check(`[${lang}] operator requests approval; approver approves; the version is frozen and in force`, async () => {
    await openDossier(p.lan, id);
    await act(p.lan, 'request_approval');
    await stateIs(p.lan, w.awaiting_approval);
    const ap = p.hoa;
    await openDossier(ap, id);
    await shot(ap, '05-awaiting-approval');
    await act(ap, 'approve', { decision_number: '123/QĐ-UBND', decision_date: yesterday() });
    await stateIs(ap, w.in_force);
    await ap.waitForSelector('#cp-frozen');
    const history = await ap.textContent('#cp-history');
    for (const step of ['submit', 'accept', 'appraise', 'request_approval', 'approve', 'enter_into_force'])
      expect(history.includes(step), `history lacks ${step}`);
    await shot(ap, '06-approved-in-force');
  });

  await check(`[${lang}] the auditor sees the system by level, state and score, and its printable report`, async () => {
    const au = p.an;
    await au.goto(`${base}/#/compliance?at=${Date.now()}`);
    await au.waitForSelector(`#cp-systems tr[data-system="${id}"]`);
    const row = await au.textContent(`#cp-systems tr[data-system="${id}"]`);
    expect(row.includes(w.level3) && row.includes(w.in_force), 'overview row: ' + row);
    expect(/\d+\.\d%/.test(row), 'no score in the row: ' + row);
    await shot(au, '07-overview');
    await au.goto(`${base}/#/system/${id}?tab=report`);
    await au.waitForSelector('#cp-report-open');
    const csv = await au.getAttribute('#cp-report-csv', 'href');
    expect(csv.startsWith(`/api/v1/compliance/systems/${id}/report.csv?`), 'csv link ' + csv);
    const res = await au.evaluate(async (u) => { const r = await fetch(u); return { type: r.headers.get('content-type'), text: await r.text() }; }, csv);
    expect(res.type.startsWith('text/csv') && res.text.includes('control,MGMT.POLICY.DEFINE'), 'csv export: ' + res.type);
    await au.click('#cp-report-open');
    await au.waitForSelector('#cp-report-controls');
    const text = await au.textContent('#cp-report');
    expect(text.includes(sysName) && text.includes('123/QĐ-UBND'), 'report lacks the system or the decision');
    // The description holds markup: shown as text, never as HTML.
    expect(!(await au.$('#cp-report b')), 'description rendered as HTML');
    await shot(au, '08-printable-report');
  });

  for (const name of Object.keys(p)) await p[name].context().close();
}

await check('the audit log holds every compliance step and its chain is intact', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/');
  await page.waitForSelector('#login-form');
  await page.fill('#login-name', 'an');
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#nav-audit');
  const r = await page.evaluate(async () => {
    const v = await (await fetch('/api/v1/audit/verify')).json();
    const a = await (await fetch('/api/v1/audit?action=compliance.dossier.transition&limit=1000')).json();
    return { ok: v.ok, n: a.records.filter((x) => x.status === 200).length };
  });
  expect(r.ok, 'audit chain broken');
  expect(r.n >= 10, `only ${r.n} successful transitions audited`);  // 5 steps, two systems
  await context.close();
});

await check('every string has both languages; no page errors; nothing fetched from outside the server', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/');
  const gaps = await page.evaluate(async () => {
    await import('/assets/pages/compliance_common.js');
    const i18n = await import('/assets/i18n.js');
    return i18n.catalogueGaps().filter((k) => k.includes(':cp.') || k.includes(':duty.') || k.includes(':nav.compliance'));
  });
  expect(!gaps.length, 'catalogue gaps: ' + gaps.join(', '));
  expect(!pageErrors.length, 'page errors: ' + pageErrors.join('\n'));
  expect(!offsite.length, 'off-site requests: ' + offsite.join(', '));
  await context.close();
});

console.log(`screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
// Close the browser and stop the server here: both keep node's event loop alive, so waiting for
// 'exit' would never come.
if (browser) await browser.close().catch(() => {});
browser = null;
process.exit(failed ? 1 : 0);
