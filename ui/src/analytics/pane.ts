// The analytics workspace: filters, heatmap / per-grid map, time player, hotspots, trend,
// statistics tables with drill-down, grid workload flags and exports. Every filter change
// redraws in place; the map keeps its tiles.
import type { MapView } from '../map';
import type { Workspace } from '../workspace';
import { el } from '../dom';
import { asErrorDto } from '../api';
import { STATUSES, type CaseStatus } from '../cases/api';
import { onLangChange, sayMessage } from '../i18n';
import { s, type AnKey } from './strings';
import {
  analyticsApi as api,
  type Bucket,
  type AnalyticsFilter,
  type Choropleth,
  type GroupBy,
  type HeatmapDto,
  type Hotspots,
  type OptionsDto,
  type SummaryRow,
  type Change,
  type DrillDto,
} from './api';
import {
  CLASS_COLORS,
  hideChoropleth,
  hideHeatmap,
  mapPng,
  showChoropleth,
  showHeatmap,
  type GridMeasure,
} from './layers';
import { drawTrend } from './trend';
import { hideEvaluation, mountEvaluation } from './evaluation';
import './analytics.css';

type Mode = 'heat' | GridMeasure;

const RASTER = 768;
const FRAME_MS = 900;
/** Wait this long after the map stops before redrawing the heatmap over the view. */
const MOVE_DEBOUNCE_MS = 350;

type Box = [number, number, number, number];

/** `YYYY-MM-DD` that is a real date. */
export function isoDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** The part of the view inside the full extent, or `null` when the view shows all of it. */
export function viewBox(view: Box, full: Box | null): Box | null {
  if (!full) return null;
  const inside = view[0] <= full[0] && view[1] <= full[1] && view[2] >= full[2] && view[3] >= full[3];
  if (inside) return null;
  const b: Box = [Math.max(view[0], full[0]), Math.max(view[1], full[1]), Math.min(view[2], full[2]), Math.min(view[3], full[3])];
  return b[2] > b[0] && b[3] > b[1] ? b : null;
}

interface State {
  filter: AnalyticsFilter;
  mode: Mode;
  bandwidth: number;
  by: GroupBy;
  window: Bucket;
  frame: number | null;
  playing: number | null;
  heat: HeatmapDto | null;
  grid: Choropleth | null;
  gridBounds: number[];
}

const emptyFilter = (): AnalyticsFilter => ({
  from: null, to: null, classes: [], sources: [], statuses: [], departments: [], streets: [], communities: [], grids: [],
  as_of: null,
});

function fmt(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function addMonths(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
}

/** [from, to] windows of one day / week / month covering first..last. */
export function timeWindows(first: string, last: string, w: Bucket): [string, string][] {
  const out: [string, string][] = [];
  let start = first;
  while (start <= last && out.length < 2000) {
    const next = w === 'day' ? addDays(start, 1) : w === 'week' ? addDays(start, 7) : addMonths(start, 1);
    out.push([start, addDays(next, -1) < last ? addDays(next, -1) : last]);
    start = next;
  }
  return out;
}

function arrow(c: Change): HTMLElement {
  const dir = c.direction ?? 'same';
  const sym = dir === 'up' ? '▲' : dir === 'down' ? '▼' : dir === 'new' ? '★' : '＝';
  const pct = c.change_pct === null ? '' : ` ${c.change_pct > 0 ? '+' : ''}${c.change_pct.toFixed(0)}%`;
  return el('span', { class: `an-change an-${dir}`, title: s('anPrevious') }, `${sym}${pct}`);
}

function mount(pane: HTMLElement, view: MapView): Workspace['enter'] {
  const map = view.map;
  const st: State = {
    filter: emptyFilter(), mode: 'heat', bandwidth: 150, by: 'street', window: 'month',
    frame: null, playing: null, heat: null, grid: null, gridBounds: [],
  };
  let opts: OptionsDto | null = null;
  let active = false;
  let generation = 0;
  /** Read through a call: the flag changes while a request is awaited. */
  const live = () => active;
  /** The district-wide raster's extent, known after the first unbounded heatmap. */
  let fullBox: Box | null = null;
  let moveTimer: number | null = null;
  map.on('moveend', () => {
    if (!active || st.mode !== 'heat' || st.playing !== null) return;
    if (moveTimer !== null) window.clearTimeout(moveTimer);
    moveTimer = window.setTimeout(() => {
      moveTimer = null;
      void drawMap();
    }, MOVE_DEBOUNCE_MS);
  });

  const status = el('div', { class: 'an-status', id: 'an-status' });
  const filters = el('div', { class: 'an-filters' });
  const modeBox = el('div', { class: 'an-modes', role: 'radiogroup' });
  const bwInput = el('input', { type: 'range', min: '50', max: '1000', step: '25', value: '150', id: 'an-bandwidth' });
  const bwLabel = el('span', { class: 'an-bw-label' });
  const legend = el('div', { class: 'an-legend', id: 'an-legend' });
  const windowSel = el('select', { id: 'an-window' });
  const frameInput = el('input', { type: 'range', min: '0', max: '0', value: '0', id: 'an-frame' });
  const playBtn = el('button', { type: 'button', id: 'an-play' });
  const frameLabel = el('span', { class: 'an-frame-label', id: 'an-frame-label' });
  const hotList = el('div', { class: 'an-hot', id: 'an-hotspots' });
  const trendBox = el('div', { class: 'an-trend-box', id: 'an-trend' });
  const tabs = el('div', { class: 'an-tabs', role: 'tablist' });
  const table = el('div', { class: 'an-table', id: 'an-table' });
  const drill = el('div', { class: 'an-drill', id: 'an-drill' });
  const evalBox = el('div', { class: 'an-eval', id: 'an-eval' });
  const loadBox = el('div', { class: 'an-load', id: 'an-load' });
  const exportBox = el('div', { class: 'an-export' });
  const exportMsg = el('div', { class: 'an-export-msg', id: 'an-export-msg' });
  const heads: Partial<Record<AnKey, HTMLElement>> = {};
  const head = (k: AnKey) => (heads[k] = el('h3', {}, s(k)));

  pane.classList.add('an-pane');
  pane.append(
    status,
    head('anFilters'), filters,
    head('anMode'), modeBox,
    el('label', { class: 'an-bw' }, bwInput, bwLabel),
    legend,
    head('anTime'), el('div', { class: 'an-player' }, windowSel, playBtn, frameInput), frameLabel,
    head('anHotspots'), hotList,
    head('anTrend'), trendBox,
    head('anTables'), tabs, table, drill,
    head('anEval'), evalBox,
    head('anLoad'), loadBox,
    head('anExport'), exportBox, exportMsg,
  );

  const fail = (e: unknown) => {
    const d = asErrorDto(e);
    status.textContent = sayMessage(d.detail);
    status.dataset.error = d.code;
  };

  /** The filter in force: the pane's, narrowed to the time-player frame if one is shown. */
  const effective = (): AnalyticsFilter => {
    if (st.frame === null || !opts?.first_day || !opts.last_day) return st.filter;
    const w = timeWindows(st.filter.from ?? opts.first_day, st.filter.to ?? opts.last_day, st.window)[st.frame];
    return w ? { ...st.filter, from: w[0], to: w[1] } : st.filter;
  };

  // ---- filters ----
  // Text, not type=date: WebKit shows its own mm/dd/yyyy there; dates are ISO everywhere.
  const dateInput = (id: string) => el('input', {
    type: 'text', id, inputmode: 'numeric', placeholder: 'yyyy-mm-dd', pattern: '\\d{4}-\\d{2}-\\d{2}',
    maxlength: '10', autocomplete: 'off', spellcheck: 'false', class: 'an-date',
  });
  const dateFrom = dateInput('an-from');
  const dateTo = dateInput('an-to');
  const selects: { key: keyof AnalyticsFilter; label: AnKey; sel: HTMLSelectElement }[] = [];
  const makeSelect = (key: keyof AnalyticsFilter, label: AnKey, id: string) => {
    const sel = el('select', { id });
    selects.push({ key, label, sel });
    return sel;
  };
  const selClass = makeSelect('classes', 'anClass', 'an-class');
  const selSource = makeSelect('sources', 'anSource', 'an-source');
  const selStatus = makeSelect('statuses', 'anStatus', 'an-status-filter');
  const selDept = makeSelect('departments', 'anDepartment', 'an-department');
  const selStreet = makeSelect('streets', 'anStreet', 'an-street');
  const selCommunity = makeSelect('communities', 'anCommunity', 'an-community');
  const resetBtn = el('button', { type: 'button', id: 'an-reset' });

  const fillSelect = (sel: HTMLSelectElement, items: { key: string; name: string }[]) => {
    const keep = sel.value;
    sel.replaceChildren(el('option', { value: '' }, s('anAll')), ...items.map((i) => el('option', { value: i.key }, i.name)));
    sel.value = keep;
  };

  const renderFilters = () => {
    filters.replaceChildren(
      el('label', {}, s('anFrom'), dateFrom),
      el('label', {}, s('anTo'), dateTo),
      ...selects.map(({ label, sel }) => el('label', {}, s(label), sel)),
      resetBtn,
    );
    resetBtn.textContent = s('anReset');
    if (!opts) return;
    fillSelect(selClass, opts.classes);
    fillSelect(selSource, opts.sources);
    fillSelect(selStatus, opts.statuses);
    fillSelect(selDept, opts.departments.map((d) => ({ key: d, name: d })));
    fillSelect(selStreet, opts.streets);
    fillSelect(selCommunity, opts.communities);
  };

  const readFilters = () => {
    const bad = [dateFrom, dateTo].filter((d) => d.value.trim() !== '' && !isoDate(d.value.trim()));
    for (const d of [dateFrom, dateTo]) d.toggleAttribute('aria-invalid', bad.includes(d));
    if (bad.length > 0) {
      status.textContent = s('evDateHint');
      status.dataset.error = 'invalid_date';
      return;
    }
    dateFrom.value = dateFrom.value.trim();
    dateTo.value = dateTo.value.trim();
    const f = emptyFilter();
    f.from = dateFrom.value || null;
    f.to = dateTo.value || null;
    for (const { key, sel } of selects) {
      if (sel.value) (f[key] as string[]) = [sel.value];
    }
    st.filter = f;
    st.frame = null;
    stop();
    void refresh();
  };
  for (const input of [dateFrom, dateTo, ...selects.map((x) => x.sel)]) input.addEventListener('change', readFilters);
  resetBtn.addEventListener('click', () => {
    dateFrom.value = '';
    dateTo.value = '';
    for (const { sel } of selects) sel.value = '';
    readFilters();
  });

  // ---- mode, bandwidth, legend ----
  const modes: [Mode, AnKey][] = [['heat', 'anHeatmap'], ['cases', 'anGridCases'], ['per_ha', 'anGridRate'], ['overdue_share', 'anGridOverdue']];
  const renderModes = () => {
    modeBox.replaceChildren(...modes.map(([m, k]) => {
      const b = el('button', { type: 'button', 'data-mode': m, role: 'radio' }, s(k));
      b.setAttribute('aria-checked', String(st.mode === m));
      b.addEventListener('click', () => {
        st.mode = m;
        renderModes();
        void drawMap();
      });
      return b;
    }));
    bwLabel.textContent = `${s('anBandwidth')} ${st.bandwidth} m`;
    bwInput.parentElement?.toggleAttribute('hidden', st.mode !== 'heat');
  };
  bwInput.addEventListener('input', () => {
    st.bandwidth = Number(bwInput.value);
    bwLabel.textContent = `${s('anBandwidth')} ${st.bandwidth} m`;
  });
  bwInput.addEventListener('change', () => { void drawMap(); });

  const legendRows = (): { title: string; rows: { color: string; label: string }[] } => {
    if (st.mode === 'heat') {
      const stops = st.heat?.legend ?? [];
      return {
        title: s('anLegendDensity'),
        rows: stops.map((x) => ({ color: `rgba(${x.rgba[0]},${x.rgba[1]},${x.rgba[2]},${(x.rgba[3] / 255).toFixed(2)})`, label: x.value.toFixed(0) })),
      };
    }
    const title = st.mode === 'cases' ? s('anLegendCases') : st.mode === 'per_ha' ? s('anLegendRate') : s('anLegendOverdue');
    const b = st.gridBounds;
    const digits = st.mode === 'cases' ? 0 : 1;
    return {
      title,
      rows: b.slice(0, -1).map((lo, k) => ({ color: CLASS_COLORS[k] ?? '#000', label: `${lo.toFixed(digits)} – ${(b[k + 1] ?? lo).toFixed(digits)}` })),
    };
  };
  const renderLegend = () => {
    const { title, rows } = legendRows();
    legend.replaceChildren(el('div', { class: 'an-legend-title' }, title), ...rows.map((r) =>
      el('div', { class: 'an-legend-row' }, el('i', { style: `background:${r.color}` }), r.label)));
  };

  // ---- map ----
  const drawMap = async () => {
    if (!active) return;
    const gen = ++generation;
    const f = effective();
    pane.dataset.busy = '1';
    try {
      if (st.mode === 'heat') {
        hideChoropleth(map);
        const b = map.getBounds();
        const bounds = viewBox([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], fullBox);
        const info = await api.heatmap(f, st.bandwidth, RASTER, bounds);
        if (gen !== generation || !live()) return;
        st.heat = info;
        if (bounds === null) {
          const c = info.corners;
          fullBox = [c[0][0], c[2][1], c[2][0], c[0][1]];
        }
        pane.dataset.heatBounds = bounds === null ? '' : bounds.map((v) => v.toFixed(5)).join(',');
        showHeatmap(map, info);
        pane.dataset.heatKey = info.key;
        pane.dataset.heatCases = String(info.cases);
      } else {
        hideHeatmap(map);
        if (!st.grid) st.grid = await api.choropleth(f);
        if (gen !== generation || !live()) return;
        st.gridBounds = showChoropleth(map, st.grid, st.mode);
        pane.dataset.gridTotal = String(st.grid.total);
      }
      renderLegend();
      status.textContent = fmt(s('anCount'), { n: st.mode === 'heat' ? st.heat?.cases ?? 0 : st.grid?.total ?? 0 });
      delete status.dataset.error;
    } catch (e) {
      fail(e);
    } finally {
      if (gen === generation) pane.dataset.busy = '0';
    }
  };

  // ---- time player ----
  const frames = (): [string, string][] =>
    opts?.first_day && opts.last_day ? timeWindows(st.filter.from ?? opts.first_day, st.filter.to ?? opts.last_day, st.window) : [];
  const renderPlayer = () => {
    windowSel.replaceChildren(...(['day', 'week', 'month'] as Bucket[]).map((w) =>
      el('option', { value: w }, s(w === 'day' ? 'anDay' : w === 'week' ? 'anWeek' : 'anMonth'))));
    windowSel.value = st.window;
    playBtn.textContent = st.playing === null ? `▶ ${s('anPlay')}` : `⏸ ${s('anPause')}`;
    const fs = frames();
    frameInput.max = String(Math.max(0, fs.length - 1));
    frameInput.value = String(st.frame ?? 0);
    const w = st.frame === null ? null : fs[st.frame];
    frameLabel.textContent = w ? `${w[0]} – ${w[1]}` : '';
    pane.dataset.frame = st.frame === null ? '' : String(st.frame);
  };
  const showFrame = (i: number) => {
    st.frame = i;
    st.grid = null;
    renderPlayer();
    void drawMap();
  };
  function stop() {
    if (st.playing !== null) window.clearInterval(st.playing);
    st.playing = null;
    renderPlayer();
  }
  playBtn.addEventListener('click', () => {
    if (st.playing !== null) {
      stop();
      return;
    }
    const n = frames().length;
    if (n === 0) return;
    st.playing = window.setInterval(() => {
      if (pane.dataset.busy === '1') return; // let the last frame arrive first
      showFrame(((st.frame ?? -1) + 1) % n);
    }, FRAME_MS);
    renderPlayer();
  });
  frameInput.addEventListener('input', () => { showFrame(Number(frameInput.value)); });
  windowSel.addEventListener('change', () => {
    st.window = windowSel.value as Bucket;
    stop();
    showFrame(0);
  });

  // ---- hotspots ----
  const renderHotspots = (h: Hotspots) => {
    const row = (rank: number, name: string, c: Change, centre: [number, number], code: string | null) => {
      const li = el('li', { 'data-code': code ?? '' }, el('b', {}, `${rank}`), el('span', { class: 'an-hot-name' }, name),
        el('span', { class: 'an-num' }, String(c.current)), arrow(c));
      li.addEventListener('click', () => {
        map.flyTo({ center: centre, zoom: Math.max(map.getZoom(), 16) });
        if (code) void view.selectGrid(code);
      });
      return li;
    };
    hotList.replaceChildren(
      el('h4', {}, s('anHotGrids')),
      el('ol', {}, ...h.grids.map((g) => row(g.rank, g.name || g.code, g.cases, g.centre, g.code))),
      el('h4', {}, s('anHotPlaces')),
      el('ol', {}, ...h.places.map((p) => row(p.rank, `${p.dominant_class_label} · ${p.radius_m.toFixed(0)} m`, p.cases, p.centre, p.grid))),
    );
  };

  // ---- tables + drill-down ----
  const groups: [GroupBy, AnKey][] = [['street', 'anByStreet'], ['community', 'anByCommunity'], ['department', 'anByDepartment']];
  const renderTabs = () => {
    tabs.replaceChildren(...groups.map(([g, k]) => {
      const b = el('button', { type: 'button', role: 'tab', 'data-by': g }, s(k));
      b.setAttribute('aria-selected', String(st.by === g));
      b.addEventListener('click', () => {
        st.by = g;
        renderTabs();
        void loadTable();
      });
      return b;
    }));
  };
  /** The drill-down case list (also used by the evaluation view). */
  const showDrill = (title: string, d: DrillDto, key: string, into: HTMLElement = drill) => {
    into.replaceChildren(
      el('h4', {}, `${s('anDrill')} · ${title} (${d.total})`),
      el('ul', { class: 'an-ids' }, ...d.ids.map((id) => el('li', {}, id))),
      ...(d.total > d.ids.length ? [el('div', {}, fmt(s('anMore'), { n: d.total - d.ids.length }))] : []),
    );
    into.dataset.total = String(d.total);
    into.dataset.key = key;
  };
  const drillTo = async (row: SummaryRow, statuses: CaseStatus[] | null) => {
    const f: AnalyticsFilter = { ...effective() };
    if (st.by === 'street') f.streets = [row.key];
    else if (st.by === 'community') f.communities = [row.key];
    else f.departments = [row.key];
    if (statuses) f.statuses = statuses;
    try {
      const d = await api.cases(f);
      showDrill(row.name, d, row.key);
    } catch (e) {
      fail(e);
    }
  };
  /** The engine's 未结案 (`CaseStatus::is_open`): every state but the terminal ones; a self-handled
   *  case awaiting its 结案 is open, as the summary's `open` column counts it. */
  const openStatuses = () => STATUSES.filter((k) => !['closed', 'cancelled', 'not_accepted'].includes(k));
  const loadTable = async () => {
    try {
      const rows = await api.summary(effective(), st.by);
      const num = (row: SummaryRow, v: number, statuses: CaseStatus[] | null) => {
        const td = el('td', { class: 'an-num an-link' }, String(v));
        td.addEventListener('click', () => { void drillTo(row, statuses); });
        return td;
      };
      table.replaceChildren(el('table', {},
        el('thead', {}, el('tr', {}, ...(['anName', 'anCases', 'anOpen', 'anClosed', 'anOverdue', 'anClosedPct'] as AnKey[]).map((k) => el('th', {}, s(k))))),
        el('tbody', {}, ...rows.map((r) => el('tr', { 'data-key': r.key },
          el('td', {}, r.name),
          num(r, r.cases, null),
          num(r, r.open, openStatuses()),
          num(r, r.closed, ['closed']),
          el('td', { class: 'an-num' }, String(r.overdue)),
          el('td', { class: 'an-num' }, r.closed_share === null ? '–' : `${r.closed_share.toFixed(1)}%`),
        ))),
      ));
      table.dataset.rows = String(rows.length);
    } catch (e) {
      fail(e);
    }
  };

  const loadLoad = async () => {
    try {
      const l = await api.load();
      const flagged = l.grids.filter((g) => g.flag !== 'normal').slice(0, 20);
      loadBox.replaceChildren(
        el('div', {}, `${s('anLoadHigh')} ${l.high} · ${s('anLoadLow')} ${l.low}`),
        flagged.length === 0 ? el('div', {}, s('anLoadNone')) : el('ul', {}, ...flagged.map((g) => {
          const li = el('li', { class: `an-load-${g.flag}` }, `${g.name || g.code} · ${g.flag === 'high' ? s('anLoadHigh') : s('anLoadLow')} · ${g.ratio === null ? '–' : `×${g.ratio.toFixed(1)}`}`);
          li.addEventListener('click', () => { void view.selectGrid(g.code); });
          return li;
        })),
      );
    } catch (e) {
      fail(e);
    }
  };

  // ---- exports ----
  const say = (p: string | null) => {
    exportMsg.textContent = p === null ? s('anCancelled') : fmt(s('anSaved'), { p });
    exportMsg.dataset.path = p ?? '';
  };
  const stamp = () => new Date().toISOString().slice(0, 10);
  const exportButtons: [AnKey, () => Promise<string | null>][] = [
    ['anExportXlsx', () => api.exportTable(effective(), 'summary', st.by, 'xlsx', `案件统计-${stamp()}`)],
    ['anExportCsv', () => api.exportTable(effective(), 'summary', st.by, 'csv', `案件统计-${stamp()}`)],
    ['anExportPng', async () => {
      const { title, rows } = legendRows();
      const f = effective();
      const period = f.from || f.to ? ` ${f.from ?? ''} – ${f.to ?? ''}` : '';
      const png = await mapPng(map, `${s('anMapTitle')}${period}`, title, rows);
      return api.savePng(png, `热力图-${stamp()}`);
    }],
    ['anExportBulletin', () => {
      const f = effective();
      const period = f.from || f.to ? `${f.from ?? ''} – ${f.to ?? ''}` : s('anAll');
      return api.bulletin(f, period, `月度简报-${stamp()}`);
    }],
  ];
  const renderExports = () => {
    exportBox.replaceChildren(...exportButtons.map(([k, run], i) => {
      const b = el('button', { type: 'button', 'data-export': String(i) }, s(k));
      b.addEventListener('click', () => {
        run().then(say).catch(fail);
      });
      return b;
    }));
  };

  // ---- everything ----
  const refresh = async () => {
    if (!active) return;
    st.grid = null;
    renderPlayer();
    const f = effective();
    await Promise.all([
      drawMap(),
      api.hotspots(f, 10).then(renderHotspots).catch(fail),
      api.trends(st.filter, 'day').then((t) => {
        drawTrend(trendBox, t, st.filter.to ?? opts?.last_day ?? null, (from, to) => {
          dateFrom.value = from;
          dateTo.value = to;
          readFilters();
        });
        trendBox.append(el('div', { class: 'an-hint' }, s('anTrendHint')));
      }).catch(fail),
      loadTable(),
    ]);
    pane.dataset.refreshed = String(Number(pane.dataset.refreshed ?? '0') + 1);
  };

  const reloadEvaluation = mountEvaluation(evalBox, {
    showDrill,
    fail,
    say,
    span: () => [opts?.first_day ?? null, opts?.last_day ?? null],
  });

  const renderAll = () => {
    for (const [k, h] of Object.entries(heads)) h.textContent = s(k as AnKey);
    renderFilters();
    renderModes();
    renderPlayer();
    renderTabs();
    renderExports();
    renderLegend();
  };
  renderAll();
  onLangChange(() => {
    renderAll();
    reloadEvaluation();
    if (active) void refresh();
  });

  return () => {
    active = true;
    const start = opts ? Promise.resolve(opts) : api.options().then((o) => {
      opts = o;
      pane.dataset.firstDay = o.first_day ?? '';
      pane.dataset.lastDay = o.last_day ?? '';
      renderFilters();
      return o;
    });
    start.then(() => Promise.all([refresh(), loadLoad()])).catch(fail);
  };
}

let enterHook: Workspace['enter'];
let viewRef: MapView | null = null;

export const analyticsWorkspace: Workspace = {
  id: 'analytics',
  label: () => s('anTab'),
  mount: (pane, view) => {
    viewRef = view;
    enterHook = mount(pane, view);
  },
  enter: () => { enterHook?.(); },
  leave: () => {
    if (!viewRef) return;
    hideHeatmap(viewRef.map);
    hideChoropleth(viewRef.map);
    hideEvaluation();
  },
};
