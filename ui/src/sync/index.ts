// The 同步 (sync) workspace (docs/centre.md, "Sync"): the station's sync status — the last sync
// and how it ended, a batch an interrupted sync left, what waits to go up and what came down,
// per table — a 立即同步 button whose stages show while it runs, and the centre's conflicts of
// the district: each with its base, station and centre versions field by field, the differing
// fields marked, shown on the map where it has a place, and settled by keeping one side or
// merging field by field (audited at the centre). The engine checks the role (administrators).
import { asCaseError, currentSession, type Session } from '../cases/api';
import { api as mainApi } from '../api';
import { el } from '../dom';
import { onLangChange, sayMessage } from '../i18n';
import type { MapView } from '../map';
import type { Workspace } from '../workspace';
import * as api from './api';
import { s, tableName } from './strings';
import './sync.css';

let pane: HTMLElement | null = null;
let view: MapView | null = null;
let session: Session | null = null;
/** The connection string typed this session (it may carry a password: never written to disk). */
let centreUrl = '';
let busy = false;
let stage: api.SyncStage | null = null;
let lastReport: api.SyncReportView | null = null;
let list: api.SyncConflictView[] | null = null;
let openId: number | null = null;

/** What survives the page reload after a sync that wrote rows (the window reads the store again):
 * kept in the window's session storage, which ends with the window (the connection string may
 * carry a password; it is never written to disk). */
const KEEP = 'griddesk.sync';
interface Kept { url: string; report: api.SyncReportView | null; done: number; conflicts: boolean }

function keep(): void {
  const k: Kept = { url: centreUrl, report: lastReport, done: Number(document.body.dataset.syncDone ?? 0), conflicts: list !== null };
  try {
    sessionStorage.setItem(KEEP, JSON.stringify(k));
  } catch {
    // Not fatal: the pane starts empty.
  }
}

function restore(): boolean {
  let k: unknown;
  try {
    k = JSON.parse(sessionStorage.getItem(KEEP) ?? 'null');
  } catch {
    return false;
  }
  if (typeof k !== 'object' || k === null) return false;
  const o = k as Partial<Kept>;
  if (typeof o.url === 'string') centreUrl = o.url;
  if (typeof o.report === 'object') lastReport = o.report;
  if (typeof o.done === 'number' && o.done > 0) document.body.dataset.syncDone = String(o.done);
  return o.conflicts === true && centreUrl !== '';
}

const fill = (text: string, vars: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

/** A failed command in the user's language (the engine's English stays in data attributes). */
function errorBox(e: unknown, id: string): HTMLElement {
  const err = asCaseError(e);
  return el('p', { id, class: 'error', 'data-error-code': err.code, 'data-error-detail': err.detail.code, 'data-error-message': err.message },
    sayMessage(err.detail));
}

const STAGES: Record<api.SyncStage, () => string> = {
  diffing: () => s('stageDiffing'), sending: () => s('stageSending'), receiving: () => s('stageReceiving'),
  writing: () => s('stageWriting'), done: () => s('stageDone'),
};

/** Rows per table: inserted, updated, deleted (and, where any, merged and conflicts). */
function countsTable(id: string, rows: api.SyncTableCount[], none: string): HTMLElement {
  if (rows.length === 0) return el('p', { id, class: 'muted', 'data-rows': '0' }, none);
  const extra = rows.some((r) => r.merged + r.conflicts + r.same > 0);
  const head = [s('table'), s('inserted'), s('updated'), s('deleted'), ...(extra ? [s('same'), s('merged'), s('conflicts')] : [])];
  const n = (v: number) => String(v);
  return el('table', { id, class: 'sync-table', 'data-rows': String(rows.length) },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', { 'data-table': r.table },
      el('td', {}, tableName(r.table)), el('td', {}, n(r.inserted)), el('td', {}, n(r.updated)), el('td', {}, n(r.deleted)),
      ...(extra ? [el('td', {}, n(r.same)), el('td', {}, n(r.merged)), el('td', {}, n(r.conflicts))] : [])))));
}

async function render(): Promise<void> {
  if (!pane) return;
  const host = pane;
  let status: api.SyncStatus | null = null;
  let statusError: HTMLElement | null = null;
  try {
    status = await api.status();
  } catch (e) {
    statusError = errorBox(e, 'sync-status-error');
  }
  const url = el('input', { id: 'sync-centre', name: 'centre', value: centreUrl, placeholder: s('centreHint'), spellcheck: 'false' });
  url.addEventListener('input', () => { centreUrl = url.value.trim(); });
  const go = el('button', { type: 'button', id: 'sync-now' }, busy ? s('syncing') : s('syncNow'));
  go.disabled = busy;
  go.addEventListener('click', () => { void syncNow(); });
  const read = el('button', { type: 'button', id: 'sync-read-conflicts' }, s('loadConflicts'));
  read.disabled = busy;
  read.addEventListener('click', () => { void loadConflicts(); });
  const admin = session?.role === 'admin';
  const rows: HTMLElement[] = [];
  if (status) {
    const dd = (label: string, value: HTMLElement | string, id: string) => [el('dt', {}, label), el('dd', { id }, value)];
    const outcome = status.last_outcome === null ? '' : status.last_outcome === 'ok' ? s('ok') : s('failed');
    rows.push(el('dl', { class: 'sync-facts', id: 'sync-facts', 'data-district': status.district ?? '', 'data-last': status.last_sync_at ?? '',
      'data-outcome': status.last_outcome ?? '', 'data-pending': status.pending_batch ?? '' },
    ...dd(s('district'), status.district ?? '—', 'sync-district'),
    ...dd(s('lastSync'), status.last_sync_at ? `${status.last_sync_at} ${outcome}` : s('never'), 'sync-last'),
    ...(status.pending_batch ? dd(s('pending'), fill(s('pendingChanges'), { n: String(status.pending_changes) }), 'sync-pending') : [])));
    if (status.last_error) rows.push(el('p', { class: 'error', id: 'sync-last-error', 'data-code': status.last_error.code }, sayMessage(status.last_error)));
    rows.push(el('h3', {}, s('waiting')),
      status.waiting === null ? el('p', { class: 'muted', id: 'sync-waiting' }, s('waitingUnknown')) : countsTable('sync-waiting', status.waiting, s('nothingWaiting')),
      el('h3', {}, s('received')), countsTable('sync-received', status.last_received, s('nothingReceived')));
  }
  const progress = busy && stage ? el('p', { id: 'sync-stage', class: 'sync-stage', 'data-stage': stage }, el('progress', {}), ' ', STAGES[stage]()) : null;
  const report = lastReport ? reportBox(lastReport) : null;
  host.replaceChildren(
    el('h2', {}, s('title')),
    el('p', { class: 'muted' }, s('offline')),
    el('label', { class: 'field sync-url' }, el('span', {}, s('centre')), url),
    el('div', { class: 'sync-tools' }, go, read),
    ...(admin ? [] : [el('p', { class: 'muted', id: 'sync-admin-only' }, s('adminOnly'))]),
    el('div', { id: 'sync-out' }, ...(progress ? [progress] : []), ...(report ? [report] : [])),
    ...(statusError ? [statusError] : []), ...rows,
    el('h3', {}, s('conflictList')), conflictsBox(),
  );
}

function reportBox(r: api.SyncReportView): HTMLElement {
  return el('div', { id: 'sync-report', class: 'sync-report', 'data-conflicts': String(r.conflicts), 'data-held-back': String(r.held_back) },
    el('h3', {}, s('sent')), countsTable('sync-sent', r.sent, '—'),
    el('h3', {}, s('came')), countsTable('sync-came', r.received, '—'),
    ...(r.conflicts > 0 ? [el('p', { class: 'warn' }, `${s('conflicts')}: ${String(r.conflicts)}`)] : []),
    ...(r.held_back > 0 ? [el('p', { class: 'warn' }, fill(s('heldBack'), { n: String(r.held_back) }))] : []),
    ...(r.resent ? [el('p', { class: 'muted' }, s('resent'))] : []));
}

function out(...nodes: HTMLElement[]): void {
  document.getElementById('sync-out')?.replaceChildren(...nodes);
}

async function syncNow(): Promise<void> {
  if (busy) return;
  if (!centreUrl) { out(el('p', { class: 'error', id: 'sync-error' }, s('needCentre'))); return; }
  busy = true;
  stage = 'diffing';
  lastReport = null;
  document.body.dataset.syncBusy = '1';
  await render();
  const stop = await api.onProgress((st) => {
    stage = st;
    const p = document.getElementById('sync-stage');
    if (p) { p.dataset.stage = st; p.lastChild?.replaceWith(STAGES[st]()); }
  });
  let failure: unknown = null;
  try {
    lastReport = await api.syncNow(centreUrl);
  } catch (e) {
    failure = e;
  } finally {
    stop();
    busy = false;
    stage = null;
    delete document.body.dataset.syncBusy;
  }
  if (failure === null) await loadConflicts(false);
  document.body.dataset.syncDone = String(Number(document.body.dataset.syncDone ?? 0) + 1);
  keep();
  // Rows came down: the whole window reads the store again (map, tabs, counts), as after any
  // other writer; this pane comes back with its report and conflicts.
  if (lastReport?.received.some((t) => t.inserted + t.updated + t.deleted > 0)) {
    window.location.reload();
    return;
  }
  await render();
  if (failure !== null) out(errorBox(failure, 'sync-error'));
}

async function loadConflicts(rerender = true): Promise<void> {
  if (!centreUrl) { out(el('p', { class: 'error', id: 'sync-error' }, s('needCentre'))); return; }
  try {
    list = await api.conflicts(centreUrl);
  } catch (e) {
    list = null;
    if (rerender) await render();
    out(errorBox(e, 'sync-error'));
    return;
  }
  if (rerender) await render();
}

function conflictsBox(): HTMLElement {
  if (list === null) return el('p', { class: 'muted', id: 'sync-conflicts', 'data-state': 'unread' }, '—');
  if (list.length === 0) return el('p', { class: 'muted', id: 'sync-conflicts', 'data-open': '0', 'data-state': 'read' }, s('noConflicts'));
  const open = list.filter((c) => c.settled_by === null);
  const ul = el('ul', { id: 'sync-conflicts', class: 'sync-conflicts', 'data-open': String(open.length), 'data-state': 'read' });
  for (const c of list) {
    const li = el('li', { 'data-id': String(c.id), 'data-table': c.table, 'data-settled': c.settled_by ? '1' : '0', class: c.id === openId ? 'open' : '' },
      el('span', { class: 'sync-badge' }, c.settled_by ? s('settled') : s('open')), ' ',
      el('b', {}, tableName(c.table)), ' ', el('code', {}, keyText(c.key)), ' ',
      el('span', { class: 'muted' }, c.differing.join(', ')));
    li.addEventListener('click', () => { openId = openId === c.id ? null : c.id; void render(); });
    ul.append(li);
    if (c.id === openId) ul.append(el('li', { class: 'sync-detail-row' }, detail(c)));
  }
  return ul;
}

/** The canonical key text, shorter: its values joined. */
function keyText(key: string): string {
  try {
    const v: unknown = JSON.parse(key);
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? Object.values(x as Record<string, unknown>).join('') : String(x))).join(' · ');
  } catch {
    // Not JSON: as it is.
  }
  return key;
}

const cell = (v: string | null | undefined) => (v === undefined ? s('noRow') : v === null ? s('empty') : v);

/** A conflict's three versions field by field; the settling buttons while it is open. */
function detail(c: api.SyncConflictView): HTMLElement {
  const at = (side: (string | null)[] | null, i: number) => (side === null ? undefined : side[i]);
  const differing = new Set(c.differing);
  const rows = c.columns.map((col, i) => el('tr', { 'data-column': col, class: differing.has(col) ? 'differs' : '' },
    el('th', {}, col), el('td', {}, cell(at(c.base, i))), el('td', {}, cell(at(c.station, i))), el('td', {}, cell(at(c.centre, i)))));
  const table = el('table', { class: 'sync-table sync-versions', id: `sync-versions-${c.id}` },
    el('thead', {}, el('tr', {}, el('th', {}, s('column')), el('th', {}, s('base')), el('th', {}, s('station')), el('th', {}, s('centreSide')))),
    el('tbody', {}, ...rows));
  const box = el('div', { class: 'sync-detail', id: `sync-detail-${c.id}` }, el('p', { class: 'muted' }, `${s('raisedAt')}: ${c.raised_at}`), table);
  const place = placeOf(c);
  if (place) {
    const show = el('button', { type: 'button', id: 'sync-show-on-map' }, s('showOnMap'));
    show.addEventListener('click', (ev) => { ev.stopPropagation(); void showOnMap(place); });
    box.append(el('div', { class: 'sync-tools' }, show));
  }
  if (c.settled_by) {
    const how = c.choice === 'station' ? s('howStation') : c.choice === 'centre' ? s('howCentre') : s('howMerged');
    box.append(el('p', { id: 'sync-settled' }, fill(s('settledBy'), { by: c.settled_by, at: c.settled_at ?? '', how })));
    return box;
  }
  const keepStation = el('button', { type: 'button', id: 'sync-keep-station' }, s('keepStation'));
  const keepCentre = el('button', { type: 'button', id: 'sync-keep-centre' }, s('keepCentre'));
  const merge = el('button', { type: 'button', id: 'sync-merge' }, s('merge'));
  keepStation.addEventListener('click', (ev) => { ev.stopPropagation(); void settle(c, { keep_station: true, set: [] }); });
  keepCentre.addEventListener('click', (ev) => { ev.stopPropagation(); void settle(c, { keep_station: false, set: [] }); });
  merge.addEventListener('click', (ev) => { ev.stopPropagation(); box.append(mergeForm(c)); merge.disabled = true; });
  box.append(el('div', { class: 'sync-tools' }, keepStation, keepCentre, merge), el('div', { id: 'sync-settle-out' }));
  return box;
}

/** Bytes (a geometry, a photo) are shown as their length and digest: they cannot be typed. */
const isBytes = (v: string | null | undefined) => typeof v === 'string' && /^<\d+ bytes [0-9a-f]{8}>$/.test(v);

/** A merge: one side's row as the start (geometries and other bytes come with it), then each
 * differing field from the station, the centre or typed by hand. */
function mergeForm(c: api.SyncConflictView): HTMLElement {
  const form = el('form', { class: 'sync-merge', id: 'sync-merge-form' }, el('p', { class: 'muted' }, s('mergeHint')));
  const radio = (name: string, value: string, label: string, checked: boolean) => {
    const r = el('input', { type: 'radio', name, value });
    r.checked = checked;
    return el('label', {}, r, label);
  };
  const picked = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? 'centre';
  form.append(el('fieldset', { 'data-column': '' }, el('legend', {}, s('mergeStart')),
    radio('merge-start', 'centre', s('centreSide'), true), radio('merge-start', 'station', s('station'), false)));
  const fields: { col: string; station: string | null; centre: string | null; own: HTMLInputElement }[] = [];
  c.columns.forEach((col, i) => {
    if (!c.differing.includes(col)) return;
    const st = c.station?.[i] ?? null;
    const ce = c.centre?.[i] ?? null;
    if (isBytes(st) || isBytes(ce)) {
      form.append(el('p', { class: 'muted', 'data-column': col }, `${col}: ${s('withStart')}`));
      return;
    }
    const name = `merge-${col}`;
    const own = el('input', { name: `${name}-own`, value: ce ?? '' });
    form.append(el('fieldset', { 'data-column': col }, el('legend', {}, col),
      radio(name, 'start', s('fromStart'), true), radio(name, 'station', `${s('station')}: ${cell(st)}`, false),
      radio(name, 'centre', `${s('centreSide')}: ${cell(ce)}`, false), radio(name, 'own', s('own'), false), own));
    fields.push({ col, station: st, centre: ce, own });
  });
  const apply = el('button', { type: 'submit', id: 'sync-merge-apply' }, s('apply'));
  form.append(el('div', { class: 'sync-tools' }, apply));
  form.addEventListener('click', (ev) => { ev.stopPropagation(); });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const start = picked('merge-start');
    const set: [string, string | null][] = [];
    for (const f of fields) {
      const how = picked(`merge-${f.col}`);
      if (how === 'start' || how === start) continue;
      set.push([f.col, how === 'own' ? f.own.value : how === 'station' ? f.station : f.centre]);
    }
    void settle(c, { keep_station: start === 'station', set });
  });
  return form;
}

async function settle(c: api.SyncConflictView, choice: api.SettleChoice): Promise<void> {
  try {
    const settled = await api.settle(centreUrl, c.id, choice);
    if (list) list = list.map((x) => (x.id === settled.id ? settled : x));
    keep();
    await render();
    out(el('p', { id: 'sync-settle-done', class: 'muted' }, s('afterSettle')));
  } catch (e) {
    document.getElementById('sync-settle-out')?.replaceChildren(errorBox(e, 'sync-settle-error'));
  }
}

/** Where a conflicted row is: a unit grid's code, a component's code, or the grid a row lies in. */
function placeOf(c: api.SyncConflictView): { grid: string | null; code: string } | null {
  const side = c.station ?? c.centre ?? c.base;
  if (!side) return null;
  const value = (col: string) => { const i = c.columns.indexOf(col); return i >= 0 ? (side[i] ?? null) : null; };
  if (c.table === 'grid') { const code = value('code'); return code ? { grid: code, code } : null; }
  if (c.table === 'component') { const code = value('code'); return code ? { grid: value('grid'), code } : null; }
  const grid = value('grid');
  return grid ? { grid, code: grid } : null;
}

async function showOnMap(place: { grid: string | null; code: string }): Promise<void> {
  if (!view) return;
  const hits = await mainApi.search(place.code, 5);
  const hit = hits.find((h) => h.code === place.code);
  if (hit) view.fitBbox(hit.bbox, 18);
  if (place.grid) await view.selectGrid(place.grid);
  document.body.dataset.syncShown = place.code;
}

async function refreshSession(): Promise<void> {
  try {
    session = await currentSession();
  } catch {
    session = null;
  }
}

export const syncWorkspace: Workspace = {
  id: 'sync',
  label: () => s('tab'),
  mount: (host, v) => {
    pane = host;
    view = v;
    if (restore()) void loadConflicts();
    onLangChange(() => { void render(); });
    new MutationObserver(() => {
      if (document.body.dataset.workspace === 'sync') void refreshSession().then(render);
    }).observe(document.body, { attributes: true, attributeFilter: ['data-signed-in'] });
  },
  enter: () => {
    void refreshSession().then(render);
  },
};
