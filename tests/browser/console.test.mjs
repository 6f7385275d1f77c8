// Browser test of the console (ctest label `browser`): a real `canh server` on a loopback port, seeded
// through its API, driven in headless Chromium (Debian's /usr/bin/chromium) with playwright-core.
// Signs in, filters the inbox, triages an alert, creates a suppression from it, checks that hostile
// alert content is shown as inert text, switches language, and saves screenshots.
//
//   node console.test.mjs CANH_BINARY SCREENSHOT_DIR
//
// Prints "N passed, N failed" at the end; exits non-zero on any failure, 77 (ctest: skipped) when
// Chromium or playwright-core is not installed.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [canh, shots] = process.argv.slice(2);
if (!canh || !shots) {
  console.error('usage: node console.test.mjs CANH_BINARY SCREENSHOT_DIR');
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
const work = mkdtempSync(join(tmpdir(), 'canh-browser-'));
const password = 'browser test password';
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
    if (typeof page !== 'undefined') {
      await page.screenshot({ path: join(shots, 'FAILED-' + (passed + failed) + '.png'), fullPage: true }).catch(() => {});
    }
  }
}
function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// --- server
for (const [name, role] of [['admin', 'admin'], ['lan', 'analyst'], ['reader', 'read-only']]) {
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
const seed = JSON.parse(execFileSync('python3', [join(here, '..', 'e2e', 'console_seed.py'), '--url', base, '--password', password,
  '--alerts', '120', '--hostile', '--rules', '--system', 'Cổng dịch vụ công tỉnh']).toString());

// --- browser
// A fresh profile per run (--user-data-dir; playwright passes it for a persistent context).
const launchOptions = {
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
  locale: 'vi-VN',
  timezoneId: 'Asia/Ho_Chi_Minh',
};
const context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), launchOptions);
browser = context;
var page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
// Chromium logs every 4xx as a console error, including the expected 401 of /api/v1/me before
// sign-in; responses are checked instead: no 5xx ever, no 400 (a malformed request is a UI bug).
page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text()); });
page.on('response', (r) => { if (r.status() >= 500 || r.status() === 400) pageErrors.push(`${r.status()} ${r.url()}`); });
// Nothing may leave the machine: the console is for air-gapped networks.
const offsite = [];
page.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
const shot = (name) => page.screenshot({ path: join(shots, name + '.png'), fullPage: true });

await check('sign-in page in Vietnamese, wrong password refused', async () => {
  await page.goto(base + '/');
  await page.waitForSelector('#login-form');
  expect((await page.textContent('#login-submit')).includes('Đăng nhập'), 'submit button is not Vietnamese');
  await page.fill('#login-name', 'lan');
  await page.fill('#login-password', 'wrong password!');
  await page.click('#login-submit');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
  await shot('01-login-refused');
});

await check('analyst signs in and sees the dashboard', async () => {
  await page.fill('#login-name', 'lan');
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#dash-topsig .row', { timeout: 10000 }).catch(async (e) => {
    throw new Error(e.message + ' DOM: ' + JSON.stringify(await page.evaluate(() => [location.hash, document.querySelectorAll('#dash-topsig .row').length, document.querySelector('main').innerText.slice(0, 300)])));
  });
  expect(await page.isVisible('#nav-alerts'), 'no Alerts link');
  expect(!(await page.isVisible('#nav-audit')), 'analyst sees the audit page link');
  await page.waitForFunction(() => [...document.querySelectorAll('svg.chart rect.bar')].some((r) => Number(r.getAttribute('height')) > 0));
  await shot('02-dashboard');
});

await check('inbox filters by severity and signature id, kept in the URL', async () => {
  await page.click('#nav-alerts');
  await page.waitForSelector('#alert-table tbody tr');
  // Times are the viewer's: the browser runs in Asia/Ho_Chi_Minh (timezoneId below).
  expect((await page.textContent('#time-zone')).includes('UTC+07:00'), 'zone: ' + (await page.textContent('#time-zone')));
  const all = await page.locator('#alert-table tbody tr').count();
  await page.selectOption('#f-severity', '3');
  await page.click('#filter-apply');
  await page.waitForFunction(() => location.hash.includes('severity=3'));
  await page.waitForSelector('#alert-table tbody tr');
  const sevs = await page.locator('#alert-table tbody tr td:nth-child(2)').allTextContents();
  expect(sevs.length > 0 && sevs.length < all && sevs.every((s) => s.trim() === '3'), `severity filter: ${sevs.slice(0, 5)} of ${all}`);
  await page.goto(base + '/#/alerts?sid=2014939');
  await page.waitForSelector('#alert-table tbody tr');
  const sigs = await page.locator('#alert-table tbody tr td:nth-child(3)').allTextContents();
  expect(sigs.every((s) => s.includes('.onion proxy')), 'sid filter shows other signatures');
  await shot('03-inbox-filtered');
  await page.click('#view-signature');
  await page.waitForSelector('#group-table tbody tr');
  await shot('04-grouped-by-signature');
});

await check('a value\'s "−" excludes it, kept in the URL and removable; grouping by destination', async () => {
  await page.goto(base + '/#/alerts?range=all');
  await page.waitForSelector('#alert-table tbody tr');
  const row = page.locator('#alert-table tbody tr').first();
  const sig = (await row.locator('td:nth-child(3) span.pivot').textContent()).trim();
  await row.hover();
  await row.locator('td:nth-child(3) button.excl').click();
  await page.waitForFunction(() => location.hash.includes('not_sid='));
  await page.waitForSelector('#exclusions button');
  await page.waitForSelector('#alert-table tbody tr');
  const sigs = await page.locator('#alert-table tbody tr td:nth-child(3) span.pivot').allTextContents();
  expect(sigs.length > 0 && !sigs.some((s) => s.trim() === sig), `"${sig}" still listed`);
  await shot('03b-inbox-excluding');
  await page.click('#exclusions button');
  await page.waitForFunction(() => !document.querySelector('#exclusions'));
  expect(!/not_sid=\d/.test(await page.evaluate(() => location.hash)), 'exclusion not removed');
  await page.click('#view-destination');
  await page.waitForSelector('#group-table tbody tr');
  expect((await page.textContent('#group-table thead')).includes('Đích'), 'not grouped by destination');
  const key = (await page.textContent('#group-table tbody tr td:first-child')).trim().split(' ').pop();  // after the severity badge
  await page.click('#group-table tbody tr td:first-child');
  await page.waitForFunction(() => location.hash.includes('dst='));
  await page.waitForSelector('#alert-table tbody tr');
  const dsts = await page.locator('#alert-table tbody tr td:nth-child(5) span.pivot').allTextContents();
  expect(dsts.every((d) => d.startsWith(key + ':')), `destination pivot ${key}: ${dsts.slice(0, 3)}`);
});

await check('hostile alert content is shown as text and never runs', async () => {
  await page.goto(base + `/#/alerts?sid=${seed.hostile_sid}&range=all`);
  await page.waitForSelector('#alert-table tbody tr');
  const sig = await page.textContent('#alert-table tbody tr td:nth-child(3)');
  expect(sig.includes('<script>window.__xss=1</script>'), 'signature not shown literally: ' + sig);
  await page.click('#alert-table tbody tr td:first-child');
  await page.waitForSelector('#alert-eve');
  const title = await page.textContent('#alert-title');
  expect(title.includes('<img src=x onerror=window.__xss=1>'), 'title not literal');
  const app = await page.textContent('#alert-app');
  expect(app.includes('<img src=x onerror=window.__xss=1>.example') && app.includes('/q?<script>window.__xss=1</script>'), 'hostname/url not literal');
  const payload = await page.textContent('#alert-payload');
  expect(payload.includes('47 45 54 20') && payload.includes('GET /<svg onload'), 'payload hex/ascii missing');
  const injected = await page.evaluate(() => ({
    xss: window.__xss,
    img: document.querySelectorAll('main img').length,
    svg: document.querySelectorAll('main svg[onload]').length,
    script: document.querySelectorAll('main script').length,
    bold: document.querySelectorAll('main b').length,
  }));
  expect(injected.xss === undefined && !injected.img && !injected.svg && !injected.script && !injected.bold, 'injected: ' + JSON.stringify(injected));
  await shot('05-hostile-alert-escaped');
});

let triagedId = '';
await check('analyst triages an alert: acknowledge, comment, close with a reason', async () => {
  await page.goto(base + '/#/alerts?sid=2006446&state=new');
  await page.waitForSelector('#alert-table tbody tr');
  triagedId = await page.getAttribute('#alert-table tbody tr', 'data-id');
  await page.click('#alert-table tbody tr td:first-child');
  await page.waitForSelector('#btn-ack');
  await page.click('#btn-ack');
  await page.waitForFunction(() => document.querySelector('#alert-history') && document.querySelector('#alert-history').textContent.includes('→'));
  await page.fill('#comment-text', 'Đã kiểm tra máy chủ <b>web</b>');
  await page.click('#comment-add');
  await page.waitForFunction(() => document.querySelector('#alert-history')?.textContent.includes('Đã kiểm tra máy chủ <b>web</b>'));
  await page.selectOption('#close-reason', 'benign');
  await page.fill('#triage-note', 'quét nội bộ theo kế hoạch');
  await page.click('#btn-close');
  await page.waitForFunction(() => document.querySelector('.state')?.textContent === 'Đã đóng');
  const hist = await page.textContent('#alert-history');
  expect(hist.includes('lan') && hist.includes('Vô hại') && hist.includes('quét nội bộ'), 'history: ' + hist);
  await shot('06-alert-triaged');
});

await check('one click from the alert creates a suppression pushed as a new rule-set version', async () => {
  await page.goto(base + `/#/alert/${triagedId}`);
  await page.waitForSelector('#btn-suppress');
  await page.click('#btn-suppress');
  await page.waitForSelector('#suppress-dialog[open]');
  await page.selectOption('#sp-scope', 'srcnet');
  await page.fill('#sp-expires', '24');
  await page.fill('#sp-reason', 'máy quét lỗ hổng của đơn vị');
  await shot('07-suppress-dialog');
  await page.click('#sp-create');
  await page.waitForSelector('#suppress-dialog', { state: 'detached' });
  await page.goto(base + '/#/rules?tab=supp');
  await page.waitForSelector('#supp-table tbody tr');
  const row = await page.textContent('#supp-table tbody tr');
  expect(row.includes('suppress gen_id 1, sig_id 2006446, track by_src, ip 10.') && row.includes('/24') && row.includes('lan'), 'row: ' + row);
  const res = await fetch(base + '/api/v1/sensor/ruleset', { headers: { Authorization: 'Bearer ' + seed.sensor } });
  const bundle = await res.json();
  expect(bundle.thresholds.includes('sig_id 2006446, track by_src'), 'not in the sensors\' bundle: ' + bundle.thresholds);
  await shot('08-suppressions');
});

await check('bulk acknowledge acts on everything matching the filter and says how many changed', async () => {
  await page.goto(base + '/#/alerts?sid=2018789&state=new&range=all');
  await page.waitForSelector('#alert-table tbody tr');
  const before = await page.evaluate(async () => {
    let n = 0;
    for (let cursor = ''; ;) {
      const r = await (await fetch('/api/v1/alerts?sid=2018789&state=new&limit=500' + (cursor ? '&cursor=' + cursor : ''))).json();
      n += r.items.length;
      if (!r.next_cursor) return n;
      cursor = r.next_cursor;
    }
  });
  page.once('dialog', (d) => d.accept());
  await page.click('#bulk-ack');
  await page.waitForSelector('#alert-empty');
  const toastText = await page.textContent('#toast');
  expect(toastText.includes(`Đã thay đổi ${before} / ${before}`), `result not reported (${before} changed): ` + toastText);
  const r = await page.evaluate(async () => (await fetch('/api/v1/alerts?sid=2018789&state=new')).json());
  expect(r.items.length === 0, 'still new: ' + r.items.length);
});

await check('"mine" and "unassigned" are server-side filters kept in the URL', async () => {
  await page.goto(base + '/#/alerts?sid=2006446&state=new&range=all');
  await page.waitForSelector('#alert-table tbody tr');
  const id = await page.getAttribute('#alert-table tbody tr:last-child', 'data-id');
  await page.goto(base + `/#/alert/${id}`);
  await page.waitForSelector('#btn-assign-me');
  await page.click('#btn-assign-me');
  await page.waitForFunction(() => document.querySelector('#alert-history')?.textContent.includes('lan'));
  await page.goto(base + '/#/alerts?range=all');
  await page.waitForSelector('#alert-table tbody tr');
  await page.click('#quick-mine');
  await page.waitForFunction(() => location.hash.includes('assignee=me'));
  await page.waitForFunction((id) => document.querySelector(`#alert-table tr[data-id="${id}"]`), id);
  const who = await page.locator('#alert-table tbody tr td:nth-child(8)').allTextContents();
  expect(who.length >= 1 && who.every((w) => w === 'lan'), 'mine: ' + who);
  await page.click('#quick-unassigned');
  await page.waitForFunction(() => location.hash.includes('assignee=unassigned'));
  await page.waitForSelector('#alert-table tbody tr');
  expect(!(await page.$(`#alert-table tr[data-id="${id}"]`)), 'an assigned alert listed as unassigned');
  const none = await page.locator('#alert-table tbody tr td:nth-child(8)').allTextContents();
  expect(none.length > 1 && none.every((w) => w === ''), 'unassigned: ' + none.slice(0, 5));
  await shot('08b-inbox-unassigned');
});

await check('alert detail names the information system, its level and links to its compliance page', async () => {
  await page.goto(base + `/#/alerts?sid=${seed.hostile_sid}&range=all`);
  await page.waitForSelector('#alert-table tbody tr');
  await page.click('#alert-table tbody tr td:first-child');
  await page.waitForFunction(() => document.querySelector('#alert-systems a')?.textContent.includes('Cổng dịch vụ công tỉnh'));
  const link = await page.textContent('#alert-systems a');
  expect(link.includes('chưa xác định cấp độ'), 'no level: ' + link);
  expect((await page.getAttribute('#alert-systems a', 'href')) === `#/system/${seed.system}`, 'link');
});

await check('language switches to English and every string has both languages', async () => {
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.querySelector('#nav-alerts').textContent === 'Alerts');
  await page.goto(base + '/#/sensors');
  await page.waitForSelector('#sensor-table tbody tr');
  await shot('09-sensors-en');
  for (const p of ['dashboard', 'rules', 'rules?tab=versions', 'accounts']) {
    await page.goto(base + '/#/' + p);
    await page.waitForTimeout(0);
    await page.waitForSelector('main h1');
  }
  await shot('10-accounts-en');
  const gaps = await page.evaluate(async () => {
    const i18n = await import('/assets/i18n.js');
    return { gaps: i18n.catalogueGaps(), missing: [...i18n.missing] };
  });
  expect(!gaps.gaps.length && !gaps.missing.length, JSON.stringify(gaps));
});

await check('read-only user sees alerts but no triage controls; the server refuses them anyway', async () => {
  const ctx2 = await chromium.launchPersistentContext(join(work, 'chromium-profile-2'), launchOptions);
  const p2 = await ctx2.newPage();
  await p2.goto(base + '/');
  await p2.fill('#login-name', 'reader');
  await p2.fill('#login-password', password);
  await p2.click('#login-submit');
  await p2.waitForSelector('#nav-alerts');
  await p2.goto(base + `/#/alert/${triagedId}`);
  await p2.waitForSelector('#alert-eve');
  expect(!(await p2.isVisible('#btn-ack')), 'read-only sees triage buttons');
  const status = await p2.evaluate(async (id) => {
    const me = await (await fetch('/api/v1/me')).json();
    const r = await fetch(`/api/v1/alerts/${id}/triage`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf }, body: '{"state":"new"}' });
    return r.status;
  }, triagedId);
  expect(status === 403, 'server allowed a read-only triage: ' + status);
  await ctx2.close();
});

await check('admin sees the audit log with the analyst\'s actions and an intact chain', async () => {
  await page.click('#signout');
  await page.waitForSelector('#login-form');
  await page.fill('#login-name', 'admin');
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#nav-audit');
  await page.click('#nav-audit');
  await page.waitForSelector('#audit-table tbody tr');
  await page.click('#audit-verify');
  await page.waitForFunction(() => document.querySelector('#audit-verdict').textContent.length > 0);
  const verdict = await page.getAttribute('#audit-verdict', 'class');
  expect(verdict === 'good', 'audit chain not intact');
  const text = await page.textContent('#audit-table');
  expect(text.includes('alert.triage') && text.includes('suppression.add') && text.includes('alert.bulk') && text.includes('alert.bulk.batch'), 'audit rows missing');
  await shot('11-audit');
});

await check('no page errors and nothing fetched from outside the server', async () => {
  expect(!pageErrors.length, 'page errors: ' + pageErrors.join('\n'));
  expect(!offsite.length, 'off-site requests: ' + offsite.join(', '));
});

console.log(`screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
// Close the browser and stop the server here: both keep node's event loop alive, so waiting for
// 'exit' would never come.
if (browser) await browser.close().catch(() => {});
browser = null;
process.exit(failed ? 1 : 0);
