// End-to-end: basemaps (底图) in the real window, signed in as the demo planner. The first start
// installs the sample's streets and draws them under the grids at once; vector and raster
// packages and an OSM extract are installed through the 底图管理 dialog's path field, each
// listed and drawn, switched between, made fainter and removed; a GCJ-02 package, a corrupt one
// and a file of another kind are refused with the engine's messages in Chinese and nothing is
// added; a place search for 县前街 finds the road and flies there. Pixels are compared with the
// same view without a basemap. Screenshots: artifacts/e2e/basemap-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Driver, repo, shot, waitFor, waitIdle } from './lib/harness.mjs';
import { countPixels, decodePng } from './lib/png.mjs';

const FIXTURES = join(repo, 'crates/basemap/tests/fixtures');
const PLANNER = { login: 'planner', password: 'planner@2026' };
/** The sample's 县前街 (its second segment), in the urban core: streets and buildings around. */
const XIANQIAN = [121.2396, 28.6356];

let driver;
let s;
/** Id of the basemap the first start installed. */
let sampleId;

before(async () => {
  driver = await new Driver().start();
  // Installing and removing basemaps is for planners and administrators.
  s = await driver.launch({ signIn: PLANNER });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  assert.ok(await s.signedIn, `expected the demo planner to be signed in: ${s.signInFailure}`);
  await waitIdle(s, 60000);
});

after(async () => {
  if (s) await s.delete().catch(() => undefined);
  await driver?.stop();
  if (process.env.GRIDDESK_E2E_VERBOSE) console.log(driver?.output());
});

const mapRect = () =>
  s.execute(`const r = document.getElementById('map').getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };`);

/** The installed basemaps as the window last listed them. */
const listed = () => s.execute(`return window.__basemap.state().basemaps;`);
const active = () => s.execute(`return document.body.dataset.basemap ?? '';`);

/** Chooses a basemap (`''`: none) in the 底图 select as a user would, and waits for the map. */
async function choose(id) {
  await s.execute(`const sel = document.getElementById('basemap-select'); sel.value = arguments[0];
    sel.dispatchEvent(new Event('change'));`, id);
  await waitFor(s, `(document.body.dataset.basemap ?? '') === ${JSON.stringify(id)}`, `basemap ${id || 'none'} chosen`);
  await waitIdle(s);
}

/** Centres the map on `at` at `zoom` and waits until it is drawn. */
async function view(at, zoom) {
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: arguments[1] });`, at, zoom);
  await waitIdle(s);
}

/** Rendered features of the basemap's layers (vector basemaps). */
const basemapFeatures = (layers) => s.execute(`const m = window.__griddesk.view.map;
  const ids = arguments[0].filter((id) => m.getLayer(id));
  return ids.length ? m.queryRenderedFeatures({ layers: ids }).length : 0;`, layers);

/** Share of the map's pixels that differ clearly between two screenshots of the same view. */
function differs(a, b, rect) {
  let n = 0;
  const hit = countPixels(a, rect, () => true);
  const x0 = Math.floor(rect.x), y0 = Math.floor(rect.y);
  for (let y = y0; y < Math.floor(rect.y + rect.height); y++) {
    for (let x = x0; x < Math.floor(rect.x + rect.width); x++) {
      const o = (y * a.width + x) * 4;
      const d = Math.abs(a.data[o] - b.data[o]) + Math.abs(a.data[o + 1] - b.data[o + 1]) + Math.abs(a.data[o + 2] - b.data[o + 2]);
      if (d > 24) n++;
    }
  }
  return n / hit.total;
}

/** Waits for two frames: what the page changed in its DOM is painted by then. */
const painted = () => s.evaluate(`await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));`);

/** The web view's pixels now, not saved. */
const grab = async () => decodePng(await s.screenshot());

/** Opens 底图管理. */
async function openManage() {
  await s.click('#basemap-manage-open');
  await waitFor(s, `!!document.getElementById('basemap-manage') && !document.getElementById('basemap-manage').hidden`, 'the basemap dialog');
}

async function closeManage() {
  await s.click('#basemap-manage-close');
  await waitFor(s, `document.getElementById('basemap-manage').hidden`, 'the basemap dialog closed');
}

/**
 * Installs a fixture through the dialog's path field (the native Open dialog cannot be driven)
 * and returns the outcome shown: `{ state, code, text, id }`.
 */
async function install(file, { name = '', datum = '' } = {}) {
  await s.execute(`const set = (id, v) => { const e = document.getElementById(id); e.value = v;
      e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change')); };
    set('basemap-path', arguments[0]); set('basemap-name', arguments[1]); set('basemap-datum', arguments[2]);`,
  join(FIXTURES, file), name, datum);
  await s.click('#basemap-install');
  await waitFor(s, `!!document.getElementById('basemap-progress') || !!document.getElementById('basemap-result')`, `the install of ${file} under way`);
  await waitFor(s, `!document.getElementById('basemap-progress') && !!document.getElementById('basemap-result')`, `the install of ${file} to end`, 120000);
  return s.execute(`const r = document.getElementById('basemap-result');
    return { state: r.dataset.state, code: r.dataset.code ?? null, text: r.textContent, id: r.dataset.id ?? null,
      stages: document.body.dataset.basemapStages ?? '' };`);
}

/** The rows of the dialog's list: id → the row's text (an object keeps the rows' order here). */
const rows = async () => Object.fromEntries(await s.execute(`return [...document.querySelectorAll('#basemap-list tr[data-id]')]
  .map((r) => [r.dataset.id, r.textContent]);`));

test('first start: the sample streets are installed, chosen and drawn under the grids', async () => {
  await waitFor(s, `document.body.dataset.basemap && document.body.dataset.basemapKind === 'built'`, 'a GridDesk-built basemap drawn on first start');
  const list = await listed();
  assert.equal(list.length, 1, `expected one basemap on first start, got ${JSON.stringify(list.map((b) => b.name))}`);
  const b = list[0];
  sampleId = b.id;
  assert.equal(b.name, '样例区街道');
  assert.equal(b.built, true);
  assert.equal(b.tile_format, 'mvt');
  assert.equal(await active(), b.id);
  assert.equal(await s.execute(`return document.getElementById('basemap-select').selectedOptions[0].textContent;`), '样例区街道');

  await view(XIANQIAN, 16);
  // Drawn from /basemap/ tiles, under every GridDesk layer and above the district's paper.
  const st = await s.execute(`const m = window.__griddesk.view.map; const st = m.getStyle();
    return { tiles: st.sources.basemap?.tiles ?? [], order: st.layers.map((l) => l.id),
      loaded: Number(document.body.dataset.basemapTiles) };`);
  assert.match(st.tiles[0] ?? '', /\/basemap\/bm-[0-9-]+\/\{z\}\/\{x\}\/\{y\}$/, `expected the basemap tile URL, got ${st.tiles}`);
  assert.ok(st.loaded > 0, 'expected basemap tiles received by the map');
  const at = (id) => st.order.indexOf(id);
  const mine = st.order.filter((id) => id.startsWith('basemap-'));
  assert.ok(mine.length >= 8, `expected the built style's layers, got ${mine}`);
  for (const id of mine) {
    assert.ok(at(id) > at('district-fill'), `expected ${id} above the district's fill`);
    for (const g of ['communities-fill', 'grids-fill', 'grids-line', 'grid-seq-labels', 'cases']) {
      if (at(g) >= 0) assert.ok(at(id) < at(g), `expected ${id} under ${g}`);
    }
  }
  assert.ok(await basemapFeatures(['basemap-buildings']) > 20, 'expected buildings drawn at z16');
  assert.ok(await basemapFeatures(['basemap-roads']) > 5, 'expected roads drawn at z16');
  // The middles of the buildings in view, in pixels (the map does not move between the shots).
  const middles = await s.execute(`const m = window.__griddesk.view.map; const r = m.getContainer().getBoundingClientRect();
    return m.queryRenderedFeatures({ layers: ['basemap-buildings'] }).slice(0, 60).map((f) => {
      const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
      const c = ring.slice(1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
      const p = m.project(c); return [Math.round(r.x + p.x), Math.round(r.y + p.y)];
    }).filter(([x, y]) => x > r.x + 5 && y > r.y + 5 && x < r.right - 5 && y < r.bottom - 5);`);
  const img = await shot(s, 'basemap-sample');

  // The same view without the basemap: the streets and buildings make the difference.
  await choose('');
  const none = await shot(s, 'basemap-none');
  const rect = await mapRect();
  const share = differs(img, none, rect);
  assert.ok(share > 0.15, `expected the basemap to change >15% of the map's pixels, got ${(share * 100).toFixed(1)}%`);
  // A building's middle is the buildings' grey-brown under the grid tint: darker than without.
  const sum = (im, [x, y]) => { const o = (y * im.width + x) * 4; return im.data[o] + im.data[o + 1] + im.data[o + 2]; };
  const darker = middles.filter((p) => sum(none, p) - sum(img, p) > 20).length;
  assert.ok(middles.length >= 10 && darker >= middles.length * 0.7,
    `expected most of the ${middles.length} buildings' middles darker with the basemap, ${darker} were`);
  await choose(sampleId);
  assert.equal(await s.execute(`return JSON.parse(localStorage.getItem('griddesk.basemap:' + window.__griddesk.status.path)).id;`), sampleId,
    'expected the choice kept for this store');
});

test('a vector package, a raster package and an OSM extract install through the path field and are drawn', async () => {
  await view(XIANQIAN, 16);
  await choose('');
  const none = await grab();
  await choose(sampleId);
  await openManage();
  const before = await rows();
  assert.deepEqual(Object.keys(before), [sampleId], 'expected the dialog to list the sample basemap');
  assert.match(before[sampleId], /样例区街道/);
  assert.match(before[sampleId], /矢量/);

  const drawn = {};
  for (const [file, kind, name] of [
    ['vector.pmtiles', 'vector', ''],
    ['raster.mbtiles', 'raster', '影像样例'],
    ['sample.osm.pbf', 'built', ''],
  ]) {
    const r = await install(file, { name });
    assert.equal(r.state, 'installed', `expected ${file} installed, the dialog said: ${r.text}`);
    assert.ok(r.id, `expected the new basemap's id for ${file}`);
    if (file.endsWith('.osm.pbf')) assert.match(r.stages, /read.*tiles/, `expected the OSM stages read and tiles, saw ${r.stages}`);
    else assert.match(r.stages, /copy/, `expected the copy stage, saw ${r.stages}`);
    const list = await rows();
    assert.ok(r.id in list, `expected ${file} listed in the dialog: ${JSON.stringify(list)}`);
    if (name) assert.match(list[r.id], new RegExp(name));
    assert.match(list[r.id], new RegExp(file.replace('.', '\\.')), `expected the source file named in ${list[r.id]}`);
    // A new basemap is the one drawn.
    await waitFor(s, `document.body.dataset.basemap === ${JSON.stringify(r.id)}`, `${file} drawn`);
    assert.equal(await s.execute(`return document.body.dataset.basemapKind;`), kind);
    drawn[kind] = r.id;
  }
  assert.match((await rows())[drawn.raster], /栅格/);
  await closeManage();

  const shots = { vector: 'basemap-vector', raster: 'basemap-raster', built: 'basemap-osm' };
  const rect = await mapRect();
  for (const [kind, id] of Object.entries(drawn)) {
    await choose(id);
    await waitFor(s, `Number(document.body.dataset.basemapTiles) > 0`, `tiles of the ${kind} basemap`);
    const img = await shot(s, shots[kind]);
    // The vector package and the extract hold a few roads and buildings here: thin lines.
    const share = differs(img, none, rect);
    const least = kind === 'raster' ? 0.1 : 0.004;
    assert.ok(share > least, `expected the ${kind} basemap to change the map (${(share * 100).toFixed(1)}% of its pixels differ)`);
    if (kind === 'vector') assert.ok(await basemapFeatures(await s.execute(`return window.__griddesk.view.map.getStyle().layers.map((l) => l.id).filter((id) => id.startsWith('basemap-'));`)) > 0, 'expected features of the vector package drawn');
    if (kind === 'built') assert.ok(await basemapFeatures(['basemap-roads']) > 0, 'expected the extract\'s roads drawn');
  }

  // Opacity: every basemap layer follows the slider, and the choice is kept for this store.
  await choose(sampleId);
  await s.execute(`const r = document.getElementById('basemap-opacity'); r.value = '30'; r.dispatchEvent(new Event('input'));`);
  await waitIdle(s);
  const ops = await s.execute(`const m = window.__griddesk.view.map;
    return { roads: m.getPaintProperty('basemap-roads', 'line-opacity'), land: m.getPaintProperty('basemap-landuse', 'fill-opacity'),
      text: m.getPaintProperty('basemap-road-names', 'text-opacity'), shown: document.getElementById('basemap-opacity-value').textContent,
      kept: JSON.parse(localStorage.getItem('griddesk.basemap:' + window.__griddesk.status.path)) };`);
  assert.equal(ops.roads, 0.3);
  assert.equal(ops.land, 0.3);
  assert.equal(ops.text, 0.3);
  assert.equal(ops.shown, '30%');
  assert.deepEqual(ops.kept, { id: sampleId, opacity: 0.3 });
  const faint = await shot(s, 'basemap-sample-faint');
  await s.execute(`const r = document.getElementById('basemap-opacity'); r.value = '100'; r.dispatchEvent(new Event('input'));`);
  await waitIdle(s);
  const full = await grab();
  assert.ok(differs(faint, full, rect) > 0.05, 'expected the fainter basemap to look different');

  // None, then back.
  await choose('');
  assert.equal(await s.execute(`return Object.keys(window.__griddesk.view.map.getStyle().sources).includes('basemap');`), false);
  assert.equal(await s.execute(`return window.__griddesk.view.map.getStyle().layers.some((l) => l.id.startsWith('basemap-'));`), false);
  assert.ok(await s.execute(`return window.__griddesk.view.map.queryRenderedFeatures({ layers: ['grids-fill'] }).length;`) > 0, 'the grids stay');
  await choose(drawn.raster);

  // Remove the vector package: a second click confirms; it leaves the list and the select.
  await openManage();
  await s.click(`.basemap-remove[data-id="${drawn.vector}"]`);
  await waitFor(s, `document.querySelector('.basemap-remove[data-id="${drawn.vector}"]')?.dataset.confirm === '1'`, 'the remove button asking again');
  assert.ok(drawn.vector in await rows(), 'one click removes nothing');
  await s.click(`.basemap-remove[data-id="${drawn.vector}"]`);
  await waitFor(s, `!document.querySelector('#basemap-list tr[data-id="${drawn.vector}"]')`, 'the vector package gone from the list');
  assert.equal(await s.execute(`return document.getElementById('basemap-result').dataset.state;`), 'removed');
  assert.ok(!(await listed()).some((b) => b.id === drawn.vector));
  assert.ok(!(await s.execute(`return [...document.getElementById('basemap-select').options].map((o) => o.value);`)).includes(drawn.vector));
  assert.equal(await active(), drawn.raster, 'the basemap drawn stays');
  await closeManage();
  await choose(sampleId);
});

test('GCJ-02, corrupt and unknown files are refused with their messages; nothing is added', async () => {
  await openManage();
  const before = (await listed()).map((b) => b.id);
  const gcj = await install('gcj02.pmtiles');
  assert.equal(gcj.state, 'error');
  assert.equal(gcj.code, 'basemap-gcj02');
  assert.match(gcj.text, /gcj02\.pmtiles 使用 GCJ-02 坐标（火星坐标），在本区约偏移 \d+ 米/, `expected the GCJ-02 refusal in Chinese, got ${gcj.text}`);
  const offset = Number(/约偏移 (\d+) 米/.exec(gcj.text)[1]);
  assert.ok(offset > 100 && offset < 1000, `expected an offset of a few hundred metres, got ${offset}`);
  await painted();
  await shot(s, 'basemap-gcj02-refused');
  const corrupt = await install('corrupt.pmtiles');
  assert.equal(corrupt.state, 'error');
  assert.equal(corrupt.code, 'basemap-corrupt');
  assert.match(corrupt.text, /^无法读取底图 corrupt\.pmtiles：/);
  const garbage = await install('garbage.mbtiles');
  assert.equal(garbage.state, 'error');
  assert.equal(garbage.code, 'basemap-unknown-format');
  assert.match(garbage.text, /garbage\.mbtiles 不是 PMTiles、MBTiles 或 OSM PBF 文件/);
  await s.evaluate(`await window.__basemap.refresh();`);
  assert.deepEqual((await listed()).map((b) => b.id), before, 'expected the list unchanged');
  assert.deepEqual(Object.keys(await rows()), before);
  await closeManage();
});

test('a place search for 县前街 finds the road and flies there', async () => {
  await view(XIANQIAN.map((v, i) => v + (i === 0 ? 0.02 : 0.005)), 14);
  await s.click('#search-input');
  await s.type('#search-input', '县前街');
  await waitFor(s, `document.querySelectorAll('#search-results li.place[data-layer="roads"]').length > 0`, 'road places for 县前街', 10000);
  const hit = await s.execute(`const li = document.querySelector('#search-results li.place[data-layer="roads"]');
    return { name: li.dataset.name, kind: li.querySelector('.kind').textContent, group: document.getElementById('search-places')?.textContent };`);
  assert.match(hit.name, /^县前街/);
  assert.match(hit.kind, /^道路 · /);
  assert.equal(hit.group, '地名');
  await painted();
  await shot(s, 'basemap-place-results');
  await s.click('#search-results li.place[data-layer="roads"]');
  await waitFor(s, `document.body.dataset.lastPlace === ${JSON.stringify(hit.name)} && !!document.getElementById('place-mark')`, 'the place marked');
  await waitIdle(s);
  const got = await s.execute(`const m = window.__griddesk.view.map; const c = m.getCenter();
    return { centre: [c.lng, c.lat], zoom: m.getZoom(), mark: document.body.dataset.placeMark.split(',').map(Number) };`);
  assert.ok(Math.abs(got.centre[0] - got.mark[0]) < 1e-4 && Math.abs(got.centre[1] - got.mark[1]) < 1e-4,
    `expected the map centred on the place ${got.mark}, got ${got.centre}`);
  assert.ok(got.zoom >= 16.9, `expected street zoom, got ${got.zoom}`);
  // The road is there in the basemap, under the mark.
  const near = await s.execute(`const m = window.__griddesk.view.map; const p = m.project(arguments[0]);
    return m.queryRenderedFeatures([[p.x - 12, p.y - 12], [p.x + 12, p.y + 12]], { layers: ['basemap-roads'] }).map((f) => f.properties.name);`, got.mark);
  assert.ok(near.some((n) => n === hit.name), `expected ${hit.name} drawn at the mark, found ${JSON.stringify(near)}`);
  await shot(s, 'basemap-place');
});
