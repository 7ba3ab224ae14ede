// Layer panel (toggles, mirrored in the View menu) and legend.
import { api } from './api';
import { byId, el } from './dom';
import { lang, t } from './i18n';
import { CI_COLORS, GROUPS, MAJOR_COLORS, STATUS_COLORS, type LayerGroup } from './layers';

const STORAGE_KEY = 'griddesk.layers';

type Apply = (group: LayerGroup) => void;

function loadVisibility(): void {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    if (typeof saved !== 'object' || saved === null) return;
    for (const g of GROUPS) {
      const v = (saved as Record<string, unknown>)[g.id];
      if (typeof v === 'boolean') g.visible = v;
    }
  } catch {
    // Bad JSON: keep the defaults.
  }
}

function saveVisibility(): void {
  const o: Record<string, boolean> = {};
  for (const g of GROUPS) o[g.id] = g.visible;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(o));
  } catch {
    // Not fatal.
  }
}

let applyGroup: Apply = () => undefined;

export function initSidebar(apply: Apply): void {
  loadVisibility();
  applyGroup = apply;
  for (const g of GROUPS) apply(g);
  renderSidebar();
}

export function setGroupVisible(id: string, visible: boolean): void {
  const g = GROUPS.find((x) => x.id === id);
  if (!g) return;
  g.visible = visible;
  applyGroup(g);
  saveVisibility();
  renderSidebar();
}

/** Tells the native menu the current language and toggle states. */
export function syncMenu(): void {
  api
    .syncMenu(lang(), GROUPS.map((g) => ({ id: g.id, label: t(g.label), checked: g.visible })))
    .catch((e: unknown) => { console.warn('menu sync failed', e); });
}

export function renderSidebar(): void {
  const list = byId('layer-list');
  list.replaceChildren(
    ...GROUPS.map((g) => {
      const input = el('input', { type: 'checkbox', id: `layer-${g.id}`, 'data-layer': g.id });
      input.checked = g.visible;
      input.addEventListener('change', () => {
        setGroupVisible(g.id, input.checked);
        syncMenu();
      });
      return el('li', {}, el('label', { for: `layer-${g.id}` }, input, ' ', t(g.label)));
    }),
  );

  const swatch = (color: string, shape: 'box' | 'dot') =>
    el('span', { class: `swatch ${shape}`, style: `background:${color}` });
  const row = (color: string, shape: 'box' | 'dot', text: string) =>
    el('li', {}, swatch(color, shape), text);
  const legend = byId('legend');
  legend.replaceChildren(
    el('h3', {}, t('legendGrid')),
    el('div', { class: 'palette' }, ...CI_COLORS.map((c) => swatch(c, 'box'))),
    el('h3', {}, t('legendComponents')),
    el('ul', {}, ...MAJOR_COLORS.map(([code, c, k]) => row(c, 'dot', `${code} ${t(k)}`))),
    el('h3', {}, t('legendCases')),
    el('ul', {}, ...STATUS_COLORS.map(([, c, k]) => row(c, 'dot', t(k)))),
    el('h3', {}, t('legendCaseCounts')),
    el(
      'div',
      { class: 'sizes' },
      ...[4, 8, 13].map((r) =>
        el('span', { class: 'swatch dot', style: `width:${r}px;height:${r}px;background:#e65100;opacity:.6` }),
      ),
    ),
  );
}
