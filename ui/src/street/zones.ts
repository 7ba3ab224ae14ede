// 疏导区: vending zones (定时定点定区域) — the list with whether each is open now, its days,
// hours, trades, capacity and admitted vendors; drawing a zone's outline on the map with its
// form; deleting; admitting a vendor, filing the admission (stall number) and exiting it.
import { el } from '../dom';
import type { MapView } from '../map';
import * as api from './api';
import { drawShape } from './draw';
import { refreshLayers } from './maplayer';
import { state } from './state';
import { s } from './strings';
import { errorBox, fill, labelled, modal, select, text } from './ui';

let view: MapView | null = null;

export function initZones(v: MapView): void {
  view = v;
}

const DAY_KEYS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'] as const;
const dayName = (d: number) => s(DAY_KEYS[d - 1] ?? 'd1');

export function renderZones(into: HTMLElement): void {
  const tools = el('div', { class: 'reg-tools' });
  if (state.overview?.can_edit_zones) {
    const draw = el('button', { type: 'button', id: 'zone-draw' }, s('drawZone'));
    draw.addEventListener('click', () => {
      void drawShape('polygon', s('zoneHint')).then((ring) => { if (ring) zoneForm(null, ring); });
    });
    tools.append(draw);
  }
  into.replaceChildren(tools, el('div', { id: 'zone-out' }), el('div', { id: 'zone-list-host' }));
  void renderList();
}

async function renderList(): Promise<void> {
  const host = document.getElementById('zone-list-host');
  if (!host) return;
  try {
    const [rows, vendors] = await Promise.all([api.zones(), state.overview?.can_verify ? api.vendors('') : Promise.resolve([])]);
    const ul = el('ul', { id: 'zone-list', class: 'street-list' });
    for (const z of rows) ul.append(zoneItem(z, vendors));
    if (!rows.length) ul.append(el('li', { class: 'muted' }, s('noZones')));
    host.replaceChildren(ul);
  } catch (e) {
    host.replaceChildren(errorBox(e));
  }
}

function zoneItem(r: api.ZoneRow, vendors: api.VendorRow[]): HTMLElement {
  const z = r.zone;
  const open = el('span', { class: `street-open ${r.open_now ? 'yes' : 'no'}`, 'data-open': r.open_now ? '1' : '0' }, r.open_now ? s('openNow') : s('closedNow'));
  const facts = el('div', { class: 'muted' },
    `${s('days')}: ${z.days.map(dayName).join(' ')} · ${s('hours')}: ${z.hours.map(([a, b]) => `${a}–${b}`).join(', ')} · `,
    `${s('trades')}: ${z.trades.length ? z.trades.join('、') : s('anyTrade')} · ${s('capacity')}: ${z.capacity ?? s('noLimit')} (${fill(s('admittedN'), { n: r.admissions.length })})`);
  const li = el('li', { 'data-code': z.code, 'data-open': r.open_now ? '1' : '0' }, el('b', {}, `${z.code} ${z.name}`), ' ', open, facts);
  const tools = el('div', { class: 'reg-tools' });
  const zoom = el('button', { type: 'button', 'data-zoom': z.code }, s('zoomTo'));
  zoom.addEventListener('click', () => {
    const xs = z.ring.map((p) => p[0]);
    const ys = z.ring.map((p) => p[1]);
    view?.fitBbox([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], 18);
  });
  tools.append(zoom);
  if (state.overview?.can_edit_zones) {
    const edit = el('button', { type: 'button', 'data-edit': z.code }, s('edit'));
    edit.addEventListener('click', () => { zoneForm(z, z.ring); });
    const redraw = el('button', { type: 'button', 'data-redraw': z.code }, s('redraw'));
    redraw.addEventListener('click', () => {
      void drawShape('polygon', s('zoneHint')).then((ring) => { if (ring) zoneForm(z, ring); });
    });
    const del = el('button', { type: 'button', 'data-delete': z.code }, s('delete'));
    // Two clicks: the first asks, the second deletes.
    del.addEventListener('click', () => {
      if (!del.dataset.confirm) {
        del.dataset.confirm = '1';
        del.textContent = fill(s('confirmDelete'), { name: z.name });
        del.classList.add('street-danger');
        return;
      }
      api.deleteZone(z.code).then(async () => { refreshLayers(); await renderList(); })
        .catch((e: unknown) => { document.getElementById('zone-out')?.replaceChildren(errorBox(e)); });
    });
    tools.append(edit, redraw, del);
  }
  li.append(tools);
  const adm = el('ul', { class: 'street-admissions' });
  for (const [a, name] of r.admissions) {
    const item = el('li', { 'data-admission': String(a.id), 'data-status': a.status, 'data-vendor': String(a.vendor) },
      `${name} · ${a.trade} · ${s(`adm_${a.status}`)}${a.stall ? ` · ${s('stall')} ${a.stall}` : ''} `);
    if (state.overview?.can_verify) {
      const input = el('input', { class: 'street-small', placeholder: s('stallOrReason') });
      const file = el('button', { type: 'button', 'data-step': 'filed' }, s('file'));
      const exit = el('button', { type: 'button', 'data-step': 'exited' }, s('exit'));
      const step = (to: api.AdmissionStatus) => {
        api.admissionStep(a.id, to, input.value.trim()).then(() => renderList())
          .catch((e: unknown) => { item.append(errorBox(e)); });
      };
      file.addEventListener('click', () => { step('filed'); });
      exit.addEventListener('click', () => { step('exited'); });
      if (a.status === 'admitted') item.append(input, file, exit); else item.append(input, exit);
    }
    adm.append(item);
  }
  li.append(adm);
  if (state.overview?.can_verify) {
    const vendor = select('vendor', vendors.map((v): [string, string] => [String(v.id), `${v.name} (${v.trade})`]));
    const trade = el('input', { name: 'trade', class: 'street-small', placeholder: s('trade') });
    const fillTrade = () => { trade.value = vendors.find((v) => String(v.id) === vendor.value)?.trade ?? ''; };
    vendor.addEventListener('change', fillTrade);
    fillTrade();
    const go = el('button', { type: 'submit' }, s('admit'));
    const out = el('div', {});
    const form = el('form', { class: 'street-admit street-row', 'data-zone': z.code }, vendor, trade, go);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!vendor.value) return;
      api.admit(z.code, Number(vendor.value), trade.value.trim()).then(() => renderList())
        .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
    });
    li.append(form, out);
  }
  return li;
}

function zoneForm(z: api.VendingZone | null, ring: [number, number][]): void {
  const code = el('input', { name: 'code', value: z?.code ?? '' });
  if (z) code.readOnly = true;
  const name = el('input', { name: 'name', value: z?.name ?? '' });
  const days = el('div', { class: 'street-days' }, ...[1, 2, 3, 4, 5, 6, 7].map((d) => {
    const box = el('input', { type: 'checkbox', name: 'day', value: String(d) });
    box.checked = z ? z.days.includes(d) : true;
    return el('label', {}, box, dayName(d));
  }));
  const hours = el('input', { name: 'hours', value: (z?.hours ?? [['07:00', '09:00'], ['17:00', '21:00']]).map(([a, b]) => `${a}-${b}`).join(', '), placeholder: '07:00-09:00, 17:00-21:00' });
  const trades = el('input', { name: 'trades', value: (z?.trades ?? []).join('、'), placeholder: s('tradesHint') });
  const capacity = el('input', { name: 'capacity', type: 'number', min: '0', value: z?.capacity === null || z === null ? '' : String(z.capacity) });
  const note = el('input', { name: 'note', value: z?.note ?? '' });
  const out = el('div', { id: 'zone-form-out' });
  const save = el('button', { type: 'submit', id: 'zone-form-save' }, s('save'));
  const cancel = el('button', { type: 'button' }, s('cancel'));
  const m = modal('zone-form', z ? fill(s('editObject'), { name: z.name }) : s('newZone'),
    el('p', { class: 'muted', id: 'zone-ring', 'data-points': String(ring.length) }, fill(s('ringPoints'), { n: ring.length })),
    labelled(s('zoneCode'), code), labelled(s('zoneName'), name), el('p', {}, s('days')), days, labelled(s('hoursField'), hours),
    labelled(s('trades'), trades), labelled(s('capacity'), capacity), labelled(s('note'), note), out, el('div', { class: 'buttons' }, save, cancel));
  cancel.addEventListener('click', m.close);
  m.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const spans = hours.value.split(/[,，;；]/).map((x) => x.trim()).filter(Boolean).map((x): [string, string] => {
      const [a = '', b = ''] = x.split(/\s*[-–~～至]\s*/);
      return [a.trim(), b.trim()];
    });
    const zone: api.VendingZone = {
      code: code.value.trim(), name: name.value.trim(), ring,
      days: [...days.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => Number(b.value)),
      hours: spans, trades: trades.value.split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean),
      capacity: capacity.value.trim() ? Number(capacity.value) : null, note: text(note.value),
    };
    api.saveZone(zone).then(async () => {
      m.close();
      refreshLayers();
      document.getElementById('zone-out')?.replaceChildren(el('p', { id: 'zone-saved', 'data-code': zone.code }, fill(s('zoneSaved'), { name: zone.name })));
      await renderList();
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
}
