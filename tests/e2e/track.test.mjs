// End-to-end: 巡查轨迹 on the desktop map, signed in as the demo administrator. The app's own
// station service (设置 ▸ 局域网服务, started through the window) takes a patrol from the demo
// inspector's "phone" (node, through the station's API: sign-in, two batches, one of them sent
// twice); the sidebar's 巡查轨迹 then shows that inspector's day on the map as a line with its
// start, end and times, each point once. Screenshot: artifacts/e2e/track-day.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Driver, shot, waitFor, waitIdle } from './lib/harness.mjs';

const ADMIN = { login: 'admin', password: 'admin@2026' };
const INSPECTOR = { login: 'inspector', password: 'inspector@2026' };
/** The sample's 县前街, inside the unit grids. */
const XIANQIAN = [121.2396, 28.6356];
const POINTS = 12;

let driver;
let s;

before(async () => {
  driver = await new Driver().start();
  s = await driver.launch({ signIn: ADMIN });
  await waitFor(s, `document.body.dataset.screen === 'map'`, 'the map screen after seeding the sample district', 240000);
  assert.ok(await s.signedIn, `expected the demo administrator signed in: ${s.signInFailure}`);
  await waitIdle(s, 60000);
});

after(async () => {
  if (s) await s.delete().catch(() => undefined);
  await driver?.stop();
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** The patrol: today over the last 40 minutes (yesterday morning just after midnight). */
function patrol() {
  const now = new Date();
  let start = new Date(now.getTime() - 40 * 60000);
  if (ymd(start) !== ymd(now)) {
    start = new Date(now);
    start.setDate(start.getDate() - 1);
    start.setHours(9, 0, 0, 0);
  }
  start.setSeconds(0, 0);
  // East along the street, then north: about 50 m a step, 3 minutes apart.
  const points = Array.from({ length: POINTS }, (_, i) => {
    const east = Math.min(i, 7);
    const north = Math.max(0, i - 7);
    return {
      id: `e2e-${i}`,
      patrol: 'e2e-patrol',
      t: start.getTime() + i * 3 * 60000,
      lon: XIANQIAN[0] + east * 0.0005,
      lat: XIANQIAN[1] + north * 0.0005,
      acc: 6,
    };
  });
  return { day: ymd(start), points, first: start, last: new Date(start.getTime() + (POINTS - 1) * 3 * 60000) };
}

test('巡查轨迹: a patrol sent through the station is shown on the map for the inspector and day', async () => {
  // The station service of the app itself, on this computer only.
  const port = await freePort();
  await s.evaluate(`await window.__lan.api.start({ host: '127.0.0.1', port: arguments[0], citizen_login: null });`, port);
  const base = `http://127.0.0.1:${port}`;
  const p = patrol();
  try {
    const signIn = await fetch(`${base}/m/api/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(INSPECTOR),
    });
    const { token } = await signIn.json();
    assert.equal(signIn.status, 200);
    const send = async (points) => {
      const r = await fetch(`${base}/m/api/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ login: INSPECTOR.login, points }),
      });
      const body = await r.json();
      assert.equal(r.status, 200, JSON.stringify(body));
      return body.recorded;
    };
    assert.equal(await send(p.points.slice(0, 8)), 8);
    // The first batch again (its answer lost), and the rest: each point once.
    assert.equal(await send(p.points.slice(0, 8)), 0);
    assert.equal(await send(p.points.slice(6)), POINTS - 8);
  } finally {
    await s.evaluate(`await window.__lan.api.stop();`);
  }

  // The sidebar: pick the inspector and the day, 显示.
  await waitFor(s, `!!document.getElementById('track-inspector')`, 'the 巡查轨迹 section');
  await s.execute(`const set = (id, v, ev) => { const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event(ev)); };
    set('track-inspector', arguments[0], 'change'); set('track-day', arguments[1], 'change');
    document.getElementById('track-show').click();`, INSPECTOR.login, p.day);
  await waitFor(s, `document.body.dataset.trackState === 'shown'`, 'the track read');
  assert.equal(await s.execute(`return document.body.dataset.trackPoints;`), String(POINTS), 'every point once');
  const summary = await s.execute(`return document.getElementById('track-summary').textContent;`);
  const hm = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  assert.ok(summary.includes(`${POINTS} 个位置`) && summary.includes(`${hm(p.first)}–${hm(p.last)}`), summary);
  // 7 steps east and 4 north of about 49 m and 56 m: about 0.56 km.
  assert.match(summary, /0\.5\d 公里/);
  // The map fits the track; wait for the frames after it.
  await new Promise((r) => setTimeout(r, 1200));
  await waitIdle(s, 30000);
  const labels = await s.execute(`return window.__griddesk.view.map.querySourceFeatures('patrol-track')
    .filter((f) => f.properties.kind !== 'line').map((f) => f.properties.label);`);
  assert.ok(labels.includes(`起 ${hm(p.first)}`), `the start label: ${labels}`);
  assert.ok(labels.includes(`终 ${hm(p.last)}`), `the end label: ${labels}`);
  assert.ok(labels.some((l) => /^\d\d:\d\d$/.test(l)), `times along the line: ${labels}`);
  const img = await shot(s, 'track-day');
  // The line's magenta, the green start and the red end drawn on the map.
  const count = (test) => {
    let n = 0;
    for (let i = 0; i < img.data.length; i += img.channels ?? 4) {
      if (test(img.data[i], img.data[i + 1], img.data[i + 2])) n++;
    }
    return n;
  };
  const line = count((r, g, b) => r > 180 && g < 80 && b > 60 && b < 140);
  const green = count((r, g, b) => r < 80 && g > 100 && g < 150 && b < 80);
  assert.ok(line > 400, `the track's line drawn: ${line} px`);
  assert.ok(green > 30, `the start drawn: ${green} px`);

  // 清除: the track leaves the map.
  await s.execute(`document.getElementById('track-clear').click();`);
  await waitFor(s, `document.body.dataset.trackPoints === '0'`, 'the track cleared');
});
