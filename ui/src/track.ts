// 巡查轨迹: an inspector's patrol track on one day, drawn on the map (docs/station.md, "Patrol
// tracks"). The positions come from the inspectors' phones through the station; the sidebar
// picks the inspector and the day (src-tauri/src/track.rs); the engine decides who may read
// which track (an inspector their own, 值班长, 派遣员, 领导 and 系统管理员 anyone's).
import type { GeoJSONSource } from 'maplibre-gl';
import { asErrorDto, call } from './api';
import { el } from './dom';
import { defineStrings, onLangChange, sayMessage } from './i18n';
import { FONT } from './layers';
import type { MapView } from './map';
import type { PatrolTrack, TrackInspector } from './generated';

declare global {
  interface Window {
    __track?: { api: typeof trackApi; show: (login: string, day: string) => Promise<void> };
  }
}

const ts = defineStrings(
  {
    title: '巡查轨迹', signIn: '登录后可查看监督员的巡查轨迹', inspector: '监督员', day: '日期', show: '显示', clear: '清除',
    none: '（没有监督员）', empty: '{name} {day} 没有轨迹', summary: '{name} {day}：{n} 个位置，{km} 公里，{from}–{to}',
    start: '起', end: '终', last: '最近 {day}',
  },
  {
    title: 'Patrol track', signIn: 'Sign in to see inspectors\' patrol tracks', inspector: 'Inspector', day: 'Day', show: 'Show', clear: 'Clear',
    none: '(no inspectors)', empty: 'No track for {name} on {day}', summary: '{name} {day}: {n} positions, {km} km, {from}–{to}',
    start: 'Start', end: 'End', last: 'last {day}',
  },
);

export const trackApi = {
  inspectors: () => call<TrackInspector[]>('track_inspectors'),
  day: (login: string, day: string) => call<PatrolTrack>('track_day', { login, day }),
};

const SOURCE = 'patrol-track';
const LAYERS = ['patrol-track-line', 'patrol-track-dots', 'patrol-track-ends', 'patrol-track-labels'];
/** Times are written beside the line at most this often (minutes). */
const LABEL_EVERY_MIN = 10;

let view: MapView | null = null;
let section: HTMLElement | null = null;
let inspectors: TrackInspector[] = [];
let login = '';
let day = today();
let track: PatrolTrack | null = null;
let error: { text: string; code: string } | null = null;

function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** `HH:MM` of a stored time (`YYYY-MM-DDTHH:MM:SS`). */
function hhmm(t: string): string {
  return t.slice(11, 16);
}

function minutes(t: string): number {
  return Date.parse(t.replace(' ', 'T')) / 60000;
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
}

type Feature = GeoJSON.Feature<GeoJSON.Geometry, { kind: string; label: string }>;

/** The track as GeoJSON: one line per patrol, its start and end, and times along it. */
function features(t: PatrolTrack): GeoJSON.FeatureCollection<GeoJSON.Geometry, { kind: string; label: string }> {
  const out: Feature[] = t.lines.map((l) => ({
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: l.coordinates },
    properties: { kind: 'line', label: '' },
  }));
  const first = t.fixes[0];
  const last = t.fixes[t.fixes.length - 1];
  if (first !== undefined && last !== undefined) {
    let labelled = minutes(first.at);
    for (const f of t.fixes.slice(1, -1)) {
      const m = minutes(f.at);
      if (m - labelled < LABEL_EVERY_MIN || minutes(last.at) - m < LABEL_EVERY_MIN / 2) continue;
      labelled = m;
      out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [f.lon, f.lat] }, properties: { kind: 'time', label: hhmm(f.at) } });
    }
    out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [first.lon, first.lat] }, properties: { kind: 'start', label: `${ts('start')} ${hhmm(first.at)}` } });
    if (t.fixes.length > 1) {
      out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [last.lon, last.lat] }, properties: { kind: 'end', label: `${ts('end')} ${hhmm(last.at)}` } });
    }
  }
  return { type: 'FeatureCollection', features: out };
}

function draw(): void {
  const map = view?.map;
  if (!map) return;
  const data = track ? features(track) : { type: 'FeatureCollection' as const, features: [] };
  const src = map.getSource<GeoJSONSource>(SOURCE);
  if (src) {
    void src.setData(data);
  } else {
    map.addSource(SOURCE, { type: 'geojson', data });
    map.addLayer({
      id: 'patrol-track-line', type: 'line', source: SOURCE, filter: ['==', ['get', 'kind'], 'line'],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#d81b60', 'line-width': 4, 'line-opacity': 0.9 },
    });
    map.addLayer({
      id: 'patrol-track-dots', type: 'circle', source: SOURCE, filter: ['==', ['get', 'kind'], 'time'],
      paint: { 'circle-radius': 3.5, 'circle-color': '#ffffff', 'circle-stroke-color': '#d81b60', 'circle-stroke-width': 2 },
    });
    map.addLayer({
      id: 'patrol-track-ends', type: 'circle', source: SOURCE, filter: ['in', ['get', 'kind'], ['literal', ['start', 'end']]],
      paint: {
        'circle-radius': 7,
        'circle-color': ['match', ['get', 'kind'], 'start', '#2e7d32', '#c62828'],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    });
    map.addLayer({
      id: 'patrol-track-labels', type: 'symbol', source: SOURCE, filter: ['!=', ['get', 'kind'], 'line'],
      layout: {
        'text-field': ['get', 'label'], 'text-font': [FONT], 'text-size': 12,
        'text-anchor': 'top', 'text-offset': [0, 0.8], 'text-allow-overlap': true,
      },
      paint: { 'text-color': '#5d1033', 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 },
    });
  }
  for (const id of LAYERS) if (map.getLayer(id)) map.moveLayer(id);
  document.body.dataset.trackPoints = String(track?.fixes.length ?? 0);
  const all = track?.lines.flatMap((l) => l.coordinates) ?? [];
  if (all.length > 0 && view) {
    const xs = all.map((c) => c[0]);
    const ys = all.map((c) => c[1]);
    view.fitBbox([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], 17);
  }
}

async function show(who: string, on: string): Promise<void> {
  login = who;
  day = on;
  error = null;
  document.body.dataset.trackState = 'loading';
  try {
    track = await trackApi.day(who, on);
    document.body.dataset.trackState = 'shown';
  } catch (e) {
    const err = asErrorDto(e);
    track = null;
    error = { text: sayMessage(err.detail), code: err.detail.code };
    document.body.dataset.trackState = 'error';
  }
  draw();
  render();
  // The list's "latest day" of each inspector may have moved since it was read.
  void refresh();
}

function clear(): void {
  track = null;
  error = null;
  draw();
  document.body.dataset.trackState = '';
  render();
}

async function refresh(): Promise<void> {
  if (!document.body.dataset.signedIn) {
    inspectors = [];
    if (track) clear();
    render();
    return;
  }
  try {
    inspectors = await trackApi.inspectors();
    error = null;
  } catch (e) {
    inspectors = [];
    const err = asErrorDto(e);
    error = { text: sayMessage(err.detail), code: err.detail.code };
  }
  if (!inspectors.some((i) => i.login === login)) {
    const first = inspectors.find((i) => i.last_day !== null) ?? inspectors[0];
    login = first?.login ?? '';
    if (first?.last_day) day = first.last_day;
  }
  render();
}

function render(): void {
  if (!section) return;
  const parts: (Node | string)[] = [el('h2', {}, ts('title'))];
  if (!document.body.dataset.signedIn) {
    parts.push(el('p', { class: 'muted small' }, ts('signIn')));
    section.replaceChildren(...parts);
    return;
  }
  const who = el('select', { id: 'track-inspector' });
  if (inspectors.length === 0) who.append(el('option', { value: '' }, ts('none')));
  for (const i of inspectors) {
    const last = i.last_day ? ` · ${fill(ts('last'), { day: i.last_day })}` : '';
    who.append(el('option', { value: i.login }, `${i.name}（${i.login}）${last}`));
  }
  who.value = login;
  who.addEventListener('change', () => {
    login = who.value;
    const i = inspectors.find((x) => x.login === login);
    if (i?.last_day) day = i.last_day;
    render();
  });
  const date = el('input', { id: 'track-day', type: 'date', value: day });
  date.addEventListener('change', () => { day = date.value; });
  const go = el('button', { type: 'button', id: 'track-show' }, ts('show'));
  go.disabled = login === '';
  go.addEventListener('click', () => { void show(login, date.value || day); });
  const off = el('button', { type: 'button', id: 'track-clear' }, ts('clear'));
  off.addEventListener('click', clear);
  parts.push(
    el('label', { class: 'track-row' }, el('span', {}, ts('inspector')), who),
    el('label', { class: 'track-row' }, el('span', {}, ts('day')), date),
    el('div', { class: 'buttons' }, go, off),
  );
  if (track) {
    const first = track.fixes[0];
    const last = track.fixes[track.fixes.length - 1];
    const text = first === undefined || last === undefined
      ? fill(ts('empty'), { name: track.name, day: track.day })
      : fill(ts('summary'), {
        name: track.name, day: track.day, n: String(track.fixes.length),
        km: (track.distance_m / 1000).toFixed(2), from: hhmm(first.at), to: hhmm(last.at),
      });
    parts.push(el('p', { id: 'track-summary', class: 'small' }, text));
  }
  if (error) parts.push(el('p', { class: 'error small', id: 'track-error', 'data-code': error.code }, error.text));
  section.replaceChildren(...parts);
}

/** The 巡查轨迹 section of the sidebar, below the basemaps. */
export function initTrack(v: MapView): void {
  view = v;
  section = el('section', { id: 'track-section' });
  const after = document.getElementById('basemap-section') ?? document.getElementById('layer-list')?.closest('section');
  if (after) after.after(section);
  else document.getElementById('sidebar')?.append(section);
  render();
  // The list follows whoever signs in.
  new MutationObserver(() => { void refresh(); }).observe(document.body, { attributes: true, attributeFilter: ['data-signed-in'] });
  void v.firstDrawn.then(refresh);
  onLangChange(() => {
    if (track) draw();
    render();
  });
  window.__track = { api: trackApi, show };
}
