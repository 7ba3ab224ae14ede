// End-to-end test of the city view (issue 12, docs/centre.md "The city view") in the real window:
// a throwaway PostgreSQL/PostGIS centre made by scripts/centre.sh holding two districts loaded
// from station stores (the sample district 331003, and 331002 made by `griddesk setup new`),
// the app opened with `--centre URL`: the district picker lists both, the statistics and the
// evaluation across districts show the station engine's own numbers, picking a district flies
// to it and filters the tables, the heatmap draws, the way back to the station store and
// File ▸ 打开市级中心… work, and a centre nobody listens at is named on the error screen.
// Screenshots: artifacts/e2e/city-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Driver, repo, shot, waitFor } from './lib/harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'griddesk-city-'));
// The server runs as `postgres` when the tests run as root: it must reach the folder.
chmodSync(work, 0o755);
const griddesk = process.env.GRIDDESK_CLI ?? join(repo, 'target/debug/griddesk');
const pg = join(work, 'pg');
const sample = join(work, 'sample.sqlite');
const second = join(work, 'jiaojiang.sqlite');

function run(cmd, args, what, env = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600000 });
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let url;
let expected; // the station engine's own figures of the sample district
let driver;
let s;

async function waitCityIdle(session, ms = 60000) {
  await session.evaluate(`const m = window.__griddesk.city.map; const ms = arguments[0];
    await new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error('the city map did not become idle within ' + ms + ' ms')), ms);
      m.once('idle', () => { clearTimeout(t); ok(); });
      m.triggerRepaint();
    });`, ms);
}

const tablesLoaded = `document.getElementById('city-stats')?.dataset.busy === '0'
  && document.getElementById('city-evaluation')?.dataset.busy === '0'`;

/** The rows of a city table as { code: { col: text } }. */
async function table(id) {
  return s.execute(`const out = {};
    for (const tr of document.querySelectorAll('#' + arguments[0] + ' tbody tr')) {
      const row = {};
      for (const td of tr.querySelectorAll('td[data-col]')) row[td.dataset.col] = td.textContent;
      out[tr.dataset.code] = row;
    }
    return out;`, id);
}

before(async () => {
  const port = await freePort();
  run(griddesk, ['init', sample, '--sample', '--resources', join(repo, 'resources')], 'griddesk init --sample');
  run(griddesk, ['setup', 'new', second, '--district', '331002', '--admin-login', 'root', '--resources', join(repo, 'resources')],
    'griddesk setup new 331002', { GRIDDESK_PASSWORD: 'city-test-2026' });
  run('bash', [join(repo, 'scripts/centre.sh'), 'init', pg, '--port', String(port), '--no-sample'], 'scripts/centre.sh init',
    { GRIDDESK_BIN: griddesk });
  url = run('bash', [join(repo, 'scripts/centre.sh'), 'url', pg], 'scripts/centre.sh url').trim();
  run(griddesk, ['centre', 'load', url, sample], 'centre load 331003');
  run(griddesk, ['centre', 'load', url, second], 'centre load 331002');
  const stats = JSON.parse(run(griddesk, ['stats', sample, '--json'], 'griddesk stats'));
  expected = stats.overview;
  driver = await new Driver().start();
  s = await driver.launch({ args: ['--centre', url, '--db', sample], signIn: null });
});

after(async () => {
  await driver?.stop();
  spawnSync('bash', [join(repo, 'scripts/centre.sh'), 'stop', pg], { timeout: 60000 });
});

test('the app opened with --centre shows the whole city with a district picker', async () => {
  await waitFor(s, `document.body.dataset.screen === 'city' && ${tablesLoaded}`, 'the city view with its tables', 240000);
  const options = await s.execute(`return [...document.querySelectorAll('#city-district option')].map((o) => [o.value, o.textContent]);`);
  assert.deepEqual(options.map((o) => o[0]), ['', '331002', '331003']);
  assert.equal(options[0][1], '全市');
  assert.match(options[2][1], /黄岩区 331003/);
  const note = await s.execute(`return document.getElementById('city-read-only-note').textContent;`);
  assert.match(note, /只供查看/);
  // No editing control anywhere in the city view.
  const editing = await s.execute(`return document.querySelectorAll('#city-screen input[type=text], #city-screen textarea, #city-screen [contenteditable]').length;`);
  assert.equal(editing, 0);
  await waitCityIdle(s);
  const grids = await s.execute(`return window.__griddesk.city.map.queryRenderedFeatures({ layers: ['grids-fill'] }).length;`);
  const mapError = await s.execute(`return document.body.dataset.lastMapError ?? '';`);
  assert.equal(mapError, '', `the map reported: ${mapError}`);
  await shot(s, 'city-01-whole-city');
  // The whole city opens zoomed out over both districts; the grids draw from z13 (the station's rule).
  const zoom = await s.execute(`return window.__griddesk.city.map.getZoom();`);
  assert.ok(zoom < 13 || grids > 0, `zoom ${zoom}, grids drawn ${grids}`);
});

test('the statistics per district are the station engine\'s, the city row their sum', async () => {
  const rows = await table('city-stats');
  assert.deepEqual(Object.keys(rows).sort(), ['', '331002', '331003']);
  const h = rows['331003'];
  assert.equal(Number(h.cases), expected.cases, `cases ${JSON.stringify(h)} vs ${JSON.stringify(expected)}`);
  assert.equal(Number(h.open), expected.open_cases);
  assert.equal(Number(h.grids), expected.grids);
  assert.equal(Number(h.components), expected.components);
  assert.ok(Number(h.overdue) > 0, 'the sample has overdue cases');
  const j = rows['331002'];
  assert.equal(Number(j.cases), 0);
  for (const col of ['grids', 'components', 'cases', 'open', 'closed', 'overdue']) {
    assert.equal(Number(rows[''][col]), Number(h[col]) + Number(j[col]), `city ${col}`);
  }
});

test('the evaluation across districts shows each district\'s own evaluation row', async () => {
  const months = await s.execute(`return [...document.querySelectorAll('#city-month option')].map((o) => o.value);`);
  assert.ok(months.length >= 2, `months ${months}`);
  const month = months[1];
  await s.execute(`const e = document.getElementById('city-month'); e.value = arguments[0]; e.dispatchEvent(new Event('change'));`, month);
  await waitFor(s, `${tablesLoaded} && document.getElementById('city-evaluation').dataset.period === ${JSON.stringify(month)}`, `the evaluation of ${month}`, 120000);
  const out = join(work, 'evaluation.json');
  run(griddesk, ['analytics', 'evaluate', '--db', sample, '--month', month, '--out', out], 'griddesk analytics evaluate');
  const ev = JSON.parse(readFileSync(out, 'utf8'));
  const own = ev.tables.find((t) => t.kind === 'district');
  assert.ok(own, `no district table in ${Object.keys(ev)}`);
  const ownRow = own.rows[0];
  const rows = await table('city-evaluation');
  assert.deepEqual(Object.keys(rows).sort(), ['331002', '331003']);
  const heads = await s.execute(`return [...document.querySelectorAll('#city-evaluation th[data-col]')].map((t) => [t.dataset.col, t.textContent]);`);
  const keys = heads.map((x) => x[0]);
  assert.equal(new Set(keys).size, keys.length, `column keys are unique: ${keys}`);
  const labels = heads.map((x) => x[1]);
  for (const h of ['立案数', '结案数', '按期结案数', '结案率(%)', '按期结案率(%)']) {
    assert.ok(labels.includes(h), `expected column ${h}, got ${labels.join(' | ')}`);
  }
  own.counts.forEach((indicator, k) => {
    assert.ok(keys.includes(`count:${indicator}`), `column ${indicator}`);
    assert.equal(Number(rows['331003'][`count:${indicator}`]), ownRow.counts[k], `${indicator}`);
  });
  own.rates.forEach((rate, k) => {
    const v = ownRow.rates[k];
    assert.equal(rows['331003'][`rate:${rate.key}`], v === null ? '—' : v.toFixed(2), `${rate.key}`);
  });
  assert.ok(ownRow.counts[0] > 0, 'the sample files cases that month');
});

test('picking a district flies to it and filters the tables; the heatmap draws its cases', async () => {
  await s.execute(`const e = document.getElementById('city-district'); e.value = '331003'; e.dispatchEvent(new Event('change'));`);
  await waitFor(s, `document.querySelectorAll('#city-stats tbody tr').length === 1 && document.querySelectorAll('#city-evaluation tbody tr').length === 1`, 'the tables filtered to 331003');
  const code = await s.execute(`return document.querySelector('#city-stats tbody tr').dataset.code;`);
  assert.equal(code, '331003');
  await waitCityIdle(s);
  const drawn = await s.execute(`return window.__griddesk.city.map.queryRenderedFeatures({ layers: ['grids-fill'] }).length;`);
  await shot(s, 'city-02-district');
  const zoom = await s.execute(`return window.__griddesk.city.map.getZoom();`);
  assert.ok(zoom > 10, `zoom ${zoom} after picking the district`);
  assert.ok(drawn >= 0);
  await s.execute(`const e = document.getElementById('city-heat'); e.checked = true; e.dispatchEvent(new Event('change'));`);
  await waitFor(s, `document.getElementById('city-heat').dataset.busy === '0' && document.getElementById('city-heat-legend').dataset.cases`, 'the heatmap', 120000);
  const cases = Number(await s.execute(`return document.getElementById('city-heat-legend').dataset.cases;`));
  assert.equal(cases, expected.cases);
  await waitCityIdle(s);
  const heatLayer = await s.execute(`return Boolean(window.__griddesk.city.map.getLayer('city-heat'));`);
  assert.ok(heatLayer);
  await shot(s, 'city-03-heatmap');
  // The other district: no grids of its own yet, the map goes to its outline.
  await s.execute(`const e = document.getElementById('city-district'); e.value = '331002'; e.dispatchEvent(new Event('change'));`);
  await waitFor(s, `document.querySelector('#city-stats tbody tr')?.dataset.code === '331002' && document.getElementById('city-heat').dataset.busy === '0'`, 'the tables of 331002');
});

test('English, the way back to the station store, and File ▸ Open centre…', async () => {
  await s.execute(`window.__griddesk.setLang('en');`);
  await waitFor(s, `document.getElementById('city-back').textContent === 'Back to the station store'`, 'the English city view');
  await s.execute(`const e = document.getElementById('city-district'); e.value = ''; e.dispatchEvent(new Event('change'));`);
  await waitFor(s, `document.querySelectorAll('#city-stats tbody tr').length === 3
    && document.getElementById('city-heat-legend').dataset.district === ''
    && document.getElementById('city-heat').dataset.busy === '0'`, 'the whole city again with its heatmap', 120000);
  const legend = await s.execute(`return document.getElementById('city-heat-legend').textContent;`);
  assert.match(legend, new RegExp(`Peak case density .* \\(${expected.cases} cases\\)`));
  await waitCityIdle(s);
  await shot(s, 'city-04-english');
  await s.execute(`window.__griddesk.setLang('zh');`);
  await s.click('#city-back');
  await waitFor(s, `['map', 'error'].includes(document.body.dataset.screen)`, 'the station map after leaving the city view', 120000)
    .catch(async (e) => { await shot(s, 'city-05-failed'); throw e; });
  const screen = await s.execute(`return document.body.dataset.screen + ' ' + (document.body.dataset.errorCode ?? '');`);
  assert.equal(screen.trim(), 'map', `the station's store after the city view: ${screen}`);
  await shot(s, 'city-05-back-to-station');
  // File ▸ 打开市级中心…: first a centre nobody listens at, named; then the real one.
  await s.execute(`window.__griddesk.openCentreDialog();`);
  await s.execute(`document.getElementById('city-url').value = 'postgresql://postgres:secret@127.0.0.1:1/griddesk?connect_timeout=3';
    document.getElementById('city-open-ok').click();`);
  await waitFor(s, `document.getElementById('city-open-status').dataset.message === 'centre-unreachable'`, 'the unreachable centre named', 60000);
  const said = await s.execute(`return document.getElementById('city-open-status').textContent;`);
  assert.match(said, /127\.0\.0\.1:1\/griddesk/);
  assert.doesNotMatch(said, /secret/);
  const onTop = await s.execute(`const r = document.getElementById('city-url').getBoundingClientRect();
    return document.elementFromPoint(r.left + 5, r.top + 5)?.id ?? '';`);
  assert.equal(onTop, 'city-url', 'the centre dialog is above everything else');
  await shot(s, 'city-06-unreachable');
  await s.execute(`document.getElementById('city-url').value = arguments[0]; document.getElementById('city-open-ok').click();`, url);
  await waitFor(s, `document.body.dataset.screen === 'city' && ${tablesLoaded}`, 'the city view opened from the menu dialog', 240000);
});

test('a centre named at launch that cannot be reached is said on the error screen', async () => {
  // One window at a time: the station store is the same file.
  await s.delete();
  const s2 = await driver.launch({ args: ['--centre', 'postgresql://postgres@127.0.0.1:1/griddesk?connect_timeout=3', '--db', sample], signIn: null });
  await waitFor(s2, `document.body.dataset.screen === 'city-error'`, 'the city error screen', 120000);
  const code = await s2.execute(`return document.body.dataset.cityError;`);
  assert.equal(code, 'centre-unreachable');
  const text = await s2.execute(`return document.getElementById('city-error-message').textContent;`);
  assert.match(text, /无法连接市级中心/);
  await s2.evaluate(`await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));`);
  await shot(s2, 'city-07-launch-unreachable');
  await s2.click('#city-back');
  await waitFor(s2, `document.body.dataset.screen === 'map'`, 'the station map', 120000);
  await s2.delete();
});
