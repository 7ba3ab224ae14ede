// Measures what issues 3 and 17 ask for, through the real window (not part of the test suite):
//   * launch-to-grids: process start → first frame with unit grids drawn (existing store);
//   * first start: the same with no store yet (the window creates and seeds the sample district
//     in the user's data folder first), `--first-starts N` times, each on a fresh folder;
//   * tile service time while panning at z15: count, p50, p95, p99, max (ms, from the shell).
//
//   xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/perf.mjs --db STORE [--steps 60] [--launches 3]
//     [--first-starts 0]
// Use a release build (GRIDDESK_APP=target/release/griddesk-app) for numbers worth reporting.
import { parseArgs } from 'node:util';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Driver, artifacts, shot, waitFor, waitIdle } from './lib/harness.mjs';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    steps: { type: 'string', default: '60' },
    launches: { type: 'string', default: '3' },
    'first-starts': { type: 'string', default: '0' },
    zoom: { type: 'string', default: '15' },
  },
});
if (!values.db) {
  console.error('usage: node tests/e2e/perf.mjs --db STORE [--steps N] [--launches N] [--first-starts N] [--zoom Z]');
  process.exit(2);
}

const driver = await new Driver().start();
const result = { app: process.env.GRIDDESK_APP ?? 'target/debug/griddesk-app', db: values.db, launch_to_grids_ms: [] };
let s;
try {
  for (let i = 0; i < Number(values.launches); i++) {
    if (s) await s.delete();
    s = await driver.launch({ args: ['--db', values.db] });
    await waitFor(s, `Number(document.body.dataset.firstGridsMs) > 0`, 'grids drawn', 120000);
    result.launch_to_grids_ms.push(Number(await s.execute(`return document.body.dataset.firstGridsMs;`)));
    // Where the time went: process start → page start, then the page's own marks.
    const phases = await s.execute(`const b = document.body.dataset;
      const marks = {};
      Object.assign(marks, window.__griddesk?.timeline ?? {});
      return { page_start_ms: Number(b.firstGridsMs) - Number(b.firstGridsPageMs), ...marks };`);
    (result.launch_phases ??= []).push(phases);
  }
  await waitIdle(s);
  // Only count tiles asked for while panning.
  const before = await s.evaluate(`return await window.__griddesk.api.tileStats(true);`);
  const bbox = await s.execute(`return window.__griddesk.status.grids_bbox;`);
  const z = Number(values.zoom);
  const steps = Number(values.steps);
  // A serpentine over the grids' extent, one screen-sized-ish step at a time.
  const cols = Math.max(2, Math.round(Math.sqrt(steps)));
  const t0 = Date.now();
  for (let k = 0; k < steps; k++) {
    const row = Math.floor(k / cols);
    const col = row % 2 === 0 ? k % cols : cols - 1 - (k % cols);
    const lon = bbox[0] + ((col + 0.5) / cols) * (bbox[2] - bbox[0]);
    const lat = bbox[1] + ((row + 0.5) / Math.ceil(steps / cols)) * (bbox[3] - bbox[1]);
    await s.execute(`window.__griddesk.view.map.easeTo({ center: arguments[0], zoom: ${z}, duration: 300 });`, [lon, lat]);
    await waitIdle(s, 60000);
  }
  result.pan_seconds = (Date.now() - t0) / 1000;
  result.tiles_at_launch = before;
  result.tiles_while_panning = await s.evaluate(`return await window.__griddesk.api.tileStats();`);
  await shot(s, 'perf-last-view');
  // First starts: no --db, and no store in the data folder, so the window seeds the sample.
  const dataDir = join(driver.tmp, 'data');
  for (let i = 0; i < Number(values['first-starts']); i++) {
    if (s) await s.delete();
    rmSync(dataDir, { recursive: true, force: true });
    s = await driver.launch();
    await waitFor(s, `Number(document.body.dataset.firstGridsMs) > 0`, 'grids drawn after seeding', 120000);
    (result.first_start_to_grids_ms ??= []).push(Number(await s.execute(`return document.body.dataset.firstGridsMs;`)));
  }
} finally {
  // The last window too: a session left open keeps the app (and node) running.
  if (s) await s.delete().catch(() => undefined);
  await driver.stop();
}
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(artifacts, 'perf.json'), JSON.stringify(result, null, 2));
process.exit(0);
