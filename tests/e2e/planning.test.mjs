// End-to-end tests of the planning workspace: split, merge, a refused overlapping grid, undo/redo
// by keyboard, assigning grids to a duty grid (coloured), and "who is responsible here". The map
// is driven with real mouse and keyboard actions; the engine's state is checked through the
// planning commands. Screenshots: artifacts/e2e/p<nn>-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Driver, shot, waitFor, waitIdle } from './lib/harness.mjs';
import { countPixels } from './lib/png.mjs';

let driver;
let s;
let target; // GridInfo of the grid the tests edit
let pieces; // the two grids the split made

before(async () => {
  driver = await new Driver().start();
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

async function clickLonLat(lonlat) {
  const [x, y] = await px(lonlat);
  await s.moveTo(x, y);
  await planIdle();
  await s.clickAt(x, y);
  await planIdle();
}

test('the planning workspace opens beside the map', async () => {
  // Grid edits are recorded under the signed-in planner (other roles are refused).
  s = await driver.launch({ signIn: { login: 'planner', password: 'planner@2026' } });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  await waitIdle(s, 60000);
  assert.ok(await s.signedIn, 'expected the demo planner to sign in');
  await s.execute(`window.__griddesk.selectWorkspace('planning');`);
  await waitFor(s, `document.body.dataset.workspace === 'planning' && !!document.getElementById('plan-tool-split')`, 'the planning pane with its toolbar');
  // A grid in the middle of the view, zoomed so that it fills a good part of the map.
  const code = await s.execute(`const m = window.__griddesk.view.map; const c = m.getCanvas();
    const f = m.queryRenderedFeatures([c.clientWidth / 2, c.clientHeight / 2], { layers: ['grids-fill'] });
    return f[0]?.properties.code ?? null;`);
  assert.ok(code, 'expected a unit grid drawn at the centre of the first view');
  target = await info(code);
  await s.execute(`window.__griddesk.view.map.fitBounds([[arguments[0][0], arguments[0][1]], [arguments[0][2], arguments[0][3]]], { padding: 160, duration: 0 });`, target.bbox);
  await waitIdle(s);
  await waitFor(s, `document.getElementById('plan-history').textContent.length > 0`, 'the history list');
  await shot(s, 'p01-planning-pane');
});

test('splitting a grid along a drawn, snapped line', async () => {
  const [w, south, e, north] = target.bbox;
  const h = north - south;
  await keys(['l']);
  await waitFor(s, `document.body.dataset.planTool === 'split'`, 'the split tool after pressing L');
  const x = target.centroid[0];
  let before = await lastEdit();
  await clickLonLat([x, south - 0.25 * h]);
  await clickLonLat([x, north + 0.25 * h]);
  // The tolerance circle follows the cursor.
  const ring = await s.execute(`return window.__griddesk.view.map.getPaintProperty('plan-cursor-ring', 'circle-radius');`);
  assert.equal(ring, 12, 'expected the snap tolerance circle drawn with the 12 px tolerance');
  await shot(s, 'p02-split-line-drawn');
  await keys(['\uE007']);
  await planIdle();
  let edit = await lastEdit();
  if (!edit || edit.id === before?.id) {
    // A non-convex grid: try across instead.
    const msg = await s.text('#plan-message');
    await keys(['\uE00C']);
    before = edit;
    const y = target.centroid[1];
    const wd = e - w;
    await clickLonLat([w - 0.25 * wd, y]);
    await clickLonLat([e + 0.25 * wd, y]);
    await keys(['\uE007']);
    await planIdle();
    edit = await lastEdit();
    assert.ok(edit && edit.id !== before?.id, `expected a split edit; the pane said: ${msg}`);
  }
  assert.equal(edit.operation, 'split');
  assert.deepEqual(edit.effect.retired, [target.code], 'expected the split grid retired');
  assert.equal(edit.effect.created.length, 2, 'expected two new grids');
  pieces = edit.effect.created;
  const old = await info(target.code);
  assert.ok(old.end_date, 'expected the old grid to carry an end date');
  await waitIdle(s);
  await shot(s, 'p03-split-done');
  const url = await s.execute(`return document.body.dataset.planTiles + ' (last map error: ' + document.body.dataset.lastMapError + ')';`);
  await waitFor(s, `window.__griddesk.view.map.querySourceFeatures('gd', { sourceLayer: 'grids' }).some((f) => f.id === CODE || f.properties.code === CODE)`.replaceAll('CODE', JSON.stringify(pieces[0])), `the new grid in the tiles reloaded from ${url}`);
});

test('merging the two pieces back (select, add to selection, M)', async () => {
  await keys(['s']);
  const a = await info(pieces[0]);
  const b = await info(pieces[1]);
  const [ax, ay] = await px(a.centroid);
  const [bx, by] = await px(b.centroid);
  await s.clickAt(ax, ay);
  await planIdle();
  // WebKitWebDriver does not pass Shift to mouse events: use the pane's add-to-selection box.
  await s.click('#plan-multi');
  await s.clickAt(bx, by);
  await planIdle();
  const sel = await s.execute(`return window.__planning.state.selected;`);
  assert.deepEqual([...sel].sort(), [...pieces].sort(), 'expected both pieces selected after two clicks with add-to-selection on');
  await shot(s, 'p04-two-selected');
  await s.click('#plan-multi');
  await keys(['m']);
  await planIdle();
  const edit = await lastEdit();
  assert.equal(edit.operation, 'merge', `expected a merge; the pane said: ${await s.text('#plan-message')}`);
  assert.deepEqual([...edit.effect.retired].sort(), [...pieces].sort());
  assert.equal(edit.effect.created.length, 1);
  await waitIdle(s);
  await shot(s, 'p05-merged');
});

test('undo and redo with Ctrl+Z / Ctrl+Y', async () => {
  const merged = (await lastEdit()).effect.created[0];
  await keys(['\uE009', 'z']);
  await planIdle();
  let log = await s.evaluate(`return await window.__planning.api.log(2);`);
  assert.equal(log[0].state, 'undone', 'expected the merge undone after Ctrl+Z');
  await assert.rejects(info(merged), /not found/, 'expected the merged grid gone after undo');
  assert.equal((await info(pieces[0])).end_date, null, 'expected the pieces back after undo');
  await waitFor(s, `document.querySelector('#plan-history li[data-state="undone"]') !== null`, 'the undone edit in the history list');
  await waitIdle(s);
  await shot(s, 'p06-undone');
  await keys(['\uE009', 'y']);
  await planIdle();
  log = await s.evaluate(`return await window.__planning.api.log(2);`);
  assert.equal(log[0].state, 'applied', 'expected the merge applied again after Ctrl+Y');
  assert.equal((await info(merged)).end_date, null, 'expected the merged grid active after redo');
  await waitIdle(s);
});

test('a grid drawn over an existing one is refused, with the overlap in red', async () => {
  const before = await lastEdit();
  const merged = before.effect.created[0];
  const g = await info(merged);
  const [w, south, e, north] = g.bbox;
  const cx = (w + e) / 2;
  const cy = (south + north) / 2;
  const dx = (e - w) / 5;
  const dy = (north - south) / 5;
  await keys(['n']);
  await waitFor(s, `document.body.dataset.planTool === 'draw'`, 'the draw tool after pressing N');
  for (const p of [[cx - dx, cy - dy], [cx + dx, cy - dy], [cx + dx, cy + dy], [cx - dx, cy + dy]]) await clickLonLat(p);
  await keys(['\uE007']);
  await planIdle();
  await waitFor(s, `document.querySelector('#plan-message.error') !== null`, 'the refusal message');
  const msg = await s.text('#plan-message');
  const probs = await s.execute(`return [...document.querySelectorAll('#plan-problems li')].map((li) => li.dataset.rule);`);
  assert.ok(probs.includes('overlap'), `expected an overlap problem listed; got ${JSON.stringify(probs)} (${msg})`);
  const after = await lastEdit();
  assert.equal(after.id, before.id, 'expected no edit written for a refused grid');
  const red = await s.execute(`return window.__planning.state.problems.length;`);
  await waitIdle(s);
  const img = await shot(s, 'p07-refused-overlap');
  const reds = countPixels(img, { x: 0, y: 0, width: img.width, height: img.height }, (r, g, b) => r > 200 && g < 90 && b < 90).hits;
  assert.ok(reds > 200, `expected the overlap drawn in red on the map (found ${reds} red pixels, ${red} problem features)`);
  await keys(['\uE00C']);
});

test('assigning the selected grid to another duty grid colours it', async () => {
  await keys(['s']);
  const merged = (await lastEdit()).effect.created[0];
  const g = await info(merged);
  const [x, y] = await px(g.centroid);
  await s.clickAt(x, y);
  await planIdle();
  await s.execute(`const sel = document.getElementById('plan-layer'); sel.value = 'duty'; sel.dispatchEvent(new Event('change'));`);
  await planIdle();
  await waitFor(s, `document.querySelectorAll('#plan-zone option').length > 1`, 'the duty grids of the duty layer');
  const c0 = await s.evaluate(`return await window.__planning.api.zoneColours('duty');`);
  const i0 = c0.codes.indexOf(merged);
  const current = c0.zone[i0] >= 0 ? c0.zones[c0.zone[i0]] : null;
  const other = await s.execute(`return [...document.querySelectorAll('#plan-zone option')].map((o) => o.value).find((v) => v !== arguments[0]);`, current);
  await s.execute(`document.getElementById('plan-zone').value = arguments[0];`, other);
  await s.click('#plan-assign');
  await planIdle();
  const c1 = await s.evaluate(`return await window.__planning.api.zoneColours('duty');`);
  const i1 = c1.codes.indexOf(merged);
  assert.equal(c1.zones[c1.zone[i1]], other, `expected grid ${merged} in duty grid ${other} (was ${current})`);
  const stateCi = await s.execute(`return window.__griddesk.view.map.getFeatureState({ source: 'gd', sourceLayer: 'grids', id: arguments[0] }).pzone;`, merged);
  assert.equal(stateCi, c1.ci[c1.zone[i1]], 'expected the grid coloured with its duty grid colour');
  await waitIdle(s);
  await shot(s, 'p08-duty-coloured');
});

test('who is responsible here lists every layer and nearby road chiefs', async () => {
  await keys(['w']);
  const merged = (await lastEdit()).effect.created[0];
  const g = await info(merged);
  await clickLonLat(g.centroid);
  await waitFor(s, `document.querySelectorAll('#plan-who li[data-layer]').length > 0`, 'the responsibility list');
  const layers = await s.evaluate(`return await window.__planning.api.zoneLayers();`);
  const shown = await s.execute(`return [...document.querySelectorAll('#plan-who li[data-layer]')].map((li) => li.dataset.layer);`);
  assert.deepEqual([...shown].sort(), layers.map((l) => l.code).sort(), 'expected one line per zone layer');
  const who = await s.evaluate(`return await window.__planning.api.whoIsHere(arguments[0][0], arguments[0][1]);`, g.centroid);
  assert.equal(who.grid?.code, merged, 'expected the clicked grid named');
  await sleep(100);
  await shot(s, 'p09-who-is-responsible');
});
