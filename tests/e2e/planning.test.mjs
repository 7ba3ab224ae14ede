// End-to-end tests of the planning workspace: split, merge, a refused overlapping grid, undo/redo
// by keyboard, assigning grids to a duty grid (coloured), "who is responsible here", the district
// check, auto-proposal, renumbering, grid history, grids as of a past date, people, and an
// inspector refused. The map is driven with real mouse and keyboard actions; the engine's state
// is checked through the planning commands, the geometry against the test's own arithmetic.
// Each test picks a grid of its own, makes the edits it needs and undoes them at its end, so any
// test can run alone (`--test-name-pattern`). Screenshots: artifacts/e2e/p<nn>-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Driver, repo, shot, waitFor, waitIdle } from './lib/harness.mjs';
import { alongLine, areaM2, bboxOf, centroid, convex, countInside, crossings, inside, metres, open, side } from './lib/geo.mjs';

let driver;
let s;
/** The first view's centre: the tests pick their grids around it. */
let start;
/** Grids a test of this run picked already (each test edits a grid of its own). */
const used = new Set();
/** As of this date the grids in force are today's (no edit is dated after it). */
const FAR = '2999-12-31';
const PLANNER = { login: 'planner', password: 'planner@2026' };

before(async () => {
  driver = await new Driver().start();
  // Grid edits are recorded under the signed-in planner (other roles are refused).
  s = await driver.launch({ signIn: PLANNER });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  assert.ok(await s.signedIn, `expected the demo planner to sign in: ${s.signInFailure}`);
  await s.execute(`window.__griddesk.selectWorkspace('planning');`);
  await waitFor(s, `document.body.dataset.workspace === 'planning' && !!document.getElementById('plan-tool-split') && !!window.__planning`, 'the planning pane with its toolbar');
  await waitIdle(s, 60000);
  // Street level at the first view's centre: the tests pick their grids from here.
  start = await s.execute(`const c = window.__griddesk.view.map.getCenter(); return [c.lng, c.lat];`);
});

after(async () => {
  if (process.env.GRIDDESK_E2E_VERBOSE) console.log(driver?.output());
  await driver?.stop();
});

/** Screen pixel of a [lon, lat] (the web view's viewport coordinates). */
async function px(lonlat) {
  return s.execute(`const m = window.__griddesk.view.map; const r = m.getContainer().getBoundingClientRect();
    const p = m.project(arguments[0]); return [r.x + p.x, r.y + p.y];`, lonlat);
}

/** Presses keys (WebDriver key values), e.g. ['\uE009', 'z'] for Ctrl+Z. */
async function keys(list) {
  const down = list.map((value) => ({ type: 'keyDown', value }));
  const up = [...list].reverse().map((value) => ({ type: 'keyUp', value }));
  await s.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'kb', actions: [...down, ...up] }] });
  await s.cmd('DELETE', '/actions').catch(() => undefined);
}

const planIdle = () => waitFor(s, `window.__planning && window.__planning.idle()`, 'the planning commands to finish');
const lastEdit = () => s.evaluate(`return (await window.__planning.api.log(1))[0] ?? null;`);
const info = (code) => s.evaluate(`return await window.__griddesk.api.gridInfo(arguments[0]);`, code);
const selected = () => s.execute(`return [...window.__planning.state.selected];`);
const sorted = (a) => [...a].sort();

/** Moves to a [lon, lat] and clicks there; returns the pixel. */
async function clickLonLat(lonlat) {
  const [x, y] = await px(lonlat);
  await s.moveTo(x, y);
  await planIdle();
  await s.clickAt(x, y);
  await planIdle();
  return [x, y];
}

/** The id of the latest edit (the mark a test undoes back to). */
const mark = async () => (await lastEdit())?.id ?? 0;

/** Applies an edit the way the toolbar does and returns it (it must apply). */
async function applied(edit) {
  const before = await mark();
  await s.evaluate(`await window.__planning.run(arguments[0]);`, edit);
  const e = await lastEdit();
  assert.ok(e && e.id > before && e.state === 'applied', `expected ${edit.op} applied; the pane said: ${await s.text('#plan-message')}`);
  return e;
}

/** Undoes every edit applied after edit `since`: the district as the test found it. */
async function restore(since) {
  for (let n = 0; n < 20; n++) {
    const log = await s.evaluate(`return await window.__planning.api.log(50);`);
    const top = log.find((e) => e.state === 'applied');
    if (!top || top.id <= since) return;
    await s.evaluate(`await window.__planning.undo();`);
    const again = (await s.evaluate(`return await window.__planning.api.log(50);`)).find((e) => e.state === 'applied');
    assert.ok(!again || again.id !== top.id, `expected edit #${top.id} undone; the pane said: ${await s.text('#plan-message')}`);
  }
}

/** The grids in force now whose outline meets `bbox`, as GeoJSON features. */
async function gridsIn(bbox) {
  const r = await s.evaluate(`return await window.__planning.api.gridsAsOf(arguments[0], arguments[1]);`, FAR, bbox);
  assert.equal(r.truncated, false);
  return r.grids.features;
}

const ringOf = (f) => f.geometry.coordinates[0];

/**
 * A grid near the first view's centre no other test used: convex, big enough to cut in two
 * grids above the minimum area, and cut by the vertical line through its centroid exactly twice.
 */
async function pickGrid() {
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 16 });`, start);
  const b = 0.004;
  const feats = await gridsIn([start[0] - b, start[1] - b, start[0] + b, start[1] + b]);
  const cands = feats
    .filter((f) => !used.has(f.properties.code) && convex(ringOf(f)) && areaM2(ringOf(f)) > 6000)
    .map((f) => {
      const ring = ringOf(f);
      const c = centroid(ring);
      const [, south, , north] = bboxOf(ring);
      const h = north - south;
      return { code: f.properties.code, ring, centroid: c, bbox: bboxOf(ring), cut: crossings(ring, [c[0], south - h], [c[0], north + h]) };
    })
    .filter((g) => g.cut.length === 2)
    .sort((p, q) => metres(p.centroid, start) - metres(q.centroid, start));
  assert.ok(cands.length > 0, 'expected a convex grid near the first view centre');
  used.add(cands[0].code);
  return cands[0];
}

/** Fits the map to a grid (or a box) with room around it, and waits for it to be drawn. */
async function focus(bbox) {
  await s.execute(`window.__griddesk.view.map.fitBounds([[arguments[0][0], arguments[0][1]], [arguments[0][2], arguments[0][3]]], { padding: 160, duration: 0 });`, bbox);
  await waitIdle(s);
}

/**
 * Waits until the map keeps its size (the side panel opens and closes with the selection and
 * narrows or widens the map; MapLibre resizes its canvas a frame later).
 */
async function layoutSettled() {
  await waitFor(s, `(() => { const m = window.__griddesk.view.map; const w = m.getContainer().clientWidth;
    const same = window.__e2eMapWidth === w && m.getCanvas().clientWidth === w; window.__e2eMapWidth = w; return same; })()`, 'the map to keep its size');
}

/** Waits until the side panel shows grid `code` (null: closed). */
async function panelShows(code, what) {
  const expr = code === null
    ? `document.getElementById('grid-panel').hidden`
    : `!document.getElementById('grid-panel').hidden && document.getElementById('grid-panel').dataset.code === ${JSON.stringify(code)}`;
  await waitFor(s, expr, what ?? (code === null ? 'the side panel closed' : `the side panel for ${code}`));
  await layoutSettled();
}

/** The vertical line through a grid's centroid, a quarter of its height beyond either side. */
function verticalLine(g) {
  const [, south, , north] = g.bbox;
  const h = north - south;
  return [[g.centroid[0], south - 0.25 * h], [g.centroid[0], north + 0.25 * h]];
}

/** The map without a zone colouring (the tests' pixel counts assume the grids' own fill). */
async function plainColours() {
  await s.execute(`const sel = document.getElementById('plan-layer'); if (sel.value !== '') { sel.value = ''; sel.dispatchEvent(new Event('change')); }`);
  await planIdle();
}

/** Hides (or shows again) map layers, to compare a screenshot with and without them. */
async function visible(layers, on) {
  await s.execute(`for (const id of arguments[0]) window.__griddesk.view.map.setLayoutProperty(id, 'visibility', arguments[1] ? 'visible' : 'none');`, layers, on);
  await waitIdle(s);
}

/** A ring's pixel polygon in the current view. */
async function pixelRing(ring) {
  return s.execute(`const m = window.__griddesk.view.map; const r = m.getContainer().getBoundingClientRect();
    return arguments[0].map((c) => { const p = m.project(c); return [r.x + p.x, r.y + p.y]; });`, open(ring));
}

const orange = (r, g, b) => r > 200 && g > 70 && g < 170 && b < 80;
/** The refusal overlay's red (#ff0000 at 60 % over the light grid fill). */
const red = (r, g, b) => r > 180 && r - g > 90 && r - b > 90;

test('the planning workspace opens beside the map', async () => {
  await waitFor(s, `document.getElementById('plan-history').textContent.length > 0`, 'the history list');
  const tools = await s.execute(`return [...document.querySelectorAll('.plan-toolbar button')].map((b) => b.id);`);
  for (const t of ['select', 'split', 'vertex', 'draw', 'who']) assert.ok(tools.includes(`plan-tool-${t}`), `expected the ${t} tool in ${tools}`);
  await shot(s, 'p01-planning-pane');
});

test('a line drawn across a grid splits it exactly there; undo brings the grid back into the panel', async () => {
  const since = await mark();
  try {
    const g = await pickGrid();
    await keys(['s']);
    await focus(g.bbox);
    // Select the grid first: its panel opens and narrows the map; then fit it again.
    await clickLonLat(g.centroid);
    await panelShows(g.code);
    assert.deepEqual(await selected(), [g.code]);
    await focus(g.bbox);
    await keys(['l']);
    await waitFor(s, `document.body.dataset.planTool === 'split'`, 'the split tool after pressing L');
    const [from, to] = verticalLine(g);
    const clicked = [await clickLonLat(from), await clickLonLat(to)];
    // The sketch holds the two clicked points, moved by snapping at most the 12 px tolerance.
    const sketch = await s.execute(`return window.__planning.state.sketch;`);
    assert.equal(sketch.length, 2, `expected two sketch points, got ${JSON.stringify(sketch)}`);
    for (let i = 0; i < 2; i++) {
      const [x, y] = await px(sketch[i]);
      const d = Math.hypot(x - clicked[i][0], y - clicked[i][1]);
      assert.ok(d <= 12.5, `expected sketch point ${i} within the 12 px snap tolerance of the click, it is ${d.toFixed(1)} px away`);
    }
    assert.equal(await s.execute(`return document.getElementById('grid-panel').dataset.code;`), g.code, 'expected the sketch clicks to leave the panel on the selected grid');
    // The drawn line is on the screen between the two points (dashed orange).
    await waitIdle(s);
    const img = await shot(s, 'p02-split-line-drawn');
    const line = alongLine(img, await px(sketch[0]), await px(sketch[1]), orange);
    assert.ok(line.fraction > 0.6, `expected the sketch line drawn between its points (${line.hits} of ${line.total} positions orange)`);

    await keys(['\uE007']);
    await planIdle();
    const edit = await lastEdit();
    assert.ok(edit.id > since && edit.operation === 'split', `expected a split; the pane said: ${await s.text('#plan-message')}`);
    assert.deepEqual(edit.effect.retired, [g.code], 'expected the split grid retired');
    assert.equal(edit.effect.created.length, 2, 'expected two new grids');
    const pieces = edit.effect.created;
    assert.ok((await info(g.code)).end_date, 'expected the old grid to carry an end date');

    // Where the cut lies: the line through the snapped points meets the old outline twice; the
    // pieces' only new vertices are those two points, one piece left of the line, one right.
    const cut = crossings(g.ring, sketch[0], sketch[1]);
    assert.equal(cut.length, 2, `expected the drawn line to cross the grid twice, got ${JSON.stringify(cut)}`);
    const now = await gridsIn(g.bbox);
    const rings = pieces.map((c) => {
      const f = now.find((x) => x.properties.code === c);
      assert.ok(f, `expected piece ${c} in force`);
      return ringOf(f);
    });
    const old = open(g.ring);
    const fresh = [];
    for (const v of rings.flatMap(open)) {
      if (old.some((o) => metres(o, v) < 0.05) || fresh.some((f) => metres(f, v) < 0.05)) continue;
      fresh.push(v);
    }
    assert.equal(fresh.length, 2, `expected two new vertices (the cut's ends), got ${JSON.stringify(fresh)}`);
    for (const c of cut) {
      const d = Math.min(...fresh.map((v) => metres(v, c)));
      assert.ok(d < 0.5, `expected a cut end at ${c} (where the drawn line crosses the outline), nearest new vertex ${d.toFixed(2)} m away`);
    }
    const sides = rings.map((r) => open(r).map((v) => side(sketch[0], sketch[1], v)));
    const left = sides.findIndex((d) => d.every((x) => x >= -0.05));
    const right = sides.findIndex((d) => d.every((x) => x <= 0.05));
    assert.ok(left >= 0 && right >= 0 && left !== right, `expected one piece on each side of the line, distances ${JSON.stringify(sides.map((d) => [Math.min(...d), Math.max(...d)]))}`);
    const total = areaM2(g.ring);
    const sum = rings.reduce((a, r) => a + areaM2(r), 0);
    assert.ok(Math.abs(sum - total) < total * 0.001, `expected the pieces (${sum.toFixed(1)} m²) to cover the grid (${total.toFixed(1)} m²)`);
    // Which grids it touched: besides the split grid, the neighbours across the two cut ends
    // (they gain the new vertex on the shared edge), and no other.
    const beyond = [];
    for (const [i, c] of cut.entries()) {
      const o = i === 0 ? sketch[0] : sketch[1];
      const k = 0.5 / metres(c, o);
      const code = await s.evaluate(`return await window.__griddesk.api.gridAt(arguments[0], arguments[1]);`, c[0] + (o[0] - c[0]) * k, c[1] + (o[1] - c[1]) * k);
      if (code) beyond.push(code);
    }
    assert.deepEqual(sorted(edit.effect.modified), sorted(new Set(beyond)), 'expected the neighbours at the cut ends modified, and no other grid');

    // The selection and the panel follow: the first piece.
    await panelShows(pieces[0], `the side panel on the first piece ${pieces[0]}`);
    assert.deepEqual(await selected(), [pieces[0]]);
    await waitIdle(s);
    await shot(s, 'p03-split-done');
    const url = await s.execute(`return document.body.dataset.planTiles + ' (last map error: ' + document.body.dataset.lastMapError + ')';`);
    await waitFor(s, `window.__griddesk.view.map.querySourceFeatures('gd', { sourceLayer: 'grids' }).some((f) => f.id === CODE || f.properties.code === CODE)`.replaceAll('CODE', JSON.stringify(pieces[0])), `the new grid in the tiles reloaded from ${url}`);

    // Undo: the grid is back, selected and in the panel; the pieces are gone from both.
    await keys(['\uE009', 'z']);
    await planIdle();
    assert.equal((await lastEdit()).state, 'undone');
    assert.equal((await info(g.code)).end_date, null, 'expected the grid back after undo');
    await panelShows(g.code, `the side panel back on ${g.code} after undo`);
    assert.deepEqual(await selected(), [g.code]);
    const pane = await s.text('#plan-selected');
    assert.ok(pane.includes(g.code) && !pieces.some((c) => pane.includes(c)), `expected the pane to name ${g.code} selected, it says "${pane}"`);
  } finally {
    await keys(['\uE00C']);
    await restore(since);
  }
});

test('two grids selected with add-to-selection merge with M, and the panel shows the merged grid', async () => {
  const since = await mark();
  try {
    const g = await pickGrid();
    await focus(g.bbox);
    const pieces = (await applied({ op: 'split', grid: g.code, line: verticalLine(g) })).effect.created;
    const now = await gridsIn(g.bbox);
    const [ca, cb] = pieces.map((c) => centroid(ringOf(now.find((f) => f.properties.code === c))));
    await keys(['s']);
    await clickLonLat(ca);
    await panelShows(pieces[0]);
    // WebKitWebDriver does not pass Shift to mouse events: use the pane's add-to-selection box.
    await s.click('#plan-multi');
    await clickLonLat(cb);
    assert.deepEqual(sorted(await selected()), sorted(pieces), 'expected both pieces selected after two clicks with add-to-selection on');
    await shot(s, 'p04-two-selected');
    await s.click('#plan-multi');
    await keys(['m']);
    await planIdle();
    const edit = await lastEdit();
    assert.equal(edit.operation, 'merge', `expected a merge; the pane said: ${await s.text('#plan-message')}`);
    assert.deepEqual(sorted(edit.effect.retired), sorted(pieces));
    assert.equal(edit.effect.created.length, 1);
    const merged = edit.effect.created[0];
    // The panel leaves the retired pieces for the merged grid.
    await panelShows(merged, `the side panel on the merged grid ${merged}`);
    assert.deepEqual(await selected(), [merged]);
    assert.equal(await s.text('#grid-panel [data-field="code"]'), merged);
    await waitIdle(s);
    await shot(s, 'p05-merged');
  } finally {
    await restore(since);
  }
});

test('Ctrl+Z undoes a merge and Ctrl+Y redoes it; the selection and the panel follow', async () => {
  const since = await mark();
  try {
    const g = await pickGrid();
    await focus(g.bbox);
    const pieces = (await applied({ op: 'split', grid: g.code, line: verticalLine(g) })).effect.created;
    const merged = (await applied({ op: 'merge', grids: pieces })).effect.created[0];
    await panelShows(merged);
    await keys(['\uE009', 'z']);
    await planIdle();
    let log = await s.evaluate(`return await window.__planning.api.log(2);`);
    assert.equal(log[0].state, 'undone', 'expected the merge undone after Ctrl+Z');
    await assert.rejects(info(merged), /not found/, 'expected the merged grid gone after undo');
    for (const c of pieces) assert.equal((await info(c)).end_date, null, `expected piece ${c} back after undo`);
    // Nothing selected or shown names the grid the undo removed: the pieces came back instead.
    assert.deepEqual(sorted(await selected()), sorted(pieces), 'expected the pieces selected after the undo');
    await panelShows(pieces[0], `the side panel on piece ${pieces[0]} after undo`);
    const pane = await s.text('#plan-selected');
    assert.ok(!pane.includes(merged) && pieces.every((c) => pane.includes(c)), `expected the pane to name the pieces, not ${merged}: "${pane}"`);
    await waitFor(s, `document.querySelector('#plan-history li[data-state="undone"]') !== null`, 'the undone edit in the history list');
    await waitIdle(s);
    await shot(s, 'p06-undone');
    await keys(['\uE009', 'y']);
    await planIdle();
    log = await s.evaluate(`return await window.__planning.api.log(2);`);
    assert.equal(log[0].state, 'applied', 'expected the merge applied again after Ctrl+Y');
    assert.equal((await info(merged)).end_date, null, 'expected the merged grid active after redo');
    assert.deepEqual(await selected(), [merged], 'expected the merged grid selected after redo');
    await panelShows(merged, `the side panel on ${merged} after redo`);
  } finally {
    await restore(since);
  }
});

test('a grid drawn over an existing one is refused, with the overlap in red', async () => {
  const since = await mark();
  try {
    await plainColours();
    const g = await pickGrid();
    await focus(g.bbox);
    const [w, south, e, north] = g.bbox;
    const [cx, cy] = g.centroid;
    const [dx, dy] = [(e - w) / 6, (north - south) / 6];
    const square = [[cx - dx, cy - dy], [cx + dx, cy - dy], [cx + dx, cy + dy], [cx - dx, cy + dy]];
    for (const p of square) assert.ok(inside(p, open(g.ring)), 'expected the drawn square inside the grid');
    await keys(['n']);
    await waitFor(s, `document.body.dataset.planTool === 'draw'`, 'the draw tool after pressing N');
    for (const p of square) await clickLonLat(p);
    const drawn = await s.execute(`return window.__planning.state.sketch;`);
    assert.equal(drawn.length, 4, 'expected the four clicked corners in the sketch');
    await keys(['\uE007']);
    await planIdle();
    await waitFor(s, `document.querySelector('#plan-message.error') !== null`, 'the refusal message');
    const msg = await s.text('#plan-message');
    const probs = await s.execute(`return [...document.querySelectorAll('#plan-problems li')].map((li) => li.dataset.rule);`);
    assert.ok(probs.includes('overlap'), `expected an overlap problem listed; got ${JSON.stringify(probs)} (${msg})`);
    assert.equal(await mark(), since, 'expected no edit written for a refused grid');
    const overlap = await s.execute(`return window.__planning.state.problems.find((p) => p.rule === 'overlap')?.geometry ?? null;`);
    const polygons = overlap?.type === 'Polygon' ? [overlap.coordinates] : overlap?.type === 'MultiPolygon' ? overlap.coordinates : [];
    assert.equal(polygons.length, 1, `expected the overlap as one polygon, got ${JSON.stringify(overlap)?.slice(0, 80)}`);
    const ring = polygons[0][0];
    const square4 = [...drawn, drawn[0]];
    assert.ok(metres(centroid(ring), centroid(square4)) < 0.5 && Math.abs(areaM2(ring) - areaM2(square4)) < 0.005 * areaM2(square4),
      `expected the overlap to be the drawn square (${areaM2(square4).toFixed(1)} m²): it has ${areaM2(ring).toFixed(1)} m², centre ${metres(centroid(ring), centroid(square4)).toFixed(2)} m off`);
    // Inside the overlap (away from its dashed outline), red with the problem layer, not without.
    await waitIdle(s);
    const poly = await pixelRing(ring);
    const on = countInside(await shot(s, 'p07-refused-overlap'), poly, 5, red);
    await visible(['plan-problems-fill', 'plan-problems-line'], false);
    const off = countInside(await shot(s, 'p07-refused-overlap-unmarked'), poly, 5, red);
    await visible(['plan-problems-fill', 'plan-problems-line'], true);
    assert.ok(on.total > 1000, `expected the overlap to cover a good part of the view (${on.total} px)`);
    assert.ok(on.fraction > 0.8 && off.fraction < 0.05, `expected the overlap filled red (${on.hits} of ${on.total} px red with the problem layer, ${off.hits} without)`);
  } finally {
    await keys(['\uE00C']);
    await keys(['s']);
    await restore(since);
  }
});

test('assigning the selected grid to another duty grid colours it', async () => {
  const g = await pickGrid();
  await focus(g.bbox);
  await keys(['s']);
  await clickLonLat(g.centroid);
  await panelShows(g.code);
  await s.execute(`const sel = document.getElementById('plan-layer'); sel.value = 'duty'; sel.dispatchEvent(new Event('change'));`);
  await planIdle();
  await waitFor(s, `document.querySelectorAll('#plan-zone option').length > 1`, 'the duty grids of the duty layer');
  const c0 = await s.evaluate(`return await window.__planning.api.zoneColours('duty');`);
  const i0 = c0.codes.indexOf(g.code);
  const current = c0.zone[i0] >= 0 ? c0.zones[c0.zone[i0]] : null;
  const other = await s.execute(`return [...document.querySelectorAll('#plan-zone option')].map((o) => o.value).find((v) => v !== arguments[0]);`, current);
  try {
    await s.execute(`document.getElementById('plan-zone').value = arguments[0];`, other);
    await s.click('#plan-assign');
    await planIdle();
    const c1 = await s.evaluate(`return await window.__planning.api.zoneColours('duty');`);
    const i1 = c1.codes.indexOf(g.code);
    assert.equal(c1.zones[c1.zone[i1]], other, `expected grid ${g.code} in duty grid ${other} (was ${current})`);
    const stateCi = await s.execute(`return window.__griddesk.view.map.getFeatureState({ source: 'gd', sourceLayer: 'grids', id: arguments[0] }).pzone;`, g.code);
    assert.equal(stateCi, c1.ci[c1.zone[i1]], 'expected the grid coloured with its duty grid colour');
    await waitIdle(s);
    await shot(s, 'p08-duty-coloured');
  } finally {
    if (current) await s.evaluate(`await window.__planning.api.assign('duty', arguments[0], [arguments[1]], true);`, current, g.code);
    await plainColours();
  }
});

test('who is responsible here lists every layer and the road chiefs nearby', async () => {
  // A road line of the shipped sample with a chief: the midpoint of its first segment.
  const roads = JSON.parse(readFileSync(join(repo, 'resources/sample/road_lines.geojson'), 'utf8')).features;
  const road = roads.find((f) => f.properties.chief);
  const [p, q] = road.geometry.coordinates;
  const at = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 17 });`, at);
  await waitIdle(s);
  await keys(['w']);
  await clickLonLat(at);
  await waitFor(s, `document.querySelectorAll('#plan-who li[data-layer]').length > 0`, 'the responsibility list');
  const layers = await s.evaluate(`return await window.__planning.api.zoneLayers();`);
  const shown = await s.execute(`return [...document.querySelectorAll('#plan-who li[data-layer]')].map((li) => li.dataset.layer);`);
  assert.deepEqual(sorted(shown), sorted(layers.map((l) => l.code)), 'expected one line per zone layer');
  const who = await s.execute(`return window.__planning.state.who;`);
  const r = who.roads.find((x) => x.code === road.properties.code);
  assert.ok(r, `expected road ${road.properties.code} (${road.properties.name}) among the roads near its own midpoint: ${JSON.stringify(who.roads.map((x) => x.code))}`);
  assert.equal(r.chief?.id, road.properties.chief, `expected ${road.properties.chief} as the chief of ${road.properties.code}`);
  assert.ok(r.distance_m < 3, `expected the road within a few metres of the click, got ${r.distance_m} m`);
  const lines = await s.execute(`return [...document.querySelectorAll('#plan-who .plan-who-roads li[data-road]')].map((li) => [li.dataset.road, li.textContent]);`);
  assert.equal(lines.length, who.roads.length, 'expected one line per nearby road');
  const line = lines.find(([code]) => code === road.properties.code)?.[1] ?? '';
  for (const part of [road.properties.name, r.chief_title, r.chief.name]) {
    assert.ok(line.includes(part), `expected "${part}" in the road chief line "${line}"`);
  }
  await waitIdle(s);
  await shot(s, 'p09-who-is-responsible');
  await keys(['s']);
});

// The planning panes: collapsible sections of the planning pane.
async function openSection(id) {
  await s.execute(`const d = document.getElementById(arguments[0]); d.open = true; d.scrollIntoView();`, id);
  await planIdle();
}

async function chooseCommunity(selectId, code) {
  await s.execute(`const sel = document.getElementById(arguments[0]); sel.value = arguments[1]; sel.dispatchEvent(new Event('change'));`, selectId, code);
}

test('the district check lists every problem, and a clicked one is drawn in red', async () => {
  const since = await mark();
  try {
    await plainColours();
    await keys(['s']);
    // The sample district is clean (the other tests undo their edits): first the check says so.
    await openSection('plan-check');
    await s.click('#plan-check-run');
    await planIdle();
    await waitFor(s, `document.getElementById('plan-check-summary') !== null`, 'the district check summary');
    let report = await s.evaluate(`return await window.__planning.api.checkDistrict();`);
    assert.equal(report.problems.length, 0, `expected the sample district clean; got ${JSON.stringify(report.problems.slice(0, 3))}`);
    assert.equal(await s.execute(`return document.querySelectorAll('#plan-check-list li').length;`), 0);
    assert.match(await s.text('#plan-check-summary'), /未发现问题|No problems/);
    await shot(s, 'p10-district-check-clean');

    // Cutting a thin strip off a grid leaves a grid below the minimum area (a warning).
    const g = await pickGrid();
    const [w, south, e, north] = g.bbox;
    const y = north - 0.1 * (north - south);
    const cut = await applied({ op: 'split', grid: g.code, line: [[w - 0.25 * (e - w), y], [e + 0.25 * (e - w), y]] });
    await s.click('#plan-check-run');
    await planIdle();
    report = await s.evaluate(`return await window.__planning.api.checkDistrict();`);
    const small = report.problems.findIndex((p) => p.rule === 'area-range' && cut.effect.created.includes(p.grids[0]));
    assert.ok(small >= 0, `expected the strip reported as too small; got ${JSON.stringify(report.problems.map((p) => p.message))}`);
    await waitFor(s, `document.querySelectorAll('#plan-check-list li').length === ${report.problems.length}`, 'one row per problem');
    const summary = await s.text('#plan-check-summary');
    assert.ok(summary.includes(String(report.problems.length)), `expected the count in "${summary}"`);
    const row = await s.text(`#plan-check-list li[data-index="${small}"]`);
    assert.ok(row.includes(report.problems[small].grids[0]), `expected the grid named in "${row}"`);
    // Fly somewhere else first: the click must bring the problem back into view.
    await s.execute(`window.__griddesk.view.map.jumpTo({ center: arguments[0], zoom: 14 });`, [w + 0.02, north + 0.02]);
    await waitIdle(s);
    await s.click(`#plan-check-list li[data-index="${small}"]`);
    await planIdle();
    await waitIdle(s);
    const shown = await s.execute(`return window.__planning.state.problems.map((p) => p.grids[0]);`);
    assert.deepEqual(shown, [report.problems[small].grids[0]], 'expected the clicked problem on the map');
    const inView = await s.execute(`const b = window.__griddesk.view.map.getBounds(); return b.contains(arguments[0]);`, g.centroid);
    assert.ok(inView, 'expected the map flown to the problem');
    const dark = (r, gg, bb) => r > 200 && gg < 60 && bb < 60;
    const count = (img) => countInside(img, [[0, 0], [img.width, 0], [img.width, img.height], [0, img.height]], 0, dark).hits;
    const withOutline = count(await shot(s, 'p10-district-check-problem'));
    // The same view without the red outline (red case dots count in both).
    const filter = await s.execute(`return window.__griddesk.view.map.getFilter('plan-problem-grids');`);
    assert.deepEqual(filter[2][1], report.problems[small].grids, 'expected the problem grid in the red outline layer');
    await visible(['plan-problem-grids'], false);
    const without = count(await shot(s, 'p10-district-check-problem-unmarked'));
    await visible(['plan-problem-grids'], true);
    assert.ok(withOutline - without > 150, `expected the problem grid outlined in red (${withOutline} red pixels with, ${without} without)`);
  } finally {
    await keys(['\uE00C']);
    await restore(since);
  }
});

test('an auto-proposal is previewed dashed, accepted as one edit, and undone with Ctrl+Z', async () => {
  const since = await mark();
  try {
    await plainColours();
    await keys(['s']);
    const g = await pickGrid();
    const community = g.code.slice(0, 12);
    const grids = (await s.evaluate(`return await window.__planning.api.communities();`)).find((c) => c.code === community).grids;
    await openSection('plan-proposal');
    await waitFor(s, `document.querySelectorAll('#plan-proposal-community option').length > 1`, 'the communities in the proposal pane');
    await chooseCommunity('plan-proposal-community', community);
    await s.execute(`const i = document.getElementById('plan-proposal-target'); i.value = '10000'; i.dispatchEvent(new Event('change'));`);
    await s.click('#plan-proposal-preview');
    await planIdle();
    await waitFor(s, `Number(document.body.dataset.planPreview) > 0`, 'the proposed grids drawn over the current ones', 120000);
    const n = Number(await s.execute(`return document.body.dataset.planPreview;`));
    const balance = await s.execute(`return [...document.querySelectorAll('#plan-proposal-balance tr[data-row]')].map((r) => r.dataset.row);`);
    assert.deepEqual(balance, ['grids', 'meanArea', 'areaCv', 'meanLoad', 'loadCv', 'maxLoad'], 'expected the balance table');
    const gridRows = await s.execute(`return document.querySelectorAll('#plan-proposal-grids tr').length - 1;`);
    assert.equal(gridRows, n, 'expected one row per proposed grid');
    assert.equal(await mark(), since, 'a preview writes nothing');
    await waitIdle(s);
    const purple = (r, gg, b) => r > 80 && r < 140 && gg < 60 && b > 120;
    const all = (img) => countInside(img, [[0, 0], [img.width, 0], [img.width, img.height], [0, img.height]], 0, purple).hits;
    const on = all(await shot(s, 'p11-proposal-preview'));
    await visible(['plan-preview-line'], false);
    const off = all(await shot(s, 'p11-proposal-preview-hidden'));
    await visible(['plan-preview-line'], true);
    assert.ok(on - off > 200, `expected the dashed proposal outlines on the map (${on} purple pixels with, ${off} without)`);
    await s.click('#plan-proposal-accept');
    await planIdle();
    const edit = await lastEdit();
    assert.ok(edit.id > since, `expected the proposal applied; the pane said: ${await s.text('#plan-message')}`);
    assert.equal(edit.effect.created.length, n, 'expected the proposed grids created');
    assert.equal(edit.effect.retired.length, grids, `expected all ${grids} grids of community ${community} retired`);
    assert.ok(edit.effect.retired.includes(g.code) && edit.effect.retired.every((c) => c.startsWith(community)), 'expected the community\u2019s own grids retired');
    assert.equal(await s.execute(`return document.body.dataset.planPreview;`), '', 'expected the preview cleared after accepting');
    await panelShows(edit.effect.created[0], 'the side panel on the first proposed grid');
    await waitIdle(s);
    await shot(s, 'p12-proposal-accepted');
    await keys(['\uE009', 'z']);
    await planIdle();
    const undone = await lastEdit();
    assert.equal(undone.id, edit.id);
    assert.equal(undone.state, 'undone', 'expected the whole proposal undone by one Ctrl+Z');
    assert.equal((await info(g.code)).end_date, null, 'expected the community\u2019s grids back after undo');
    await assert.rejects(info(edit.effect.created[0]), /not found/, 'expected the proposed grids gone after undo');
    const sel = await selected();
    assert.ok(sel.length > 0 && sel.every((c) => edit.effect.retired.includes(c)), `expected the grids that came back selected, got ${JSON.stringify(sel)}`);
    await panelShows(sel[0], 'the side panel on a grid that came back');
  } finally {
    await restore(since);
  }
});

test('a renumber preview lists old and new codes', async () => {
  const since = await mark();
  try {
    // A split gives its pieces the next free numbers: the community is out of order then.
    const g = await pickGrid();
    const community = g.code.slice(0, 12);
    const pieces = (await applied({ op: 'split', grid: g.code, line: verticalLine(g) })).effect.created;
    await openSection('plan-renumber');
    await waitFor(s, `document.querySelectorAll('#plan-renumber-community option').length > 1`, 'the communities in the renumber pane');
    await chooseCommunity('plan-renumber-community', community);
    await s.click('#plan-renumber-preview');
    await planIdle();
    await waitFor(s, `document.getElementById('plan-renumber-summary') !== null`, 'the renumber preview');
    const p = await s.evaluate(`return await window.__planning.api.renumberPreview(arguments[0]);`, community);
    const rows = await s.execute(`return [...document.querySelectorAll('#plan-renumber-table tr[data-from]')].map((r) => [r.cells[0].textContent, r.cells[1].textContent]);`);
    assert.equal(rows.length, p.change.rename.length, `expected one row per renamed grid (${await s.text('#plan-renumber-summary')})`);
    for (const r of p.change.rename) assert.ok(rows.some(([a, b]) => a === r.from && b === r.to), `expected ${r.from} → ${r.to} listed`);
    assert.ok(rows.some(([a]) => pieces.includes(a)), `expected a piece of the split (${pieces}) renumbered, got ${JSON.stringify(rows)}`);
    for (const [a, b] of rows) assert.equal(a.slice(0, 12), b.slice(0, 12), 'renumbering stays in the community');
    await waitIdle(s);
    await shot(s, 'p13-renumber-preview');
  } finally {
    await s.execute(`window.__griddesk.view.map.getSource('plan-preview').setData({ type: 'FeatureCollection', features: [] });`);
    await restore(since);
  }
});

test('the history of a grid made by a split shows its lineage and edits', async () => {
  const since = await mark();
  try {
    const g = await pickGrid();
    const pieces = (await applied({ op: 'split', grid: g.code, line: verticalLine(g) })).effect.created;
    await applied({ op: 'merge', grids: pieces });
    await openSection('plan-grid-history');
    await s.execute(`const i = document.getElementById('plan-history-code'); i.value = arguments[0]; i.dispatchEvent(new Event('change'));`, pieces[0]);
    await s.click('#plan-history-load');
    await planIdle();
    await waitFor(s, `document.querySelectorAll('#plan-lineage li').length > 0`, 'the lineage of the split piece');
    const codes = await s.execute(`return [...document.querySelectorAll('#plan-lineage-codes button')].map((b) => b.dataset.code);`);
    assert.ok(codes.includes(g.code), 'expected the split grid in the lineage');
    for (const c of pieces) assert.ok(codes.includes(c), `expected piece ${c} in the lineage`);
    const links = await s.execute(`return [...document.querySelectorAll('#plan-lineage li')].map((li) => li.textContent);`);
    assert.ok(links.some((t) => t.startsWith(`${g.code} → ${pieces[0]}`)), `expected the split link; got ${JSON.stringify(links)}`);
    // The list names operations in the UI's language; the key is in data-operation.
    const ops = await s.execute(`return [...document.querySelectorAll('#plan-grid-edits li b')].map((b) => b.dataset.operation);`);
    assert.ok(ops.includes('split'), `expected the split edit listed; got ${JSON.stringify(ops)}`);
    assert.ok(ops.includes('merge'), `expected the merge edit listed; got ${JSON.stringify(ops)}`);
    await s.click('#plan-grid-edits li:first-child');
    await planIdle();
    await waitFor(s, `!!document.body.dataset.planVersions`, 'the edit\u2019s outlines on the map');
    await waitIdle(s);
    await shot(s, 'p14-grid-history');
  } finally {
    await s.execute(`window.__griddesk.view.map.getSource('plan-versions')?.setData({ type: 'FeatureCollection', features: [] });`);
    await restore(since);
  }
});

/** The calendar day before a `YYYY-MM-DD…` date (no clock involved). */
function dayBefore(date) {
  const d = new Date(`${date.slice(0, 10)}T12:00:00Z`);
  return new Date(d.getTime() - 86400000).toISOString().slice(0, 10);
}

test('grids as of the day before a split show the split grid again, and today comes back', async () => {
  const since = await mark();
  try {
    await plainColours();
    const g = await pickGrid();
    const split = await applied({ op: 'split', grid: g.code, line: verticalLine(g) });
    const pieces = split.effect.created;
    // The day before the edit's own date: the grid was in force then, the pieces were not.
    const day = dayBefore(split.at);
    await openSection('plan-grid-history');
    await s.execute(`const i = document.getElementById('plan-asof-date'); i.value = arguments[0]; i.dispatchEvent(new Event('change'));`, day);
    await s.click('#plan-asof-show');
    await planIdle();
    await waitFor(s, `document.getElementById('plan-asof-banner') !== null`, 'the as-of banner');
    const asOf = await s.evaluate(`return await window.__planning.api.gridsAsOf(arguments[0]);`, day);
    const old = asOf.grids.features.find((f) => f.properties.code === g.code);
    assert.ok(old, `expected the split (now retired) grid among the grids of ${day}`);
    assert.equal(old.properties.current, false, 'expected it marked as gone today');
    assert.ok(!asOf.grids.features.some((f) => pieces.includes(f.properties.code)), `the pieces did not exist on ${day}`);
    await focus(g.bbox);
    const drawn = await s.execute(`return window.__griddesk.view.map.querySourceFeatures('plan-asof').some((f) => f.properties.code === arguments[0]);`, g.code);
    assert.ok(drawn, 'expected the retired grid drawn in the as-of overlay');
    // Inside the retired grid: orange with the overlay, not without.
    const amber = (r, gg, b) => r > 230 && gg > 160 && gg < 200 && b < 110;
    const poly = await pixelRing(g.ring);
    const on = countInside(await shot(s, 'p15-as-of-day-before'), poly, 4, amber);
    await visible(['plan-asof-fill'], false);
    const off = countInside(await shot(s, 'p15-as-of-day-before-hidden'), poly, 4, amber);
    await visible(['plan-asof-fill'], true);
    assert.ok(on.fraction > 0.6 && off.fraction < 0.05, `expected the grid gone today filled orange (${on.hits} of ${on.total} px with the overlay, ${off.hits} without)`);
    await s.click('#plan-asof-today');
    await planIdle();
    assert.equal(await s.execute(`return document.getElementById('plan-asof-banner');`), null, 'expected the banner gone');
    const left = await s.execute(`return window.__griddesk.view.map.getSource('plan-asof').serialize().data.features.length;`);
    assert.equal(left, 0, 'expected the as-of overlay cleared');
  } finally {
    await restore(since);
  }
});

test('a person\u2019s zones are listed and their grids highlighted', async () => {
  await openSection('plan-people');
  await waitFor(s, `document.querySelectorAll('#plan-people-list li').length > 0`, 'the list of people');
  const duty = await s.evaluate(`return await window.__planning.api.zonesInLayer('duty');`);
  const zone = duty.find((z) => z.people.some((p) => p.id));
  assert.ok(zone, 'expected a duty grid with a person');
  const person = zone.people.find((p) => p.id);
  const phone = await s.text(`#plan-people-list li[data-person="${person.id}"]`);
  assert.ok(phone.includes(person.role_zh), `expected the role in "${phone}"`);
  if (person.phone) assert.ok(phone.includes(person.phone), `expected the phone in "${phone}"`);
  await s.click(`#plan-people-list li[data-person="${person.id}"]`);
  await planIdle();
  await waitFor(s, `document.querySelectorAll('#plan-person-zones li[data-zone]').length > 0`, 'the person\u2019s zones');
  const listed = await s.execute(`return [...document.querySelectorAll('#plan-person-zones li[data-zone]')].map((li) => li.dataset.layer + '/' + li.dataset.zone);`);
  assert.ok(listed.includes(`duty/${zone.code}`), `expected duty grid ${zone.code} among ${JSON.stringify(listed)}`);
  const pz = await s.evaluate(`return await window.__planning.api.personZones(arguments[0]);`, person.id);
  assert.equal(listed.length, pz.zones.length, 'expected one line per zone');
  const filter = await s.execute(`return window.__griddesk.view.map.getFilter('plan-person-fill');`);
  const highlighted = filter[2][1];
  for (const z of pz.zones) for (const g of z.member_grids) assert.ok(highlighted.includes(g), `expected grid ${g} highlighted`);
  await waitIdle(s);
  await shot(s, 'p16-person-zones');
  await s.execute(`for (const id of ['plan-person-fill', 'plan-person-line']) window.__griddesk.view.map.setFilter(id, ['in', ['get', 'code'], ['literal', []]]);`);
});

test('an inspector\u2019s grid edit is refused through the window, and nothing is written', async () => {
  await s.execute(`document.getElementById('settings').hidden = false; document.getElementById('sign-out').click();`);
  await waitFor(s, `!!document.querySelector('#signin form')`, 'the sign-in overlay');
  await s.type('#signin-login', 'inspector');
  await s.type('#signin-password', 'inspector@2026');
  await s.click('#signin-submit');
  await waitFor(s, `document.body.dataset.signedIn === 'inspector'`, 'to be signed in as the inspector');
  await s.execute(`document.getElementById('settings').hidden = true;`);
  const since = await mark();
  const g = await pickGrid();
  await focus(g.bbox);
  await keys(['s']);
  await clickLonLat(g.centroid);
  await panelShows(g.code);
  await focus(g.bbox);
  await keys(['l']);
  for (const p of verticalLine(g)) await clickLonLat(p);
  await keys(['\uE007']);
  await planIdle();
  await waitFor(s, `document.querySelector('#plan-message.error') !== null`, 'the refusal message');
  const msg = await s.text('#plan-message');
  assert.match(msg, /无权编辑|Not permitted/, `expected the refusal in words, the pane said "${msg}"`);
  assert.equal(await mark(), since, 'expected no edit written for the inspector');
  assert.equal((await info(g.code)).end_date, null, 'expected the grid untouched');
  assert.deepEqual(await selected(), [g.code], 'expected the selection unchanged');
  await shot(s, 'p17-inspector-refused');
  await keys(['\uE00C']);
});
