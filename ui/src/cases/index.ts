// The case-loop workspace: sign-in gate, work queue, filtered case list, case panel with the
// actions this user may take now, and the intake form opened by a map click.
import type * as maplibregl from 'maplibre-gl';
import { el } from '../dom';
import { allOf } from '../enums';
import { onLangChange, sayMessage } from '../i18n';
import type { MapView } from '../map';
import type { Workspace } from '../workspace';
import * as api from './api';
import { caseHints } from '../street/api';
import './cases.css';
import * as users from '../users';
import * as usersApi from '../users/api';
import { actionName, roleName, s, sourceName, statusName } from './strings';

let session: api.Session | null = null;
let tables: api.FormTablesDto | null = null;
let view: MapView | null = null;
let pane: HTMLElement | null = null;
let openCase: string | null = null;
let listOffset = 0;
const PAGE = 20;
const OVERLAY = 'cases-overlay';

function localNow(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function remainingText(c: api.ClockState | null): HTMLElement {
  if (c === null) return el('span', { class: 'clock' }, '—');
  if (c.overdue) return el('span', { class: 'badge overdue', 'data-overdue': 'true' }, s('overdue'));
  const h = Math.round(c.remaining_seconds / 360) / 10;
  return el('span', { class: 'clock', 'data-overdue': 'false' }, `${s('remaining')} ${h}${s('hours')}${c.stopped ? ` (${s('stopped')})` : ''}`);
}

/** A failed command in the user's language (the engine's English stays in a data attribute). */
function errorBox(e: unknown): HTMLElement {
  const err = api.asCaseError(e);
  const text = sayMessage(err.detail);
  return el('p', { class: 'error', 'data-error-code': err.code, 'data-error-detail': err.detail.code, 'data-error-message': err.message },
    err.code === 'refused' ? `${s('refused')}: ${text}` : text);
}

async function fileToPhoto(f: File, phase: 'before' | 'after'): Promise<api.PhotoInput> {
  const buf = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return { phase, name: f.name, bytes: btoa(bin) };
}

async function photosOf(input: HTMLInputElement, phase: 'before' | 'after'): Promise<api.PhotoInput[]> {
  return Promise.all([...(input.files ?? [])].map((f) => fileToPhoto(f, phase)));
}

function labelled(label: string, control: HTMLElement): HTMLElement {
  return el('label', { class: 'field' }, el('span', {}, label), control);
}

function select(name: string, options: [string, string][], value = ''): HTMLSelectElement {
  const sel = el('select', { name });
  for (const [v, text] of options) sel.append(el('option', { value: v }, text));
  if (options.some(([v]) => v === value)) sel.value = value;
  return sel;
}

// ---- sign-in ---------------------------------------------------------------------------------

function showSignIn(): void {
  document.getElementById('signin')?.remove();
  // A store without users asks for its first administrator; the sample names its demo accounts.
  usersApi.signInScreen().then((screen) => {
    if (screen.needs_first_admin) {
      const overlay = el('div', { id: 'signin', class: 'modal cases-modal' });
      overlay.append(users.firstAdminForm((sess) => {
        session = sess;
        overlay.remove();
        afterSignIn();
      }));
      document.body.append(overlay);
      document.getElementById('first-login')?.focus();
      return;
    }
    signInForm(users.demoNote(screen.demo));
  }).catch(() => { signInForm(null); });
}

function signInForm(demo: HTMLElement | null): void {
  const login = el('input', { id: 'signin-login', name: 'login', autocomplete: 'username' });
  const password = el('input', { id: 'signin-password', name: 'password', type: 'password' });
  const roleSel = select('role', [['', '—'], ...api.ROLES.map((r): [string, string] => [r, roleName(r)])]);
  roleSel.id = 'signin-role';
  const roleField = labelled(s('role'), roleSel);
  roleField.hidden = true;
  const error = el('p', { id: 'signin-error', class: 'error' });
  const submit = el('button', { id: 'signin-submit', type: 'submit' }, s('signIn'));
  const form = el('form', { class: 'modal-box' }, el('h2', {}, s('signInTitle')), labelled(s('login'), login),
    labelled(s('password'), password), roleField, error, el('div', { class: 'buttons' }, submit), ...(demo ? [demo] : []));
  const overlay = el('div', { id: 'signin', class: 'modal cases-modal' }, form);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const role = roleSel.value === '' ? null : (roleSel.value as api.Role);
    api.signIn(login.value, password.value, role).then((r) => {
      if (r.state === 'choose-role') {
        for (const o of roleSel.options) o.hidden = o.value !== '' && !r.roles.includes(o.value as api.Role);
        roleField.hidden = false;
        return;
      }
      session = r.session;
      overlay.remove();
      afterSignIn();
    }).catch((e: unknown) => {
      const err = api.asCaseError(e);
      error.dataset.errorCode = err.code;
      error.dataset.errorDetail = err.detail.code;
      error.textContent = sayMessage(err.detail);
    });
  });
  document.body.append(overlay);
  login.focus();
}

function afterSignIn(): void {
  document.body.dataset.signedIn = session?.login ?? '';
  renderSettings();
  renderPane();
  if (openCase !== null) void showCase(openCase);
}

function renderSettings(): void {
  const host = document.getElementById('settings');
  if (!host) return;
  document.getElementById('cases-session')?.remove();
  if (!session) return;
  const out = el('button', { id: 'sign-out', type: 'button' }, s('signOut'));
  out.addEventListener('click', () => {
    void api.signOut().then(() => {
      session = null;
      document.body.dataset.signedIn = '';
      closePanel();
      showSignIn();
    });
  });
  const me = session;
  const pw = el('button', { id: 'change-password-open', type: 'button' }, users.userStrings('changePassword'));
  pw.addEventListener('click', () => { users.openChangePassword(me); });
  const extra: HTMLElement[] = [pw];
  if (me.role === 'admin' || me.role === 'leader') {
    const manage = el('button', { id: 'users-open', type: 'button' }, users.userStrings('users'));
    manage.addEventListener('click', () => { users.openUsers(me); });
    extra.push(manage);
  }
  host.append(el('div', { id: 'cases-session' }, el('p', {}, `${s('signedInAs')}: ${session.name} (${roleName(session.role)})`), out, ...extra));
}

// ---- pane: queue and list --------------------------------------------------------------------

let tab: 'queue' | 'list' = 'queue';
const filter: api.CaseFilter = {
  status: [], kind: null, class_code: null, source: [], grid: null, department: null, overdue: null, supervised: null,
  from: null, to: null, text: null, offset: 0, limit: PAGE,
};

function renderPane(): void {
  if (!pane) return;
  const who = session ? el('p', { class: 'muted', id: 'cases-who' }, `${session.name} · ${roleName(session.role)}`) : el('p');
  const tabs = el('div', { class: 'cases-tabs' });
  for (const k of ['queue', 'list'] as const) {
    const b = el('button', { type: 'button', id: `cases-tab-${k}`, 'aria-selected': String(tab === k) }, s(k));
    b.addEventListener('click', () => { tab = k; renderPane(); });
    tabs.append(b);
  }
  const body = el('div', { id: 'cases-body' });
  const newCase = el('button', { type: 'button', id: 'cases-new' }, s('newCase'));
  newCase.addEventListener('click', () => { void openIntake({ location: null }); });
  newCase.hidden = !session;
  pane.replaceChildren(el('h2', {}, s('tab')), who, el('p', { class: 'muted' }, s('clickMapHint')), newCase, tabs, body);
  if (!session) return;
  if (tab === 'queue') void renderQueue(body); else void renderList(body);
}

function caseItem(id: string, title: string, status: string, clock: api.ClockState | null): HTMLElement {
  const li = el('li', { 'data-case': id, class: clock?.overdue ? 'overdue' : '' },
    el('b', {}, id), ' ', title, el('br'), el('span', { class: 'muted' }, statusName(status)), ' ', remainingText(clock));
  li.addEventListener('click', () => { void showCase(id); });
  return li;
}

async function renderQueue(body: HTMLElement): Promise<void> {
  try {
    const items = await api.queue();
    const ul = el('ul', { id: 'cases-queue', class: 'cases-items' });
    for (const q of items) ul.append(caseItem(q.id, q.class_name ?? q.class_code, q.status, q.clock));
    body.replaceChildren(items.length ? ul : el('p', { class: 'muted', id: 'cases-queue' }, s('noCases')));
  } catch (e) {
    body.replaceChildren(errorBox(e));
  }
}

async function renderList(body: HTMLElement): Promise<void> {
  const status = select('status', [['', s('any')], ...api.STATUSES.map((v): [string, string] => [v, statusName(v)])], filter.status[0] ?? '');
  const source = select('source', [['', s('any')], ...api.SOURCES.map((v): [string, string] => [v, sourceName(v)])], filter.source[0] ?? '');
  const klass = el('input', { name: 'class', placeholder: '0101', value: filter.class_code ?? '' });
  const grid = el('input', { name: 'grid', value: filter.grid ?? '' });
  const dept = select('department', [['', s('any')], ...(tables?.departments ?? []).map((d): [string, string] => [d.code, d.name])], filter.department ?? '');
  const overdue = select('overdue', [['', s('any')], ['true', s('overdueOnly')], ['false', s('notOverdue')]], filter.overdue === null ? '' : String(filter.overdue));
  const form = el('form', { id: 'cases-filter', class: 'cases-filter' }, labelled(s('status'), status), labelled(s('source'), source),
    labelled(s('klass'), klass), labelled(s('grid'), grid), labelled(s('department'), dept), labelled(s('overdue'), overdue),
    el('button', { type: 'submit' }, s('refresh')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filter.status = status.value ? [status.value as api.CaseStatus] : [];
    filter.source = source.value ? [source.value as api.CaseSource] : [];
    filter.class_code = klass.value.trim() || null;
    filter.grid = grid.value.trim() || null;
    filter.department = dept.value || null;
    filter.overdue = overdue.value === '' ? null : overdue.value === 'true';
    listOffset = 0;
    void renderList(body);
  });
  const out = el('div', {});
  body.replaceChildren(form, out);
  try {
    const page = await api.caseList({ ...filter, offset: listOffset });
    const ul = el('ul', { id: 'cases-list', class: 'cases-items', 'data-total': String(page.total) });
    for (const r of page.rows) ul.append(caseItem(r.id, r.class_name ?? r.class_code, r.status, r.clock));
    const prev = el('button', { type: 'button' }, s('prev'));
    const next = el('button', { type: 'button' }, s('next'));
    prev.disabled = listOffset === 0;
    next.disabled = listOffset + PAGE >= page.total;
    prev.addEventListener('click', () => { listOffset = Math.max(0, listOffset - PAGE); void renderList(body); });
    next.addEventListener('click', () => { listOffset += PAGE; void renderList(body); });
    out.replaceChildren(ul, el('div', { class: 'pager' }, prev, ` ${listOffset + 1}–${listOffset + page.rows.length} / ${page.total} `, next));
  } catch (e) {
    out.replaceChildren(errorBox(e));
  }
}

// ---- case panel ------------------------------------------------------------------------------

function panel(): HTMLElement {
  let p = document.getElementById('case-panel');
  if (!p) {
    p = el('aside', { id: 'case-panel' });
    document.getElementById('app')?.append(p);
  }
  return p;
}

function closePanel(): void {
  openCase = null;
  document.getElementById('case-panel')?.remove();
}

const fillIn = (text: string, vars: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

/**
 * The street registers' hints for case `id` (the engine's `StreetHint`s): whose 门前三包
 * frontage it is on (opens the shop), a red-listed vendor nearby, or a vending zone open at the
 * time with admitted vendors (verify before filing).
 */
async function streetHints(id: string, into: HTMLElement): Promise<void> {
  try {
    const list = await caseHints(id);
    into.dataset.hints = list.map((h) => h.kind).join(' ');
    into.replaceChildren(...list.map((h) => {
      switch (h.kind) {
        case 'frontage': {
          const b = el('button', { type: 'button', class: 'case-hint hint-frontage', 'data-hint': 'frontage', 'data-object': String(h.object),
            title: fillIn(s('hintFrontageTitle'), { d: h.distance_m }) }, fillIn(s('hintFrontage'), { name: h.name }));
          b.addEventListener('click', () => { window.dispatchEvent(new CustomEvent('griddesk:open-object', { detail: h.object })); });
          return b;
        }
        case 'red_vendor':
          return el('p', { class: 'case-hint hint-red', 'data-hint': 'red_vendor', 'data-vendor': String(h.vendor) },
            fillIn(s('hintRedVendor'), { name: h.name, n: h.refusals, d: h.distance_m }));
        case 'in_vending_zone':
          return el('p', { class: 'case-hint hint-zone', 'data-hint': 'in_vending_zone', 'data-zone': h.zone },
            fillIn(s('hintZone'), { zone: h.zone_name, hours: h.hours, vendors: h.admitted.join('、') }));
      }
      return el('span');
    }));
  } catch (e) {
    into.replaceChildren(errorBox(e));
  }
}

/** Opens the case panel of `id`. */
export async function showCase(id: string): Promise<void> {
  openCase = id;
  const p = panel();
  const close = el('button', { type: 'button', class: 'close' }, '×');
  close.addEventListener('click', closePanel);
  try {
    const d = await api.caseDetail(id);
    const dl = el('dl', {});
    const row = (k: string, v: string | null) => { dl.append(el('dt', {}, k), el('dd', {}, v ?? '—')); };
    row(s('status'), statusName(d.status));
    row(s('klass'), `${d.class_code} ${d.class_name ?? ''}`);
    row(s('source'), sourceName(d.source));
    row(s('reportedAt'), d.reported_at.replace('T', ' '));
    row(s('grid'), d.grid);
    row(s('address'), d.flow.address ?? [d.street_name, d.community_name].filter(Boolean).join(' '));
    row(s('department'), d.department_name ?? d.flow.department);
    row(s('condition'), d.filing_condition);
    row(s('description'), d.description);
    dl.append(el('dt', {}, s('deadline')), el('dd', { id: 'case-clock' }, d.clock?.deadline?.replace('T', ' ') ?? '—', ' ', remainingText(d.clock)));
    const photos = el('div', { class: 'case-photos', id: 'case-photos' });
    for (const ph of d.photos) {
      const img = el('img', { alt: ph.name ?? ph.phase, title: ph.phase, 'data-phase': ph.phase });
      photos.append(img);
      api.thumbnail(ph.id).then((url) => { img.src = url; }).catch(() => { img.alt = '?'; });
    }
    const actions = el('div', { class: 'case-actions', id: 'case-actions' });
    for (const a of d.actions.filter(applicable)) {
      const b = el('button', { type: 'button', 'data-action': a }, actionName(a));
      b.addEventListener('click', () => { void loadTables().then(() => { actionForm(d, a, formHost); }); });
      actions.append(b);
    }
    if (!d.actions.length) actions.append(el('p', { class: 'muted' }, s('noActions')));
    const formHost = el('div', { id: 'action-host' });
    const timeline = el('ol', { class: 'case-timeline', id: 'case-timeline' });
    for (const a of d.audit) {
      timeline.append(el('li', { 'data-action': a.action }, `${a.at.replace('T', ' ')} ${a.actor} (${roleName(a.role)}) ${actionName(a.action)}: ${a.from_status ? statusName(a.from_status) : '—'} → ${statusName(a.to_status)}${a.note ? ` · ${a.note}` : ''}`));
    }
    p.dataset.case = d.id;
    p.dataset.status = d.status;
    const hints = el('div', { id: 'case-hints', class: 'case-hints' });
    void streetHints(d.id, hints);
    p.replaceChildren(close, el('h2', {}, d.id), hints, dl, el('h3', {}, s('photos')), photos, el('h3', {}, s('actions')), actions, formHost,
      el('h3', {}, s('timeline')), timeline);
  } catch (e) {
    p.replaceChildren(close, errorBox(e));
  }
}

/** The inputs each action needs. */
/** What `cases_apply` takes: every action kind but the ones only ever recorded. */
type Applicable = api.Action['action'];
const RECORDED_ONLY = allOf<Exclude<api.ActionKind, Applicable>>()('report', 'duplicate_report', 'import');
const applicable = (a: api.ActionKind): a is Applicable => !(RECORDED_ONLY as api.ActionKind[]).includes(a);

/** The form's inputs, read when it is submitted. */
interface ActionInputs {
  reason: string;
  note: string;
  department: string;
  condition: string | null;
  amount: number;
  unit: api.TimeUnit;
  photos: api.PhotoInput[];
}

/** The engine's `Action` for kind `a` from the form's inputs (an empty note is left out). */
function buildAction(a: Applicable, v: ActionInputs): api.Action {
  const note = v.note || null;
  switch (a) {
    case 'refuse': case 'verify_not_found': case 'request_cancel': case 'cancel': case 'request_return':
    case 'request_hang_up': case 'reject_request': case 'check_fail':
      return { action: a, reason: v.reason };
    case 'request_extension': return { action: a, amount: v.amount, unit: v.unit, reason: v.reason };
    case 'dispatch': return { action: a, department: v.department, note };
    case 'file': return { action: a, condition: v.condition, note };
    case 'feedback': case 'self_handle': return { action: a, note, photos: v.photos };
    // The instruction is the action itself: the engine requires it (and refuses an empty one).
    case 'supervise': return { action: a, note: v.note };
    default: return { action: a, note };
  }
}

function needs(a: api.ActionKind): { reason?: true; note?: true; department?: true; condition?: true; extension?: true; photo?: true } {
  switch (a) {
    case 'refuse': case 'verify_not_found': case 'request_cancel': case 'cancel': case 'request_return':
    case 'request_hang_up': case 'reject_request': case 'check_fail':
      return { reason: true };
    case 'request_extension': return { reason: true, extension: true };
    case 'dispatch': return { department: true, note: true };
    case 'file': return { condition: true, note: true };
    case 'feedback': case 'self_handle': return { note: true, photo: true };
    case 'supervise': return { note: true };
    default: return { note: true };
  }
}

function actionForm(d: api.CaseDetail, a: Applicable, host: HTMLElement): void {
  const n = needs(a);
  const form = el('form', { id: 'action-form', 'data-action': a, class: 'action-form' }, el('h4', {}, actionName(a)));
  const reason = el('textarea', { name: 'reason' });
  const note = el('textarea', { name: 'note' });
  const dept = select('department', (tables?.departments ?? []).map((x): [string, string] => [x.code, x.name]), d.flow.department ?? '');
  const conds = (tables?.conditions ?? []).filter((c) => c.class_code === d.class_code && c.kind === d.kind);
  const cond = select('condition', conds.map((c): [string, string] => [c.condition, c.filing]));
  const amount = el('input', { name: 'amount', type: 'number', min: '1', value: '8' });
  const unit = select('unit', [['work_hour', '工作时'], ['work_day', '工作日'], ['calendar_day', '自然日'], ['urgent_hour', '紧急时']], 'work_hour');
  const photo = el('input', { name: 'photo', type: 'file', accept: 'image/png,image/jpeg', multiple: '' });
  if (n.reason) form.append(labelled(s('reason'), reason));
  if (n.department) form.append(labelled(s('department'), dept));
  if (n.condition && conds.length) form.append(labelled(s('condition'), cond));
  if (n.extension) form.append(labelled(s('amount'), amount), labelled(s('unit'), unit));
  if (n.photo) form.append(labelled(s('photos'), photo));
  if (n.note) form.append(labelled(s('note'), note));
  const error = el('div', { id: 'action-error' });
  const cancel = el('button', { type: 'button' }, s('cancel'));
  cancel.addEventListener('click', () => { host.replaceChildren(); });
  form.append(error, el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'action-submit' }, s('confirm')), cancel));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      const act = buildAction(a, {
        reason: reason.value,
        note: note.value,
        department: dept.value,
        condition: conds.length ? cond.value : null,
        amount: Number(amount.value),
        unit: unit.value as api.TimeUnit,
        photos: n.photo ? await photosOf(photo, 'after') : [],
      });
      try {
        await api.applyAction(d.id, act);
        host.replaceChildren();
        await showCase(d.id);
        renderPane();
        refreshOverlay();
      } catch (e) {
        error.replaceChildren(errorBox(e));
      }
    })();
  });
  host.replaceChildren(form);
}

// ---- intake ----------------------------------------------------------------------------------

async function loadTables(): Promise<api.FormTablesDto | null> {
  if (tables === null || tables.classes.length === 0) {
    try {
      tables = await api.formTables();
    } catch {
      tables = null;
    }
  }
  return tables;
}

/** How an intake form starts: a map click, a component (its panel or a scanned plate), or the case list. */
export interface IntakeStart {
  /** `[lon, lat]`; picked on the map or typed when absent. */
  location: [number, number] | null;
  kind?: api.CaseKind;
  classCode?: string | null;
  /** 16-digit code of the component the case is about. */
  component?: string | null;
  source?: api.CaseSource;
  address?: string | null;
}

/** A map click the open intake form is waiting for ("pick on the map"), if any. */
let picking: ((lngLat: [number, number]) => void) | null = null;

/** Whether the intake form waits for a map click; other workspaces ignore that click. */
export function pickingLocation(): boolean {
  return picking !== null;
}

/** Opens the intake form at a map point. */
async function intakeForm(lngLat: [number, number]): Promise<void> {
  await openIntake({ location: lngLat });
}

/** Opens the case intake form, prefilled as `start` says (used by the map, the case list, components and scans). */
export async function openIntake(start: IntakeStart): Promise<void> {
  document.getElementById('intake')?.remove();
  picking = null;
  const t = await loadTables();
  const kind: api.CaseKind = start.kind ?? 'event';
  const source = select('source', api.SOURCES.map((v): [string, string] => [v, sourceName(v)]), start.source ?? 'patrol');
  const classes = (t?.classes ?? []).filter((c) => c.kind === kind);
  const klass = select('class', classes.map((c): [string, string] => [c.code, `${c.code} ${c.major_name}/${c.name}`]), start.classCode ?? '');
  klass.id = 'intake-class';
  const cond = select('condition', []);
  const fillConds = () => {
    const cs = (t?.conditions ?? []).filter((c) => c.kind === kind && c.class_code === klass.value);
    cond.replaceChildren(...cs.map((c) => el('option', { value: c.condition }, c.filing)));
  };
  klass.addEventListener('change', fillConds);
  fillConds();
  const lon = el('input', { name: 'lon', id: 'intake-lon', inputmode: 'decimal', value: start.location ? start.location[0].toFixed(6) : '' });
  const lat = el('input', { name: 'lat', id: 'intake-lat', inputmode: 'decimal', value: start.location ? start.location[1].toFixed(6) : '' });
  const pick = el('button', { type: 'button', id: 'intake-pick' }, s('pickOnMap'));
  const desc = el('textarea', { name: 'description' });
  const address = el('input', { name: 'address', value: start.address ?? '' });
  const reporter = el('input', { name: 'reporter' });
  const reportedAt = el('input', { name: 'reported_at', type: 'datetime-local', step: '1', value: localNow() });
  const photo = el('input', { name: 'photo', type: 'file', accept: 'image/png,image/jpeg', multiple: '' });
  const out = el('div', { id: 'intake-out' });
  const submit = el('button', { type: 'submit', id: 'intake-submit' }, s('submit'));
  const cancel = el('button', { type: 'button' }, s('cancel'));
  const where = el('div', { class: 'intake-where' }, labelled(s('lon'), lon), labelled(s('lat'), lat), pick);
  const form = el('form', { class: 'modal-box intake' }, el('h2', {}, s('newCase')),
    ...(start.component ? [el('p', { class: 'muted', id: 'intake-component', 'data-component': start.component }, `${s('component')}: ${start.component}`)] : []),
    el('p', { class: 'muted' }, `${s('location')} (${s('lonLatHint')})`), where,
    labelled(s('source'), source), labelled(s('klass'), klass), labelled(s('condition'), cond), labelled(s('description'), desc),
    labelled(s('address'), address), labelled(s('reporter'), reporter), labelled(s('reportedAtPast'), reportedAt),
    labelled(s('photos'), photo), out, el('div', { class: 'buttons' }, submit, cancel));
  const overlay = el('div', { id: 'intake', class: 'modal cases-modal' }, form);
  cancel.addEventListener('click', () => { picking = null; overlay.remove(); });
  pick.addEventListener('click', () => {
    overlay.hidden = true;
    document.body.dataset.picking = '1';
    picking = (ll) => {
      lon.value = ll[0].toFixed(6);
      lat.value = ll[1].toFixed(6);
      overlay.hidden = false;
    };
  });
  const typed = (): [number, number] | null => {
    const x = Number(lon.value.trim());
    const y = Number(lat.value.trim());
    return lon.value.trim() && lat.value.trim() && Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
  };
  const request = async (): Promise<api.IntakeRequest> => ({
    source: source.value as api.CaseSource,
    kind,
    class_code: klass.value || null,
    condition: cond.value || null,
    location: typed(),
    component: start.component ?? null,
    description: desc.value || null,
    address: address.value || null,
    reporter: reporter.value || null,
    reporter_phone: null,
    photos: await photosOf(photo, 'before'),
    reported_at: reportedAt.value.length === 16 ? `${reportedAt.value}:00` : reportedAt.value,
    // The filing condition's urgency.
    urgency: null,
  });
  const send = async (policy: api.OnDuplicate) => {
    if (typed() === null && !start.component) {
      out.replaceChildren(el('p', { class: 'error', 'data-error-code': 'invalid-input' }, s('needLocation')));
      return;
    }
    try {
      const r = await api.intake(await request(), policy);
      if (r.outcome === 'duplicates_found') {
        const ul = el('ul', { id: 'intake-dups' });
        for (const c of r.candidates) {
          const link = el('button', { type: 'button', 'data-link': c.id }, s('linkDuplicate'));
          link.addEventListener('click', () => { void send({ policy: 'link_to', case_id: c.id }); });
          ul.append(el('li', { 'data-case': c.id }, `${c.id} · ${statusName(c.status)} · ${Math.round(c.distance_m)} m `, link));
        }
        const proceed = el('button', { type: 'button', id: 'intake-proceed' }, s('proceed'));
        proceed.addEventListener('click', () => { void send({ policy: 'proceed' }); });
        out.replaceChildren(el('h3', {}, s('duplicates')), ul, proceed);
        return;
      }
      const id = r.outcome === 'created' ? r.id : r.original;
      overlay.remove();
      const note = el('p', { id: 'intake-result', 'data-case': id, 'data-outcome': r.outcome }, `${r.outcome === 'created' ? s('created') : s('linked')} ${id}`);
      pane?.prepend(note);
      renderPane();
      pane?.prepend(note);
      refreshOverlay();
      await showCase(id);
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); void send({ policy: 'check' }); });
  document.body.append(overlay);
}

// ---- map overlay -----------------------------------------------------------------------------

let overlaySeq = 0;
function refreshOverlay(): void {
  const map = view?.map;
  if (!map || document.body.dataset.workspace !== 'cases') return;
  const b = map.getBounds();
  const seq = ++overlaySeq;
  api.mapPoints([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]).then((pts) => {
    if (seq !== overlaySeq) return;
    const src = map.getSource<maplibregl.GeoJSONSource>(OVERLAY);
    const data: maplibregl.GeoJSONSourceSpecification['data'] = {
      type: 'FeatureCollection',
      features: pts.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { id: p.id, status: p.status, overdue: p.overdue } })),
    };
    void src?.setData(data);
    document.body.dataset.caseOverlay = String(pts.length);
    document.body.dataset.caseOverdue = String(pts.filter((p) => p.overdue).length);
  }).catch(() => { /* the overlay just stays as it was */ });
}

function installOverlay(map: maplibregl.Map): void {
  const add = () => {
    if (map.getSource(OVERLAY)) return;
    map.addSource(OVERLAY, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: OVERLAY, type: 'circle', source: OVERLAY,
      layout: { visibility: 'none' },
      paint: {
        'circle-radius': 7,
        'circle-color': ['case', ['get', 'overdue'], '#d7263d', '#2a9d8f'],
        'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2,
      },
    });
  };
  if (map.isStyleLoaded()) add(); else map.once('load', add);
  map.on('moveend', refreshOverlay);
  map.on('click', (e) => {
    if (picking) {
      const done = picking;
      picking = null;
      done([e.lngLat.lng, e.lngLat.lat]);
      // Other workspaces' click handlers of this same click still see the flag.
      setTimeout(() => { delete document.body.dataset.picking; }, 0);
      return;
    }
    if (document.body.dataset.workspace !== 'cases' || !session) return;
    const hit = map.getLayer(OVERLAY) ? map.queryRenderedFeatures(e.point, { layers: [OVERLAY] }) : [];
    const id = hit[0]?.properties.id as unknown;
    if (typeof id === 'string') { void showCase(id); return; }
    void intakeForm([e.lngLat.lng, e.lngLat.lat]);
  });
}

function setOverlayVisible(on: boolean): void {
  const map = view?.map;
  if (map?.getLayer(OVERLAY)) map.setLayoutProperty(OVERLAY, 'visibility', on ? 'visible' : 'none');
  if (on) refreshOverlay();
}

export const casesWorkspace: Workspace = {
  id: 'cases',
  label: () => s('tab'),
  mount: (host, v) => {
    pane = host;
    view = v;
    installOverlay(v.map);
    onLangChange(() => { renderPane(); renderSettings(); if (openCase) void showCase(openCase); });
    void loadTables();
    api.currentSession().then((cur) => {
      session = cur;
      if (session) afterSignIn(); else showSignIn();
    }).catch(() => { showSignIn(); });
    renderPane();
  },
  enter: () => { setOverlayVisible(true); renderPane(); },
  leave: () => { setOverlayVisible(false); },
};
