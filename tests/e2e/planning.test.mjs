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

// The planning panes: collapsible sections of the planning pane.
async function openSection(id) {
  await s.execute(`const d = document.getElementById(arguments[0]); d.open = true; d.scrollIntoView();`, id);
  await planIdle();
}

async function chooseCommunity(selectId, code) {
  await s.execute(`const sel = document.getElementById(arguments[0]); sel.value = arguments[1]; sel.dispatchEvent(new Event('change'));`, selectId, code);
}

function yesterday() {
  const d = new Date(Date.now() - 86400000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

test('the district check lists every problem, and a clicked one is drawn in red', async () => {
  // The sample district is clean: first the check says so.
  await keys(['s']);
  await openSection('plan-check');
  await s.click('#plan-check-run');
  await planIdle();
  await waitFor(s, `document.getElementById('plan-check-summary') !== null`, 'the district check summary');
  let report = await s.evaluate(`return await window.__planning.api.checkDistrict();`);
  assert.equal(report.problems.length, 0, `expected the sample district clean; got ${JSON.stringify(report.problems.slice(0, 3))}`);
  assert.equal(await s.execute(`return document.querySelectorAll('#plan-check-list li').length;`), 0);
  assert.match(await s.text('#plan-check-summary'), /未发现问题|No problems/);
  await shot(s, 'p10-district-check-clean');

  // Cutting a thin strip off the merged grid leaves a grid below the minimum area (a warning).
  const merged = (await lastEdit()).effect.created[0];
  const g = await info(merged);
  const [w, south, e, north] = g.bbox;
  await s.execute(`window.__griddesk.view.map.fitBounds([[arguments[0][0], arguments[0][1]], [arguments[0][2], arguments[0][3]]], { padding: 160, duration: 0 });`, g.bbox);
  await waitIdle(s);
  const y = north - 0.12 * (north - south);
  const before = await lastEdit();
  await keys(['l']);
  await clickLonLat([w - 0.25 * (e - w), y]);
  await clickLonLat([e + 0.25 * (e - w), y]);
  await keys(['\uE007']);
  await planIdle();
  const cut = await lastEdit();
  assert.ok(cut.id !== before.id && cut.operation === 'split', `expected the strip cut off; the pane said: ${await s.text('#plan-message')}`);
  await keys(['s']);
  await waitIdle(s);
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
  await s.execute(`window.__griddesk.view.map.jumpTo({ center: [arguments[0] + 0.02, arguments[1] + 0.02], zoom: 14 });`, w, north);
  await waitIdle(s);
  await s.click(`#plan-check-list li[data-index="${small}"]`);
  await planIdle();
  await sleep(800);
  await waitIdle(s);
  const shown = await s.execute(`return window.__planning.state.problems.map((p) => p.grids[0]);`);
  assert.deepEqual(shown, [report.problems[small].grids[0]], 'expected the clicked problem on the map');
  const inView = await s.execute(`const b = window.__griddesk.view.map.getBounds(); return b.contains(arguments[0]);`, g.centroid);
  assert.ok(inView, 'expected the map flown to the problem');
  const red = (img) => countPixels(img, { x: 0, y: 0, width: img.width, height: img.height }, (r, gg, bb) => r > 200 && gg < 60 && bb < 60).hits;
  const withOutline = red(await shot(s, 'p10-district-check-problem'));
  // The same view without the red outline (red case dots count in both).
  const filter = await s.execute(`const m = window.__griddesk.view.map; const f = m.getFilter('plan-problem-grids'); m.setFilter('plan-problem-grids', ['in', ['get', 'code'], ['literal', []]]); return f;`);
  await waitIdle(s);
  await sleep(300);
  const without = red(await shot(s, 'p10-district-check-problem-unmarked'));
  assert.deepEqual(filter[2][1], report.problems[small].grids, 'expected the problem grid in the red outline layer');
  assert.ok(withOutline - without > 150, `expected the problem grid outlined in red (${withOutline} red pixels with, ${without} without)`);
  // Undo the cut: the district is clean again.
  await keys(['\uE009', 'z']);
  await planIdle();
  assert.equal((await lastEdit()).state, 'undone');
  assert.equal((await info(merged)).end_date, null, 'expected the merged grid back');
  await waitIdle(s);
});

let proposalCommunity;
test('an auto-proposal is previewed dashed, accepted as one edit, and undone with Ctrl+Z', async () => {
  await keys(['\uE00C']);
  const log = await s.evaluate(`return await window.__planning.api.log(10);`);
  const merged = log.find((x) => x.operation === 'merge' && x.state === 'applied').effect.created[0];
  proposalCommunity = merged.slice(0, 12);
  await openSection('plan-proposal');
  await waitFor(s, `document.querySelectorAll('#plan-proposal-community option').length > 1`, 'the communities in the proposal pane');
  await chooseCommunity('plan-proposal-community', proposalCommunity);
  await s.execute(`const i = document.getElementById('plan-proposal-target'); i.value = '10000'; i.dispatchEvent(new Event('change'));`);
  const before = await lastEdit();
  await s.click('#plan-proposal-preview');
  await planIdle();
  await waitFor(s, `Number(document.body.dataset.planPreview) > 0`, 'the proposed grids drawn over the current ones', 120000);
  const n = Number(await s.execute(`return document.body.dataset.planPreview;`));
  const balance = await s.execute(`return [...document.querySelectorAll('#plan-proposal-balance tr[data-row]')].map((r) => r.dataset.row);`);
  assert.deepEqual(balance, ['grids', 'meanArea', 'areaCv', 'meanLoad', 'loadCv', 'maxLoad'], 'expected the balance table');
  const gridRows = await s.execute(`return document.querySelectorAll('#plan-proposal-grids tr').length - 1;`);
  assert.equal(gridRows, n, 'expected one row per proposed grid');
  assert.equal((await lastEdit()).id, before.id, 'a preview writes nothing');
  await waitIdle(s);
  await sleep(500);
  const img = await shot(s, 'p11-proposal-preview');
  const purple = countPixels(img, { x: 0, y: 0, width: img.width, height: img.height }, (r, g, b) => r > 80 && r < 140 && g < 60 && b > 120).hits;
  assert.ok(purple > 200, `expected the dashed proposal outlines on the map (found ${purple} purple pixels)`);
  await s.click('#plan-proposal-accept');
  await planIdle();
  const edit = await lastEdit();
  assert.notEqual(edit.id, before.id, `expected the proposal applied; the pane said: ${await s.text('#plan-message')}`);
  assert.equal(edit.effect.created.length, n, 'expected the proposed grids created');
  assert.ok(edit.effect.retired.includes(merged), 'expected the community\u2019s grids retired');
  assert.equal(await s.execute(`return document.body.dataset.planPreview;`), '', 'expected the preview cleared after accepting');
  await waitIdle(s);
  await shot(s, 'p12-proposal-accepted');
  await keys(['\uE009', 'z']);
  await planIdle();
  const undone = await lastEdit();
  assert.equal(undone.id, edit.id);
  assert.equal(undone.state, 'undone', 'expected the whole proposal undone by one Ctrl+Z');
  assert.equal((await info(merged)).end_date, null, 'expected the merged grid back after undo');
  await assert.rejects(info(edit.effect.created[0]), /not found/, 'expected the proposed grids gone after undo');
  await waitIdle(s);
});

test('a renumber preview lists old and new codes', async () => {
  await openSection('plan-renumber');
  await waitFor(s, `document.querySelectorAll('#plan-renumber-community option').length > 1`, 'the communities in the renumber pane');
  await chooseCommunity('plan-renumber-community', proposalCommunity);
  await s.click('#plan-renumber-preview');
  await planIdle();
  await waitFor(s, `document.getElementById('plan-renumber-summary') !== null`, 'the renumber preview');
  const p = await s.evaluate(`return await window.__planning.api.renumberPreview(arguments[0]);`, proposalCommunity);
  const rows = await s.execute(`return [...document.querySelectorAll('#plan-renumber-table tr[data-from]')].map((r) => [r.cells[0].textContent, r.cells[1].textContent]);`);
  assert.equal(rows.length, p.change.rename.length, `expected one row per renamed grid (${await s.text('#plan-renumber-summary')})`);
  for (const r of p.change.rename) assert.ok(rows.some(([a, b]) => a === r.from && b === r.to), `expected ${r.from} → ${r.to} listed`);
  // The merged grid took the next free number, so this community is out of order now.
  assert.ok(rows.length > 0, 'expected the merged grid\u2019s community to need renumbering');
  for (const [a, b] of rows) assert.equal(a.slice(0, 12), b.slice(0, 12), 'renumbering stays in the community');
  await waitIdle(s);
  await sleep(300);
  await shot(s, 'p13-renumber-preview');
  await s.execute(`window.__griddesk.view.map.getSource('plan-preview').setData({ type: 'FeatureCollection', features: [] });`);
});

test('the history of a grid made by the split shows its lineage and edits', async () => {
  await openSection('plan-grid-history');
  await s.execute(`const i = document.getElementById('plan-history-code'); i.value = arguments[0]; i.dispatchEvent(new Event('change'));`, pieces[0]);
  await s.click('#plan-history-load');
  await planIdle();
  await waitFor(s, `document.querySelectorAll('#plan-lineage li').length > 0`, 'the lineage of the split piece');
  const codes = await s.execute(`return [...document.querySelectorAll('#plan-lineage-codes button')].map((b) => b.dataset.code);`);
  assert.ok(codes.includes(target.code), 'expected the split grid in the lineage');
  for (const c of pieces) assert.ok(codes.includes(c), `expected piece ${c} in the lineage`);
  const links = await s.execute(`return [...document.querySelectorAll('#plan-lineage li')].map((li) => li.textContent);`);
  assert.ok(links.some((t) => t.startsWith(`${target.code} → ${pieces[0]}`)), `expected the split link; got ${JSON.stringify(links)}`);
  // The list names operations in the UI's language; the key is in data-operation.
  const ops = await s.execute(`return [...document.querySelectorAll('#plan-grid-edits li b')].map((b) => b.dataset.operation);`);
  assert.ok(ops.includes('split'), `expected the split edit listed; got ${JSON.stringify(ops)}`);
  assert.ok(ops.includes('merge'), `expected the merge edit listed; got ${JSON.stringify(ops)}`);
  await s.click('#plan-grid-edits li:first-child');
  await planIdle();
  await waitFor(s, `!!document.body.dataset.planVersions`, 'the edit\u2019s outlines on the map');
  await waitIdle(s);
  await sleep(600);
  await shot(s, 'p14-grid-history');
});

test('grids as of yesterday show the split grid again, and today comes back', async () => {
  await s.execute(`const i = document.getElementById('plan-asof-date'); i.value = arguments[0]; i.dispatchEvent(new Event('change'));`, yesterday());
  await s.click('#plan-asof-show');
  await planIdle();
  await waitFor(s, `document.getElementById('plan-asof-banner') !== null`, 'the as-of banner');
  const asOf = await s.evaluate(`return await window.__planning.api.gridsAsOf(arguments[0]);`, yesterday());
  const old = asOf.grids.features.find((f) => f.properties.code === target.code);
  assert.ok(old, 'expected the split (now retired) grid among yesterday\u2019s grids');
  assert.equal(old.properties.current, false, 'expected it marked as gone today');
  assert.ok(!asOf.grids.features.some((f) => pieces.includes(f.properties.code)), 'the pieces did not exist yesterday');
  await s.execute(`window.__griddesk.view.map.fitBounds([[arguments[0][0], arguments[0][1]], [arguments[0][2], arguments[0][3]]], { padding: 160, duration: 0 });`, target.bbox);
  await waitIdle(s);
  await sleep(600);
  const drawn = await s.execute(`return window.__griddesk.view.map.querySourceFeatures('plan-asof').some((f) => f.properties.code === arguments[0]);`, target.code);
  assert.ok(drawn, 'expected the retired grid drawn in the as-of overlay');
  const img = await shot(s, 'p15-as-of-yesterday');
  const orange = countPixels(img, { x: 0, y: 0, width: img.width, height: img.height }, (r, g, b) => r > 230 && g > 160 && g < 200 && b < 110).hits;
  assert.ok(orange > 500, `expected the grid gone today filled orange (found ${orange} pixels)`);
  await s.click('#plan-asof-today');
  await planIdle();
  assert.equal(await s.execute(`return document.getElementById('plan-asof-banner');`), null, 'expected the banner gone');
  const left = await s.execute(`return window.__griddesk.view.map.getSource('plan-asof').serialize().data.features.length;`);
  assert.equal(left, 0, 'expected the as-of overlay cleared');
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
  await sleep(600);
  await shot(s, 'p16-person-zones');
});
