// End-to-end tests of the analytics workspace (issue 6) in the real window: heatmap, filters,
// time player, statistics drill-down, per-grid map and exports. Screenshots go to
// artifacts/e2e/2x-analytics-*.png; exports to a private folder named by GRIDDESK_EXPORT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, stopApp, shot, waitFor, waitIdle } from './lib/harness.mjs';
import { countPixels, decodePng } from './lib/png.mjs';
import { countInside } from './lib/geo.mjs';

const exportDir = mkdtempSync(join(tmpdir(), 'griddesk-exports-'));
process.env.GRIDDESK_EXPORT_DIR = exportDir;

let app;
let s;

before(async () => {
  app = await startSignedIn(assert);
  s = app.session;
});

after(() => stopApp(app));

const pane = `document.querySelector('.workspace-pane[data-workspace="analytics"]')`;
const data = (k) => s.execute(`return ${pane}.dataset[arguments[0]] ?? null;`, k);

/** Waits until the pane has refreshed past `n` and nothing is in flight, then for map idle. */
async function settled(n, what) {
  await waitFor(s, `Number(${pane}.dataset.refreshed ?? 0) > ${n} && ${pane}.dataset.busy === '0'`, what, 60000);
  await waitIdle(s, 60000);
}

const refreshed = async () => Number((await data('refreshed')) ?? 0);

/** Sets a filter control's value and fires its change event. */
async function setControl(id, value) {
  await s.execute(`const e = document.getElementById(arguments[0]); e.value = arguments[1];
    e.dispatchEvent(new Event('change'));`, id, value);
}

const mapRect = () =>
  s.execute(`const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };`);

let topGrid; // the first hotspot grid

test('the analytics tab draws a heatmap where the cases are', async () => {
  const before = await refreshed();
  await s.execute(`window.__griddesk.selectWorkspace('analytics');`);
  await settled(before, 'the analytics pane to load its first heatmap');
  const cases = Number(await data('heatCases'));
  const total = await s.execute(`return window.__griddesk.status.overview.cases;`);
  assert.equal(cases, total, `expected the unfiltered heatmap to count every case (${total}), got ${cases}`);
  const width = await s.execute(`return document.getElementById('sidebar').getBoundingClientRect().width;`);
  assert.ok(width >= 340, `expected the sidebar to widen to about 360 px for analytics, got ${width}`);

  topGrid = await s.execute(`const li = document.querySelector('#an-hotspots li[data-code]');
    return li ? li.dataset.code : null;`);
  assert.ok(topGrid, 'expected the hotspot list to name at least one grid');
  // Centre the view on the densest place, then compare pixels with and without the heat layer.
  const place = await s.execute(`const li = document.querySelector('#an-hotspots li'); li.click(); return true;`);
  assert.ok(place);
  await waitFor(s, `!window.__griddesk.view.map.isMoving()`, 'the fly-to of the top hotspot to end', 20000);
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 14 });`);
  await waitIdle(s, 60000);
  const rect = await mapRect();
  const on = await shot(s, '20-analytics-heatmap');
  await s.execute(`window.__griddesk.view.map.setPaintProperty('analytics-heat', 'raster-opacity', 0);`);
  await waitIdle(s);
  const off = await shot(s, '21-analytics-heatmap-hidden');
  await s.execute(`window.__griddesk.view.map.setPaintProperty('analytics-heat', 'raster-opacity', 0.8);`);
  await waitIdle(s);
  const box = { x: rect.x + rect.width / 2 - 60, y: rect.y + rect.height / 2 - 60, width: 120, height: 120 };
  let changed = 0;
  const changedPx = countPixels(on, box, () => true);
  for (let y = Math.floor(box.y); y < box.y + box.height; y++) {
    for (let x = Math.floor(box.x); x < box.x + box.width; x++) {
      const o = (y * on.width + x) * 4;
      const d = Math.abs(on.data[o] - off.data[o]) + Math.abs(on.data[o + 1] - off.data[o + 1]) + Math.abs(on.data[o + 2] - off.data[o + 2]);
      if (d > 30) changed++;
    }
  }
  assert.ok(changed > changedPx.total * 0.5,
    `expected the heat layer to recolour most of the 120×120 px around the top hotspot, changed ${changed} of ${changedPx.total}`);
});

test('a date range and a class filter change the counts', async () => {
  const all = Number(await data('heatCases'));
  const opts = await s.execute(`const p = ${pane}; return { first_day: p.dataset.firstDay, last_day: p.dataset.lastDay,
    classes: [...document.querySelectorAll('#an-class option')].filter((o) => o.value).map((o) => ({ key: o.value })) };`);
  assert.ok(opts.first_day && opts.last_day && opts.classes.length > 0, `expected the sample cases to span some days and classes, got ${JSON.stringify(opts).slice(0, 200)}`);
  // The last 30 days of the cases.
  const last = new Date(`${opts.last_day}T00:00:00Z`);
  const from = new Date(last.getTime() - 29 * 86400000).toISOString().slice(0, 10);
  let n = await refreshed();
  await setControl('an-from', from);
  await settled(n, 'a redraw after setting the start date');
  n = await refreshed();
  await setControl('an-to', opts.last_day);
  await settled(n, 'a redraw after setting the end date');
  const dated = Number(await data('heatCases'));
  assert.ok(dated > 0 && dated < all, `expected ${from}..${opts.last_day} to hold some but not all of ${all} cases, got ${dated}`);
  const cls = opts.classes[0].key;
  n = await refreshed();
  await setControl('an-class', cls);
  await settled(n, 'a redraw after choosing a class');
  const classed = Number(await data('heatCases'));
  assert.ok(classed < dated, `expected class ${cls} to narrow the ${dated} dated cases, got ${classed}`);
  const tableSum = await s.execute(`return [...document.querySelectorAll('#an-table tbody tr')]
    .reduce((a, tr) => a + Number(tr.children[1].textContent), 0);`);
  assert.ok(tableSum <= classed && tableSum > 0,
    `expected the street table to count the filtered cases located in streets (≤ ${classed}), got ${tableSum}`);
  await shot(s, '22-analytics-filtered');
  n = await refreshed();
  await s.click('#an-reset');
  await settled(n, 'a redraw after resetting the filters');
  assert.equal(Number(await data('heatCases')), all, 'expected Reset to bring every case back');
});

test('the time player advances frames and redraws the heatmap', async () => {
  await setControl('an-window', 'month');
  await waitFor(s, `${pane}.dataset.frame === '0' && ${pane}.dataset.busy === '0'`, 'frame 0 after choosing monthly windows', 30000);
  const key0 = await data('heatKey');
  await s.click('#an-play');
  await waitFor(s, `Number(${pane}.dataset.frame) >= 2`, 'the player to reach frame 2', 30000);
  await s.click('#an-play');
  await waitFor(s, `${pane}.dataset.busy === '0'`, 'the last frame to arrive', 30000);
  const frame = Number(await data('frame'));
  const key = await data('heatKey');
  assert.notEqual(key, key0, `expected frame ${frame} to draw a different heatmap than frame 0`);
  const label = await s.text('#an-frame-label');
  assert.match(label, /\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}/, `expected the frame label to show its dates, got "${label}"`);
  await waitIdle(s);
  await shot(s, '23-analytics-time-frame');
  await setControl('an-window', 'month'); // back to the first frame, then clear it with Reset
  const n = await refreshed();
  await s.click('#an-reset');
  await settled(n, 'a redraw after leaving the player');
});

test('a street row drills down to its cases', async () => {
  const row = await s.execute(`const tr = document.querySelector('#an-table tbody tr');
    return { key: tr.dataset.key, cases: Number(tr.children[1].textContent) };`);
  assert.ok(row.cases > 0, `expected the busiest street to have cases, got ${JSON.stringify(row)}`);
  await s.click('#an-table tbody tr:first-child td.an-link');
  await waitFor(s, `document.getElementById('an-drill').dataset.key === ${JSON.stringify(row.key)}`, 'the drill-down of the first street', 20000);
  const drilled = await s.execute(`const d = document.getElementById('an-drill');
    return { total: Number(d.dataset.total), listed: d.querySelectorAll('.an-ids li').length };`);
  assert.equal(drilled.total, row.cases, `expected the drill-down to list the row's ${row.cases} cases`);
  assert.equal(drilled.listed, Math.min(row.cases, 500), 'expected the case ids (first 500) in the list');
  await s.execute(`const d = document.getElementById('an-drill');
    for (let p = d.parentElement; p; p = p.parentElement) if (p.scrollHeight > p.clientHeight + 4) p.scrollTop = d.offsetTop - 320;
    d.scrollIntoView({ block: 'end' });`);
  await shot(s, '24-analytics-drilldown');
});

/** The top class of the per-grid counts (#7f2704 at 85 % over the light district fill). */
const darkBrown = (r, g, b) => r > 100 && r < 170 && g < 90 && b < 60;

test('the per-grid map colours grids by their case counts', async () => {
  // Street level on the top hotspot grid: its outline from the engine, in pixels.
  const info = await s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, topGrid);
  const asOf = await s.evaluate(`return await window.__planning.api.gridsAsOf('2999-12-31', arguments[0]);`, info.bbox);
  const ring = asOf.grids.features.find((f) => f.properties.code === topGrid).geometry.coordinates[0];
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 15.5 });`, info.centroid);
  const n = Number((await data('gridTotal')) ?? -1);
  await s.click('button[data-mode="cases"]');
  await waitFor(s, `Number(${pane}.dataset.gridTotal ?? -1) !== ${n} && ${pane}.dataset.busy === '0'`, 'the per-grid counts', 30000);
  await waitIdle(s);
  const state = await s.execute(`return window.__griddesk.view.map.getFeatureState({ source: 'gd', sourceLayer: 'grids', id: arguments[0] });`, topGrid);
  assert.equal(state.ac, 4, `expected the top hotspot grid ${topGrid} in the highest class, got ${JSON.stringify(state)}`);
  const rect = await mapRect();
  const poly = await s.execute(`const m = window.__griddesk.view.map; const r = m.getContainer().getBoundingClientRect();
    return arguments[0].slice(0, -1).map((c) => { const p = m.project(c); return [r.x + p.x, r.y + p.y]; });`, ring);
  const on = await shot(s, '25-analytics-grid-counts');
  const legendRows = await s.execute(`return document.querySelectorAll('#an-legend .an-legend-row').length;`);
  assert.ok(legendRows >= 2, `expected a class legend, got ${legendRows} rows`);
  // The same view with the per-grid colours off: the heatmap mode, its heat layer hidden.
  await s.click('button[data-mode="heat"]');
  await waitFor(s, `${pane}.dataset.busy === '0'`, 'the heatmap back', 30000);
  const colour = await s.execute(`return JSON.stringify(window.__griddesk.view.map.getPaintProperty('grids-fill', 'fill-color'));`);
  assert.ok(!colour.includes('feature-state'), `expected the grids' own colours back after leaving the per-grid mode, got ${colour}`);
  await s.execute(`window.__griddesk.view.map.setPaintProperty('analytics-heat', 'raster-opacity', 0);`);
  await waitIdle(s);
  const off = await shot(s, '25-analytics-grid-counts-off');
  await s.execute(`window.__griddesk.view.map.setPaintProperty('analytics-heat', 'raster-opacity', 0.8);`);
  await waitIdle(s);
  const inOn = countInside(on, poly, 3, darkBrown);
  const inOff = countInside(off, poly, 3, darkBrown);
  assert.ok(inOn.total > 2000, `expected the top grid large in the view (${inOn.total} px)`);
  assert.ok(inOn.fraction > 0.5 && inOff.fraction < 0.05,
    `expected the top grid ${topGrid} dark brown with the per-grid colours (${inOn.hits} of ${inOn.total} px) and not without (${inOff.hits})`);
  const allOn = countPixels(on, rect, darkBrown).hits;
  const allOff = countPixels(off, rect, darkBrown).hits;
  assert.ok(allOn - allOff > 5000, `expected grids of the top class drawn dark brown around it (${allOn} px with the per-grid colours, ${allOff} without)`);
});

/** Clicks export button `i` and returns the path the app reports. */
async function exportVia(i) {
  await s.execute(`document.getElementById('an-export-msg').dataset.path = '';`);
  await s.click(`button[data-export="${i}"]`);
  const p = await waitFor(s, `document.getElementById('an-export-msg').dataset.path || (document.getElementById('an-status').dataset.error && 'error: ' + document.getElementById('an-status').textContent)`, `export ${i} to report its file`, 60000);
  assert.ok(!p.startsWith('error:'), `expected export ${i} to succeed, got ${p}`);
  assert.ok(p.startsWith(exportDir), `expected the export in ${exportDir}, got ${p}`);
  assert.ok(existsSync(p), `expected ${p} to exist`);
  return p;
}

test('exports: XLSX with Chinese headers, PNG of the map view, monthly bulletin', async () => {
  const xlsx = await exportVia(0);
  const py = `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(z.read('xl/worksheets/sheet1.xml').decode() + z.read('xl/sharedStrings.xml').decode() if 'xl/sharedStrings.xml' in z.namelist() else z.read('xl/worksheets/sheet1.xml').decode())`;
  const r = spawnSync('python3', ['-c', py, xlsx], { encoding: 'utf8' });
  assert.equal(r.status, 0, `expected ${xlsx} to open as a zip: ${r.stderr}`);
  for (const h of ['街道', '案件数', '已结案占比(%)']) assert.ok(r.stdout.includes(h), `expected header ${h} in the sheet XML of ${xlsx}`);

  // The map image, exported twice in the same view: with the heat layer and with it hidden.
  await waitIdle(s);
  const img = decodePng(readFileSync(await exportVia(2)));
  const canvas = await s.execute(`const c = window.__griddesk.view.map.getCanvas(); return { w: c.width, h: c.height };`);
  assert.deepEqual([img.width, img.height], [canvas.w, canvas.h], 'expected the PNG at the map canvas size');
  await s.execute(`window.__griddesk.view.map.setPaintProperty('analytics-heat', 'raster-opacity', 0);`);
  await waitIdle(s);
  const plain = decodePng(readFileSync(await exportVia(2)));
  await s.execute(`window.__griddesk.view.map.setPaintProperty('analytics-heat', 'raster-opacity', 0.8);`);
  await waitIdle(s);
  assert.deepEqual([plain.width, plain.height], [img.width, img.height]);
  const warm = (r, g, b) => r > 180 && b < 120 && r - b > 80;
  const whole = { x: 0, y: 0, width: img.width, height: img.height };
  const withHeat = countPixels(img, whole, warm).hits;
  const withoutHeat = countPixels(plain, whole, warm).hits;
  let changed = 0;
  for (let o = 0; o < img.data.length; o += 4) {
    const d = Math.abs(img.data[o] - plain.data[o]) + Math.abs(img.data[o + 1] - plain.data[o + 1]) + Math.abs(img.data[o + 2] - plain.data[o + 2]);
    if (d > 30) changed++;
  }
  const share = changed / (img.width * img.height);
  assert.ok(share > 0.3 && withHeat - withoutHeat > 0.1 * img.width * img.height,
    `expected the heat colours in the exported image: ${(share * 100).toFixed(1)} % of its pixels differ from the export without the heat layer, ${withHeat} warm pixels against ${withoutHeat}`);

  const html = await exportVia(3);
  const text = readFileSync(html, 'utf8');
  assert.ok(text.includes('月度简报') && text.includes('<svg'), `expected ${html} to be the bulletin with its trend chart`);
  await shot(s, '26-analytics-exported');
});
