// The city view (docs/centre.md, "The city view"): a centre's districts on one map from the
// engine's own vector tiles (the `griddesk:` scheme's city route), a district picker, a heatmap
// toggle, the statistics per district and the evaluation across districts. Read-only: no
// editing control is offered here, and the page says so.
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './city.css';
import { asErrorDto, type Bbox, type ErrorDto } from '../api';
import { el } from '../dom';
import { errorText, onLangChange, sayMessage } from '../i18n';
import { buildStyle, FONT, FONT_STACK, LABEL_SOURCE, labelStyle } from '../layers';
import { months } from '../analytics/evaluation';
import type { RowDto, TableDto } from '../generated';
import { cityApi, cityHeatUrl, cityLabelUrl, cityTileUrl, type CityFigures, type CityOverview } from './api';
import { c, fill } from './strings';

const HEAT = 'city-heat';
const OUTLINES = 'city-outlines';
const FALLBACK: Bbox = [73.5, 18.0, 135.0, 53.6];

/** What the tests reach through `window.__griddesk.city`. */
export interface CityHooks {
  map: maplibregl.Map;
  overview: CityOverview;
  pick: (code: string) => void;
}

function num(v: number | null, digits: number): string {
  return v === null ? '—' : v.toFixed(digits);
}

/** The connection-string dialog of File ▸ 打开市级中心…. */
export function openCentreDialog(): void {
  document.getElementById('city-open')?.remove();
  const input = el('input', { id: 'city-url', type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'postgresql://…' });
  const status = el('p', { id: 'city-open-status', class: 'city-open-status' });
  const open = el('button', { id: 'city-open-ok', type: 'submit' }, c('cyOpenButton'));
  const cancel = el('button', { id: 'city-open-cancel', type: 'button' }, c('cyCancel'));
  const form = el('form', { class: 'modal-card city-open-card' },
    el('h2', {}, c('cyOpenTitle')), el('p', { class: 'muted' }, c('cyOpenHint')), input, status,
    el('div', { class: 'buttons' }, open, cancel));
  const modal = el('div', { id: 'city-open', class: 'modal' }, form);
  cancel.addEventListener('click', () => { modal.remove(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    open.disabled = true;
    status.removeAttribute('data-error');
    status.textContent = c('cyOpening');
    // On success the shell sends `city-changed` and the window starts over on the city view.
    cityApi.open(input.value).catch((err: unknown) => {
      const dto = asErrorDto(err);
      status.dataset.error = dto.code;
      status.dataset.message = dto.detail.code;
      status.textContent = `${c('cyFailed')}: ${sayMessage(dto.detail)}`;
      open.disabled = false;
    });
  });
  document.body.append(modal);
  input.focus();
}

/** A centre named at launch that could not be opened: say why, offer the station's store. */
export function showCityError(error: ErrorDto): void {
  const back = el('button', { id: 'city-back', type: 'button' }, c('cyBack'));
  back.addEventListener('click', () => { void cityApi.close(); });
  const card = el('div', { class: 'error-card', role: 'alert' },
    el('h1', {}, c('cyFailed')),
    el('p', { class: 'friendly' }, errorText(error.code)),
    el('pre', { id: 'city-error-message', 'data-message': error.detail.code }, sayMessage(error.detail)),
    el('div', { class: 'buttons' }, back));
  const screen = el('div', { id: 'city-error', class: 'screen' }, card);
  document.body.dataset.screen = 'city-error';
  document.body.dataset.cityError = error.detail.code;
  document.body.append(screen);
}

/** Shows the city view of `o` full-window; returns the hooks the tests use. */
export function showCity(o: CityOverview): CityHooks {
  document.body.dataset.screen = 'city';
  const picker = el('select', { id: 'city-district' });
  const heat = el('input', { id: 'city-heat', type: 'checkbox' });
  const heatLegend = el('p', { id: 'city-heat-legend', class: 'muted' });
  const month = el('select', { id: 'city-month' });
  const stats = el('div', { id: 'city-stats', class: 'ev-grid city-table', 'data-busy': '1' });
  const evaluation = el('div', { id: 'city-evaluation', class: 'ev-grid city-table', 'data-busy': '1' });
  const status = el('p', { id: 'city-status', class: 'muted' });
  const back = el('button', { id: 'city-back', type: 'button' });
  const title = el('span', { id: 'city-title' });
  const badge = el('span', { class: 'badge read-only-badge', id: 'city-read-only' });
  const note = el('p', { id: 'city-read-only-note', class: 'city-note' });
  const labels: [HTMLElement, Parameters<typeof c>[0]][] = [];
  const label = (k: Parameters<typeof c>[0], tag: 'h3' | 'span' = 'span') => {
    const e = el(tag, {});
    labels.push([e, k]);
    return e;
  };
  const mapBox = el('main', { id: 'city-map' });
  const side = el('aside', { id: 'city-side' },
    note,
    el('label', { class: 'city-field' }, label('cyDistrict'), picker),
    el('label', { class: 'city-field' }, heat, label('cyHeatmap')),
    heatLegend,
    label('cyStatistics', 'h3'), stats,
    el('div', { class: 'city-field' }, label('cyEvaluation', 'h3'), month), evaluation,
    status);
  const screen = el('div', { id: 'city-screen' },
    el('header', { id: 'city-top' },
      el('div', { class: 'brand' }, el('span', { class: 'logo', 'aria-hidden': 'true' }), title, badge),
      el('span', { id: 'city-target', class: 'city-target' }, o.target), back),
    side, mapBox);
  document.body.append(screen);

  const bbox = o.bbox ?? FALLBACK;
  const map = new maplibregl.Map({
    container: mapBox,
    style: buildStyle(cityTileUrl(o.generation), bbox),
    bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]],
    fitBoundsOptions: { padding: 20 },
    maxZoom: 19,
    minZoom: 6,
    localIdeographFontFamily: FONT_STACK,
    attributionControl: false,
    dragRotate: false,
    fadeDuration: 0,
    hash: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');
  const body = document.body;
  map.on('movestart', () => { body.dataset.mapIdle = '0'; });
  map.on('dataloading', () => { body.dataset.mapIdle = '0'; });
  map.on('idle', () => { body.dataset.mapIdle = '1'; });
  map.on('error', (e) => { body.dataset.lastMapError = e.error.message; });
  map.on('load', () => {
    map.addSource(OUTLINES, { type: 'geojson', data: o.outlines });
    map.addLayer({ id: `${OUTLINES}-line`, type: 'line', source: OUTLINES,
      paint: { 'line-color': '#5e35b1', 'line-width': 2, 'line-dasharray': [3, 2] } });
    map.addLayer({ id: `${OUTLINES}-label`, type: 'symbol', source: OUTLINES, maxzoom: 12,
      layout: { 'text-field': ['concat', ['get', 'name'], ' ', ['get', 'code']], 'text-font': [FONT], 'text-size': 15 },
      paint: { 'text-color': '#4527a0', 'text-halo-color': '#fff', 'text-halo-width': 2 } });
  });
  map.once('idle', () => {
    if (map.getSource(LABEL_SOURCE)) return;
    const { source, layers } = labelStyle(cityLabelUrl(o.generation), bbox);
    map.addSource(LABEL_SOURCE, source);
    for (const l of layers) map.addLayer(l);
  });

  let district = '';
  let heatInfo: { max: number; cases: number } | null = null;
  /** The district picked now (read after an await, when it may have changed). */
  const picked = (): string => district;
  const heatOn = (): boolean => heat.checked;
  let figures: CityFigures[] = [];
  let table: TableDto | null = null;
  const periods = months(o.first_day, o.last_day);

  const fail = (e: unknown) => {
    const dto = asErrorDto(e);
    status.dataset.error = dto.code;
    status.textContent = sayMessage(dto.detail);
  };

  const renderStats = () => {
    const head = el('tr', {}, ...[c('cyDistrict'), c('cyGrids'), c('cyComponents'), c('cyCases'), c('cyOpen'),
      c('cyClosed'), c('cyOverdue'), c('cyClosedShare')].map((h) => el('th', {}, h)));
    const shown = figures.filter((f) => district === '' || f.code === district);
    const rows = shown.map((f) => el('tr', { 'data-code': f.code, class: f.code === '' ? 'city-total' : '' },
      el('td', { class: 'ev-name' }, f.code === '' ? c('cyWholeCity') : `${f.name} ${f.code}`),
      ...[f.grids, f.components, f.counts.cases, f.counts.open, f.counts.closed, f.counts.overdue].map((v, k) =>
        el('td', { class: 'an-num', 'data-col': ['grids', 'components', 'cases', 'open', 'closed', 'overdue'][k] ?? '' }, String(v))),
      el('td', { class: 'an-num', 'data-col': 'closed_share' }, num(f.closed_share, 1))));
    stats.replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
    stats.dataset.rows = String(rows.length);
  };

  const renderEvaluation = () => {
    if (!table) return;
    const t = table;
    // A score can share its count's key: the column is named by kind and key.
    const head = el('tr', {}, el('th', {}, c('cyDistrict')), ...t.columns.map((col) => el('th', { 'data-col': `${col.kind}:${col.key}` }, col.label)),
      el('th', {}, c('cyComposite')), el('th', {}, c('cyGrade')), el('th', {}, c('cyRank')));
    const shown = t.rows.filter((r) => district === '' || r.code === district);
    const rows = shown.map((r: RowDto) => el('tr', { 'data-code': r.code },
      el('td', { class: 'ev-name' }, `${r.name} ${r.code}`),
      ...t.columns.map((col, k) => el('td', { class: 'an-num', 'data-col': `${col.kind}:${col.key}` }, num(r.values[k] ?? null, col.kind === 'count' ? 0 : 2))),
      el('td', { class: 'an-num', 'data-col': 'composite' }, num(r.composite, 2)),
      el('td', { class: `ev-grade ev-grade-${r.grade ?? 'none'}`, 'data-col': 'grade' }, r.grade ?? '—'),
      el('td', { class: 'an-num', 'data-col': 'rank' }, r.rank === null ? '—' : String(r.rank))));
    evaluation.replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
    evaluation.dataset.rows = String(rows.length);
    evaluation.dataset.period = t.period;
  };

  const loadStats = async () => {
    stats.dataset.busy = '1';
    try {
      figures = await cityApi.statistics();
      renderStats();
    } catch (e) {
      fail(e);
    } finally {
      stats.dataset.busy = '0';
    }
  };

  const loadEvaluation = async () => {
    evaluation.dataset.busy = '1';
    try {
      table = await cityApi.evaluation(month.value);
      renderEvaluation();
    } catch (e) {
      fail(e);
    } finally {
      evaluation.dataset.busy = '0';
    }
  };

  const renderLegend = () => {
    heatLegend.textContent = heatInfo ? fill(c('cyHeatLegend'), { max: heatInfo.max.toFixed(0), n: heatInfo.cases }) : '';
  };
  const hideHeat = () => {
    if (map.getLayer(HEAT)) map.removeLayer(HEAT);
    if (map.getSource(HEAT)) map.removeSource(HEAT);
    heatInfo = null;
    delete heatLegend.dataset.cases;
    renderLegend();
  };

  const drawHeat = async () => {
    if (!heat.checked) {
      hideHeat();
      return;
    }
    heat.dataset.busy = '1';
    const asked = district;
    try {
      const h = await cityApi.heatmap(district === '' ? null : district, district === '' ? 600 : 300, 1024);
      // Another district picked meanwhile: its own heatmap follows.
      if (asked !== picked() || !heatOn()) return;
      hideHeat();
      map.addSource(HEAT, { type: 'image', url: cityHeatUrl(h.key), coordinates: h.corners });
      const before = map.getLayer('grid-seq-labels') ? 'grid-seq-labels' : undefined;
      map.addLayer({ id: HEAT, type: 'raster', source: HEAT, paint: { 'raster-opacity': 0.8, 'raster-fade-duration': 0 } }, before);
      heatInfo = { max: h.max, cases: h.cases };
      renderLegend();
      heatLegend.dataset.cases = String(h.cases);
      heatLegend.dataset.district = asked;
    } catch (e) {
      fail(e);
    } finally {
      heat.dataset.busy = '0';
    }
  };

  const pick = (code: string) => {
    district = code;
    picker.value = code;
    const d = o.districts.find((x) => x.code === code);
    const b = d?.bbox ?? o.bbox;
    if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 20, duration: 0 });
    body.dataset.cityDistrict = code;
    renderStats();
    renderEvaluation();
    void drawHeat();
  };

  const renderStatic = () => {
    for (const [e, k] of labels) e.textContent = c(k);
    title.textContent = `${c('cyTitle')} · ${fill(c('cyDistricts'), { n: o.districts.length })}`;
    badge.textContent = c('cyReadOnly');
    note.textContent = c('cyReadOnlyNote');
    back.textContent = c('cyBack');
    picker.replaceChildren(el('option', { value: '' }, c('cyWholeCity')),
      ...o.districts.map((d) => el('option', { value: d.code }, `${d.name} ${d.code}`)));
    picker.value = district;
    document.title = `GridDesk — ${c('cyTitle')}`;
    renderLegend();
    renderStats();
    renderEvaluation();
  };

  month.replaceChildren(...periods.map((p) => el('option', { value: p }, p)));
  picker.addEventListener('change', () => { pick(picker.value); });
  heat.addEventListener('change', () => { void drawHeat(); });
  month.addEventListener('change', () => { void loadEvaluation(); });
  back.addEventListener('click', () => { void cityApi.close(); });
  onLangChange(renderStatic);
  renderStatic();
  void loadStats();
  void loadEvaluation();
  return { map, overview: o, pick };
}
