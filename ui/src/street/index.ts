// The street-register workspace (街面台账, docs/registers.md): service objects, notices,
// move-car reminders, the vendor record, vending zones and, for administrators and leaders, the
// log of lookups of people's records. The engine checks every role and masks personal data;
// this pane only offers what the overview says the session may do.
import { el } from '../dom';
import { onLangChange } from '../i18n';
import type { MapView } from '../map';
import type { Workspace } from '../workspace';
import { select as selectWorkspace } from '../workspace';
import { pickingLocation } from '../cases';
import { roleName } from '../cases/strings';
import * as api from './api';
import { cancelDrawing, drawing, installDraw } from './draw';
import { hideCounts, installLayers, OBJECT_LAYER, refreshLayers, setLayersVisible } from './maplayer';
import { renderMoveCar } from './movecar';
import { renderNotices } from './notices';
import { closeObject, initObjects, renderObjects, showObject } from './objects';
import { reload, state } from './state';
import './street.css';
import { s } from './strings';
import { errorBox, when } from './ui';
import { closeVendor, renderVendors } from './vendors';
import { initZones, renderZones } from './zones';

type Tab = 'objects' | 'notices' | 'movecar' | 'vendors' | 'zones' | 'lookups';
const TABS: Tab[] = ['objects', 'notices', 'movecar', 'vendors', 'zones', 'lookups'];

let pane: HTMLElement | null = null;
let tab: Tab = 'objects';

const mayReadLog = () => state.role === 'admin' || state.role === 'leader';

function renderPane(): void {
  if (!pane) return;
  if (!state.role) {
    pane.replaceChildren(el('h2', {}, s('title')), el('p', { class: 'muted', id: 'street-sign-in' }, s('signInFirst')));
    return;
  }
  const tabs = el('div', { class: 'cases-tabs street-tabs', role: 'tablist' });
  for (const k of TABS) {
    if (k === 'lookups' && !mayReadLog()) continue;
    const b = el('button', { type: 'button', id: `street-tab-${k}`, 'aria-selected': String(tab === k) }, s(`tab_${k}`));
    b.addEventListener('click', () => { tab = k; closeObject(); closeVendor(); renderPane(); });
    tabs.append(b);
  }
  const body = el('div', { id: 'street-body', 'data-tab': tab });
  pane.replaceChildren(el('h2', {}, s('title')), tabs, body);
  pane.dataset.tab = tab;
  switch (tab) {
    case 'objects': renderObjects(body); break;
    case 'notices': renderNotices(body); break;
    case 'movecar': renderMoveCar(body); break;
    case 'vendors': renderVendors(body); break;
    case 'zones': renderZones(body); break;
    case 'lookups': void renderLookups(body); break;
  }
}

async function renderLookups(into: HTMLElement): Promise<void> {
  try {
    const rows = await api.lookups(500);
    const table = el('table', { id: 'lookup-table', class: 'reg-table', 'data-total': String(rows.length) },
      el('thead', {}, el('tr', {}, ...[s('at'), s('who'), s('what'), s('key')].map((h) => el('th', {}, h)))));
    const tbody = el('tbody', {});
    for (const r of rows) {
      tbody.append(el('tr', { 'data-what': r.what, 'data-by': r.by, 'data-role': r.role }, el('td', {}, when(r.at).slice(5)),
        el('td', {}, r.by, el('br'), el('small', { class: 'muted' }, roleName(r.role))),
        el('td', {}, s(`look_${lookKey(r.what)}`)), el('td', { class: 'street-wrap', title: r.key }, r.key)));
    }
    table.append(tbody);
    into.replaceChildren(el('p', { class: 'muted' }, s('lookupsNote')), el('div', { class: 'reg-scroll street-tall' }, table));
  } catch (e) {
    into.replaceChildren(errorBox(e));
  }
}

const LOOK_KINDS = ['vendor', 'vendor-masked', 'object', 'object-masked', 'vendor-search', 'export'] as const;
function lookKey(what: string): (typeof LOOK_KINDS)[number] | 'other' {
  return LOOK_KINDS.find((k) => k === what) ?? 'other';
}

async function refresh(): Promise<void> {
  await reload();
  renderPane();
}

/** Opens service object `id` in this workspace (from a case's hint). */
export function openObject(id: number): void {
  tab = 'objects';
  selectWorkspace('street');
  void showObject(id, true);
}

function installMap(v: MapView): void {
  installLayers(v.map);
  installDraw(v.map);
  v.map.on('click', (e) => {
    if (document.body.dataset.workspace !== 'street' || drawing() || pickingLocation() || document.body.dataset.picking) return;
    const hit = v.map.getLayer(OBJECT_LAYER) ? v.map.queryRenderedFeatures(e.point, { layers: [OBJECT_LAYER] }) : [];
    const id = hit[0]?.properties.id as unknown;
    if (typeof id === 'number') { tab = 'objects'; if (pane?.dataset.tab !== 'objects') renderPane(); void showObject(id, false); }
  });
}

export const streetWorkspace: Workspace = {
  id: 'street',
  label: () => s('tab'),
  mount: (host, v) => {
    pane = host;
    initObjects(v);
    initZones(v);
    installMap(v);
    onLangChange(() => { if (document.body.dataset.workspace === 'street') renderPane(); });
    new MutationObserver(() => {
      if (document.body.dataset.workspace === 'street') void refresh();
    }).observe(document.body, { attributes: true, attributeFilter: ['data-signed-in'] });
    void api.onRegistersChanged(() => { refreshLayers(); if (document.body.dataset.workspace === 'street') void refresh(); });
    // A case's hint names a shop: open it here.
    window.addEventListener('griddesk:open-object', (e) => {
      const id = (e as CustomEvent<unknown>).detail;
      if (typeof id === 'number') openObject(id);
    });
  },
  enter: () => {
    setLayersVisible(true);
    void refresh();
  },
  leave: () => {
    cancelDrawing();
    closeObject();
    closeVendor();
    setLayersVisible(false);
    hideCounts();
    for (const id of ['street-form', 'vendor-form', 'warning-form', 'zone-form', 'movecar-form', 'street-letters']) document.getElementById(id)?.remove();
  },
};
