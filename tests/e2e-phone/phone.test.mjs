// The station's phone pages end to end (docs/station.md, "Phones"): Debian's Chromium, driven
// through chromedriver with phone emulation (390×844), against a real `griddesk serve` on a
// throwaway copy of the sample district. An inspector signs in, reports with a photo, goes
// offline, reports again, comes back: both cases are in the store once, with their grids; a 核查
// done on the phone moves the case; a citizen's report from a QR plate arrives with its
// component. Screenshots land in artifacts/e2e/phone-*.png.
//
// Needs: target/debug/griddesk (or GRIDDESK_CLI), ui/dist-phone (`npx vite build --config
// vite.phone.config.ts` in ui/), /usr/bin/chromium and /usr/bin/chromedriver.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateSync, crc32 } from 'node:zlib';
import { artifacts, repo } from '../e2e/lib/retries.mjs';
import { decodePng, countPixels } from '../e2e/lib/png.mjs';
import { cli, freePort, pages, phoneBrowser, run, sampleStation, until } from './lib.mjs';

/** A PNG photo (RGB, a colour gradient), encoded here so the test needs no image tool. */
function png(w, h, seed) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 255) / w;
      raw[o + 1] = (y * 255) / h;
      raw[o + 2] = seed;
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The store's cases as rows of `griddesk export … cases` (read beside the running station). */
function cases(dir, store) {
  const out = join(dir, `cases-${Date.now()}.csv`);
  run('export', store, 'cases', out);
  const [head, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => {
    // Descriptions here have no commas or quotes; the sample's may: keep the columns we read.
    const cells = l.split(',');
    const row = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
    row.raw = l;
    return row;
  });
}

const ctx = {};

before(async () => {
  const { dir, store, comp } = sampleStation('griddesk-phone-');
  const issued = JSON.parse(run('serve-keys', 'issue', store, '--admin', '--app', '随手拍', '--acting-as', 'receptionist'));
  writeFileSync(join(dir, 'citizen.key'), issued.key);
  const port = await freePort();
  const station = spawn(cli, ['serve', store, '--listen', `127.0.0.1:${port}`, '--web', pages, '--citizen-key-file', join(dir, 'citizen.key')], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  station.stdout.on('data', (d) => (log += d));
  station.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${base}/m/`)).ok, `the station on ${base} (${log})`, 30_000);

  const { driver, session, cdp } = await phoneBrowser({ profile: join(dir, 'profile') });
  const lon = Number(comp.lon);
  const lat = Number(comp.lat);
  await cdp('Browser.grantPermissions', { origin: base, permissions: ['geolocation'] });
  // The inspector stands 10 m north-east of the component (inside its grid for any real grid).
  await cdp('Emulation.setGeolocationOverride', { latitude: lat + 0.00006, longitude: lon + 0.00006, accuracy: 5 });
  await cdp('Network.enable');
  const photoA = join(dir, 'scene-a.png');
  const photoB = join(dir, 'scene-b.png');
  const photoC = join(dir, 'scene-c.png');
  writeFileSync(photoA, png(640, 480, 40));
  writeFileSync(photoB, png(480, 640, 160));
  writeFileSync(photoC, png(320, 240, 220));
  Object.assign(ctx, { dir, store, station, driver, session, base, cdp, comp, photoA, photoB, photoC, log: () => log });
});

after(async () => {
  await ctx.session?.delete();
  ctx.driver?.kill();
  ctx.station?.kill('SIGINT');
  await sleep(300);
  ctx.station?.kill();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

async function shot(name) {
  const file = join(artifacts, `phone-${name}.png`);
  writeFileSync(file, await ctx.session.screenshot());
  return file;
}

/** Gives a hidden file input a file (the page's label stands where a finger taps). */
async function attach(css, file) {
  await ctx.session.execute(`document.querySelector(arguments[0]).style.display = 'block';`, css);
  await ctx.session.type(css, file);
  await ctx.session.execute(`document.querySelector(arguments[0]).style.display = '';`, css);
}

async function textOf(css) {
  return ctx.session.execute(`const e = document.querySelector(arguments[0]); return e ? e.textContent : null;`, css);
}

async function pickClass(search, code) {
  const s = ctx.session;
  await until(() => s.execute(`return !!document.querySelector('#class-search')`), 'the report form');
  await s.type('#class-search', search);
  await until(() => s.execute(`return !!document.querySelector('li[data-code="${code}"]')`), `class ${code} in the list`);
  await s.click(`li[data-code="${code}"]`);
}

const DESC_A = '巡查发现人行道暴露垃圾一堆';
const DESC_B = '离线上报：路边垃圾未清运';

test('an inspector signs in, reports online and offline, and each report is filed once with its grid', async () => {
  const s = ctx.session;
  await s.cmd('POST', '/url', { url: `${ctx.base}/m/` });
  await until(() => s.execute(`return !!document.querySelector('#login')`), 'the sign-in form');
  // A wrong password is refused in Chinese, from the message code.
  await s.type('#login', 'inspector');
  await s.type('#password', 'wrong');
  await s.click('#sign-in');
  await until(async () => (await textOf('#sign-in-error'))?.includes('账号或密码错误'), 'the refusal');
  await shot('signin-refused');
  await s.execute(`document.querySelector('#password').value = ''`);
  await s.type('#password', 'inspector@2026');
  await s.click('#sign-in');
  await until(() => s.execute(`return !!document.querySelector('#tab-report')`), 'the main screen');
  // The demo inspector's duty grids (the map frames and draws them).
  const me = await s.evaluate(
    `const r = await fetch('/m/api/me', { headers: { authorization: 'Bearer ' + localStorage.getItem('griddesk.m.token') } });
     return await r.json();`,
  );
  assert.ok(me.home.duty_grids.length > 0, JSON.stringify(me.home));
  assert.ok(me.home.grids.length >= me.home.duty_grids.length);
  assert.equal(me.home.bbox.length, 4);

  // Online: class, photo, description; the GPS position's grid is shown before sending.
  await pickClass('垃圾', 'event-0102');
  await until(async () => (await textOf('#place'))?.startsWith('所在网格'), 'the grid of the GPS position');
  const place = await textOf('#place');
  const grid = /\b(\d{15})\b/.exec(place)?.[1];
  assert.ok(grid, `a 15-digit grid code in "${place}"`);
  // The map of the station's tiles: the phone's position marked; a tap moves the report's
  // position (and its grid is asked again); 使用当前位置 puts the GPS position back.
  await until(() => s.execute(`return !!document.querySelector('#map[data-idle]')`), 'the map drawn', 30_000);
  await sleep(500);
  await s.execute(`document.querySelector('#map').scrollIntoView({ block: 'center' })`);
  await sleep(300);
  const mapShot = readFileSync(await shot('report-map'));
  const lon0 = await s.execute(`return document.querySelector('#lon').value`);
  const r = await s.execute(`const b = document.querySelector('#map').getBoundingClientRect(); return [b.left, b.top, b.width, b.height];`);
  // The station's tiles were drawn (asked with the session's token): grid lines (grey-blue) and
  // the red mark on the white district, not an empty background.
  const dpr = await s.execute('return window.devicePixelRatio');
  const img = decodePng(mapShot);
  const rect = { x: r[0] * dpr, y: r[1] * dpr, width: r[2] * dpr, height: r[3] * dpr };
  const lines = countPixels(img, rect, (R, G, B) => Math.abs(R - 0x8a) < 30 && Math.abs(G - 0x97) < 30 && Math.abs(B - 0xa8) < 30 && B > R);
  const mark = countPixels(img, rect, (R, G, B) => R > 170 && G < 90 && B < 80);
  const white = countPixels(img, rect, (R, G, B) => R > 250 && G > 250 && B > 250);
  assert.ok(lines.hits > 500, `grid lines drawn from the station's tiles: ${lines.hits} px`);
  assert.ok(mark.hits > 100, `the report's mark: ${mark.hits} px`);
  assert.ok(white.fraction > 0.3, `the district's fill: ${white.fraction}`);
  await s.clickAt(r[0] + r[2] / 2 + 60, r[1] + r[3] / 2);
  await until(async () => (await s.execute(`return document.querySelector('#lon').value`)) !== lon0, 'the tapped position');
  assert.ok(Number(await s.execute(`return document.querySelector('#lon').value`)) > Number(lon0), 'a tap east of the mark is east');
  await until(async () => (await textOf('#place'))?.startsWith('所在网格'), 'the grid of the tapped position');
  await s.click('#gps');
  await until(async () => (await s.execute(`return document.querySelector('#lon').value`)) === lon0, 'the GPS position back');
  await until(async () => (await textOf('#place'))?.includes(grid), 'the GPS grid back');
  // A place outside every grid: refused by the station in Chinese, the form kept, nothing filed.
  const filed = cases(ctx.dir, ctx.store).length;
  await s.execute(`const x = document.querySelector('#lon'); x.value = '100.000000'; x.dispatchEvent(new Event('change'));`);
  await s.click('#send');
  await until(async () => (await textOf('#send-error'))?.startsWith('未被受理'), 'the refusal of a place outside the district');
  await shot('report-refused');
  assert.equal(await textOf('#queued'), '0', 'a refused report does not wait in the queue');
  assert.equal(cases(ctx.dir, ctx.store).length, filed, 'a refused report files nothing');
  await s.click('#gps');
  await until(async () => (await textOf('#place'))?.includes(grid), 'the GPS grid back');
  await attach('#photo', ctx.photoA);
  await until(() => s.execute(`return document.querySelectorAll('#photo-thumbs img').length === 1`), 'the photo thumbnail');
  await s.type('#description', DESC_A);
  await shot('report-form');
  await s.click('#send');
  const toastA = await until(async () => {
    const t = await textOf('#toast');
    return t?.startsWith('已上报') ? t : null;
  }, 'the receipt of the first report');
  const idA = /案件 (\S+)，/.exec(toastA)?.[1];
  assert.ok(idA, toastA);
  assert.ok(toastA.includes(grid), `${toastA} names grid ${grid}`);
  await shot('report-sent');

  // The same class at the same place: warned of the open case just filed.
  // By pinyin initials (暴露垃圾 → bllj), as inspectors type on a phone.
  await pickClass('bllj', 'event-0102');
  await until(async () => (await textOf('#duplicates'))?.includes(idA), 'the duplicate warning');
  await shot('duplicate-warning');

  // Offline: the second report waits on the phone.
  await ctx.cdp('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await until(async () => (await textOf('#net')) === '离线', 'the offline mark');
  await until(async () => (await textOf('#place'))?.length > 0, 'the place line');
  await attach('#photo', ctx.photoB);
  await until(() => s.execute(`return document.querySelectorAll('#photo-thumbs img').length === 1`), 'the second photo');
  await s.type('#description', DESC_B);
  await s.click('#send');
  await until(async () => (await textOf('#queued')) === '1', 'one report queued');
  await until(async () => (await textOf('#toast'))?.includes('已保存在手机上'), 'the offline note');
  await shot('offline-queued');
  await s.click('#tab-queue');
  await until(() => s.execute(`return !!document.querySelector('#queue-list')`), 'the queue list');
  await shot('offline-queue-list');
  let rows = cases(ctx.dir, ctx.store).filter((r) => r.raw.includes(DESC_A) || r.raw.includes(DESC_B));
  assert.equal(rows.length, 1, 'only the online report is filed while offline');

  // Back online: the queue goes out once.
  await ctx.cdp('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await until(async () => (await textOf('#queued')) === '0', 'the queue emptied', 30_000);
  await shot('back-online');
  rows = cases(ctx.dir, ctx.store);
  const a = rows.filter((r) => r.raw.includes(DESC_A));
  const b = rows.filter((r) => r.raw.includes(DESC_B));
  assert.equal(a.length, 1, 'the online report once');
  assert.equal(b.length, 1, 'the offline report once');
  for (const r of [...a, ...b]) {
    assert.equal(r.source, 'patrol');
    assert.equal(r.status, 'reported');
    assert.equal(r.class_code, '0102');
    assert.match(r.grid, /^\d{15}$/);
  }
  assert.equal(a[0].id, idA);
  assert.equal(a[0].grid, grid);
  assert.equal(b[0].grid, grid);
  ctx.offlineId = b[0].id;

  // The answer lost on the way back (the Wi-Fi dropped after the request went out): the report
  // stays queued, goes out again, and the station answers the case it already filed.
  await s.click('#tab-report');
  await pickClass('垃圾', 'event-0102');
  await until(async () => (await textOf('#place'))?.startsWith('所在网格'), 'the grid again');
  await s.execute(`
    const real = window.fetch.bind(window);
    let lose = true;
    window.fetch = async (input, init) => {
      const r = await real(input, init);
      if (lose && String(input).endsWith('/m/api/reports')) { lose = false; throw new TypeError('the answer was lost'); }
      return r;
    };`);
  const DESC_C = '应答丢失后重发的上报';
  await s.type('#description', DESC_C);
  await s.click('#send');
  await until(async () => (await textOf('#queued')) === '1', 'the report kept after its answer was lost').catch(async (e) => {
    await shot('debug-lost');
    console.error(await s.execute(`return [document.querySelector('#queued').textContent, document.querySelector('#toast').textContent, document.querySelector('#send-error')?.textContent]`));
    throw e;
  });
  const first = cases(ctx.dir, ctx.store).filter((r) => r.raw.includes(DESC_C));
  assert.equal(first.length, 1, 'the station filed it on the first sending');
  await s.click('#tab-queue');
  await until(() => s.execute(`return !!document.querySelector('#send-now')`), 'the queue');
  await s.click('#send-now');
  await until(async () => (await textOf('#queued')) === '0', 'the report sent again');
  const toastC = await textOf('#toast');
  assert.ok(toastC.includes(first[0].id), `${toastC} names the case filed the first time`);
  assert.equal(cases(ctx.dir, ctx.store).filter((r) => r.raw.includes(DESC_C)).length, 1, 'sent twice, filed once');
});

test('a 核实 sent offline goes out once when the network is back; a 核查 on the phone moves the case', async () => {
  const s = ctx.session;
  await s.click('#tab-tasks');
  await until(() => s.execute(`return !!document.querySelector('#task-list')`), 'the task list');
  await shot('tasks');
  // 核实 offline: the result waits on the phone, then the case moves once.
  const vid = await s.execute(
    `const c = [...document.querySelectorAll('#task-list li')].find((li) => li.textContent.startsWith('核实'));
     return c ? c.getAttribute('data-case') : null;`,
  );
  assert.ok(vid, 'a 核实 task');
  assert.equal(cases(ctx.dir, ctx.store).find((r) => r.id === vid).status, 'verifying');
  await s.click(`li[data-case="${vid}"]`);
  await until(() => s.execute(`return !!document.querySelector('#verdict-confirm_verified')`), 'the 核实 form');
  await attach('#task-photo', ctx.photoB);
  await until(() => s.execute(`return document.querySelectorAll('#task-photo-thumbs img').length === 1`), 'the scene photo');
  await ctx.cdp('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await s.click('#verdict-confirm_verified');
  await until(async () => (await textOf('#queued')) === '1', 'the 核实 queued');
  assert.equal(cases(ctx.dir, ctx.store).find((r) => r.id === vid).status, 'verifying', 'nothing sent while offline');
  await until(() => s.execute(`return !!document.querySelector('#tasks-offline') && !document.querySelector('li[data-case="${vid}"]')`), 'the tasks kept for offline, without the one sent');
  await shot('task-offline');
  await ctx.cdp('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await until(async () => (await textOf('#queued')) === '0', 'the 核实 sent', 30_000);
  assert.equal(cases(ctx.dir, ctx.store).find((r) => r.id === vid).status, 'accepted');
  await until(() => s.execute(`return !!document.querySelector('#task-list') && !document.querySelector('li[data-case="${vid}"]')`), 'the 核实 gone from the list');
  const id = await s.execute(
    `const c = [...document.querySelectorAll('#task-list li')].find((li) => li.textContent.startsWith('核查'));
     return c ? c.getAttribute('data-case') : null;`,
  );
  assert.ok(id, 'a 核查 task');
  const before = cases(ctx.dir, ctx.store).find((r) => r.id === id);
  assert.equal(before.status, 'checking');
  await s.click(`li[data-case="${id}"]`);
  await until(() => s.execute(`return !!document.querySelector('#verdict-check_pass')`), 'the task form');
  await attach('#task-photo', ctx.photoC);
  await until(() => s.execute(`return document.querySelectorAll('#task-photo-thumbs img').length === 1`), 'the after photo');
  await s.type('#task-note', '现场已整改到位');
  await shot('task-check');
  await s.click('#verdict-check_pass');
  await until(async () => (await textOf('#toast'))?.includes(`已提交：案件 ${id} 待结案`), 'the check result');
  const after = cases(ctx.dir, ctx.store).find((r) => r.id === id);
  assert.equal(after.status, 'to_close');
  await until(() => s.execute(`return !document.querySelector('li[data-case="${id}"]')`), 'the task gone from the list');
});

test('a citizen reports from a component plate and follows the case', async () => {
  const s = ctx.session;
  const { comp } = ctx;
  const payload = `GD1|${comp.code}|${Number(comp.lon).toFixed(6)}|${Number(comp.lat).toFixed(6)}`;
  await s.cmd('POST', '/url', { url: `${ctx.base}/c/?p=${encodeURIComponent(payload)}` });
  await until(async () => (await textOf('#c-component'))?.includes(comp.code), 'the component from the plate');
  await attach('#c-photo', ctx.photoA);
  await until(() => s.execute(`return document.querySelectorAll('#c-photo-thumbs img').length === 1`), 'the photo');
  await s.type('#c-description', '井盖破损，有安全隐患');
  await shot('citizen-form');
  await s.click('#c-send');
  await until(() => s.execute(`return !!document.querySelector('#c-case')`), 'the receipt', 30_000);
  const caseId = await textOf('#c-case');
  await shot('citizen-receipt');
  const row = cases(ctx.dir, ctx.store).find((r) => r.id === caseId);
  assert.ok(row, `case ${caseId} in the store`);
  assert.equal(row.component, comp.code);
  assert.equal(row.source, 'public');
  assert.equal(row.status, 'reported');
  assert.match(row.grid, /^\d{15}$/);
  await s.click('#c-follow');
  await until(async () => (await textOf('#c-status-text'))?.includes('已上报'), 'the status page');
  await shot('citizen-status');

  // From a poster's code (/c/): the class picked from the event classes, the place from the GPS.
  await s.cmd('POST', '/url', { url: `${ctx.base}/c/` });
  await until(() => s.execute(`return !!document.querySelector('#c-class option[value="event-0102"]')`), 'the event classes');
  await until(async () => (await textOf('#c-place')) === '已定位', 'the GPS position');
  await s.execute(`document.querySelector('#c-class').value = 'event-0102'`);
  await s.type('#c-description', '海报扫码：小区门口垃圾堆积');
  await s.type('#c-phone', '13800138000');
  await shot('citizen-poster');
  await s.click('#c-send');
  await until(() => s.execute(`return !!document.querySelector('#c-case')`), 'the second receipt', 30_000);
  const second = await textOf('#c-case');
  const row2 = cases(ctx.dir, ctx.store).find((r) => r.id === second);
  assert.ok(row2, `case ${second} in the store`);
  assert.equal(row2.class_code, '0102');
  assert.equal(row2.kind, 'event');
  assert.equal(row2.source, 'public');
  assert.equal(row2.component, '');
  // The phone keeps its receipts.
  await s.cmd('POST', '/url', { url: `${ctx.base}/c/` });
  await until(async () => {
    const t = await textOf('#c-mine');
    return t?.includes(caseId) && t.includes(second);
  }, 'both receipts listed on the phone');
});

test('巡查轨迹: a patrol recorded online and offline reaches the station, every point once', async () => {
  const s = ctx.session;
  const { comp } = ctx;
  const lon = Number(comp.lon);
  const lat = Number(comp.lat);
  // Positions walking north from the component, about 33 m apart (inside the district).
  const at = (i) => ({ latitude: lat + 0.0003 * i, longitude: lon + 0.00005, accuracy: 6 });
  const track = async () =>
    s.evaluate(
      `const r = await fetch('/m/api/track', { headers: { authorization: 'Bearer ' + localStorage.getItem('griddesk.m.token') } });
       return await r.json();`,
    );
  const before = (await track()).fixes.length;
  await ctx.cdp('Emulation.setGeolocationOverride', at(0));
  await s.cmd('POST', '/url', { url: `${ctx.base}/m/` });
  await until(() => s.execute(`return !!document.querySelector('#patrol-toggle')`), 'the patrol switch');
  assert.equal(await textOf('#patrol-toggle'), '开始巡查');
  await s.click('#patrol-toggle');
  await until(() => s.execute(`return document.querySelector('#patrol-state').dataset.on === '1'`), 'the patrol on');
  const kept = async () => Number(/本次记录 (\d+)/.exec((await textOf('#patrol-state')) ?? '')?.[1] ?? -1);
  await until(async () => (await kept()) === 1, 'the first position kept');
  // Walking, online: each position kept (at least 3 s apart, 10 m or more from the last).
  let step = 0;
  const walk = async (n) => {
    for (let k = 0; k < n; k++) {
      step += 1;
      await sleep(3200);
      await ctx.cdp('Emulation.setGeolocationOverride', at(step));
      const want = step + 1;
      await until(async () => (await kept()) === want, `position ${want} kept`);
    }
  };
  await walk(2);
  // A position 2 m away a moment later is not kept (thinned).
  await ctx.cdp('Emulation.setGeolocationOverride', { ...at(step), latitude: at(step).latitude + 0.00002 });
  await sleep(1500);
  assert.equal(await kept(), 3, 'a position 2 m from the last is not kept');
  await shot('patrol-on');
  // Offline: the positions wait on the phone.
  await ctx.cdp('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await until(async () => (await textOf('#net')) === '离线', 'the offline mark');
  await walk(3);
  await until(async () => Number(await textOf('#track-waiting')) >= 3, 'the offline positions waiting on the phone');
  await shot('patrol-offline');
  // Back online, one more step, then 结束巡查: everything goes out.
  await ctx.cdp('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await walk(1);
  await s.click('#patrol-toggle');
  await until(() => s.execute(`return document.querySelector('#patrol-state').dataset.on === '0'`), 'the patrol ended');
  await until(async () => (await textOf('#track-waiting')) === '0', 'every position sent', 30_000);
  await shot('patrol-ended');
  const t = await track();
  const mine = t.fixes.slice(before);
  assert.equal(t.fixes.length - before, 7, `seven positions recorded: ${JSON.stringify(t.fixes)}`);
  // Once each, in the order walked: the latitudes of the steps 0…6.
  const lats = mine.map((f) => f.lat);
  const want = Array.from({ length: 7 }, (_, i) => at(i).latitude);
  assert.equal(lats.length, want.length);
  lats.forEach((l, i) => assert.ok(Math.abs(l - want[i]) < 1e-9, `point ${i}: ${l} vs ${want[i]}`));
  assert.equal(new Set(mine.map((f) => f.at)).size, 7, 'seven distinct times');
  assert.equal(t.lines.length, 1, 'one patrol, one line');
  assert.ok(t.distance_m > 150 && t.distance_m < 250, `about 200 m walked: ${t.distance_m}`);
});
