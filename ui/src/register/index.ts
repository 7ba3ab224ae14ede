// The components-register workspace (部件): a paged, searchable table; a component panel with
// its QR code, payload, history, edits and "report a case"; adding a component by a map click;
// importing a file; printing plate sheets; scanning a payload or an image; and, for
// administrators, the clock settings dialog (ui/src/settings/).
import { openTransfer } from '../transfer';
import type * as maplibregl from 'maplibre-gl';
import { asCaseError, currentSession, formTables, type ClassDto, type Session } from '../cases/api';
import { openIntake, pickingLocation } from '../cases';
import { el } from '../dom';
import { onLangChange, sayMessage } from '../i18n';
import type { MapView } from '../map';
import { openClockSettings } from '../settings';
import type { Workspace } from '../workspace';
import * as api from './api';
import './register.css';
import { s, stateName } from './strings';

const PAGE = 25;
const SELECTED = 'register-selected';

let view: MapView | null = null;
let pane: HTMLElement | null = null;
let session: Session | null = null;
let classes: ClassDto[] = [];
let adding = false;
let openCode: string | null = null;
const picked = new Set<string>();
let rendered = 0;
const query: api.RegisterQuery = { text: '', class_code: null, state: null, grid: null, offset: 0, limit: PAGE };

/** A failed command in the user's language (the engine's English stays in a data attribute). */
function errorBox(e: unknown): HTMLElement {
  const err = asCaseError(e);
  return el('p', { class: 'error', 'data-error-code': err.code, 'data-error-detail': err.detail.code, 'data-error-message': err.message },
    sayMessage(err.detail));
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

function classOptions(): [string, string][] {
  return classes.map((c): [string, string] => [c.code, `${c.code} ${c.major_name}/${c.name}`]);
}

const mayEdit = () => session !== null && (session.role === 'admin' || session.role === 'inspector');

async function refreshSession(): Promise<void> {
  try {
    session = await currentSession();
  } catch {
    session = null;
  }
}

async function loadClasses(): Promise<void> {
  if (classes.length) return;
  try {
    classes = (await formTables()).classes.filter((c) => c.kind === 'component');
  } catch {
    classes = [];
  }
}

// ---- pane ------------------------------------------------------------------------------------

function renderPane(): void {
  if (!pane) return;
  const text = el('input', { name: 'text', value: query.text, placeholder: s('text') });
  const klass = select('class', [['', s('any')], ...classOptions()], query.class_code ?? '');
  const state = select('state', [['', s('any')], ...api.STATES.map((v): [string, string] => [v, stateName(v)])], query.state ?? '');
  const grid = el('input', { name: 'grid', value: query.grid ?? '' });
  const form = el('form', { id: 'reg-filter', class: 'reg-filter' }, labelled(s('text'), text), labelled(s('klass'), klass),
    labelled(s('state'), state), labelled(s('grid'), grid), el('button', { type: 'submit', id: 'reg-search' }, s('search')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    query.text = text.value.trim();
    query.class_code = klass.value || null;
    query.state = (state.value || null) as api.ComponentState | null;
    query.grid = grid.value.trim() || null;
    query.offset = 0;
    void renderTable();
  });
  const add = el('button', { type: 'button', id: 'reg-add', 'aria-pressed': String(adding) }, adding ? s('stopAdding') : s('addOnMap'));
  add.addEventListener('click', () => { adding = !adding; document.body.dataset.registerAdding = adding ? '1' : ''; renderPane(); });
  const imp = el('button', { type: 'button', id: 'reg-import' }, s('importFile'));
  // The same File ▸ Import dialog as the menu: CRS, check with every reject, one transaction.
  imp.addEventListener('click', () => { void openTransfer('import', 'components'); });
  const png = el('button', { type: 'button', id: 'reg-plates-png' }, s('platesPng'));
  const pdf = el('button', { type: 'button', id: 'reg-plates-pdf' }, s('platesPdf'));
  png.addEventListener('click', () => { void plates('png'); });
  pdf.addEventListener('click', () => { void plates('pdf'); });
  const tools = el('div', { class: 'reg-tools' }, add, imp, png, pdf);
  if (session?.role === 'admin') {
    const clock = el('button', { type: 'button', id: 'reg-clock' }, s('clock'));
    clock.addEventListener('click', () => { void openClockSettings(); });
    tools.append(clock);
  }
  const scanText = el('textarea', { id: 'reg-scan-text', rows: '2', placeholder: s('scanHint') });
  const read = el('button', { type: 'button', id: 'reg-scan-read' }, s('scanRead'));
  const image = el('button', { type: 'button', id: 'reg-scan-image' }, s('scanImage'));
  read.addEventListener('click', () => { void scanned(api.scanText(scanText.value)); });
  image.addEventListener('click', () => { void scanned(api.scanImage()); });
  const scan = el('div', { class: 'reg-scan' }, el('h3', {}, s('scan')), scanText, el('div', { class: 'reg-tools' }, read, image));
  pane.replaceChildren(el('h2', {}, s('title')), ...(adding ? [el('p', { class: 'muted', id: 'reg-add-hint' }, s('addHint'))] : []),
    form, el('div', { id: 'reg-body' }), tools, el('div', { id: 'reg-out' }), scan);
  void renderTable();
}

function out(...nodes: (Node | string)[]): void {
  document.getElementById('reg-out')?.replaceChildren(...nodes);
}

async function renderTable(): Promise<void> {
  const body = document.getElementById('reg-body');
  if (!body) return;
  try {
    const page = await api.list(query);
    const table = el('table', { id: 'reg-table', class: 'reg-table', 'data-total': String(page.total) },
      el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, s('code')), el('th', {}, s('klass')), el('th', {}, s('state')), el('th', {}, s('grid')))));
    const tbody = el('tbody', {});
    for (const c of page.rows) {
      const box = el('input', { type: 'checkbox', class: 'reg-pick', 'data-code': c.code });
      box.checked = picked.has(c.code);
      box.addEventListener('click', (ev) => { ev.stopPropagation(); });
      box.addEventListener('change', () => { if (box.checked) picked.add(c.code); else picked.delete(c.code); showPicked(); });
      const tr = el('tr', { 'data-code': c.code, class: c.code === openCode ? 'open' : '' }, el('td', {}, box), el('td', {}, c.code),
        el('td', {}, c.class_name ?? c.class_code), el('td', {}, stateName(c.state)), el('td', {}, c.grid ?? '—'));
      tr.addEventListener('click', () => { void showComponent(c.code, true); });
      tbody.append(tr);
    }
    table.append(tbody);
    const prev = el('button', { type: 'button', id: 'reg-prev' }, s('prev'));
    const next = el('button', { type: 'button', id: 'reg-next' }, s('next'));
    prev.disabled = query.offset === 0;
    next.disabled = query.offset + PAGE >= page.total;
    prev.addEventListener('click', () => { query.offset = Math.max(0, query.offset - PAGE); void renderTable(); });
    next.addEventListener('click', () => { query.offset += PAGE; void renderTable(); });
    const range = page.total ? `${query.offset + 1}–${query.offset + page.rows.length} / ${page.total}` : s('none');
    body.replaceChildren(el('div', { class: 'reg-scroll' }, table), el('div', { class: 'pager' }, prev, ` ${range} `, next),
      el('p', { class: 'muted', id: 'reg-picked' }));
    body.dataset.rendered = String(++rendered);
    showPicked();
  } catch (e) {
    body.replaceChildren(errorBox(e));
  }
}

function showPicked(): void {
  const p = document.getElementById('reg-picked');
  if (p) {
    p.dataset.count = String(picked.size);
    p.textContent = `${s('selected')}: ${picked.size}`;
  }
}

// ---- component panel -------------------------------------------------------------------------

function closePanel(): void {
  openCode = null;
  document.getElementById('component-panel')?.remove();
  setSelected(null);
}

function setSelected(at: [number, number] | null): void {
  const src = view?.map.getSource<maplibregl.GeoJSONSource>(SELECTED);
  void src?.setData({
    type: 'FeatureCollection',
    features: at ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: {} }] : [],
  });
}

function historyText(h: api.ComponentChange): string {
  const what = h.action.split('+').map((a) => {
    const k = `act_${a}`;
    return k === 'act_create' || k === 'act_edit' || k === 'act_state' || k === 'act_move' ? s(k) : a;
  }).join(', ');
  const b = h.before;
  const a = h.after;
  const diffs: string[] = [];
  if (b && a) {
    if (b.owner !== a.owner) diffs.push(`${s('owner')}: ${b.owner ?? '—'} → ${a.owner ?? '—'}`);
    if (b.maintainer !== a.maintainer) diffs.push(`${s('maintainer')}: ${b.maintainer ?? '—'} → ${a.maintainer ?? '—'}`);
    if (b.state !== a.state) diffs.push(`${s('state')}: ${stateName(b.state)} → ${stateName(a.state)}`);
  }
  return `${h.at.replace('T', ' ')} ${h.actor} ${what}${diffs.length ? ` (${diffs.join('; ')})` : ''}${h.note ? ` · ${h.note}` : ''}`;
}

/** Opens the panel of component `code`; `fly` moves the map there. */
export async function showComponent(code: string, fly: boolean): Promise<void> {
  openCode = code;
  let p = document.getElementById('component-panel');
  if (!p) {
    p = el('aside', { id: 'component-panel' });
    document.getElementById('app')?.append(p);
  }
  const panel = p;
  const close = el('button', { type: 'button', class: 'close' }, '×');
  close.addEventListener('click', closePanel);
  for (const tr of document.querySelectorAll<HTMLElement>('#reg-table tr[data-code]')) tr.classList.toggle('open', tr.dataset.code === code);
  try {
    const d = await api.component(code);
    const c = d.component;
    if (fly) view?.map.flyTo({ center: c.location, zoom: Math.max(view.map.getZoom(), 18), duration: 600 });
    setSelected(c.location);
    const dl = el('dl', {});
    const row = (k: string, v: string | null, field: string) => { dl.append(el('dt', {}, k), el('dd', { 'data-field': field }, v ?? '—')); };
    row(s('code'), c.code, 'code');
    row(s('klass'), `${c.class_code} ${c.class_name ?? ''}`, 'class');
    row(s('owner'), c.owner, 'owner');
    row(s('maintainer'), c.maintainer, 'maintainer');
    row(s('state'), stateName(c.state), 'state');
    row(s('grid'), c.grid, 'grid');
    row(s('location'), `${c.location[0].toFixed(6)}, ${c.location[1].toFixed(6)}`, 'location');
    const qr = el('img', { id: 'component-qr', src: d.qr, alt: s('qr'), 'data-payload': d.payload });
    const payload = el('code', { id: 'component-payload' }, d.payload);
    const startCase = el('button', { type: 'button', id: 'component-case' }, s('startCase'));
    startCase.addEventListener('click', () => {
      closePanel();
      void openIntake({ location: c.location, kind: 'component', classCode: c.class_code, component: c.code, source: 'patrol' });
    });
    const history = el('ol', { id: 'component-history', class: 'case-timeline' });
    for (const h of d.history) history.append(el('li', { 'data-action': h.action }, historyText(h)));
    panel.dataset.code = c.code;
    panel.dataset.state = c.state;
    panel.replaceChildren(close, el('h2', {}, c.class_name ?? c.class_code), dl, startCase,
      el('h3', {}, s('qr')), el('div', { class: 'component-qr' }, qr, el('p', {}, s('payload'), el('br'), payload)),
      el('h3', {}, s('edit')), editForm(c), el('h3', {}, s('history')), history);
  } catch (e) {
    panel.replaceChildren(close, errorBox(e));
  }
}

function editForm(c: api.ComponentRecord): HTMLElement {
  if (!session) return el('p', { class: 'muted' }, s('signInFirst'));
  if (!mayEdit()) return el('p', { class: 'muted', id: 'component-no-edit' }, s('mayNotEdit'));
  const owner = el('input', { name: 'owner', value: c.owner ?? '' });
  const maintainer = el('input', { name: 'maintainer', value: c.maintainer ?? '' });
  const state = select('state', api.STATES.map((v): [string, string] => [v, stateName(v)]), c.state);
  const note = el('input', { name: 'note' });
  const err = el('div', { id: 'component-edit-out' });
  const form = el('form', { id: 'component-edit', class: 'action-form' }, labelled(s('owner'), owner), labelled(s('maintainer'), maintainer),
    labelled(s('state'), state), labelled(s('note'), note), err, el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'component-save' }, s('save'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = (v: string) => (v.trim() ? v.trim() : null);
    // Owner and maintainer are always sent: an emptied field clears it ("" — `null` would leave
    // it as it is, see `ComponentEdit`).
    // `expected`: the record this form shows; the engine refuses the edit if someone else has
    // changed the component since, instead of putting these values back over theirs.
    api.edit(c.code, { owner: owner.value.trim(), maintainer: maintainer.value.trim(), state: state.value as api.ComponentState, note: text(note.value), expected: c })
      .then(async () => { await showComponent(c.code, false); await renderTable(); })
      .catch((e: unknown) => { err.replaceChildren(errorBox(e)); });
  });
  return form;
}

// ---- adding, importing, plates, scanning -----------------------------------------------------

async function addAt(lngLat: [number, number]): Promise<void> {
  await loadClasses();
  document.getElementById('reg-new')?.remove();
  if (!mayEdit()) {
    out(el('p', { class: 'error', 'data-error-code': 'not-permitted' }, session ? s('mayNotEdit') : s('signInFirst')));
    return;
  }
  const klass = select('class', classOptions(), classes[0]?.code ?? '');
  klass.id = 'reg-new-class';
  const code = el('b', { id: 'reg-new-code' }, '…');
  const owner = el('input', { name: 'owner' });
  const maintainer = el('input', { name: 'maintainer' });
  const state = select('state', api.STATES.map((v): [string, string] => [v, stateName(v)]), 'intact');
  const result = el('div', { id: 'reg-new-out' });
  const save = el('button', { type: 'submit', id: 'reg-new-save' }, s('save'));
  const cancel = el('button', { type: 'button' }, s('cancel'));
  const form = el('form', { class: 'modal-box' }, el('h2', {}, s('newComponent')),
    el('p', { class: 'muted' }, `${s('location')}: ${lngLat[0].toFixed(6)}, ${lngLat[1].toFixed(6)}`),
    labelled(s('klass'), klass), el('p', {}, `${s('nextCode')}: `, code), labelled(s('owner'), owner),
    labelled(s('maintainer'), maintainer), labelled(s('state'), state), result, el('div', { class: 'buttons' }, save, cancel));
  const overlay = el('div', { id: 'reg-new', class: 'modal cases-modal' }, form);
  cancel.addEventListener('click', () => { overlay.remove(); });
  const showNext = () => {
    code.textContent = '…';
    delete code.dataset.code;
    api.nextCode(klass.value).then((n) => { code.textContent = n; code.dataset.code = n; })
      .catch((e: unknown) => { result.replaceChildren(errorBox(e)); });
  };
  klass.addEventListener('change', showNext);
  showNext();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = (v: string) => (v.trim() ? v.trim() : null);
    api.create({ class_code: klass.value, location: lngLat, owner: text(owner.value), maintainer: text(maintainer.value),
      state: state.value as api.ComponentState, note: null })
      .then(async (c) => {
        overlay.remove();
        query.text = c.code;
        query.class_code = null;
        query.state = null;
        query.grid = null;
        query.offset = 0;
        renderPane();
        out(el('p', { id: 'reg-created', 'data-code': c.code }, `${s('saved')}: ${c.code}`));
        await showComponent(c.code, false);
      })
      .catch((e: unknown) => { result.replaceChildren(errorBox(e)); });
  });
  document.body.append(overlay);
}



async function plates(format: api.SheetFormat): Promise<void> {
  if (picked.size === 0) { out(el('p', { class: 'error' }, s('selectFirst'))); return; }
  try {
    const d = new Date();
    const name = `qr-plates-${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    const files = await api.plateSheet([...picked], format, name);
    if (files === null) { out(el('p', { class: 'muted' }, s('cancelled'))); return; }
    out(el('p', { id: 'reg-plates-saved', 'data-files': JSON.stringify(files) }, `${s('saved')}: ${files.join(', ')}`));
  } catch (e) {
    out(errorBox(e));
  }
}

async function scanned(p: Promise<api.Scan | null>): Promise<void> {
  try {
    const r = await p;
    if (r === null) { out(el('p', { class: 'muted' }, s('cancelled'))); return; }
    const c = r.component;
    const far = r.offset_m !== null && r.offset_m > 5 ? [el('p', { class: 'muted' }, `${s('offset')} ${Math.round(r.offset_m)} m`)] : [];
    out(el('p', { id: 'reg-scanned', 'data-code': c.code }, `${s('scan')}: ${c.code}`), ...far);
    await showComponent(c.code, true);
    const i = r.intake;
    await openIntake({ location: i.location ?? c.location, kind: i.kind, classCode: i.class_code, component: c.code, source: i.source, address: i.address });
  } catch (e) {
    out(errorBox(e));
  }
}

// ---- map -------------------------------------------------------------------------------------

function installMap(map: maplibregl.Map): void {
  const add = () => {
    if (map.getSource(SELECTED)) return;
    map.addSource(SELECTED, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: SELECTED, type: 'circle', source: SELECTED,
      paint: { 'circle-radius': 11, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#e76f51', 'circle-stroke-width': 3 },
    });
  };
  if (map.isStyleLoaded()) add(); else map.once('load', add);
  map.on('click', (e) => {
    if (document.body.dataset.workspace !== 'register' || pickingLocation() || document.body.dataset.picking) return;
    const at: [number, number] = [e.lngLat.lng, e.lngLat.lat];
    if (adding) { void addAt(at); return; }
    const hit = map.getLayer('components') ? map.queryRenderedFeatures(e.point, { layers: ['components'] }) : [];
    const code = hit[0]?.properties.code as unknown;
    if (typeof code === 'string') void showComponent(code, false);
  });
}

export const registerWorkspace: Workspace = {
  id: 'register',
  label: () => s('tab'),
  mount: (host, v) => {
    pane = host;
    view = v;
    installMap(v.map);
    onLangChange(() => { renderPane(); if (openCode) void showComponent(openCode, false); });
    // Signing in or out (the case workspace's overlay) changes what this pane offers.
    new MutationObserver(() => {
      if (document.body.dataset.workspace === 'register') void refreshSession().then(() => { renderPane(); if (openCode) void showComponent(openCode, false); });
    }).observe(document.body, { attributes: true, attributeFilter: ['data-signed-in'] });
  },
  enter: () => {
    void Promise.all([refreshSession(), loadClasses()]).then(() => { renderPane(); });
  },
  leave: () => {
    adding = false;
    delete document.body.dataset.registerAdding;
    closePanel();
    document.getElementById('reg-new')?.remove();
  },
};
