// What the phone pages share (docs/station.md, "Phones"): the station's JSON API, its refusals
// said in Chinese from their message codes, the phone's id, photos made small enough to send,
// the position, and the queue that keeps what could not be sent (IndexedDB) until the network
// is back, each item with its own request id so the station files it once.
import { render, term, type Message } from '../messages';
import { h } from './dom';

/** A refusal from the station: HTTP status, error kind and its typed message. */
export class StationError extends Error {
  readonly status: number;
  readonly kind: string;
  readonly msg: Message;
  constructor(status: number, kind: string, msg: Message) {
    super(render(msg, 'zh'));
    this.status = status;
    this.kind = kind;
    this.msg = msg;
  }

  /** The station refused it for good (bad input, refused by the rules): sending again will not help. */
  get final(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 401 && this.status !== 429 && this.status !== 408;
  }
}

/** The station could not be reached (no network, station down, a 5xx). */
export class Unreachable extends Error {
  constructor() {
    super('连不上服务站');
  }
}

interface ErrorBody {
  error?: { kind?: string; message?: Message };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Calls the station; answers the JSON body, or throws StationError / Unreachable. */
export async function call(
  path: string,
  init: { method?: string; body?: BodyInit; json?: unknown; token?: string | null } = {},
): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: BodyInit | undefined = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      cache: 'no-store',
      // A request caught in a Wi-Fi drop can hang without an error: give up on it (a report
      // sent again is filed once), so the queue is never stuck behind it.
      signal: AbortSignal.timeout(body instanceof FormData ? 90_000 : 20_000),
    });
  } catch {
    throw new Unreachable();
  }
  if (res.status === 204) return null;
  let parsed: unknown = null;
  try {
    parsed = await res.json();
  } catch {
    parsed = null;
  }
  if (res.ok) return parsed;
  const e = (isRecord(parsed) ? parsed : {}) as ErrorBody;
  if (e.error?.message === undefined) throw new Unreachable();
  throw new StationError(res.status, e.error.kind ?? 'unknown', e.error.message);
}

/** Chinese text for any error thrown by {@link call} or the page itself. */
export function say(e: unknown): string {
  if (e instanceof StationError || e instanceof Unreachable) return e.message;
  return '出现错误';
}

/** A status or action term in Chinese (`status.reported` → 已上报). */
export function zhTerm(key: string): string {
  return term(key, 'zh');
}

/** This phone's id, made once and kept (the station's idempotency keys and limits use it). */
export function deviceId(): string {
  const k = 'griddesk.device';
  let id = localStorage.getItem(k);
  if (id === null) {
    id = crypto.randomUUID();
    localStorage.setItem(k, id);
  }
  return id;
}

/** A new request id for one report or task result. */
export function requestId(): string {
  return crypto.randomUUID();
}

/** Largest side of a photo sent, pixels. */
const PHOTO_SIDE = 1600;

/**
 * A photo ready to send: drawn again as JPEG when the browser can read it and it is large (a
 * phone camera's 12 MP photo becomes a few hundred kB); otherwise the file as it is, and the
 * station checks its bytes.
 */
export async function preparePhoto(file: File): Promise<Blob> {
  try {
    const bmp = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_SIDE / Math.max(bmp.width, bmp.height));
    if (scale === 1 && file.size < 1_500_000 && (file.type === 'image/jpeg' || file.type === 'image/png')) {
      bmp.close();
      return file;
    }
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bmp.width * scale);
    canvas.height = Math.round(bmp.height * scale);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return file;
    ctx.drawImage(bmp, 0, 0, canvas.width, canvas.height);
    bmp.close();
    const blob = await new Promise<Blob | null>((done) => {
      canvas.toBlob(done, 'image/jpeg', 0.85);
    });
    return blob ?? file;
  } catch {
    return file;
  }
}

/** The phone's position from its GPS, as `[lon, lat]` (WGS84). */
export function gps(): Promise<[number, number]> {
  return new Promise((done, fail) => {
    if (!('geolocation' in navigator)) {
      fail(new Error('no geolocation'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => {
        done([p.coords.longitude, p.coords.latitude]);
      },
      (e) => {
        fail(new Error(e.message));
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
    );
  });
}

/** A number typed by hand, or null. */
export function num(v: string): number | null {
  const t = v.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** `document.querySelector` that must find its element. */
export function $(sel: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(sel);
  if (el === null) throw new Error(`missing ${sel}`);
  return el;
}

/** Shows a short note at the bottom of the screen. */
export function toast(text: string, kind: 'ok' | 'warn' | 'err' = 'ok'): void {
  const t = $('#toast');
  t.textContent = text;
  t.className = `toast show ${kind}`;
  window.setTimeout(() => {
    t.className = 'toast';
  }, 3500);
}

/** A date and time as the station wrote it, shown short (`12-07 19:05`). */
export function shortTime(t: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(t);
  return m === null ? t : `${m[1] ?? ''}-${m[2] ?? ''} ${m[3] ?? ''}:${m[4] ?? ''}`;
}

// ---- the queue ---------------------------------------------------------------------------

/** One thing waiting to be sent: where, its fields and photos, and what the station said last. */
export interface Queued {
  id: string;
  path: string;
  fields: Record<string, string>;
  photos: Blob[];
  /** What it is, for the list (`上报 暴露垃圾`). */
  label: string;
  createdAt: number;
  /** The station refused it for good: kept to be shown, not sent again. */
  refused?: string;
}

const DB = 'griddesk-phone';
const STORE = 'queue';

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

async function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  return new Promise<T>((done, fail) => {
    const t = db.transaction(STORE, mode);
    const req = f(t.objectStore(STORE));
    t.oncomplete = () => {
      db.close();
      done(req.result);
    };
    t.onerror = () => {
      db.close();
      fail(t.error ?? new Error('indexedDB'));
    };
  });
}

export const queue = {
  put(q: Queued): Promise<IDBValidKey> {
    return tx('readwrite', (s) => s.put(q));
  },
  remove(id: string): Promise<undefined> {
    return tx('readwrite', (s) => s.delete(id));
  },
  async all(): Promise<Queued[]> {
    const list = (await tx('readonly', (s) => s.getAll())) as Queued[];
    return list.sort((a, b) => a.createdAt - b.createdAt);
  },
};

/** The form a queued item is sent as. */
export function formOf(q: Queued): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(q.fields)) f.append(k, v);
  q.photos.forEach((p, i) => {
    f.append('media', p, `photo-${i + 1}.jpg`);
  });
  return f;
}

/**
 * Sends what waits, oldest first, each with its own request id (the station files it once
 * however often it arrives). Stops at the first that cannot reach the station; one the station
 * refuses for good is kept with the reason. Returns how many went out.
 */
export async function flush(token: () => string | null, onSent: (q: Queued, answer: unknown) => void): Promise<number> {
  let sent = 0;
  for (const q of await queue.all()) {
    if (q.refused !== undefined) continue;
    try {
      const answer = await call(q.path, { body: formOf(q), token: token() });
      await queue.remove(q.id);
      sent += 1;
      onSent(q, answer);
    } catch (e) {
      if (e instanceof StationError && e.final) {
        q.refused = e.message;
        await queue.put(q);
        continue;
      }
      throw e;
    }
  }
  return sent;
}

/** What the station says of its HTTPS (`/ca/info.json`), asked once. */
interface CaInfo {
  https: boolean;
  fingerprint: string | null;
}
let caInfo: Promise<CaInfo | null> | null = null;

function stationCa(): Promise<CaInfo | null> {
  caInfo ??= fetch('/ca/info.json', { cache: 'no-cache' })
    .then(async (r) => (r.ok ? ((await r.json()) as CaInfo) : null))
    .catch(() => null);
  return caInfo;
}

/**
 * On plain `http://` to the station the phone's browser gives no GPS (it does so only in a
 * secure context, docs/station.md "HTTPS and the phones' GPS"): a note saying so, with the way
 * to HTTPS when the station serves it — install the station's certificate once, then open this
 * page over `https://`. Nothing on a secure page.
 */
export function secureNote(): HTMLElement | null {
  if (window.isSecureContext) return null;
  const note = h(
    'p',
    { class: 'secure-note', id: 'secure-note' },
    '当前为 http 连接，手机浏览器不提供 GPS 定位：请在地图上点选或输入经纬度。',
  );
  void stationCa().then((ca) => {
    if (!ca?.https) return;
    const https = `https://${location.host}${location.pathname}${location.search}`;
    note.append(
      h('br'),
      '本站支持 HTTPS：',
      h('a', { href: '/ca/', id: 'secure-install' }, '先安装站点证书'),
      '，再',
      h('a', { href: https, id: 'secure-open' }, '改用 HTTPS 打开'),
      '。',
    );
  });
  return note;
}
