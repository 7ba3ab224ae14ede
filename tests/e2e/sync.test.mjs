// End-to-end test of the station ↔ centre sync through the real window (issue 12, docs/centre.md
// "Sync"): a throwaway PostgreSQL/PostGIS centre made by scripts/centre.sh holding two districts
// loaded from their stations' stores (the sample district 331003 and 331002 made by `griddesk
// setup new`). While everyone is offline, edits are made at both stations and at the centre: the
// same unit grid reshaped at station A and at the centre, a case closed at A while the centre sent
// it back to handling, a component's state changed on both sides, different fields of another
// component changed on each side (merged without asking), the same change on both sides (no
// conflict), and rows only one side changed. Station A's window, signed in as its administrator,
// syncs from the 同步 tab: the three conflicts are listed with their versions, one is shown on the
// map, and a person settles them — keep the centre's grid, keep the station's case, merge the
// component with a value typed by hand — then syncs again and the settled rows come down. Station
// B syncs from the command line. Afterwards every table of each station equals the centre's rows
// of its district (`griddesk centre verify`, row checksums) and the centre's audit log holds the
// three settlements under the administrator's login. Screenshots: artifacts/e2e/sync-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Driver, repo, shot, waitFor } from './lib/harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'griddesk-sync-'));
// The server runs as `postgres` when the tests run as root: it must reach the folder.
chmodSync(work, 0o755);
const griddesk = process.env.GRIDDESK_CLI ?? join(repo, 'target/debug/griddesk');
const pg = join(work, 'pg');
const stationA = join(work, 'huangyan.sqlite');
const stationB = join(work, 'jiaojiang.sqlite');
const ADMIN = { login: 'admin', password: 'admin@2026' };

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
const psql = (sql) => run('psql', [url, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql], `psql: ${sql}`).trim();

// Station-side SQL through Python's sqlite3 (a plain writer the sync sees as any other), with a
// helper that moves every point of a WKB polygon or multipolygon: a grid reshaped.
const PY = `
import json, sqlite3, struct, sys
db, script = sys.argv[1], json.loads(sys.argv[2])
def shift(b, dx, dy):
    out, i = bytearray(b), 0
    def geom():
        nonlocal i
        le = out[i] == 1; f = '<' if le else '>'; i += 1
        t = struct.unpack_from(f + 'I', out, i)[0] % 1000; i += 4
        if t == 3:
            (rings,) = struct.unpack_from(f + 'I', out, i); i += 4
            for _ in range(rings):
                (n,) = struct.unpack_from(f + 'I', out, i); i += 4
                for _ in range(n):
                    x, y = struct.unpack_from(f + 'dd', out, i)
                    struct.pack_into(f + 'dd', out, i, x + dx, y + dy); i += 16
        elif t == 6:
            (parts,) = struct.unpack_from(f + 'I', out, i); i += 4
            for _ in range(parts): geom()
        else:
            raise SystemExit('unexpected WKB type %d' % t)
    geom()
    return bytes(out)
c = sqlite3.connect(db)
c.create_function('shift', 3, shift)
rows = []
for sql in script:
    rows.append([list(r) for r in c.execute(sql).fetchall()])
c.commit()
print(json.dumps(rows, default=lambda b: b.hex()))
`;
const sqlite = (db, ...sql) => JSON.parse(run('python3', ['-c', PY, db, JSON.stringify(sql)], `sqlite: ${sql.join('; ')}`));

let driver;
let s;
// The rows the edits touch.
let gridReshaped; let gridSame; let caseId; let compBoth; let compMerge; let compCentre;

before(async () => {
  const port = await freePort();
  run(griddesk, ['init', stationA, '--sample', '--resources', join(repo, 'resources')], 'griddesk init --sample');
  run(griddesk, ['setup', 'new', stationB, '--district', '331002', '--admin-login', 'root', '--resources', join(repo, 'resources')],
    'griddesk setup new 331002', { GRIDDESK_PASSWORD: 'sync-test-2026' });
  run('bash', [join(repo, 'scripts/centre.sh'), 'init', pg, '--port', String(port), '--no-sample'], 'scripts/centre.sh init',
    { GRIDDESK_BIN: griddesk });
  url = run('bash', [join(repo, 'scripts/centre.sh'), 'url', pg], 'scripts/centre.sh url').trim();
  run(griddesk, ['centre', 'load', url, stationA], 'centre load 331003');
  run(griddesk, ['centre', 'load', url, stationB], 'centre load 331002');

  // Offline: edits at station A, station B and the centre.
  const [grids, cases, comps] = sqlite(stationA,
    "SELECT code FROM grid WHERE end_date IS NULL ORDER BY code LIMIT 2",
    "SELECT id FROM cases WHERE status NOT IN ('closed', 'cancelled') ORDER BY id LIMIT 1",
    'SELECT code FROM component ORDER BY code LIMIT 3');
  [[gridReshaped], [gridSame]] = grids;
  [[caseId]] = cases;
  [[compBoth], [compMerge], [compCentre]] = comps;
  sqlite(stationA,
    `UPDATE grid SET geom = shift(geom, 0.0000002, 0) WHERE code = '${gridReshaped}'`,
    `UPDATE grid SET name = '同改' WHERE code = '${gridSame}'`,
    `UPDATE cases SET status = 'closed' WHERE id = '${caseId}'`,
    `UPDATE component SET state = 'damaged' WHERE code = '${compBoth}'`,
    `UPDATE component SET owner = '站点权属' WHERE code = '${compMerge}'`);
  psql(`UPDATE grid SET geom = ST_Translate(geom, 0, 0.0000002) WHERE district = '331003' AND code = '${gridReshaped}';
    UPDATE grid SET name = '同改' WHERE district = '331003' AND code = '${gridSame}';
    UPDATE cases SET status = 'handling' WHERE district = '331003' AND id = '${caseId}';
    UPDATE component SET state = 'missing' WHERE district = '331003' AND code = '${compBoth}';
    UPDATE component SET maintainer = '中心养护' WHERE district = '331003' AND code = '${compMerge}';
    UPDATE component SET maintainer = '仅中心改' WHERE district = '331003' AND code = '${compCentre}';
    UPDATE district SET name = name WHERE code = '331002';`);
  sqlite(stationB, "UPDATE district SET name = name || '（B站改）'");

  driver = await new Driver().start();
  s = await driver.launch({ args: ['--db', stationA], signIn: ADMIN });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map of station A', 120000);
  assert.ok(await s.signedIn, `signed in as the administrator: ${s.signInFailure}`);
});

after(async () => {
  await driver?.stop();
  if (url) spawnSync('bash', [join(repo, 'scripts/centre.sh'), 'stop', pg], { encoding: 'utf8' });
});

const click = (sel) => s.execute(`document.querySelector(arguments[0]).click();`, sel);
const syncs = async () => Number(await s.execute(`return document.body.dataset.syncDone ?? 0;`));

async function syncNow() {
  const before = await syncs();
  await click('#sync-now');
  try {
    await waitFor(s, `Number(document.body.dataset.syncDone ?? 0) > ${before}`, 'the sync to end', 180000);
  } catch (e) {
    await shot(s, 'sync-stuck');
    const where = await s.execute(`return document.getElementById('sync-out')?.outerHTML ?? 'no #sync-out';`);
    throw new Error(`${e.message}; the pane shows: ${where}; app output: ${driver.output().slice(-3000)}`);
  }
  await waitFor(s, `document.getElementById('sync-conflicts')?.dataset.state === 'read' || !!document.getElementById('sync-error')`,
    'the conflicts read after the sync', 60000);
  const err = await s.execute(`return document.getElementById('sync-error')?.textContent ?? null;`);
  assert.equal(err, null, `the sync failed: ${err}`);
}

/** The conflicts listed: { table: [settled?] } and the number open. */
async function listed() {
  return s.execute(`const ul = document.getElementById('sync-conflicts');
    return { open: Number(ul.dataset.open ?? -1),
      rows: [...ul.querySelectorAll('li[data-id]')].map((li) => ({ id: li.dataset.id, table: li.dataset.table, settled: li.dataset.settled === '1' })) };`);
}

async function openConflict(table) {
  const { rows } = await listed();
  const row = rows.find((r) => r.table === table && !r.settled);
  assert.ok(row, `an open conflict of ${table} in ${JSON.stringify(rows)}`);
  await click(`#sync-conflicts li[data-id="${row.id}"]`);
  await waitFor(s, `!!document.getElementById('sync-detail-${row.id}')`, `the versions of conflict ${row.id}`);
  return row.id;
}

async function settled(id) {
  await waitFor(s, `document.querySelector('#sync-conflicts li[data-id="${id}"]')?.dataset.settled === '1'`, `conflict ${id} settled`, 30000);
}

test('the 同步 tab shows what waits to go up; a sync raises each kind of conflict, merges different fields and lists the conflicts', async () => {
  await click('#workspace-tabs button[data-workspace="sync"]');
  await waitFor(s, `document.getElementById('sync-facts')?.dataset.district === '331003'`, 'the sync status of district 331003');
  const waiting = await s.execute(`return [...document.querySelectorAll('#sync-waiting tr[data-table]')].map((tr) => tr.dataset.table);`);
  for (const t of ['grid', 'cases', 'component']) assert.ok(waiting.includes(t), `${t} waits to go up: ${waiting}`);
  // A centre nobody listens at: the failure is said in Chinese, and the status keeps it.
  const setUrl = (u) => s.execute(`const i = document.getElementById('sync-centre'); i.value = arguments[0]; i.dispatchEvent(new Event('input'));`, u);
  await setUrl('postgresql://nobody@127.0.0.1:1/griddesk');
  const before = await syncs();
  await click('#sync-now');
  await waitFor(s, `Number(document.body.dataset.syncDone ?? 0) > ${before} && !!document.getElementById('sync-error')`, 'the failed sync to be reported', 60000);
  const failed = await s.execute(`const e = document.getElementById('sync-error'); const l = document.getElementById('sync-last-error');
    return { code: e.dataset.errorDetail, text: e.textContent, last: l?.dataset.code ?? null, lastText: l?.textContent ?? '' };`);
  assert.ok(failed.code && failed.last === failed.code, JSON.stringify(failed));
  assert.match(failed.text, /[\u4e00-\u9fff]/, `said in Chinese: ${failed.text}`);
  assert.match(failed.lastText, /[\u4e00-\u9fff]/, `kept in Chinese: ${failed.lastText}`);
  await setUrl(url);
  await syncNow();
  const report = await s.execute(`const r = document.getElementById('sync-report');
    return { conflicts: Number(r.dataset.conflicts), sent: [...r.querySelectorAll('#sync-sent tr[data-table]')].map((tr) => [tr.dataset.table, [...tr.cells].map((c) => c.textContent)]) };`);
  assert.equal(report.conflicts, 3, `three conflicts: ${JSON.stringify(report)}`);
  const { open, rows } = await listed();
  assert.equal(open, 3, JSON.stringify(rows));
  assert.deepEqual(rows.map((r) => r.table).sort(), ['cases', 'component', 'grid']);
  // Different fields of one component merged without asking; the same change on both sides and
  // the centre-only edit are no conflicts; the centre-only edit came down.
  const [[owner, maintainer], [centreOnly]] = sqlite(stationA,
    `SELECT owner, maintainer FROM component WHERE code = '${compMerge}'`,
    `SELECT maintainer FROM component WHERE code = '${compCentre}'`).map((r) => r[0]);
  assert.deepEqual([owner, maintainer], ['站点权属', '中心养护']);
  assert.equal(centreOnly, '仅中心改');
  assert.equal(psql(`SELECT owner || '/' || maintainer FROM component WHERE district = '331003' AND code = '${compMerge}'`), '站点权属/中心养护');
  await shot(s, 'sync-conflicts');
});

test('a grid conflict is shown on the map and settled by keeping the centre version', async () => {
  const id = await openConflict('grid');
  const differing = await s.execute(`return [...document.querySelectorAll('#sync-versions-${id} tr.differs')].map((tr) => tr.dataset.column);`);
  assert.deepEqual(differing, ['geom'], 'only the geometry differs');
  await click('#sync-show-on-map');
  await waitFor(s, `document.body.dataset.syncShown === ${JSON.stringify(gridReshaped)}`, 'the grid shown on the map');
  await waitFor(s, `document.getElementById('grid-panel')?.dataset.code === ${JSON.stringify(gridReshaped)}`, 'the grid selected in its panel');
  await shot(s, 'sync-grid-on-map');
  await click('#sync-keep-centre');
  await settled(id);
});

test('a case closed at the station while the centre sent it back is settled by keeping the station version', async () => {
  const id = await openConflict('cases');
  const versions = await s.execute(`const tr = document.querySelector('#sync-versions-${id} tr[data-column="status"]');
    return [...tr.cells].map((c) => c.textContent);`);
  assert.deepEqual(versions.slice(1), [versions[1], 'closed', 'handling'], `base, station and centre status: ${versions}`);
  await click('#sync-keep-station');
  await settled(id);
});

test('a component edited on both sides is merged field by field with a value typed by hand', async () => {
  const id = await openConflict('component');
  await click('#sync-merge');
  await waitFor(s, `!!document.getElementById('sync-merge-form')`, 'the merge form');
  await s.execute(`const f = document.querySelector('#sync-merge-form fieldset[data-column="state"]');
    f.querySelector('input[type="radio"][value="own"]').checked = true;
    document.querySelector('#sync-merge-form input[name="merge-start"][value="station"]').checked = true;
    f.querySelector('input[name="merge-state-own"]').value = 'occupied';`);
  await shot(s, 'sync-merge');
  await click('#sync-merge-apply');
  await settled(id);
  const { open } = await listed();
  assert.equal(open, 0);
  const settledText = await s.execute(`return document.getElementById('sync-settled')?.textContent ?? '';`);
  assert.match(settledText, /admin/);
});

test('the next sync brings the settled rows down, and every table of both stations equals the centre', async () => {
  await syncNow();
  const [[state], [status]] = sqlite(stationA,
    `SELECT state FROM component WHERE code = '${compBoth}'`,
    `SELECT status FROM cases WHERE id = '${caseId}'`).map((r) => r[0]);
  assert.equal(state, 'occupied');
  assert.equal(status, 'closed');
  await shot(s, 'sync-after');
  run(griddesk, ['centre', 'verify', url, stationA], 'centre verify 331003 after the window synced');
  // Station B, synced from the command line, went up and is equal too.
  run(griddesk, ['centre', 'sync', url, stationB], 'centre sync 331002');
  assert.match(psql(`SELECT name FROM district WHERE code = '331002'`), /（B站改）$/);
  run(griddesk, ['centre', 'verify', url, stationB], 'centre verify 331002');
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE district = '331003' AND action = 'sync.settle' AND login = 'admin'`), '3');
  assert.equal(psql(`SELECT count(*) FROM sync_conflict WHERE district = '331003' AND settled_at IS NULL`), '0');
});
