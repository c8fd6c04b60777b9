#!/usr/bin/env node
// Browser tests of the yiyang web UI in headless Chromium (Debian's /usr/bin/chromium).
//
//   node tests/browser/run.mjs [path/to/yiyang]      (default target/debug/yiyang)
//
// Builds nothing: it starts the given binary on a fresh data directory with the demo county
// (`serve --demo --demo-elders 3000 --listen 127.0.0.1:0`), drives the browser through sign-in,
// search, create, edit with an error, the scope of a doctor against a supervisor, assessments,
// and remote monitoring (an alert raised through the device API appearing on the open alert
// board without a reload, the elder's charts, thresholds and devices), saves a screenshot of
// each page to tests/browser/screenshots/, and closes with `N passed, M failed`.

import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const shots = join(here, 'screenshots');
const ADMIN_PASSWORD = 'Admin-browser-1';
const DEMO_PASSWORD = 'Demo-browser-1';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function binaryPath() {
  const given = process.argv[2] || 'target/debug/yiyang';
  for (const candidate of [resolve(given), resolve(repo, given)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no yiyang binary at ${given} (build it first: cargo build -p yiyang)`);
}

// The broker the server subscribes to: a private Mosquitto started by the project's own
// `deploy/mosquitto/start.sh` (authenticated devices, persistent queues) on a free port, in this
// run's data folder, stopped at the end.
const MQTT_CLIENT_ID = `yiyang-browser-${process.pid}`;

/** Starts the shipped broker configuration; resolves with { child, port, url }. */
async function startBroker(dir) {
  const port = await new Promise((done) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
  const child = spawn('bash', [join(repo, 'deploy', 'mosquitto', 'start.sh'), '--dir', dir, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let waited = 0; !(existsSync(join(dir, 'mqtt-url')) && (await portOpen(port))); waited += 50) {
    if (waited > 20_000) throw new Error(`the broker did not open port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, url: readFileSync(join(dir, 'mqtt-url'), 'utf8').trim() };
}

function portOpen(port) {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Publishes one QoS 1 message with Mosquitto's own client, as a device maker would test:
 * as the device, with the credential its registration returned. Throws when the broker refuses. */
function mosquittoPub(broker, topic, message, account) {
  const auth = account ? ['-u', account.username, '-P', account.password, '-i', account.username] : ['-i', `${MQTT_CLIENT_ID}-anon`];
  execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', ...auth, '-t', topic, '-m', message], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Starts the server and resolves with its base URL once it says where it listens. */
function startServer(binary, dataDir, mqttUrl) {
  const child = spawn(
    binary,
    [
      'serve', '--data-dir', dataDir, '--demo', '--demo-elders', '3000', '--listen', '127.0.0.1:0',
      '--mqtt-url', mqttUrl, '--mqtt-client-id', MQTT_CLIENT_ID,
    ],
    {
      cwd: dataDir,
      env: {
        ...process.env,
        YIYANG_ADMIN_PASSWORD: ADMIN_PASSWORD,
        YIYANG_DEMO_PASSWORD: DEMO_PASSWORD,
        RUST_LOG: process.env.RUST_LOG || 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = [];
  const url = new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log.join('\n')}`)), 180_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.push(line);
      const m = line.match(/yiyang listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => log.push(line));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log.join('\n')}`));
    });
  });
  return { child, url, log };
}

/** A valid 18-digit resident identity number (GB 11643 check character). */
function identityNumber(area, birth, sequence) {
  const body = `${area}${birth}${String(sequence).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** The same number with a wrong check character. */
function withWrongCheck(id) {
  const last = id[17];
  return id.slice(0, 17) + (last === '1' ? '2' : '1');
}

const results = [];
let shotNumber = 0;

async function test(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok - ${name}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`not ok - ${name}\n  ${String(error?.stack || error).split('\n').join('\n  ')}`);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(page, name) {
  shotNumber += 1;
  const file = join(shots, `${String(shotNumber).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/** A screenshot of one part of a page. */
async function shotOf(locator, name) {
  shotNumber += 1;
  const file = join(shots, `${String(shotNumber).padStart(2, '0')}-${name}.png`);
  await locator.screenshot({ path: file });
}

/**
 * A month of home readings of one elder, oldest first, as a smartwatch and a glucometer send
 * them: pressure twice a day with a few high ones and one crisis, heart rate, SpO2 with one low
 * reading, and fasting glucose with one low and one high value.
 */
function monthOfReadings(now) {
  const at = (day, hour) => new Date(now - (day * 24 + hour) * 3600e3 - 10 * 60e3).toISOString();
  const watch = [];
  const glucose = [];
  let seq = 1000;
  for (let day = 29; day >= 1; day -= 1) {
    const wave = Math.sin(day / 3);
    for (const [hour, extra] of [[12, 0], [2, 6]]) {
      let systolic = Math.round(134 + 9 * wave + extra);
      let diastolic = Math.round(82 + 5 * wave);
      if (day === 18) [systolic, diastolic] = [166, 98];
      if (day === 11 && hour === 2) [systolic, diastolic] = [184, 108];
      watch.push({ seq: seq++, ts: at(day, hour), kind: 'blood_pressure', systolic, diastolic, pulse: Math.round(70 + 5 * wave) });
    }
    watch.push({ seq: seq++, ts: at(day, 8), kind: 'heart_rate', bpm: day === 7 ? 134 : Math.round(72 + 7 * Math.cos(day / 2)) });
    watch.push({ seq: seq++, ts: at(day, 9), kind: 'spo2', percent: day === 21 ? 88 : 96 + (day % 3) });
    const mmol = day === 9 ? 3.6 : day === 16 ? 17.2 : Math.round((6.2 + 0.8 * Math.sin(day / 4)) * 10) / 10;
    glucose.push({ seq: seq++, ts: at(day, 13), kind: 'glucose', mmol_l: mmol, context: day === 16 ? 'postprandial' : 'fasting' });
  }
  return { watch, glucose };
}

/** The number on the home page's card with this label. */
async function statValue(page, label) {
  const card = page.locator('.stat', { has: page.locator('.stat-label', { hasText: label }) }).first();
  const text = await card.locator('.stat-value').innerText();
  return Number(text.replace(/,/g, ''));
}

async function totalOf(page) {
  return Number((await page.locator('.total strong').innerText()).replace(/,/g, ''));
}

async function main() {
  const binary = binaryPath();
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'yiyang-browser-'));
  // Its own folder, readable by the broker's user (Mosquitto started as root drops to
  // `mosquitto`, which cannot enter the server's private data folder).
  const brokerDir = mkdtempSync(join(tmpdir(), 'yiyang-browser-broker-'));
  chmodSync(brokerDir, 0o755);
  const broker = await startBroker(join(brokerDir, 'mosquitto'));
  const server = startServer(binary, dataDir, broker.url);
  let browser;
  const problems = [];
  try {
    const base = await server.url;
    console.log(`# server at ${base}, data in ${dataDir}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });

    const contexts = {};
    async function pageFor(user, viewport = { width: 1280, height: 900 }) {
      const context = await browser.newContext({ baseURL: base, viewport, locale: 'zh-CN' });
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`${user}: page error ${e.message}`));
      page.on('console', (m) => {
        // A page answered 403/404/422 on purpose is logged as a failed load; anything else
        // (a script error, a resource the content policy blocked) is a problem.
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
          problems.push(`${user}: console error ${m.text()}`);
        }
      });
      page.on('response', (r) => {
        if (r.request().resourceType() !== 'document' && r.status() >= 400) {
          problems.push(`${user}: ${r.status()} for ${r.url()}`);
        }
      });
      contexts[user] = context;
      return page;
    }

    async function signIn(page, username, password) {
      await page.goto('/login');
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', password);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form.login-form button[type=submit]')]);
    }

    const doctor = await pageFor('doctor');
    const supervisor = await pageFor('supervisor');
    const admin = await pageFor('admin');

    await test('signed out, a page sends the browser to the sign-in page', async () => {
      const response = await doctor.goto('/elders');
      check(new URL(doctor.url()).pathname === '/login', `at ${doctor.url()}`);
      check(response.status() === 200, `status ${response.status()}`);
      await shot(doctor, 'login');
    });

    await test('a wrong password is refused with a message', async () => {
      await doctor.fill('input[name=username]', 'doctor');
      await doctor.fill('input[name=password]', 'not-the-password');
      await doctor.click('form.login-form button[type=submit]');
      await doctor.locator('.alert').waitFor();
      const text = await doctor.locator('.alert').innerText();
      check(text.includes('用户名或密码错误'), `message: ${text}`);
      await shot(doctor, 'login-wrong-password');
    });

    await test('the doctor signs in and lands on the home page of their scope', async () => {
      await doctor.fill('input[name=username]', 'doctor');
      await doctor.fill('input[name=password]', DEMO_PASSWORD);
      await Promise.all([doctor.waitForURL((u) => u.pathname === '/elders'), doctor.click('form.login-form button[type=submit]')]);
      const cookies = await contexts.doctor.cookies();
      const session = cookies.find((c) => c.name === 'yiyang_session');
      check(session && session.httpOnly && session.sameSite === 'Lax', `cookie ${JSON.stringify(session)}`);
      await doctor.goto('/');
      check((await doctor.locator('.role-badge').innerText()).includes('医生'), 'role in the header');
      check((await statValue(doctor, '老人总数')) > 0, 'the doctor has records');
      check(await doctor.locator('svg.chart').count() === 2, 'two charts');
      await shot(doctor, 'home-doctor');
    });

    let someName = '';
    await test('search by name', async () => {
      await doctor.goto('/elders');
      check((await totalOf(doctor)) > 0, 'the list is not empty');
      await shot(doctor, 'elders-list');
      someName = (await doctor.locator('table.data tbody tr td a.row-link').nth(3).innerText()).trim();
      await doctor.fill('input[name=q]', someName);
      await Promise.all([doctor.waitForURL(/q=/), doctor.click('.search-row button[type=submit]')]);
      const names = await doctor.locator('table.data tbody tr td a.row-link').allInnerTexts();
      check(names.length > 0, 'found nothing');
      check(names.every((n) => n.startsWith(someName)), `names ${names.join(',')}`);
      check(names.includes(someName), `${someName} not among ${names.join(',')}`);
      await shot(doctor, 'elders-search-name');
    });

    const seq = 100 + Math.floor(Math.random() * 800);
    const newId = identityNumber('371402', '19400512', seq);
    const newName = '欧阳春梅';
    let newUrl = '';
    await test('create an elder with the form', async () => {
      await doctor.goto('/elders');
      await Promise.all([doctor.waitForURL('**/elders/new'), doctor.click('a[href="/elders/new"]')]);
      await shot(doctor, 'elder-new');
      await doctor.fill('input[name=name]', newName);
      await doctor.fill('input[name=id_number]', newId);
      await doctor.fill('input[name=phone]', '13912345678');
      await doctor.fill('input[name=address]', '新华街道幸福路 18 号');
      await doctor.selectOption('select[name=living_situation]', 'alone');
      await doctor.check('input[name=special_categories][value=dibao]');
      await doctor.selectOption('select[name=medical_insurance]', 'urban_rural_resident');
      await doctor.fill('input[name=chronic_conditions]', 'I10, E11');
      await doctor.fill('input[name="contacts[0].name"]', '欧阳明');
      await doctor.fill('input[name="contacts[0].relation"]', '儿子');
      await doctor.fill('input[name="contacts[0].phone"]', '13700001234');
      await Promise.all([doctor.waitForURL(/\/elders\/[0-9a-f-]{36}$/), doctor.click('.form-actions button[type=submit]')]);
      newUrl = new URL(doctor.url()).pathname;
      const text = await doctor.locator('main').innerText();
      for (const expected of [newName, newId, '独居', '低保', '高血压', '2型糖尿病', '欧阳明', '80岁以上高龄']) {
        check(text.includes(expected), `${expected} missing on the new record`);
      }
      await shot(doctor, 'elder-detail');
    });

    await test('search by pinyin initials', async () => {
      await doctor.goto('/elders');
      await doctor.fill('input[name=q]', 'oycm');
      await Promise.all([doctor.waitForURL(/q=oycm/), doctor.click('.search-row button[type=submit]')]);
      const names = await doctor.locator('table.data tbody tr td a.row-link').allInnerTexts();
      check(names.includes(newName), `initials found ${names.join(',')}`);
      const masked = await doctor.locator('table.data tbody tr td.mono').first().innerText();
      check(masked.includes('*'), `identity masked in the list: ${masked}`);
      await shot(doctor, 'elders-search-initials');
    });

    await test('an edit with a wrong check digit shows the error next to the field and stores nothing', async () => {
      check(newUrl, 'no record was created');
      await doctor.goto(newUrl);
      await Promise.all([doctor.waitForURL(/\/edit$/), doctor.click('a[href$="/edit"]')]);
      const bad = withWrongCheck(newId);
      await doctor.fill('input[name=id_number]', bad);
      await doctor.fill('input[name=address]', '不应保存的地址');
      await doctor.click('.form-actions button[type=submit]');
      const error = doctor.locator('.field-error[data-field="id_number"]');
      await error.waitFor();
      const message = await error.innerText();
      check(message.includes('校验位'), `message: ${message}`);
      // The message sits inside the identity number's own field.
      const field = doctor.locator('label.field', { has: doctor.locator('input[name=id_number]') });
      check(await field.locator('.field-error').count() === 1, 'the error is beside the field');
      check((await doctor.inputValue('input[name=id_number]')) === bad, 'the input is kept');
      check((await doctor.getAttribute('input[name=id_number]', 'aria-invalid')) === 'true', 'marked invalid');
      await shot(doctor, 'elder-edit-error');
      await doctor.goto(newUrl);
      const text = await doctor.locator('main').innerText();
      check(text.includes(newId) && !text.includes('不应保存的地址'), 'nothing was stored');
    });

    await test('a correct edit is stored and appears in the change history', async () => {
      await doctor.goto(`${newUrl}/edit`);
      await doctor.fill('input[name=phone]', '13698765432');
      await doctor.selectOption('select[name=living_situation]', 'with_family');
      await Promise.all([doctor.waitForURL((u) => u.pathname === newUrl), doctor.click('.form-actions button[type=submit]')]);
      const history = await doctor.locator('#history').innerText();
      check(history.includes('13698765432') && history.includes('13912345678'), `history: ${history}`);
      check(history.includes('与家人同住') && history.includes('独居'), 'coded values shown as labels');
      await shot(doctor, 'elder-after-edit');
    });

    await test('injected markup in a name is shown as text, never run', async () => {
      const hostile = '<img src=x onerror="window.__xss=1">';
      await doctor.goto('/elders/new');
      await doctor.fill('input[name=name]', hostile);
      await doctor.fill('input[name=id_number]', identityNumber('371402', '19520303', seq + 1));
      await Promise.all([doctor.waitForURL(/\/elders\/[0-9a-f-]{36}$/), doctor.click('.form-actions button[type=submit]')]);
      check((await doctor.locator('h1').innerText()).includes(hostile), 'the name is shown as text');
      check((await doctor.evaluate(() => window.__xss)) === undefined, 'the markup ran');
      check(await doctor.locator('main img').count() === 0, 'an img element was created');
    });

    let onlySupervisor = '';
    await test('a supervisor sees more than the doctor, and the doctor gets 404 for what only the supervisor sees', async () => {
      await signIn(supervisor, 'supervisor', DEMO_PASSWORD);
      await supervisor.goto('/');
      check((await supervisor.locator('.role-badge').innerText()).includes('监管'), 'role in the header');
      await shot(supervisor, 'home-supervisor');
      await doctor.goto('/');
      const doctorTotal = await statValue(doctor, '老人总数');
      const supervisorTotal = await statValue(supervisor, '老人总数');
      check(supervisorTotal > doctorTotal, `supervisor ${supervisorTotal} vs doctor ${doctorTotal}`);
      await supervisor.goto('/elders');
      check((await totalOf(supervisor)) === supervisorTotal, 'the list total matches the home page');
      const links = await supervisor.locator('table.data tbody tr td a.row-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const href of links) {
        const response = await doctor.goto(href);
        if (response.status() === 404) {
          onlySupervisor = href;
          break;
        }
      }
      check(onlySupervisor, 'no record on the first page is outside the doctor scope');
      check((await doctor.locator('main').innerText()).includes('未找到'), 'the doctor sees not found');
      await shot(doctor, 'doctor-not-found');
      const response = await supervisor.goto(onlySupervisor);
      check(response.status() === 200, `supervisor status ${response.status()}`);
      check((await supervisor.locator('main').innerText()).includes('已脱敏'), 'masked for the supervisor');
      check(await supervisor.locator('a[href$="/edit"]').count() === 0, 'no edit button for a supervisor');
      await shot(supervisor, 'supervisor-elder');
      const edit = await doctor.goto(`${onlySupervisor}/edit`);
      check(edit.status() === 404, `doctor edit status ${edit.status()}`);
    });

    await test('filters narrow the list and pages keep them', async () => {
      await supervisor.goto('/elders');
      const all = await totalOf(supervisor);
      await supervisor.selectOption('select[name=living_situation]', 'alone');
      await supervisor.fill('input[name=min_age]', '80');
      await Promise.all([supervisor.waitForURL(/living_situation=alone/), supervisor.click('.search-row button[type=submit]')]);
      const some = await totalOf(supervisor);
      check(some > 0 && some < all, `filtered ${some} of ${all}`);
      const ages = (await supervisor.locator('table.data tbody tr td.num').allInnerTexts()).map(Number);
      check(ages.every((a) => a >= 80), `ages ${ages}`);
      await shot(supervisor, 'elders-filtered');
      await supervisor.goto('/elders?sex=female');
      const next = supervisor.locator('.pager a', { hasText: '下一页' });
      if (await next.count()) {
        await Promise.all([supervisor.waitForURL(/page=2/), next.click()]);
        check(supervisor.url().includes('sex=female'), 'the filter stays on page 2');
      }
    });

    await test('organizations: list, page with beds, and the doctor cannot create one', async () => {
      await supervisor.goto('/orgs');
      check((await totalOf(supervisor)) > 10, 'the demo county has organizations');
      await shot(supervisor, 'orgs-list');
      await supervisor.locator('table.data tbody tr td a.row-link').first().click();
      await supervisor.waitForURL(/\/orgs\/[0-9a-f-]+$/);
      check(await supervisor.locator('svg.chart rect.bar').count() === 5, 'five bed bars');
      await shot(supervisor, 'org-detail');
      const response = await doctor.goto('/orgs/new');
      check(response.status() === 403, `doctor /orgs/new ${response.status()}`);
    });

    await test('admin pages: users, audit log, and the import page', async () => {
      await signIn(admin, 'admin', ADMIN_PASSWORD);
      await admin.goto('/users');
      check((await admin.locator('main').innerText()).includes('doctor'), 'demo users listed');
      await shot(admin, 'users');
      await admin.locator('a.row-link', { hasText: 'doctor' }).first().click();
      await admin.waitForURL(/\/users\/.+\/edit$/);
      await shot(admin, 'user-edit');
      await admin.goto('/audit?action=denied');
      const text = await admin.locator('main').innerText();
      check(text.includes('越权访问被拒绝') && text.includes('doctor'), 'the doctor’s refused read is in the log');
      await shot(admin, 'audit');
      await admin.goto('/import');
      await shot(admin, 'import');
      const response = await supervisor.goto('/audit');
      check(response.status() === 403, `supervisor /audit ${response.status()}`);
    });

    await test('a roster upload stores the good rows and lists each bad one', async () => {
      const good1 = identityNumber('371402', '19391108', seq + 2);
      const good2 = identityNumber('371402', '19500217', seq + 4);
      const bad = withWrongCheck(identityNumber('371402', '19480630', seq + 6));
      const csv = `姓名,身份证号,电话\n花名甲,${good1},13511112222\n花名乙,${good2},\n花名丙,${bad},13633334444\n`;
      await doctor.goto('/import');
      await doctor.setInputFiles('input[type=file]', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await Promise.all([doctor.waitForURL('**/import'), doctor.click('.upload-form button[type=submit]')]);
      await doctor.locator('#report-title').waitFor();
      const stats = await doctor.locator('.stat .stat-value').allInnerTexts();
      check(stats.join(',') === '3,2,1', `rows, stored, skipped: ${stats}`);
      const rows = await doctor.locator('table.data tbody tr').allInnerTexts();
      check(rows.length === 1 && rows[0].includes('4') && rows[0].includes('身份证号'), `bad rows: ${rows}`);
      await shot(doctor, 'import-report');
      await doctor.goto('/elders?q=hm');
      const names = await doctor.locator('table.data tbody tr td a.row-link').allInnerTexts();
      check(names.includes('花名甲') && names.includes('花名乙') && !names.includes('花名丙'), `stored: ${names}`);
    });

    await test('English is one click away and stays', async () => {
      await doctor.goto('/elders');
      await Promise.all([doctor.waitForURL('**/elders'), doctor.click('a.lang-switch')]);
      check((await doctor.locator('h1').innerText()).includes('Elderly records'), 'English heading');
      await doctor.goto(newUrl);
      check((await doctor.locator('main').innerText()).includes('Living situation'), 'English labels');
      await shot(doctor, 'elder-detail-en');
      await doctor.goto(`${newUrl}/edit`);
      await doctor.fill('input[name="contacts[1].name"]', '欧阳红');
      await doctor.fill('input[name="contacts[1].phone"]', '123');
      await doctor.click('.form-actions button[type=submit]');
      const error = doctor.locator('.field-error[data-field="contacts[1].phone"]');
      await error.waitFor();
      check((await error.innerText()).includes('phone number'), 'the message in English');
      await shot(doctor, 'elder-edit-error-en');
      await doctor.click('a.lang-switch');
      await doctor.waitForLoadState();
      check((await doctor.locator('html').getAttribute('lang')) === 'zh-CN', 'back to Chinese');
    });

    await test('readable on a tablet', async () => {
      const tablet = await pageFor('tablet', { width: 820, height: 1180 });
      await signIn(tablet, 'nurse', DEMO_PASSWORD);
      await tablet.goto('/elders');
      const overflow = await tablet.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      await shot(tablet, 'tablet-elders');
      await tablet.goto('/elders/new');
      await shot(tablet, 'tablet-elder-new');
      await tablet.goto('/');
      await shot(tablet, 'tablet-home');
    });

    await test('signing out ends the session', async () => {
      await doctor.goto('/');
      await Promise.all([doctor.waitForURL('**/login'), doctor.click('header form[action="/logout"] button')]);
      const response = await doctor.goto('/elders');
      check(new URL(doctor.url()).pathname === '/login', `at ${doctor.url()} (${response.status()})`);
    });

    // Assessments: an assessor on a tablet takes GB/T 42195 (the self-care items B.1 at 2 points
    // each, everything else at its best: 16 + 15 + 28 + 15 = 74, grade 1; diagnosed dementia
    // raises it to grade 2), a second assessor confirms it, and the elder's care level follows.
    const assessor = await pageFor('assessor', { width: 1024, height: 1366 });
    const assessor2 = await pageFor('assessor2');
    let assessmentUrl = '';
    let assessedElder = '';
    await test('an assessor takes a GB/T 42195 assessment: running score, review with the grade, signature', async () => {
      await signIn(assessor, 'assessor', DEMO_PASSWORD);
      await assessor.goto('/elders');
      // An elder with an ordinary name (not one an earlier test made up).
      const names = await assessor.locator('table.data tbody tr td a.row-link').allInnerTexts();
      const pick = names.findIndex((n) => /^[\u4e00-\u9fff]{2,4}$/.test(n.trim()));
      check(pick >= 0, `no ordinary name among ${names.join(',')}`);
      await Promise.all([
        assessor.waitForURL(/\/elders\/[0-9a-f-]{36}$/),
        assessor.locator('table.data tbody tr td a.row-link').nth(pick).click(),
      ]);
      assessedElder = new URL(assessor.url()).pathname;
      await Promise.all([assessor.waitForURL(/\/assessments\/new$/), assessor.click('#assessments a[href$="/assessments/new"]')]);
      check(await assessor.locator('a[href*="instrument=gbt42195_2022"]').count() === 1, 'GB/T 42195 offered');
      await shot(assessor, 'assessment-choose');
      await Promise.all([assessor.waitForURL(/instrument=gbt42195_2022/), assessor.click('a[href*="instrument=gbt42195_2022"]')]);
      const running = assessor.locator('.running-score');
      check(await running.isVisible(), 'the running score is shown');
      check((await assessor.locator('output[data-total]').innerText()) === '0', 'total starts at 0');
      await assessor.selectOption('select[name=place]', 'home');
      const items = await assessor.locator('[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
      check(items.length === 26, `${items.length} items`);
      let expected = 0;
      for (const id of items) {
        const choice = id.startsWith('B1.') ? 2 : 0;
        await assessor.click(`label[for="o-${id.replace('.', '_')}-${choice}"]`);
        expected += Number(await assessor.getAttribute(`#o-${id.replace('.', '_')}-${choice}`, 'data-score'));
        if (id === 'B1.1') {
          check((await assessor.locator('output[data-total]').innerText()) === '2', 'the total follows the first answer');
          check((await assessor.locator('output[data-subtotal="B1"]').innerText()) === '2', 'so does the subtotal');
        }
      }
      check(expected === 74, `expected ${expected}`);
      check((await assessor.locator('output[data-total]').innerText()) === '74', `total ${await assessor.locator('output[data-total]').innerText()}`);
      check((await assessor.locator('output[data-answered]').innerText()) === '26', 'all answered');
      check((await assessor.locator('output[data-subtotal="B1"]').innerText()) === '16', 'B.1 subtotal');
      check((await running.innerText()).includes('74'), `running text: ${await running.innerText()}`);
      await assessor.check('input[name=dementia_or_mental_disorder]');
      await shot(assessor, 'assessment-form');
      await assessor.click('.assess-actions button[type=submit]');
      await assessor.locator('#result').waitFor();
      const result = await assessor.locator('#result').innerText();
      for (const text of ['74', '2 级', 'C.3 初步等级', 'C.4 确诊痴呆', 'C.5 最终等级', '等级如何得出']) {
        check(result.includes(text), `${text} missing from the result`);
      }
      check(await assessor.locator('svg.score-bars rect.bar').count() === 4, 'four domain bars');
      await shot(assessor, 'assessment-review');
      await assessor.check('input[name=confirmed]');
      await Promise.all([assessor.waitForURL(/\/assessments\/[0-9a-f-]{36}$/), assessor.click('#sign button[name=sign]')]);
      assessmentUrl = new URL(assessor.url()).pathname;
      const page = await assessor.locator('main').innerText();
      check(page.includes('待复核') && page.includes('您是签名评估员'), 'awaiting a second assessor');
      check(await assessor.locator('form[action$="/confirm"]').count() === 0, 'no confirm button for the signer');
      await shot(assessor, 'assessment-awaiting');
      // Portrait tablet: one column, nothing wider than the screen.
      await assessor.setViewportSize({ width: 768, height: 1024 });
      for (const path of [`${assessedElder}/assessments/new?instrument=gbt42195_2022`, '/assessments', assessedElder]) {
        await assessor.goto(path);
        const overflow = await assessor.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
      }
      await assessor.goto(`${assessedElder}/assessments/new?instrument=gbt42195_2022&lang=en`);
      check((await assessor.locator('h1').innerText()).includes('42195'), 'the form in English');
      check((await assessor.locator('main').innerText()).includes('eats independently'), 'English option texts');
      await assessor.click('label[for="o-B1_1-0"]');
      await shot(assessor, 'tablet-assessment-form-en');
    });

    await test('a second assessor confirms it from the worklist, and the elder page shows the care level', async () => {
      check(assessmentUrl, 'no assessment was signed');
      await signIn(assessor2, 'assessor2', DEMO_PASSWORD);
      await assessor2.goto('/assessments');
      const id = assessmentUrl.split('/').pop();
      const confirm = assessor2.locator(`form[action="/assessments/${id}/confirm"] button`);
      check(await confirm.count() === 1, 'a confirm button on the worklist');
      await shot(assessor2, 'assessment-worklist');
      await Promise.all([assessor2.waitForURL((u) => u.pathname === assessmentUrl), confirm.click()]);
      const page = await assessor2.locator('main').innerText();
      check(page.includes('已生效') && page.includes('演示评估员二'), 'final, with the second assessor');
      await shot(assessor2, 'assessment-final');
      // Three earlier Barthel results through the API, for the trend on the elder's page.
      const login = await assessor2.request.post('/api/v1/auth/login', { data: { username: 'assessor2', password: DEMO_PASSWORD } });
      check(login.ok(), `api login ${login.status()}`);
      const token = (await login.json()).token;
      const barthel = await (await assessor2.request.get('/api/v1/instruments/barthel')).json();
      const elderId = assessedElder.split('/').pop();
      for (const [date, drop] of [['2025-01-10', 0], ['2025-07-15', 2], ['2026-02-01', 5]]) {
        // Every item at its best, `drop` items one step lower.
        const answers = Object.fromEntries(barthel.items.map((item, i) => {
          const scores = item.options.map((o) => o.value).sort((a, b) => b - a);
          return [item.id, scores[i < drop ? 1 : 0]];
        }));
        const r = await assessor2.request.post(`/api/v1/elders/${elderId}/assessments`, {
          headers: { authorization: `Bearer ${token}` },
          data: { instrument_id: 'barthel', answers, assessed_on: date, place: 'home' },
        });
        check(r.status() === 201, `barthel ${date}: ${r.status()} ${await r.text()}`);
      }
      await assessor2.goto(assessedElder);
      check(await assessor2.locator('#assessments svg.trend circle.dot').count() === 3, 'three points on the trend');
      const panel = await assessor2.locator('#assessments').innerText();
      check(panel.includes('半失能'), `care level: ${panel}`);
      check(panel.includes('2 级'), 'ability grade');
      await assessor2.locator('#assessments').scrollIntoViewIfNeeded();
      await shot(assessor2, 'elder-assessments');
      await assessor2.goto(`${assessmentUrl}/print`);
      const sheet = await assessor2.locator('.print-sheet').innerText();
      check(sheet.includes('C.3 初步等级') && sheet.includes('C.5 最终等级') && sheet.includes('B.4'), 'the official rows');
      await shot(assessor2, 'assessment-print');
      await assessor2.setViewportSize({ width: 794, height: 1123 });
      await assessor2.emulateMedia({ media: 'print' });
      check(!(await assessor2.locator('header.topbar').isVisible()), 'no navigation on paper');
      await shot(assessor2, 'assessment-print-paper');
      await assessor2.emulateMedia({ media: 'screen' });
      await assessor2.setViewportSize({ width: 1280, height: 900 });
    });

    await test('a supervisor sees the counts per region and grade', async () => {
      await supervisor.goto('/assessments/stats');
      check(await supervisor.locator('svg.chart.stacked rect.s2').count() >= 1, 'a grade-2 part');
      const table = await supervisor.locator('table.stats-table').innerText();
      check(table.includes('2 能力中度受损'), `table: ${table}`);
      await shot(supervisor, 'assessment-stats');
    });

    // Remote monitoring: the live board as the doctor sees it, an alert raised by a device while
    // the page is open (no reload), acknowledged from the board; then a month of readings for
    // the elder's charts, the thresholds form and the device pages.
    const monitor = await pageFor('monitor');
    let elder = null;
    let doctorToken = '';
    let alertId = '';
    await test('an alert raised by a device appears on the open board without a reload and is acknowledged there', async () => {
      await signIn(monitor, 'doctor', DEMO_PASSWORD);
      const login = await monitor.request.post('/api/v1/auth/login', { data: { username: 'doctor', password: DEMO_PASSWORD } });
      check(login.ok(), `api login ${login.status()}`);
      doctorToken = (await login.json()).token;
      const auth = { authorization: `Bearer ${doctorToken}` };
      // An elder with an ordinary name and no devices yet (the demo gives some elders devices
      // and alerts of their own).
      const list = await (await monitor.request.get('/api/v1/elders?per_page=100', { headers: auth })).json();
      for (const candidate of list.items.filter((e) => /^[\u4e00-\u9fff]{2,4}$/.test(e.name))) {
        const devices = await (await monitor.request.get(`/api/v1/devices?elder_id=${candidate.id}`, { headers: auth })).json();
        if (devices.total === 0) {
          elder = candidate;
          break;
        }
      }
      check(elder, 'the doctor has an elder with an ordinary name and no devices');

      await monitor.goto('/alerts');
      check((await monitor.locator('nav.mainnav a[aria-current="page"]').innerText()).includes('告警'), 'the board is in the menu');
      await monitor.locator('[data-live-status][data-state="live"]').waitFor({ timeout: 10_000 });
      let navigations = 0;
      monitor.on('framenavigated', (frame) => {
        if (frame === monitor.mainFrame()) navigations += 1;
      });
      await monitor.evaluate(() => {
        window.__boardMarker = 'still the same page';
      });
      const before = await monitor.locator('#board [data-alert-id]').count();

      // A blood-pressure monitor is registered through the API and sends a crisis reading.
      const deviceId = `BROWSER-BP-${Date.now()}`;
      const registered = await monitor.request.post('/api/v1/devices', {
        headers: auth,
        data: { device_id: deviceId, kind: 'blood_pressure_monitor', elder_id: elder.id },
      });
      check(registered.status() === 201, `register ${registered.status()} ${await registered.text()}`);
      const credential = (await registered.json()).credential;
      check(credential.startsWith('yyd_'), `credential ${credential}`);
      const sent = await monitor.request.post('/api/v1/readings', {
        headers: { authorization: `Bearer ${credential}` },
        data: { seq: 1, ts: new Date(Date.now() - 5_000).toISOString(), kind: 'blood_pressure', systolic: 190, diastolic: 115 },
      });
      check(sent.ok(), `readings ${sent.status()} ${await sent.text()}`);
      const report = await sent.json();
      check(report.alerts.length === 1, `alerts ${JSON.stringify(report)}`);
      alertId = report.alerts[0];

      const row = monitor.locator(`#alert-${alertId}`);
      await row.waitFor({ timeout: 5_000 });
      const text = await row.innerText();
      check(text.includes(elder.name) && text.includes('血压危急') && text.includes('190/115'), `row: ${text}`);
      check(await row.evaluate((el) => el.classList.contains('sev-critical')), 'coloured as critical');
      check(navigations === 0, `${navigations} navigations`);
      check((await monitor.evaluate(() => window.__boardMarker)) === 'still the same page', 'the page was reloaded');
      check((await monitor.locator('#board [data-alert-id]').count()) === before + 1, 'one more row');
      check(Number(await monitor.locator('[data-count="critical"] .count').innerText()) >= 1, 'counted as critical');
      await shot(monitor, 'alerts-board-live');

      await row.locator('button[data-action="acknowledge"]').click();
      await monitor.locator(`#alert-${alertId} [data-status="acknowledged"]`).waitFor({ timeout: 5_000 });
      check((await monitor.locator(`#alert-${alertId}`).innerText()).includes('已确认'), 'shown as acknowledged');
      check(navigations === 0, 'acknowledged without leaving the page');
      check((await monitor.evaluate(() => window.__boardMarker)) === 'still the same page', 'the page was reloaded');
      await shot(monitor, 'alerts-board-acknowledged');

      await monitor.goto(`/alerts/${alertId}`);
      const page = await monitor.locator('main').innerText();
      check(page.includes('告警产生') && page.includes('已确认') && page.includes(deviceId), `detail: ${page}`);
      await shot(monitor, 'alert-detail');
    });

    await test('a fall published with mosquitto_pub appears on the open board', async () => {
      check(elder, 'no elder from the previous test');
      const auth = { authorization: `Bearer ${doctorToken}` };
      await monitor.goto('/alerts');
      await monitor.locator('[data-live-status][data-state="live"]').waitFor({ timeout: 10_000 });
      await monitor.evaluate(() => {
        window.__boardMarker = 'mqtt';
      });
      const deviceId = `BROWSER-W-${Date.now()}`;
      const registered = await monitor.request.post('/api/v1/devices', {
        headers: auth,
        data: { device_id: deviceId, kind: 'smartwatch', elder_id: elder.id },
      });
      check(registered.status() === 201, `register ${registered.status()} ${await registered.text()}`);
      const account = { username: deviceId, password: (await registered.json()).credential };
      const reading = JSON.stringify({ seq: 1, ts: new Date().toISOString(), kind: 'fall' });
      // Without the device's own account the broker refuses the message outright.
      let anonymousRefused = false;
      try {
        mosquittoPub(broker, `yiyang/v1/devices/${deviceId}/readings`, reading);
      } catch {
        anonymousRefused = true;
      }
      check(anonymousRefused, 'the broker took an anonymous publish');
      const sent = Date.now();
      mosquittoPub(broker, `yiyang/v1/devices/${deviceId}/readings`, reading, account);
      const row = monitor.locator('#board [data-alert-id]', { hasText: '跌倒' }).filter({ hasText: elder.name });
      await row.first().waitFor({ timeout: 10_000 });
      console.log(`# mosquitto_pub → row on the board in ${Date.now() - sent} ms`);
      check((await monitor.evaluate(() => window.__boardMarker)) === 'mqtt', 'the page was reloaded');
      // The same message again (a device that missed the PUBACK): still one row, one reading.
      mosquittoPub(broker, `yiyang/v1/devices/${deviceId}/readings`, reading, account);
      await monitor.waitForTimeout(1_000);
      check((await row.count()) === 1, `${await row.count()} rows for the fall`);
      const readings = await (await monitor.request.get(`/api/v1/elders/${elder.id}/readings?kind=fall`, { headers: auth })).json();
      check(readings.items.length === 1, `fall readings: ${JSON.stringify(readings)}`);
      await shot(monitor, 'alerts-board-mqtt');
    });

    await test('the elder page charts a month of readings with the thresholds drawn; the doctor sets thresholds', async () => {
      check(elder, 'no elder from the previous test');
      const auth = { authorization: `Bearer ${doctorToken}` };
      const readings = monthOfReadings(Date.now());
      for (const [kind, payload] of [['smartwatch', readings.watch], ['glucometer', readings.glucose]]) {
        const r = await monitor.request.post('/api/v1/devices', {
          headers: auth,
          data: { device_id: `BROWSER-${kind}-${Date.now()}`, kind, elder_id: elder.id },
        });
        check(r.status() === 201, `register ${kind}: ${r.status()} ${await r.text()}`);
        const credential = (await r.json()).credential;
        const sent = await monitor.request.post('/api/v1/readings', { headers: { authorization: `Bearer ${credential}` }, data: payload });
        check(sent.ok(), `${kind} readings ${sent.status()} ${await sent.text()}`);
        const report = await sent.json();
        check(report.accepted === payload.length, `${kind}: ${JSON.stringify(report).slice(0, 300)}`);
      }
      await monitor.goto(`/elders/${elder.id}`);
      const section = monitor.locator('#monitoring');
      await section.scrollIntoViewIfNeeded();
      check(await section.locator('svg.vital-chart').count() === 4, 'four charts');
      check(await section.locator('#vital-bp rect.zone-crit').count() === 1, 'the crisis zone on the pressure chart');
      check(await section.locator('#vital-bp circle.point.flagged').count() >= 2, 'the high readings are marked');
      check(await section.locator('#vital-spo2 circle.point.flagged').count() === 1, 'the low SpO2 is marked');
      check(await section.locator('#vital-glucose circle.point.flagged').count() === 2, 'low and high glucose are marked');
      check((await section.locator('#elder-alerts').innerText()).includes('血压危急'), 'the open alerts of the elder');
      await shotOf(section, 'elder-monitoring');

      await section.locator('.threshold-box summary').click();
      await monitor.fill('#threshold-form input[name=glucose_low]', 'abc');
      await monitor.fill('#threshold-form input[name=bp_alert_systolic]', '150');
      await Promise.all([monitor.waitForLoadState('load'), monitor.click('#threshold-form button[type=submit]')]);
      const error = monitor.locator('.field-error[data-field="glucose_low"]');
      await error.waitFor();
      check((await error.innerText()).includes('须为数字'), `message: ${await error.innerText()}`);
      check((await monitor.inputValue('#threshold-form input[name=glucose_low]')) === 'abc', 'the input is kept');
      await shotOf(monitor.locator('#thresholds'), 'elder-thresholds-error');
      await monitor.fill('#threshold-form input[name=glucose_low]', '4.4');
      await Promise.all([monitor.waitForURL(/#thresholds$/), monitor.click('#threshold-form button[type=submit]')]);
      const values = await monitor.locator('#thresholds').innerText();
      check(values.includes('4.4') && values.includes('150'), `thresholds: ${values}`);
      check(await monitor.locator('#vital-glucose .zone-label', { hasText: '<4.4' }).count() === 1, 'the chart follows');
    });

    await test('devices: register one from the elder page, the credential is shown once; the list', async () => {
      check(elder, 'no elder');
      await monitor.goto(`/elders/${elder.id}`);
      await Promise.all([monitor.waitForURL(/\/devices\/new\?elder_id=/), monitor.click('#monitoring a[href^="/devices/new"]')]);
      check((await monitor.inputValue('input[name=elder_id]')) === elder.id, 'the elder is filled in');
      check((await monitor.locator('.device-form').innerText()).includes(elder.name), 'and named');
      await monitor.fill('input[name=device_id]', 'BROWSER/1');
      await monitor.click('.device-form button[type=submit]');
      await monitor.locator('.field-error[data-field="device_id"]').waitFor();
      await shot(monitor, 'device-new-error');
      await monitor.fill('input[name=device_id]', `BROWSER-GLU-${Date.now()}`);
      await monitor.selectOption('select[name=kind]', 'glucometer');
      await monitor.click('.device-form button[type=submit]');
      const credential = (await monitor.locator('[data-credential]').innerText()).trim();
      check(/^yyd_[0-9a-f]{64}$/.test(credential), `credential ${credential}`);
      check((await monitor.locator('main').innerText()).includes('凭证只显示这一次'), 'said once');
      await shot(monitor, 'device-credential');
      await monitor.goto('/devices');
      const list = await monitor.locator('table.devices').innerText();
      check(list.includes('血糖仪') && list.includes('血压计') && !list.includes(credential), 'listed without the credential');
      await shot(monitor, 'devices');
    });

    await test('the board in English and on a tablet', async () => {
      await monitor.goto('/alerts?lang=en');
      check((await monitor.locator('h1').innerText()).includes('Live alerts'), 'English heading');
      await shot(monitor, 'alerts-board-en');
      const tablet = await pageFor('tablet-monitoring', { width: 820, height: 1180 });
      await signIn(tablet, 'nurse', DEMO_PASSWORD);
      for (const path of ['/alerts', '/devices', `/elders/${elder.id}`]) {
        await tablet.goto(path);
        const overflow = await tablet.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
      }
      await tablet.goto('/alerts');
      await shot(tablet, 'tablet-alerts');
    });

    await test('no page had a script error or a blocked resource', async () => {
      check(problems.length === 0, problems.join('\n'));
    });
  } catch (error) {
    results.push({ name: 'setup', ok: false });
    console.log(`not ok - setup\n  ${String(error?.stack || error)}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    server.child.kill('SIGTERM');
    await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
    broker.child.kill('SIGTERM');
    await new Promise((r) => (broker.child.exitCode !== null ? r() : broker.child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(brokerDir, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
