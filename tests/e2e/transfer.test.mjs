// End-to-end tests of File ▸ Import / Export (the menu opens the window's dialog; WebDriver cannot
// click the native menu, so the tests open the dialog through the same hook the menu event
// calls). Grids are exported to a Shapefile in a Gauss-Krüger zone with GBK attributes; a bad
// components file is checked (every reject listed with its line and field) and refused whole;
// a good one is imported and the map's counts grow. Screenshots: artifacts/e2e/t<nn>-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startSignedIn, stopApp, repo, shot, waitFor, waitIdle } from './lib/harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'griddesk-transfer-'));
// Exports go only where the Save dialog pointed or into the folder the app was started with as
// GRIDDESK_EXPORT_DIR (WebDriver cannot drive the native dialog): this test's folder.
process.env.GRIDDESK_EXPORT_DIR = work;
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

/** Runs a GDAL tool (installed by scripts/install-deps.sh --test) and returns its stdout. */
function gdal(tool, args, input) {
  const r = spawnSync(tool, args, { encoding: 'utf8', input, timeout: 60000 });
  assert.equal(r.error, undefined, `expected ${tool} to run (gdal-bin): ${r.error?.message}`);
  assert.equal(r.status, 0, `${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The fields and records of a dBASE III file, the text fields as raw bytes. */
function readDbf(path) {
  const b = readFileSync(path);
  const count = b.readUInt32LE(4);
  const headerLen = b.readUInt16LE(8);
  const recordLen = b.readUInt16LE(10);
  const fields = [];
  for (let o = 32; b[o] !== 0x0d; o += 32) {
    fields.push({ name: b.toString('latin1', o, o + 11).replace(/\0.*$/, ''), type: String.fromCharCode(b[o + 11]), len: b[o + 16] });
  }
  const records = [];
  for (let i = 0; i < count; i++) {
    let o = headerLen + i * recordLen + 1; // after the deletion flag
    const rec = {};
    for (const f of fields) {
      rec[f.name] = b.subarray(o, o + f.len);
      o += f.len;
    }
    records.push(rec);
  }
  return { language: b[29], count, fields, records };
}

/** A text field's bytes without the padding. */
const trimmed = (bytes) => bytes.subarray(0, bytes.length - [...bytes].reverse().findIndex((x) => x !== 0x20 && x !== 0));

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
  await s.execute(`document.getElementById('transfer-close').click();`);

  // GDAL reads the zone from the .prj: 3° zone 40 with the zone number in the easting
  // (EPSG:4528): central meridian 120°E, false easting 40 500 000 m, scale 1, on CGCS2000.
  const summary = gdal('ogrinfo', ['-al', '-so', out]);
  assert.match(summary, /Feature Count: 1500/, summary);
  assert.match(summary, /Geometry: Polygon/, summary);
  const param = (name) => Number(new RegExp(`PARAMETER\\["${name}",(-?[\\d.]+)`).exec(summary)?.[1]);
  assert.equal(param('Longitude of natural origin'), 120, `expected central meridian 120° in ${summary}`);
  assert.equal(param('False easting'), 40500000, `expected false easting 40 500 000 m in ${summary}`);
  assert.equal(param('False northing'), 0);
  assert.equal(param('Scale factor at natural origin'), 1);
  assert.match(summary, /China.{0,20}2000|CGCS2000/i, 'expected the CGCS2000 datum');
  assert.match(summary, /Transverse Mercator|Gauss/i, 'expected a transverse Mercator (Gauss-Krüger) projection');

  // The .dbf: a code-page-936 (GBK) language driver byte (0x4D in ESRI's table, 0x7A in
  // FoxPro's; GDAL and GridDesk read both) and the Chinese names in GBK bytes, not UTF-8.
  const dbf = readDbf(join(work, 'grids.dbf'));
  assert.equal(dbf.count, 1500);
  assert.ok([0x4d, 0x7a].includes(dbf.language), `expected a GBK (cp936) language driver byte, got 0x${dbf.language.toString(16)}`);
  const first = dbf.records[0];
  const code = trimmed(first.code).toString('latin1');
  const name = trimmed(first.name);
  const info = await s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, code);
  assert.equal(new TextDecoder('gbk').decode(name), info.name, `expected grid ${code}'s name in GBK`);
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(name), 'expected the name bytes not to be UTF-8');
  assert.equal(new TextDecoder('gbk').decode(trimmed(first.community)), code.slice(0, 12));
  // GDAL decodes it the same way (it reads the .cpg).
  const feature = gdal('ogrinfo', ['-al', '-q', '-fid', '0', out]);
  assert.ok(feature.includes(`name (String) = ${info.name}`), `expected GDAL to read the name ${info.name}: ${feature.slice(0, 600)}`);

  // One coordinate: a vertex of the grid, projected by PROJ into EPSG:4528, is a vertex of the file.
  const [w, south, e, north] = info.bbox;
  const asOf = await s.evaluate(`return await window.__planning.api.gridsAsOf('2999-12-31', arguments[0]);`, [w, south, e, north]);
  const ring = asOf.grids.features.find((f) => f.properties.code === code).geometry.coordinates[0];
  const [x, y] = gdal('gdaltransform', ['-s_srs', 'EPSG:4490', '-t_srs', 'EPSG:4528'], `${ring[0][0]} ${ring[0][1]}\n`).trim().split(/\s+/).map(Number);
  const wkt = /POLYGON \(\((.*?)\)/.exec(feature)?.[1] ?? '';
  const vertices = wkt.split(',').map((p) => p.trim().split(/\s+/).map(Number));
  assert.ok(vertices.length >= 4, `expected the polygon of feature 0 from GDAL: ${feature.slice(0, 400)}`);
  const d = Math.min(...vertices.map(([vx, vy]) => Math.hypot(vx - x, vy - y)));
  assert.ok(d < 0.01, `expected ${ring[0]} at ${x.toFixed(3)}, ${y.toFixed(3)} (EPSG:4528 by PROJ) in the file; nearest vertex ${d.toFixed(3)} m away`);
  assert.ok(x > 40_000_000 && x < 41_000_000, `expected a zone-40 easting, got ${x}`);
});

test('an export to a path the user did not choose is refused and writes nothing', async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'griddesk-elsewhere-'));
  const victim = join(elsewhere, 'precious.shp');
  writeFileSync(victim, 'not to be overwritten');
  await openDialog('export', 'grids');
  await set('transfer-path', victim);
  const r = await press('transfer-run', 'exported');
  assert.equal(r.state, 'error', `expected the export to be refused; the dialog said: ${r.text}`);
  const code = await s.execute(`return document.querySelector('#transfer-result [data-error-detail]')?.dataset.errorDetail ?? document.getElementById('transfer-result').textContent;`);
  assert.match(String(code), /export-path-not-chosen|保存对话框|Save dialog/, `expected the refusal to say why: ${code}`);
  assert.equal(readFileSync(victim, 'utf8'), 'not to be overwritten');
  assert.ok(!existsSync(join(elsewhere, 'precious.dbf')), 'nothing written beside it');
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
