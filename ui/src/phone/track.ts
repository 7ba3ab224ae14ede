// 巡查轨迹 on the inspector's phone (docs/station.md, "Patrol tracks"): between 开始巡查 and
// 结束巡查 the phone's positions are recorded (thinned), kept on the phone (IndexedDB, beside the
// report queue) and sent to the station in batches. Every point has its own id, so a batch sent
// again (an answer lost in a Wi-Fi drop) is recorded once; what cannot be sent waits until the
// network is back. Points are kept per inspector: only the signed-in inspector's go out.
import { call, requestId, StationError, Unreachable } from './common';
import { h } from './dom';

/** One recorded position, as kept on the phone and sent. */
interface Fix {
  id: string;
  login: string;
  patrol: string;
  /** When the position was taken, ms since the epoch. */
  t: number;
  lon: number;
  lat: number;
  acc: number;
}

/** A new position is kept when it is this far from the last kept one (m)… */
const MIN_MOVE_M = 10;
/** …or this long after it (ms: standing still still shows on the track)… */
const HEARTBEAT_MS = 30_000;
/** …but never sooner than this after it (ms). */
const MIN_GAP_MS = 3_000;
/** Fixes less accurate than this (m) are not kept. */
const WORST_ACCURACY_M = 100;
/** Points per batch (the station takes at most 500). */
const BATCH = 200;
/** Batches go out at most this often while patrolling (ms); at 结束巡查 and back online at once. */
const SEND_EVERY_MS = 15_000;

const PATROL = 'griddesk.m.patrol';
const DB = 'griddesk-track';
const STORE = 'points';

function openDb(): Promise<IDBDatabase> {
  return new Promise((done, fail) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    r.onsuccess = () => {
      done(r.result);
    };
    r.onerror = () => {
      fail(r.error ?? new Error('indexedDB'));
    };
  });
}

async function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T> | undefined): Promise<T | undefined> {
  const db = await openDb();
  return new Promise<T | undefined>((done, fail) => {
    const t = db.transaction(STORE, mode);
    const req = f(t.objectStore(STORE));
    t.oncomplete = () => {
      db.close();
      done(req?.result);
    };
    t.onerror = () => {
      db.close();
      fail(t.error ?? new Error('indexedDB'));
    };
  });
}

const points = {
  put: (p: Fix) => tx('readwrite', (s) => s.put(p)),
  removeAll: (ids: string[]) =>
    tx('readwrite', (s) => {
      for (const id of ids) s.delete(id);
      return undefined;
    }),
  async of(login: string): Promise<Fix[]> {
    const all = ((await tx('readonly', (s) => s.getAll())) ?? []) as Fix[];
    return all.filter((p) => p.login === login).sort((a, b) => a.t - b.t);
  },
};

/** Metres between two positions (a sphere of the earth's mean radius). */
function metres(a: Fix, lon: number, lat: number): number {
  const r = Math.PI / 180;
  const dp = (lat - a.lat) * r;
  const dl = (lon - a.lon) * r;
  const x = Math.sin(dp / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(lat * r) * Math.sin(dl / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(x)));
}

interface Ctx {
  token: () => string | null;
  login: () => string | null;
  /** The session ended (401): the page signs in again. */
  ended: (e: unknown) => boolean;
}

let ctx: Ctx | null = null;
let watch: number | null = null;
let last: Fix | null = null;
let kept = 0;
let sending = false;
let lastSent = 0;
let gpsNote = '';
const bar = h('div', { class: 'patrol', id: 'patrol' });

function patrolId(): string | null {
  return localStorage.getItem(PATROL);
}

async function waiting(): Promise<number> {
  const login = ctx?.login();
  return login ? (await points.of(login)).length : 0;
}

async function render(): Promise<void> {
  const on = patrolId() !== null;
  const n = await waiting();
  bar.replaceChildren(
    h(
      'button',
      { class: on ? 'danger' : 'primary', id: 'patrol-toggle', onclick: () => void (on ? stop() : start()) },
      on ? '结束巡查' : '开始巡查',
    ),
    h(
      'span',
      { id: 'patrol-state', 'data-on': on ? '1' : '0' },
      on ? `巡查中 · 本次记录 ${kept} 个位置` : '未在巡查',
      gpsNote === '' ? null : ` · ${gpsNote}`,
    ),
    h('span', { class: 'muted' }, '待发'),
    h('span', { id: 'track-waiting', class: n > 0 ? 'badge some' : 'badge', title: '待发送的轨迹点' }, String(n)),
  );
}

function onFix(p: GeolocationPosition): void {
  const login = ctx?.login();
  const patrol = patrolId();
  if (!login || patrol === null) return;
  const { longitude: lon, latitude: lat, accuracy } = p.coords;
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || accuracy > WORST_ACCURACY_M) return;
  const t = p.timestamp;
  if (last !== null) {
    const dt = t - last.t;
    if (dt < MIN_GAP_MS) return;
    if (metres(last, lon, lat) < MIN_MOVE_M && dt < HEARTBEAT_MS) return;
  }
  const fix: Fix = { id: requestId(), login, patrol, t, lon, lat, acc: Math.round(accuracy * 10) / 10 };
  last = fix;
  kept += 1;
  gpsNote = '';
  void points.put(fix).then(async () => {
    await render();
    if (Date.now() - lastSent >= SEND_EVERY_MS) await sendTrack();
  });
}

function watchOn(): void {
  if (watch !== null || !('geolocation' in navigator)) return;
  watch = navigator.geolocation.watchPosition(
    onFix,
    (e) => {
      // On plain http the browser refuses every position: say why (the note above the map
      // shows the way to HTTPS).
      gpsNote = !window.isSecureContext
        ? 'http 连接下无法定位，请改用 HTTPS'
        : e.code === e.PERMISSION_DENIED
          ? '未允许定位'
          : '暂时无法定位';
      void render();
    },
    { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 },
  );
}

function watchOff(): void {
  if (watch !== null) navigator.geolocation.clearWatch(watch);
  watch = null;
}

async function start(): Promise<void> {
  localStorage.setItem(PATROL, requestId());
  last = null;
  kept = 0;
  watchOn();
  await render();
}

async function stop(): Promise<void> {
  localStorage.removeItem(PATROL);
  watchOff();
  await sendTrack();
  await render();
}

/** The index (from 1) of the point a refusal names, if it names one. */
function refusedIndex(e: StationError): number | null {
  const p = e.msg.params?.index;
  return p !== undefined && 'int' in p ? p.int : null;
}

/**
 * Sends the signed-in inspector's waiting points, oldest first, in batches. A point the station
 * refuses for good (outside the district, a clock ahead) is dropped and the rest sent again.
 */
export async function sendTrack(): Promise<void> {
  const login = ctx?.login();
  if (!ctx || !login || ctx.token() === null || sending) return;
  sending = true;
  lastSent = Date.now();
  try {
    for (;;) {
      const batch = (await points.of(login)).slice(0, BATCH);
      if (batch.length === 0) break;
      try {
        await call('/m/api/track', {
          json: { login, points: batch.map((p) => ({ id: p.id, patrol: p.patrol, t: p.t, lon: p.lon, lat: p.lat, acc: p.acc })) },
          token: ctx.token(),
        });
        await points.removeAll(batch.map((p) => p.id));
      } catch (e) {
        if (e instanceof StationError && e.final) {
          const i = refusedIndex(e);
          const bad = i === null ? undefined : batch[i - 1];
          // A refusal that names no point of this batch: keep them all and stop.
          if (bad === undefined) break;
          await points.removeAll([bad.id]);
          continue;
        }
        if (!(e instanceof Unreachable)) ctx.ended(e);
        break;
      }
    }
  } finally {
    sending = false;
    await render();
  }
}

/** The patrol bar of the main screen; a patrol under way (the page reloaded) goes on. */
export function patrolBar(c: Ctx): HTMLElement {
  ctx = c;
  if (patrolId() !== null) watchOn();
  void render();
  return bar;
}

/** Signed out: the phone stops recording; the points wait for their inspector. */
export function patrolOff(): void {
  localStorage.removeItem(PATROL);
  watchOff();
  void render();
}

window.addEventListener('online', () => {
  void sendTrack();
});
// While any wait (the network was off, the station down): try again now and then.
window.setInterval(() => {
  if (Date.now() - lastSent >= SEND_EVERY_MS) void sendTrack();
}, 5_000);
