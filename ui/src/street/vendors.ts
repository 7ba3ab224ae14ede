// 游商档案: mobile vendors — lookup by name, phone or trade; the list with each record's colour
// (derived by the engine from refused warnings, never computed here); a vendor's record with
// warnings (newest first), admissions and photos; logging a warning; new and edited records; and
// for administrators the colour ladder.
import { el } from '../dom';
import * as api from './api';
import { state } from './state';
import { colourName, s } from './strings';
import { errorBox, fill, labelled, localNow, modal, placeFields, select, text, when } from './ui';

let lookup = '';
let openId: number | null = null;
let loaded = 0;

export const MATTERS = ['占道经营', '流动摊贩', '无照经营', '店外经营', '夜市超时'];

export function badge(c: api.Colour, id = ''): HTMLElement {
  return el('span', { class: `colour-badge colour-${c}`, 'data-colour': c, ...(id ? { id } : {}) }, colourName(c));
}

export function renderVendors(into: HTMLElement): void {
  const txt = el('input', { name: 'text', id: 'vendor-text', value: lookup, placeholder: s('vendorHint') });
  const form = el('form', { id: 'vendor-search', class: 'street-row' }, txt, el('button', { type: 'submit' }, s('searchButton')));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); lookup = txt.value.trim(); void renderList(); });
  const tools = el('div', { class: 'reg-tools' });
  if (state.overview?.can_edit) {
    const add = el('button', { type: 'button', id: 'vendor-new' }, s('newVendor'));
    add.addEventListener('click', () => { vendorForm(null); });
    tools.append(add);
  }
  const parts: Node[] = [form, tools, el('div', { id: 'vendor-list-host' })];
  if (state.overview?.can_configure) parts.push(ladderForm(state.overview.ladder));
  into.replaceChildren(...parts);
  void renderList();
}

async function renderList(): Promise<void> {
  const host = document.getElementById('vendor-list-host');
  if (!host) return;
  try {
    const rows = await api.vendors(lookup);
    const ul = el('ul', { id: 'vendor-list', class: 'street-list street-clickable' });
    for (const v of rows) {
      const li = el('li', { 'data-id': String(v.id), 'data-colour': v.colour, class: v.id === openId ? 'open' : '' }, badge(v.colour), ' ',
        el('b', {}, v.name), ` · ${v.trade} · ${v.phone ?? '—'} · ${fill(s('refusalsN'), { n: v.refusals })}`);
      li.addEventListener('click', () => { void showVendor(v.id); });
      ul.append(li);
    }
    if (!rows.length) ul.append(el('li', { class: 'muted' }, s('noVendors')));
    host.replaceChildren(ul);
    host.dataset.count = String(rows.length);
  } catch (e) {
    host.replaceChildren(errorBox(e));
  }
}

export function closeVendor(): void {
  openId = null;
  document.getElementById('vendor-panel')?.remove();
}

export async function showVendor(id: number): Promise<void> {
  openId = id;
  let p = document.getElementById('vendor-panel');
  if (!p) {
    p = el('aside', { id: 'vendor-panel', class: 'street-panel' });
    document.getElementById('app')?.append(p);
  }
  const panel = p;
  const close = el('button', { type: 'button', class: 'close' }, '×');
  close.addEventListener('click', closeVendor);
  for (const li of document.querySelectorAll<HTMLElement>('#vendor-list li[data-id]')) li.classList.toggle('open', li.dataset.id === String(id));
  try {
    const d = await api.vendor(id);
    const v = d.vendor;
    const dl = el('dl', {});
    const row = (k: string, val: string | null, field: string) => { dl.append(el('dt', {}, k), el('dd', { 'data-field': field }, val ?? '—')); };
    row(s('phone'), v.phone, 'phone');
    row(s('idNumber'), v.id_number, 'id_number');
    row(s('trade'), v.trade, 'trade');
    row(s('usualPlace'), v.usual_place ? `${v.usual_place[0].toFixed(6)}, ${v.usual_place[1].toFixed(6)}${d.row.usual_grid ? ` (${d.row.usual_grid})` : ''}` : null, 'usual_place');
    row(s('colour'), `${colourName(d.row.colour)} · ${fill(s('refusalsN'), { n: d.row.refusals })} · ${fill(s('warningsN'), { n: d.row.warnings })}`, 'colour');
    if (v.note) row(s('note'), v.note, 'note');
    row(s('created'), `${v.created_by} ${when(v.created_at)}`, 'created');
    const out = el('div', { id: 'vendor-out' });
    const tools = el('div', { class: 'reg-tools' });
    if (state.overview?.can_edit) {
      const warn = el('button', { type: 'button', id: 'vendor-warn' }, s('logWarning'));
      warn.addEventListener('click', () => { warningForm(d); });
      tools.append(warn);
      const edit = el('button', { type: 'button', id: 'vendor-edit' }, s('edit'));
      edit.addEventListener('click', () => { vendorForm(v, d.masked); });
      tools.append(edit);
      if (!d.masked) {
        const photo = el('button', { type: 'button', id: 'vendor-add-photo' }, s('addPhoto'));
        photo.addEventListener('click', () => {
          void api.pickFile('photo').then(async (path) => {
            if (!path) return;
            await api.addPhoto('vendor', v.id, path);
            await showVendor(v.id);
          }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
        });
        tools.append(photo);
      }
    }
    const warnings = el('ol', { id: 'vendor-warnings', class: 'case-timeline' },
      ...d.warnings.map((w) => el('li', { 'data-refused': w.refused ? '1' : '0' },
        `${when(w.at)} ${w.inspector} · ${w.matter} · ${w.refused ? s('refusedYes') : s('refusedNo')}${w.grid ? ` · ${w.grid}` : ''}${w.note ? ` · ${w.note}` : ''}`)));
    if (!d.warnings.length) warnings.append(el('li', { class: 'muted' }, s('none')));
    const admissions = el('ul', { id: 'vendor-admissions', class: 'street-list' },
      ...d.admissions.map((a) => el('li', { 'data-zone': a.zone, 'data-status': a.status },
        `${a.zone} · ${a.trade} · ${s(`adm_${a.status}`)}${a.stall ? ` · ${s('stall')} ${a.stall}` : ''} · ${when(a.admitted_at)}`)));
    if (!d.admissions.length) admissions.append(el('li', { class: 'muted' }, s('none')));
    const photos = el('div', { id: 'vendor-photos', class: 'case-photos' });
    for (const ph of d.photos) {
      const img = el('img', { alt: s('photo'), 'data-photo': String(ph.id) });
      photos.append(img);
      api.photo(ph.id, true).then((url) => { img.src = url; }).catch(() => { img.alt = '?'; });
    }
    if (!d.photos.length) photos.append(el('p', { class: 'muted' }, d.masked ? s('photosHidden') : s('none')));
    panel.dataset.id = String(v.id);
    panel.dataset.colour = d.row.colour;
    panel.dataset.masked = d.masked ? '1' : '';
    panel.dataset.loaded = String(++loaded);
    panel.replaceChildren(close, el('h2', {}, v.name, ' ', badge(d.row.colour, 'vendor-colour')),
      ...(d.masked ? [el('p', { class: 'street-masked', id: 'vendor-masked' }, s('maskedNote'))] : []),
      dl, tools, out, el('h3', {}, s('warnings')), warnings, el('h3', {}, s('admissions')), admissions, el('h3', {}, s('photos')), photos);
  } catch (e) {
    panel.replaceChildren(close, errorBox(e));
  }
}

function vendorForm(v: api.Vendor | null, masked = false): void {
  const name = el('input', { name: 'name', value: v?.name ?? '' });
  const phone = el('input', { name: 'phone', value: v?.phone ?? '' });
  const idNo = el('input', { name: 'id_number', value: v?.id_number ?? '' });
  // The engine keeps a masked session's view of these from overwriting the stored values.
  if (masked && v) {
    for (const input of [name, phone, idNo]) {
      input.disabled = true;
      input.title = s('maskedEdit');
    }
  }
  const trade = el('input', { name: 'trade', value: v?.trade ?? '', placeholder: s('tradeHint') });
  const note = el('input', { name: 'note', value: v?.note ?? '' });
  let overlay: HTMLElement | null = null;
  const where = placeFields('vendor-form', v?.usual_place ?? null, () => overlay);
  const out = el('div', { id: 'vendor-form-out' });
  const save = el('button', { type: 'submit', id: 'vendor-form-save' }, s('save'));
  const cancel = el('button', { type: 'button' }, s('cancel'));
  const m = modal('vendor-form', v ? fill(s('editObject'), { name: v.name }) : s('newVendor'), labelled(s('vendorName'), name),
    labelled(s('phone'), phone), labelled(s('idNumber'), idNo), labelled(s('trade'), trade),
    el('p', { class: 'muted' }, s('usualPlace')), where.node, labelled(s('note'), note), out, el('div', { class: 'buttons' }, save, cancel));
  overlay = m.overlay;
  cancel.addEventListener('click', m.close);
  m.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api.saveVendor({ id: v?.id ?? null, name: name.value, phone: text(phone.value), id_number: text(idNo.value), trade: trade.value,
      usual_place: where.value(), note: text(note.value) })
      .then(async (id) => {
        m.close();
        if (!v) lookup = name.value.trim();
        const t = document.getElementById('vendor-text');
        if (t instanceof HTMLInputElement) t.value = lookup;
        await renderList();
        await showVendor(id);
      }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
}

function warningForm(d: api.VendorDetail): void {
  const matter = select('matter', MATTERS.map((x): [string, string] => [x, x]), MATTERS[0]);
  const refused = select('refused', [['yes', s('refusedYes')], ['no', s('refusedNo')]], 'yes');
  const at = el('input', { name: 'at', type: 'datetime-local', value: localNow() });
  const note = el('input', { name: 'note' });
  let overlay: HTMLElement | null = null;
  const where = placeFields('warning', d.vendor.usual_place, () => overlay);
  const out = el('div', { id: 'warning-out' });
  const save = el('button', { type: 'submit', id: 'warning-save' }, s('save'));
  const cancel = el('button', { type: 'button' }, s('cancel'));
  const m = modal('warning-form', fill(s('warningTitle'), { name: d.vendor.name }), el('p', { class: 'muted' }, s('warningPlace')), where.node,
    labelled(s('matter'), matter), labelled(s('refused'), refused), labelled(s('time'), at), labelled(s('note'), note), out,
    el('div', { class: 'buttons' }, save, cancel));
  overlay = m.overlay;
  cancel.addEventListener('click', m.close);
  m.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const loc = where.value();
    if (!loc) { out.replaceChildren(el('p', { class: 'error', 'data-error-code': 'invalid-input' }, s('needLocation'))); return; }
    api.addWarning({ vendor: d.vendor.id, at: at.value ? `${at.value.slice(0, 16)}:00` : null, location: loc, matter: matter.value,
      refused: refused.value === 'yes', note: text(note.value) })
      .then(async (row) => {
        m.close();
        // The colour is the engine's answer.
        document.getElementById('vendor-colour')?.replaceWith(badge(row.colour, 'vendor-colour'));
        await renderList();
        await showVendor(row.id);
      }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
}

function ladderForm(l: api.Ladder): HTMLElement {
  const days = el('input', { name: 'window_days', type: 'number', min: '1', value: String(l.window_days) });
  const steps = el('div', { class: 'street-steps' });
  const addStep = (n: number, c: api.Colour) => {
    const count = el('input', { name: 'count', type: 'number', min: '1', value: String(n) });
    const colour = select('colour', api.COLOURS.filter((x) => x !== 'none').map((x): [string, string] => [x, colourName(x)]), c);
    const del = el('button', { type: 'button' }, '×');
    const row = el('div', { class: 'street-step' }, count, colour, del);
    del.addEventListener('click', () => { row.remove(); });
    steps.append(row);
  };
  for (const [n, c] of l.steps) addStep(n, c);
  const more = el('button', { type: 'button' }, s('addStep'));
  more.addEventListener('click', () => { addStep(1, 'yellow'); });
  const out = el('div', { id: 'ladder-out' });
  const form = el('form', { id: 'ladder-form', class: 'street-form-inline' }, el('h3', {}, s('ladder')), labelled(s('windowDays'), days),
    el('p', { class: 'muted' }, s('ladderSteps')), steps, el('div', { class: 'reg-tools' }, more, el('button', { type: 'submit', id: 'ladder-save' }, s('save'))), out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const list: [number, api.Colour][] = [...steps.querySelectorAll('.street-step')].map((r) => [
      Number(r.querySelector<HTMLInputElement>('[name=count]')?.value ?? 0),
      (r.querySelector<HTMLSelectElement>('[name=colour]')?.value ?? 'yellow') as api.Colour,
    ]);
    api.setLadder({ window_days: Number(days.value), steps: list })
      .then(() => { out.replaceChildren(el('p', { id: 'ladder-saved' }, s('savedPlain'))); })
      .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  return form;
}
