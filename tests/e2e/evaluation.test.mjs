// End-to-end tests of the evaluation view (issue 6, SPEC §5) in the real window: open the
// evaluation, switch to the department table, see grades, drill a number down to its cases,
// export the table as XLSX; plus ISO date inputs and the heatmap over a zoomed-in view.
// Screenshots go to artifacts/e2e/3x-evaluation-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, stopApp, shot, waitFor, waitIdle } from './lib/harness.mjs';

const exportDir = mkdtempSync(join(tmpdir(), 'griddesk-eval-exports-'));
process.env.GRIDDESK_EXPORT_DIR = exportDir;

let app;
let s;

before(async () => {
  app = await startSignedIn(assert);
  s = app.session;
  await s.execute(`window.__griddesk.selectWorkspace('analytics');`);
  await waitFor(s, `Number(${pane}.dataset.refreshed ?? 0) > 0 && ${pane}.dataset.busy === '0'`, 'the analytics pane to load', 60000);
});

after(() => stopApp(app));

const pane = `document.querySelector('.workspace-pane[data-workspace="analytics"]')`;

async function setControl(id, value) {
  await s.execute(`const e = document.getElementById(arguments[0]); e.value = arguments[1];
    e.dispatchEvent(new Event('change'));`, id, value);
}

const loaded = (table) => `document.getElementById('ev-panel').dataset.busy === '0'
  && document.getElementById('ev-grid').dataset.table === ${JSON.stringify(table)}`;

test('the evaluation opens on the street table of the latest month', async () => {
  await s.click('#ev-open');
  await waitFor(s, loaded('street'), 'the street evaluation table', 60000);
  const months = await s.execute(`return [...document.querySelectorAll('#ev-period option')].map((o) => o.value);`);
  assert.ok(months.length >= 2 && months.every((m) => /^\d{4}-\d{2}$/.test(m)), `expected months YYYY-MM, got ${months}`);
  // The month before the last: complete, with its cases closed and due.
  await setControl('ev-period', months[1]);
  await waitFor(s, `${loaded('street')} && document.querySelector('#ev-info').textContent.includes(${JSON.stringify(months[1])})`, `the table of ${months[1]}`, 60000);
  const heads = await s.execute(`return [...document.querySelectorAll('#ev-grid th')].map((t) => t.textContent);`);
  for (const h of ['立案数', '应结案数', '结案数', '按期结案数', '结案率(%)', '按期结案率(%)', '监督举报率(%)', '返工数', '延期数', '挂账数', '综合指标值', '等级', '排名']) {
    assert.ok(heads.some((x) => x.startsWith(h)), `expected column ${h}, got ${heads.join(' | ')}`);
  }
  const rows = Number(await s.execute(`return document.getElementById('ev-grid').dataset.rows;`));
  assert.ok(rows > 0, 'expected street rows');
  await shot(s, '30-evaluation-streets');
});

let dept; // { code, filed }

test('the department table shows grades and every number drills down to its cases', async () => {
  await setControl('ev-table', 'department');
  await waitFor(s, loaded('department'), 'the department evaluation table', 60000);
  const rows = await s.execute(`return [...document.querySelectorAll('#ev-grid tbody tr')].map((tr) => ({
      code: tr.dataset.code,
      filed: Number(tr.querySelector('td[data-col="filed"]').textContent),
      closed: Number(tr.querySelector('td[data-col="closed"]').textContent),
      grade: tr.querySelector('td[data-col="grade"]').textContent,
      rank: tr.querySelector('td[data-col="rank"]').textContent,
    }));`);
  assert.ok(rows.length >= 2, `expected the sample's departments, got ${JSON.stringify(rows)}`);
  const graded = rows.filter((r) => /^[A-E]$/.test(r.grade));
  assert.ok(graded.length >= 1, `expected grades A–E, got ${rows.map((r) => r.grade).join(',')}`);
  const minSample = await s.execute(`return Number(document.getElementById('ev-min-sample').value);`);
  for (const r of rows) {
    if (r.filed < minSample) assert.equal(r.rank, '—', `expected no rank for ${r.code} with ${r.filed} < ${minSample} filed`);
    else assert.match(r.rank, /^\d+$/, `expected a rank for ${r.code} with ${r.filed} filed`);
  }
  dept = rows.reduce((a, b) => (b.filed > a.filed ? b : a));
  assert.ok(dept.filed > 0, 'expected a department with filed cases');
  await shot(s, '31-evaluation-departments');

  for (const [col, n] of [['filed', dept.filed], ['closed', dept.closed]]) {
    await s.click(`#ev-grid tbody tr[data-code="${dept.code}"] td[data-col="${col}"]`);
    await waitFor(s, `document.getElementById('ev-drill').dataset.key === ${JSON.stringify(`${dept.code}:${col}`)}`, `the drill-down of ${col}`, 30000);
    const d = await s.execute(`const d = document.getElementById('ev-drill');
      return { total: Number(d.dataset.total), listed: d.querySelectorAll('.an-ids li').length };`);
    assert.equal(d.total, n, `expected the ${col} drill-down to list the ${n} cases of the cell`);
    assert.equal(d.listed, Math.min(n, 500));
  }
  await shot(s, '32-evaluation-drilldown');
});

test('the evaluation table exports to XLSX with Chinese headers', async () => {
  await s.execute(`document.getElementById('an-export-msg').dataset.path = '';`);
  await s.click('button[data-ev-export="xlsx"]');
  const p = await waitFor(s, `document.getElementById('an-export-msg').dataset.path || (document.getElementById('an-status').dataset.error && 'error: ' + document.getElementById('an-status').textContent)`, 'the XLSX export', 60000);
  assert.ok(!p.startsWith('error:'), `expected the export to succeed, got ${p}`);
  assert.ok(p.startsWith(exportDir) && existsSync(p), `expected ${p} in ${exportDir}`);
  const bytes = readFileSync(p);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'expected a zip (XLSX)');
  const py = `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(z.read('xl/worksheets/sheet1.xml').decode() + (z.read('xl/sharedStrings.xml').decode() if 'xl/sharedStrings.xml' in z.namelist() else ''))`;
  const r = spawnSync('python3', ['-c', py, p], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const h of ['名称', '立案数', '按时处置率分值', '综合指标值', '等级', '排名', dept.code]) {
    assert.ok(r.stdout.includes(h), `expected ${h} in the sheet of ${p}`);
  }
  await s.execute(`document.getElementById('ev-close').click();`);
});

test('date filters are ISO text fields, and a zoomed-in heatmap covers the view', async () => {
  const f = await s.execute(`const e = document.getElementById('an-from'); return { type: e.type, ph: e.placeholder };`);
  assert.deepEqual(f, { type: 'text', ph: 'yyyy-mm-dd' });
  await setControl('an-from', '03/01/2026');
  await waitFor(s, `document.getElementById('an-from').hasAttribute('aria-invalid')`, 'a non-ISO date to be refused', 10000);
  await setControl('an-from', '');
  await waitFor(s, `${pane}.dataset.busy === '0'`, 'the pane idle', 30000);
  const li = await s.execute(`const li = document.querySelector('#an-hotspots li'); li.click(); return !!li;`);
  assert.ok(li);
  await waitFor(s, `!window.__griddesk.view.map.isMoving()`, 'the fly-to to end', 20000);
  await s.execute(`window.__griddesk.view.map.jumpTo({ zoom: 15.5 });`);
  // Redrawn (debounced) after the move ends: the raster's box is the view's.
  const sameBox = `(() => { const p = ${pane}; if (p.dataset.busy !== '0' || !p.dataset.heatBounds) return false;
    const b = window.__griddesk.view.map.getBounds(); const v = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    return p.dataset.heatBounds.split(',').map(Number).every((x, k) => Math.abs(x - v[k]) < 1e-4); })()`;
  await waitFor(s, sameBox, 'a heatmap over the zoomed-in view', 30000);
  const full = await s.execute(`const c = window.__griddesk.view.map.getSource('analytics-heat')?.coordinates; return c ?? null;`);
  assert.ok(full, 'expected the heat image source');
  await waitIdle(s);
  await shot(s, '33-evaluation-heatmap-zoomed');
});
