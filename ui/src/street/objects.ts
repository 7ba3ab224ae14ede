// 服务对象: the register of service objects — search with filters, a paged table, the overview
// counts, the object panel (fields, history, notices, photos, cases on its frontage) with edit,
// verify, frontage drawing and zoom; new objects placed on the map; imports checked first with
// every reject listed; the register layers and the per-grid counts on the map.
import { api as coreApi } from '../api';
import { el } from '../dom';
import type { MapView } from '../map';
import { rejectWhere } from '../transfer';
import { sayMessage } from '../i18n';
import * as api from './api';
import { drawShape } from './draw';
import { COUNT_COLOURS, hideCounts, layersVisible, refreshLayers, setLayersVisible, setSelected, showCounts } from './maplayer';
import { reload, sectionName, state } from './state';
import { actionName, fieldName, kindName, s, statusName } from './strings';
import { errorBox, fill, labelled, modal, placeFields, select, text, when } from './ui';

const PAGE = 20;
const query: api.ObjectQuery = { text: '', kind: null, section: null, subclass: null, status: null, area: null, verified: null, offset: 0, limit: PAGE };
let view: MapView | null = null;
let host: HTMLElement | null = null;
let openId: number | null = null;
let counting = false;
let rendered = 0;
let loaded = 0;
/** The last import's outcome, kept while the tab is drawn again after it. */
let lastImport: { path: string; report: api.RegisterImport | null; state: string; node: HTMLElement | null } = { path: '', report: null, state: '', node: null };

export function initObjects(v: MapView): void {
  view = v;
}

const sectionOptions = (): [string, string][] => (state.overview?.sections ?? []).map(([l, n]): [string, string] => [l, `${l} ${n}`]);
const subclassOptions = (section: string | null): [string, string][] =>
  (state.overview?.subclasses ?? []).filter((c) => !section || c.section === section).map((c): [string, string] => [c.code, `${c.code} ${c.name}`]);

/** Draws the tab into `into`. */
export function renderObjects(into: HTMLElement): void {
  host = into;
  const o = state.overview;
  const counts = el('p', { class: 'muted street-counts', id: 'street-counts', 'data-objects': String(o?.objects ?? 0) },
    o ? fill(s('counts'), { objects: o.objects, verified: o.verified, frontage: o.with_frontage }) : '');
  const bySection = el('p', { class: 'muted street-counts', id: 'street-by-section' },
    (o?.by_section ?? []).map(([l, n]) => `${l} ${n}`).join(' · '));
  const txt = el('input', { name: 'text', value: query.text, placeholder: s('textHint') });
  const kind = select('kind', [['', s('any')], ...api.KINDS.map((k): [string, string] => [k, kindName(k)])], query.kind ?? '');
  const section = select('section', [['', s('any')], ...sectionOptions()], query.section ?? '');
  const subclass = select('subclass', [['', s('any')], ...subclassOptions(query.section)], query.subclass ?? '');
  section.addEventListener('change', () => {
    const opts: [string, string][] = [['', s('any')], ...subclassOptions(section.value || null)];
    subclass.replaceChildren(...opts.map(([v, t]) => el('option', { value: v }, t)));
  });
  const status = select('status', [['', s('any')], ...api.STATUSES.map((k): [string, string] => [k, statusName(k)])], query.status ?? '');
  const area = el('input', { name: 'area', value: query.area ?? '', placeholder: s('areaHint') });
  const verified = select('verified', [['', s('any')], ['yes', s('verifiedYes')], ['no', s('verifiedNo')]],
    query.verified === null ? '' : query.verified ? 'yes' : 'no');
  const form = el('form', { id: 'street-filter', class: 'reg-filter' }, labelled(s('search'), txt), labelled(s('kind'), kind),
    labelled(s('section'), section), labelled(s('subclass'), subclass), labelled(s('status'), status), labelled(s('area'), area),
    labelled(s('verified'), verified), el('button', { type: 'submit', id: 'street-search' }, s('searchButton')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    query.text = txt.value.trim();
    query.kind = (kind.value || null) as api.ObjectKind | null;
    query.section = section.value || null;
    query.subclass = subclass.value || null;
    query.status = (status.value || null) as api.ObjectStatus | null;
    query.area = text(area.value);
    query.verified = verified.value === '' ? null : verified.value === 'yes';
    query.offset = 0;
    void renderTable();
    if (counting) void recount();
  });
  const tools = el('div', { class: 'reg-tools' });
  if (o?.can_edit) {
    const add = el('button', { type: 'button', id: 'street-new' }, s('newObject'));
    add.addEventListener('click', () => { objectForm(null); });
    tools.append(add);
  }
  const layer = el('input', { type: 'checkbox', id: 'street-layer' });
  layer.checked = layersVisible();
  layer.addEventListener('change', () => { setLayersVisible(layer.checked); });
  const choro = el('input', { type: 'checkbox', id: 'street-choropleth' });
  choro.checked = counting;
  choro.addEventListener('change', () => {
    counting = choro.checked;
    if (counting) void recount(); else { hideCounts(); legend.replaceChildren(); }
  });
  const legend = el('div', { id: 'street-count-legend', class: 'street-legend' });
  const mapTools = el('div', { class: 'street-checks' }, el('label', {}, layer, s('layerToggle')), el('label', {}, choro, s('countsToggle')), legend);
  into.replaceChildren(counts, bySection, form, el('div', { id: 'street-table-host' }), tools, mapTools, importBox());
  if (counting) void recount();
  void renderTable();
}

async function recount(): Promise<void> {
  const legend = document.getElementById('street-count-legend');
  try {
    const n = await showCounts(query);
    const labels = ['1', '2', '3–4', '5–8', '> 8'];
    legend?.replaceChildren(el('span', { class: 'muted' }, fill(s('countsLegend'), { n })),
      ...labels.map((l, i) => el('span', { class: 'street-swatch' }, el('i', { style: `background:${COUNT_COLOURS[i]}` }), l)));
  } catch (e) {
    legend?.replaceChildren(errorBox(e));
  }
}

let tableSeq = 0;

async function renderTable(): Promise<void> {
  const body = document.getElementById('street-table-host');
  if (!body) return;
  // Only the newest search draws the table (an older answer arriving late is dropped).
  const seq = ++tableSeq;
  try {
    const page = await api.search(query);
    if (seq !== tableSeq) return;
    const table = el('table', { id: 'street-table', class: 'reg-table', 'data-total': String(page.total) },
      el('thead', {}, el('tr', {}, el('th', {}, s('name')), el('th', {}, s('sectionShort')), el('th', {}, s('grid')), el('th', {}, s('status')))));
    const tbody = el('tbody', {});
    for (const r of page.rows) {
      const tr = el('tr', { 'data-id': String(r.id), class: r.id === openId ? 'open' : '', title: r.address },
        el('td', {}, r.name, r.verified ? el('span', { class: 'street-tick', title: s('verifiedYes') }, ' ✓') : ''),
        el('td', {}, r.section ?? '—'), el('td', {}, r.grid ?? '—'), el('td', {}, statusName(r.status)));
      tr.addEventListener('click', () => { void showObject(r.id, true); });
      tbody.append(tr);
    }
    table.append(tbody);
    const prev = el('button', { type: 'button', id: 'street-prev' }, s('prev'));
    const next = el('button', { type: 'button', id: 'street-next' }, s('next'));
    prev.disabled = query.offset === 0;
    next.disabled = query.offset + PAGE >= page.total;
    prev.addEventListener('click', () => { query.offset = Math.max(0, query.offset - PAGE); void renderTable(); });
    next.addEventListener('click', () => { query.offset += PAGE; void renderTable(); });
    const range = page.total ? `${query.offset + 1}–${query.offset + page.rows.length} / ${page.total}` : s('noObjects');
    body.replaceChildren(el('div', { class: 'reg-scroll' }, table), el('div', { class: 'pager' }, prev, ` ${range} `, next));
    body.dataset.rendered = String(++rendered);
  } catch (e) {
    if (seq !== tableSeq) return;
    body.replaceChildren(errorBox(e));
    body.dataset.rendered = String(++rendered);
  }
}

// ---- import ----------------------------------------------------------------------------------

function importBox(): HTMLElement {
  const box = el('div', { id: 'street-import-box', class: 'street-import' }, el('h3', {}, s('importTitle')));
  const tplOnly = !state.overview?.can_verify;
  if (tplOnly) box.append(el('p', { class: 'muted', id: 'street-import-desk' }, s('importDesk')));
  const path = el('input', { id: 'street-import-path', placeholder: s('pathHint'), value: lastImport.path });
  const choose = el('button', { type: 'button', id: 'street-import-choose' }, s('chooseFile'));
  choose.addEventListener('click', () => {
    api.pickFile('objects').then((p) => { if (p) path.value = p; }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  const check = el('button', { type: 'button', id: 'street-import-check' }, s('check'));
  const run = el('button', { type: 'button', id: 'street-import-run' }, s('import'));
  run.disabled = !(lastImport.state === 'checked' && lastImport.path);
  const out = el('div', { id: 'street-import-out' });
  if (lastImport.node) {
    out.replaceChildren(lastImport.node);
    out.dataset.state = lastImport.state;
  }
  const go = async (dry: boolean) => {
    const p = path.value.trim();
    if (!p) { out.replaceChildren(el('p', { class: 'error' }, s('noFile'))); return; }
    out.replaceChildren(el('p', { class: 'muted' }, dry ? s('checking') : s('importing')));
    try {
      const r = await api.importObjects(p, dry);
      const node = importReport(r);
      const st = r.rejects.total ? 'rejected' : dry ? 'checked' : 'imported';
      lastImport = { path: p, report: r, state: st, node };
      // After an import the tab is drawn anew (counts, table, layers) and shows this outcome.
      if (!dry && r.imported > 0) { await afterChange(); return; }
      out.replaceChildren(node);
      out.dataset.state = st;
      run.disabled = !dry || r.rejects.total > 0;
    } catch (e) {
      const node = errorBox(e);
      lastImport = { path: p, report: null, state: 'error', node };
      out.replaceChildren(node);
      out.dataset.state = 'error';
    }
  };
  path.addEventListener('input', () => { run.disabled = true; lastImport = { path: path.value, report: null, state: '', node: null }; });
  check.addEventListener('click', () => { void go(true); });
  run.addEventListener('click', () => { void go(false); });
  const xlsx = el('button', { type: 'button', id: 'street-template-xlsx' }, s('templateXlsx'));
  const csv = el('button', { type: 'button', id: 'street-template-csv' }, s('templateCsv'));
  const tpl = (f: api.ListFormat) => {
    api.template(f).then((p) => {
      out.replaceChildren(el('p', { id: 'street-template-saved', 'data-path': p ?? '' }, p ? fill(s('saved'), { path: p }) : s('cancelled')));
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  };
  xlsx.addEventListener('click', () => { tpl('xlsx'); });
  csv.addEventListener('click', () => { tpl('csv'); });
  // Roles that may not import still get the templates (to fill in for the desk).
  if (tplOnly) box.append(el('div', { class: 'reg-tools' }, xlsx, csv), out);
  else box.append(el('div', { class: 'street-row' }, path, choose), el('div', { class: 'reg-tools' }, check, run, xlsx, csv), out);
  if (state.overview?.can_configure) {
    // The city's own sub-class table (code, section, name) replaces the one in force.
    const sub = el('button', { type: 'button', id: 'street-subclasses' }, s('importSubclasses'));
    const subOut = el('div', { id: 'street-subclasses-out' });
    sub.addEventListener('click', () => {
      void api.pickFile('subclasses').then(async (p) => {
        if (!p) return;
        const n = await api.importSubclasses(p);
        await reload();
        subOut.replaceChildren(el('p', { 'data-count': String(n) }, fill(s('subclassesImported'), { n })));
      }).catch((e: unknown) => { subOut.replaceChildren(errorBox(e)); });
    });
    box.append(el('div', { class: 'reg-tools' }, sub), subOut);
  }
  return box;
}

function importReport(r: api.RegisterImport): HTMLElement {
  const div = el('div', { id: 'street-import-report', 'data-valid': String(r.valid), 'data-imported': String(r.imported), 'data-rejects': String(r.rejects.total) });
  if (r.rejects.total) {
    div.append(el('p', { class: 'error' }, fill(s('rejects'), { n: r.rejects.total }), ' ', s('nothingImported')));
    const table = el('table', { id: 'street-rejects', class: 'reg-table' }, el('tr', {}, el('th', {}, s('where')), el('th', {}, s('problem'))));
    for (const x of r.rejects.kept) {
      const p = x.location.position;
      const line = typeof p === 'object' && 'line' in p ? String(p.line) : '';
      table.append(el('tr', { 'data-line': line, 'data-field': x.location.field ?? '', 'data-detail': x.detail.code },
        el('td', {}, rejectWhere(x)), el('td', {}, sayMessage(x.detail))));
    }
    div.append(el('div', { class: 'reg-rejects' }, table));
  } else if (r.dry_run) {
    div.append(el('p', {}, fill(s('wouldImport'), { n: r.valid })));
  } else {
    div.append(el('p', { id: 'street-imported' }, fill(s('imported'), { n: r.imported })));
  }
  return div;
}

/** After a write: the overview, the table, the layers and the counts anew. */
async function afterChange(): Promise<void> {
  await reload();
  refreshLayers();
  if (host) renderObjects(host);
}

// ---- object panel ----------------------------------------------------------------------------

export function closeObject(): void {
  openId = null;
  document.getElementById('street-panel')?.remove();
  setSelected(null);
}

const isStatus = (v: string): v is api.ObjectStatus => (api.STATUSES as string[]).includes(v);
const isKind = (v: string): v is api.ObjectKind => (api.KINDS as string[]).includes(v);

/** A field's value in a history entry as shown (statuses and kinds in words). */
function fieldValue(f: string, v: string | null): string {
  if (v === null || v === '') return '—';
  if (f === 'status' && isStatus(v)) return statusName(v);
  if (f === 'kind' && isKind(v)) return kindName(v);
  return v;
}

function historyItem(h: api.ObjectChange): HTMLElement {
  const li = el('li', { 'data-action': h.action }, `${when(h.at)} ${h.by} ${actionName(h.action)}${h.reason ? ` · ${h.reason}` : ''}`);
  // A field empty before and after says nothing (a new record lists every field).
  const fields = h.fields.filter(([, b, a]) => (b ?? '') !== (a ?? ''));
  if (fields.length) {
    const ul = el('ul', { class: 'street-fields' });
    for (const [f, b, a] of fields) ul.append(el('li', { 'data-field': f }, `${fieldName(f)}: ${fieldValue(f, b)} → ${fieldValue(f, a)}`));
    li.append(ul);
  }
  return li;
}

/** Opens the panel of object `id`; `fly` moves the map there. */
export async function showObject(id: number, fly: boolean): Promise<void> {
  openId = id;
  let p = document.getElementById('street-panel');
  if (!p) {
    p = el('aside', { id: 'street-panel', class: 'street-panel' });
    document.getElementById('app')?.append(p);
  }
  const panel = p;
  const close = el('button', { type: 'button', class: 'close' }, '×');
  close.addEventListener('click', closeObject);
  for (const tr of document.querySelectorAll<HTMLElement>('#street-table tr[data-id]')) tr.classList.toggle('open', tr.dataset.id === String(id));
  try {
    const d = await api.object(id);
    const o = d.object;
    if (fly) view?.map.flyTo({ center: o.location, zoom: Math.max(view.map.getZoom(), 17.5), duration: 600 });
    setSelected(o.location);
    const dl = el('dl', {});
    const row = (k: string, v: string | null, field: string) => { dl.append(el('dt', {}, k), el('dd', { 'data-field': field }, v ?? '—')); };
    row(s('kind'), kindName(o.kind), 'kind');
    row(s('address'), o.address, 'address');
    row(s('section'), sectionName(o.section), 'section');
    row(s('subclass'), o.subclass ? `${o.subclass} ${d.subclass_name ?? ''}` : null, 'subclass');
    row(s('grid'), o.grid ? `${o.grid}${d.grid_name ? ` ${d.grid_name}` : ''}` : null, 'grid');
    if (o.grid_reason) row(s('gridReason'), o.grid_reason, 'grid_reason');
    row(s('creditCode'), o.credit_code, 'credit_code');
    row(s('licence'), o.licence, 'licence');
    row(s('legalRep'), o.legal_rep, 'legal_rep');
    row(s('idNumber'), o.id_number, 'id_number');
    row(s('contact'), o.contact, 'contact');
    row(s('phone'), o.phone, 'phone');
    row(s('status'), statusName(o.status), 'status');
    row(s('collected'), [o.collected_by, o.collected_on].filter(Boolean).join(' ') || null, 'collected');
    row(s('verified'), o.verified_by ? `${o.verified_by} ${when(o.verified_at)}` : s('verifiedNo'), 'verified');
    row(s('location'), `${o.location[0].toFixed(6)}, ${o.location[1].toFixed(6)}`, 'location');
    row(s('frontage'), o.frontage ? fill(s('frontagePoints'), { n: o.frontage.length }) : s('noFrontage'), 'frontage');
    if (o.note) row(s('note'), o.note, 'note');
    const buttons = el('div', { class: 'reg-tools', id: 'street-object-tools' });
    const zoom = el('button', { type: 'button', id: 'street-zoom' }, s('zoomTo'));
    zoom.addEventListener('click', () => { view?.map.flyTo({ center: o.location, zoom: 18, duration: 600 }); });
    buttons.append(zoom);
    const out = el('div', { id: 'street-object-out' });
    const ov = state.overview;
    if (ov?.can_edit) {
      const edit = el('button', { type: 'button', id: 'street-edit' }, s('edit'));
      // A session that sees personal data masked edits the rest: the engine keeps the stored
      // personal fields whatever such a session sends back.
      edit.addEventListener('click', () => { objectForm(o, null, d.masked); });
      const front = el('button', { type: 'button', id: 'street-frontage' }, s('drawFrontage'));
      front.addEventListener('click', () => {
        view?.map.flyTo({ center: o.location, zoom: Math.max(view.map.getZoom(), 18), duration: 0 });
        void drawShape('line', s('frontageHint')).then(async (line) => {
          if (!line) return;
          try {
            await api.setFrontage(o.id, line);
            refreshLayers();
            await showObject(o.id, false);
          } catch (e) {
            document.getElementById('street-object-out')?.replaceChildren(errorBox(e));
          }
        });
      });
      const addPhoto = el('button', { type: 'button', id: 'street-add-photo' }, s('addPhoto'));
      addPhoto.addEventListener('click', () => {
        void api.pickFile('photo').then(async (path) => {
          if (!path) return;
          await api.addPhoto('object', o.id, path);
          await showObject(o.id, false);
        }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
      });
      buttons.append(edit, front);
      if (o.frontage) {
        const remove = el('button', { type: 'button', id: 'street-frontage-remove' }, s('removeFrontage'));
        remove.addEventListener('click', () => {
          api.setFrontage(o.id, null).then(async () => { refreshLayers(); await showObject(o.id, false); })
            .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
        });
        buttons.append(remove);
      }
      buttons.append(addPhoto);
    }
    if (ov?.can_verify) {
      const verify = el('button', { type: 'button', id: 'street-verify' }, s('verify'));
      verify.addEventListener('click', () => {
        api.verifyObject(o.id).then(async () => { await afterChange(); await showObject(o.id, false); })
          .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
      });
      buttons.append(verify);
    }
    const history = el('ol', { id: 'street-history', class: 'case-timeline' }, ...d.history.map(historyItem));
    const deliveries = el('ul', { id: 'street-deliveries', class: 'street-list' },
      ...d.deliveries.map((x) => el('li', { 'data-notice': String(x.notice) }, `${when(x.at)} ${x.title} (${x.channel})`, el('br'), el('small', {}, x.text))));
    if (!d.deliveries.length) deliveries.append(el('li', { class: 'muted' }, s('none')));
    const photos = el('div', { id: 'street-photos', class: 'case-photos' });
    for (const ph of d.photos) {
      const img = el('img', { alt: s('photo'), 'data-photo': String(ph.id) });
      photos.append(img);
      api.photo(ph.id, true).then((url) => { img.src = url; }).catch(() => { img.alt = '?'; });
    }
    if (!d.photos.length) photos.append(el('p', { class: 'muted' }, s('none')));
    const cases = el('ul', { id: 'street-frontage-cases', class: 'street-list' },
      ...d.frontage_cases.map((c) => el('li', { 'data-case': c.id }, `${c.id} ${c.class_code} ${c.class_name ?? ''} · ${when(c.reported_at)}`)));
    if (!d.frontage_cases.length) cases.append(el('li', { class: 'muted' }, s('none')));
    panel.dataset.id = String(o.id);
    panel.dataset.masked = d.masked ? '1' : '';
    panel.dataset.loaded = String(++loaded);
    panel.replaceChildren(close, el('h2', {}, o.name),
      ...(d.masked ? [el('p', { class: 'street-masked', id: 'street-masked' }, s('maskedNote'))] : []),
      dl, buttons, out, el('h3', {}, s('history')), history, el('h3', {}, s('deliveries')), deliveries,
      el('h3', {}, s('photos')), photos, el('h3', {}, s('frontageCases')), cases);
  } catch (e) {
    panel.replaceChildren(close, errorBox(e));
  }
}

// ---- the object form -------------------------------------------------------------------------

/** The form for a new object (`o` null) or an edit of `o`. */
export function objectForm(o: api.ServiceObject | null, at: [number, number] | null = null, masked = false): void {
  const v = (x: string | null | undefined) => x ?? '';
  const name = el('input', { name: 'name', value: v(o?.name) });
  const address = el('input', { name: 'address', value: v(o?.address) });
  const kind = select('kind', api.KINDS.map((k): [string, string] => [k, kindName(k)]), o?.kind ?? 'shop');
  const section = select('section', [['', '—'], ...sectionOptions()], o?.section ?? '');
  const subclass = select('subclass', [['', '—'], ...subclassOptions(o?.section ?? null)], o?.subclass ?? '');
  section.addEventListener('change', () => {
    const opts: [string, string][] = [['', '—'], ...subclassOptions(section.value || null)];
    subclass.replaceChildren(...opts.map(([x, t]) => el('option', { value: x }, t)));
  });
  const credit = el('input', { name: 'credit_code', value: v(o?.credit_code), maxlength: '18' });
  const licence = el('input', { name: 'licence', value: v(o?.licence) });
  const legal = el('input', { name: 'legal_rep', value: v(o?.legal_rep) });
  const idNo = el('input', { name: 'id_number', value: v(o?.id_number) });
  const contact = el('input', { name: 'contact', value: v(o?.contact) });
  const phone = el('input', { name: 'phone', value: v(o?.phone) });
  if (masked && o) {
    for (const input of [legal, idNo, contact, phone]) {
      input.disabled = true;
      input.title = s('maskedEdit');
    }
  }
  const status = select('status', api.STATUSES.map((k): [string, string] => [k, statusName(k)]), o?.status ?? 'operating');
  const collected = el('input', { name: 'collected_on', type: 'date', value: v(o?.collected_on) });
  const note = el('input', { name: 'note', value: v(o?.note) });
  const reason = el('input', { name: 'reason' });
  const gridShown = el('b', { id: 'street-form-grid' }, o?.grid ?? '—');
  const findGrid = (p: [number, number] | null) => {
    if (!p) { gridShown.textContent = '—'; return; }
    coreApi.gridAt(p[0], p[1]).then((g) => { gridShown.textContent = g ?? s('noGrid'); gridShown.dataset.grid = g ?? ''; })
      .catch(() => { gridShown.textContent = '?'; });
  };
  let overlay: HTMLElement | null = null;
  const place = placeFields('street-form', o?.location ?? at, () => overlay, findGrid);
  const handSet = el('input', { type: 'checkbox', name: 'hand_grid' });
  handSet.checked = !!o?.grid_reason;
  const grid = el('input', { name: 'grid', value: o?.grid_reason ? v(o.grid) : '' });
  const gridReason = el('input', { name: 'grid_reason', value: v(o?.grid_reason) });
  const hand = el('div', { class: 'street-hand' }, labelled(s('gridByHand'), grid), labelled(s('gridReason'), gridReason));
  const syncHand = () => { hand.hidden = !handSet.checked; };
  handSet.addEventListener('change', syncHand);
  syncHand();
  const out = el('div', { id: 'street-form-out' });
  const save = el('button', { type: 'submit', id: 'street-form-save' }, s('save'));
  const cancel = el('button', { type: 'button' }, s('cancel'));
  const personal = el('fieldset', { class: 'street-personal' }, el('legend', {}, s('personal')),
    labelled(s('legalRep'), legal), labelled(s('idNumber'), idNo), labelled(s('contact'), contact), labelled(s('phone'), phone));
  const m = modal('street-form', o ? fill(s('editObject'), { name: o.name }) : s('newObject'),
    labelled(s('name'), name), labelled(s('address'), address), labelled(s('kind'), kind),
    el('p', { class: 'muted' }, s('location')), place.node,
    el('p', {}, `${s('gridFound')}: `, gridShown),
    el('label', { class: 'street-inline' }, handSet, s('setGridByHand')), hand,
    labelled(s('section'), section), labelled(s('subclass'), subclass), labelled(s('creditCode'), credit), labelled(s('licence'), licence),
    personal, labelled(s('status'), status), labelled(s('collectedOn'), collected), labelled(s('note'), note),
    ...(o ? [labelled(s('reason'), reason)] : []), out, el('div', { class: 'buttons' }, save, cancel));
  overlay = m.overlay;
  findGrid(place.value());
  cancel.addEventListener('click', m.close);
  m.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const loc = place.value();
    if (!loc) { out.replaceChildren(el('p', { class: 'error', 'data-error-code': 'invalid-input' }, s('needLocation'))); return; }
    const edit: api.ObjectEdit = {
      id: o?.id ?? null, kind: kind.value as api.ObjectKind, name: name.value, address: address.value, location: loc,
      grid: handSet.checked ? text(grid.value) : null, grid_reason: handSet.checked ? text(gridReason.value) : null,
      section: section.value || null, subclass: subclass.value || null, credit_code: text(credit.value),
      legal_rep: text(legal.value), id_number: text(idNo.value), contact: text(contact.value), phone: text(phone.value),
      licence: text(licence.value), status: status.value as api.ObjectStatus, collected_on: text(collected.value), note: text(note.value),
      // The frontage is drawn on the map, not in this form: `null` keeps the stored one.
      frontage: null, reason: text(reason.value),
    };
    api.saveObject(edit).then(async (id) => {
      m.close();
      if (!o) {
        query.text = edit.name.trim();
        query.kind = null; query.section = null; query.subclass = null; query.status = null; query.area = null; query.verified = null;
        query.offset = 0;
      }
      await afterChange();
      document.getElementById('street-counts')?.setAttribute('data-saved', String(id));
      await showObject(id, !o);
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
}
