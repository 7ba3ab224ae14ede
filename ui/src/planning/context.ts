// What the planning panes (check, proposal, renumber, history, people) share with the planning
// workspace: the map, the selection, the red problem overlay, and how to report an edit. Each
// pane is a collapsible section of the planning pane, built once and kept across re-renders.
import type * as maplibregl from 'maplibre-gl';
import type { Geometry, Position } from 'geojson';
import { el } from '../dom';
import { planApi, type CommunityItem, type EditSummary, type Problem } from './api';
import { ps } from './strings';

export type Bbox = [number, number, number, number];

export interface PlanContext {
  map: () => maplibregl.Map;
  /** Codes of the selected grids, the first one the main selection. */
  selected: () => string[];
  /** Lists these problems and draws their geometry in red (the refusal overlay). */
  showProblems: (problems: Problem[]) => void;
  /**
   * An edit was applied (or undone) by a pane: reload the grid tiles and the edit log; with the
   * edit, the selection and the side panel follow it (no grid it retired stays selected).
   */
  edited: (message: string, edit?: EditSummary) => void;
  say: (message: string, kind: 'ok' | 'error' | '') => void;
  /** Counts the promise as planning work (the tests wait until none is pending). */
  track: <T>(p: Promise<T>) => Promise<T>;
  /** A failed command in words (missing permission, refusal, else the message). */
  failure: (e: unknown) => string;
}

export interface Pane {
  /** The `<details>` section in the planning pane. */
  element: HTMLElement;
  /** The grid selection changed. */
  selectionChanged?: () => void;
  /** Redraws the pane's contents (language change). */
  render: () => void;
}

/** A collapsible section: `<details id>` with a summary title and a body to fill. */
export function section(id: string, title: () => string): { details: HTMLDetailsElement; body: HTMLElement; retitle: () => void } {
  const summary = el('summary', {}, title());
  const body = el('div', { class: 'plan-section-body' });
  const details = el('details', { id, class: 'plan-section' }, summary, body);
  return { details, body, retitle: () => { summary.textContent = title(); } };
}

export function button(id: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', id }, label);
  b.addEventListener('click', onClick);
  return b;
}

function extend(b: Bbox, p: Position): void {
  const [x, y] = p;
  if (x === undefined || y === undefined) return;
  b[0] = Math.min(b[0], x);
  b[1] = Math.min(b[1], y);
  b[2] = Math.max(b[2], x);
  b[3] = Math.max(b[3], y);
}

/** The bounding box of GeoJSON geometries, or null when they hold no point. */
export function bboxOf(geoms: (Geometry | null)[]): Bbox | null {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (g: Geometry): void => {
    switch (g.type) {
      case 'Point':
        extend(b, g.coordinates);
        break;
      case 'MultiPoint':
      case 'LineString':
        g.coordinates.forEach((p) => { extend(b, p); });
        break;
      case 'MultiLineString':
      case 'Polygon':
        g.coordinates.forEach((r) => { r.forEach((p) => { extend(b, p); }); });
        break;
      case 'MultiPolygon':
        g.coordinates.forEach((pl) => { pl.forEach((r) => { r.forEach((p) => { extend(b, p); }); }); });
        break;
      case 'GeometryCollection':
        g.geometries.forEach(walk);
        break;
    }
  };
  for (const g of geoms) if (g) walk(g);
  return b[0] <= b[2] && b[1] <= b[3] ? b : null;
}

/** The union of boxes, or null. */
export function union(boxes: (Bbox | null)[]): Bbox | null {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const x of boxes) {
    if (!x) continue;
    extend(b, [x[0], x[1]]);
    extend(b, [x[2], x[3]]);
  }
  return b[0] <= b[2] ? b : null;
}

/** Flies the map to a box (a point-sized box keeps the zoom at 17 at most). */
export function flyTo(m: maplibregl.Map, b: Bbox): void {
  m.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, maxZoom: 17, duration: 400 });
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });

let communities: Promise<CommunityItem[]> | null = null;

/** The district's communities (asked once; reset with `forget`). */
export function loadCommunities(forget = false): Promise<CommunityItem[]> {
  if (forget || !communities) communities = planApi.communities().catch((e: unknown) => {
    communities = null;
    throw e;
  });
  return communities;
}

/** A community select: first "the selected grid's community", then every community. */
export function communitySelect(id: string, list: CommunityItem[], value: string, selectedGrid: string | undefined): HTMLSelectElement {
  const sel = el('select', { id });
  const own = selectedGrid?.slice(0, 12);
  sel.append(el('option', { value: '' }, `${ps('communityOfSelected')}${own ? ` ${own}` : ''}`));
  for (const c of list) {
    const o = el('option', { value: c.code }, `${c.name} ${c.code} (${c.grids})`);
    if (c.code === value) o.selected = true;
    sel.append(o);
  }
  return sel;
}

/** The community a pane works on: the one chosen, else the selected grid's. */
export function chosenCommunity(value: string, selectedGrid: string | undefined): string | null {
  if (value) return value;
  return selectedGrid ? selectedGrid.slice(0, 12) : null;
}
