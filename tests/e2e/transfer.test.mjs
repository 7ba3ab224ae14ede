// End-to-end tests of File ▸ Import / Export (the menu opens the window's dialog; WebDriver cannot
// click the native menu, so the tests open the dialog through the same hook the menu event
// calls). Grids are exported to a Shapefile in a Gauss-Krüger zone with GBK attributes; a bad
// components file is checked (every reject listed with its line and field) and refused whole;
// a good one is imported and the map's counts grow. Screenshots: artifacts/e2e/t<nn>-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, stopApp, repo, shot, waitFor, waitIdle } from './lib/harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'griddesk-transfer-'));
let app;
let s;

before(async () => {
  // Imports are planners' and administrators' work (the engine refuses other roles).
  app = await startSignedIn(assert, { login: 'planner', password: 'planner@2026' });
  s = app.session;
});

after(() => stopApp(app));

async function openDialog(mode, dataset) {
  await s.execute(`void window.__griddesk.openTransfer(arguments[0], arguments[1]);`, mode, dataset);
  await waitFor(s, `document.getElementById('transfer')?.dataset.mode === '${mode}'`, `the ${mode} dialog`);
}

async function set(id, value) {
  await s.execute(`const e = document.getElementById(arguments[0]);
    if (e.type === 'checkbox') e.checked = arguments[1]; else e.value = arguments[1];
    e.dispatchEvent(new Event('change'));`, id, value);
}

async function press(id, state) {
  await s.execute(`document.getElementById('transfer-result').dataset.state = ''; document.getElementById(arguments[0]).click();`, id);
  await waitFor(s, `['${state}', 'error'].includes(document.getElementById('transfer-result').dataset.state)`, `the dialog to finish (${state})`, 120000);
  return s.execute(`const r = document.getElementById('transfer-result'); return { state: r.dataset.state, text: r.textContent };`);
}

const components = () => s.evaluate(`return (await window.__griddesk.api.overview()).components;`);

test('grids are exported to a Shapefile in Gauss-Krüger zone 40 with GBK attributes', async () => {
  await openDialog('export', 'grids');
  const out = join(work, 'grids.shp');
  await set('transfer-path', out);
  await set('transfer-crs', 'gk');
  await set('transfer-gk-zone', '40');
  await set('transfer-encoding', 'gbk');
  await shot(s, 't01-export-dialog');
  const r = await press('transfer-run', 'exported');
  assert.equal(r.state, 'exported', `expected the export to succeed; the dialog said: ${r.text}`);
  assert.match(r.text, /1500/, 'expected the 1500 sample grids exported');
  for (const ext of ['shp', 'shx', 'dbf', 'prj', 'cpg']) assert.ok(existsSync(join(work, `grids.${ext}`)), `expected grids.${ext}`);
  assert.match(readFileSync(join(work, 'grids.cpg'), 'utf8'), /GBK/i, 'expected the .cpg to name GBK');
  assert.match(readFileSync(join(work, 'grids.prj'), 'utf8'), /Gauss|Kruger|CGCS2000/i, 'expected a Gauss-Krüger .prj');
  await s.execute(`document.getElementById('transfer-close').click();`);
});

test('a bad components file lists every reject with its line and field, and imports nothing', async () => {
  const bad = join(work, 'components_bad.csv');
  copyFileSync(join(repo, 'crates/griddesk/tests/fixtures/io/components_bad.csv'), bad);
  const before = await components();
  await openDialog('import', 'components');
  await set('transfer-path', bad);
  const checked = await press('transfer-check', 'checked');
  assert.equal(checked.state, 'checked', `expected the check to report; the dialog said: ${checked.text}`);
  const rows = await s.execute(`return [...document.querySelectorAll('#transfer-rejects tr')].slice(1).map((r) => r.textContent);`);
  assert.ok(rows.length >= 8, `expected every bad row listed, got ${rows.length}: ${rows.join(' | ')}`);
  assert.ok(rows.some((r) => r.includes('第 3 行') && r.includes('code')), `expected the bad code on line 3 named with its field: ${rows.join(' | ')}`);
  await shot(s, 't02-import-rejects');
  const run = await press('transfer-run', 'imported');
  assert.equal(run.state, 'error', 'expected the import of a file with errors to be refused');
  assert.match(run.text, /没有导入任何记录/);
  assert.equal(await components(), before, 'expected no component imported');
  await s.execute(`document.getElementById('transfer-close').click();`);
});

test('a good components file is imported and the counts grow', async () => {
  const good = join(work, 'components_new.csv');
  writeFileSync(good, [
    'lon,lat,code,class_code,owner,maintainer,state',
    '121.2600,28.6535,3310030101990001,0101,自来水公司,市政养护,intact',
    '121.2610,28.6540,3310030101990002,0101,自来水公司,市政养护,intact',
  ].join('\n') + '\n');
  const before = await components();
  await openDialog('import', 'components');
  await set('transfer-path', good);
  const checked = await press('transfer-check', 'checked');
  assert.match(checked.text, /可导入 2 条记录/, `expected 2 importable records: ${checked.text}`);
  // The import refreshes the store: the page starts over on it.
  await s.execute(`document.getElementById('transfer-run').click();`);
  await waitFor(s, `document.body.dataset.screen === 'map' && !document.getElementById('transfer')`, 'the map after the import', 120000);
  await waitFor(s, `window.__griddesk.status !== null`, 'the store status');
  assert.equal(await components(), before + 2, 'expected two more components');
  await waitIdle(s, 60000);
  await shot(s, 't03-imported');
});
