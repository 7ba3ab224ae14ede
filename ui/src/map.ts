// The map view: MapLibre over engine tiles, hover/click on grids, status bar, test hooks.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { api, asErrorDto, labelUrl, tileUrl, type Bbox, type Overview } from './api';
import { byId } from './dom';
import { lang, t } from './i18n';
import { baseLayerIds, buildStyle, FONT_STACK, LABEL_SOURCE, labelStyle, SOURCE, type LayerGroup } from './layers';
import { isBasemapLayer } from './basemap/style';
import { showGrid } from './panel';
import { mark, timeline } from './timeline';

// MapLibre 6 cannot find its worker on the tauri:// origin by itself.
maplibregl.setWorkerUrl(workerUrl);

/**
 * Starts MapLibre's tile workers now, while the engine opens the store: loading and compiling
 * the worker script is otherwise the first thing the map waits for. MapLibre's own worker count
 * (half the cores) is kept: on a two-core machine a second worker only competed with the main
 * thread and the software GL renderer, and the first view drew later (measured in
 * `tests/e2e/perf.mjs`, interleaved launches).
 */
export function prewarmMap(): void {
  maplibregl.prewarm();
}

export interface MapView {
  map: maplibregl.Map;
  selectGrid: (code: string | null) => Promise<void>;
  zoomToDistrict: () => void;
  applyGroup: (g: LayerGroup) => void;
  /** Settles once the first view is drawn (grids in, or the map idle without any). */
  firstDrawn: Promise<void>;
  fitBbox: (bbox: Bbox, maxZoom: number) => void;
}

/** Ground resolution at the map centre and the 1:N scale for a 96-dpi screen. */
function scaleText(map: maplibregl.Map): string {
  const lat = map.getCenter().lat;
  const metersPerPixel = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
  const n = metersPerPixel / 0.000264583;
  const rounded = n > 1000 ? Math.round(n / 100) * 100 : Math.round(n);
  return `1:${rounded.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-US')}`;
}

function updateStatus(map: maplibregl.Map): void {
  byId('status-zoom').textContent = map.getZoom().toFixed(1);
  byId('status-scale').textContent = scaleText(map);
}

/** Whole China, for a store with neither a district outline nor grids. */
const FALLBACK_BBOX: Bbox = [73.5, 18.0, 135.0, 53.6];
/** The zoom from which the engine's tiles carry unit-grid polygons. */
export const GRIDS_MIN_ZOOM = 13;

export function createMap(overview: Overview, generation: number, gridsBbox: Bbox | null): MapView {
  const bbox = overview.bbox ?? gridsBbox ?? FALLBACK_BBOX;
  // Open on the unit grids (the district outline is usually far larger than its gridded core).
  const start = gridsBbox ?? bbox;
  const map = new maplibregl.Map({
    container: 'map',
    style: buildStyle(tileUrl(generation), bbox),
    bounds: [
      [start[0], start[1]],
      [start[2], start[3]],
    ],
    fitBoundsOptions: { padding: 20 },
    maxZoom: 19,
    minZoom: 6,
    localIdeographFontFamily: FONT_STACK,
    attributionControl: false,
    dragRotate: false,
    // Labels appear at once instead of fading in (and `idle` comes 300 ms sooner).
    fadeDuration: 0,
    pitchWithRotate: false,
    hash: false,
  });
  if (gridsBbox && map.getZoom() < GRIDS_MIN_ZOOM) map.jumpTo({ zoom: GRIDS_MIN_ZOOM });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');

  const body = document.body;
  let idleCount = 0;
  map.on('movestart', () => { body.dataset.mapIdle = '0'; });
  map.on('dataloading', () => { body.dataset.mapIdle = '0'; });
  map.on('idle', () => {
    idleCount += 1;
    body.dataset.mapIdle = '1';
    body.dataset.idleCount = String(idleCount);
  });
  // Every change that needs a new frame (a paint or layout property, a filter, feature-state,
  // GeoJSON data, a tile arriving) asks for it through `triggerRepaint`: the map is not idle from
  // that moment until the `idle` after the frames it causes. (Moves and loads alone left the flag
  // at '1' through a repaint, and a check of the pixels could read the frame before the change.)
  const triggerRepaint = map.triggerRepaint.bind(map);
  map.triggerRepaint = () => {
    body.dataset.mapIdle = '0';
    triggerRepaint();
  };
  let drawn: () => void = () => undefined;
  const firstDrawn = new Promise<void>((resolve) => { drawn = resolve; });
  // Labels join once the grids are drawn (see `labelStyle`), below any overlay added since (and
  // above the basemap, which lies under the grids: ui/src/basemap/).
  const addLabels = () => {
    drawn();
    if (map.getSource(LABEL_SOURCE)) return;
    const { source, layers } = labelStyle(labelUrl(generation), bbox);
    const base = baseLayerIds();
    const before = map.getStyle().layers.find((l) => !base.has(l.id) && !isBasemapLayer(l.id))?.id;
    map.addSource(LABEL_SOURCE, source);
    for (const l of layers) map.addLayer(l, before);
    map.once('idle', () => { mark('labels-drawn'); });
  };
  // A view without grids (zoomed out, or a store without any) never reaches `grids-drawn`.
  map.once('idle', addLabels);
  // Launch-to-grids time: the first frame drawn with unit grids in it once the grid tiles for the
  // view are in, measured from process start (the shell's clock).
  let gridsSeen = false;
  map.on('render', () => {
    if (gridsSeen || !map.isSourceLoaded(SOURCE)) return;
    if (map.queryRenderedFeatures({ layers: ['grids-fill'] }).length === 0) return;
    gridsSeen = true;
    mark('grids-drawn');
    addLabels();
    const drawnAt = performance.now();
    body.dataset.firstGridsPageMs = drawnAt.toFixed(0);
    api
      .appInfo()
      .then((info) => {
        const ms = info.uptime_ms - (performance.now() - drawnAt);
        body.dataset.firstGridsMs = ms.toFixed(0);
        console.info(`griddesk: grids drawn ${ms.toFixed(0)} ms after launch`);
      })
      .catch(() => undefined);
  });
  map.on('error', (e) => {
    const msg = e.error.message;
    console.warn(`griddesk: map error: ${msg}`);
    body.dataset.lastMapError = msg;
  });

  map.on('mousemove', (e) => {
    byId('status-lonlat').textContent = `${e.lngLat.lng.toFixed(6)}, ${e.lngLat.lat.toFixed(6)}`;
  });
  map.on('move', () => { updateStatus(map); });
  map.on('load', () => {
    mark('map-load');
    updateStatus(map);
  });
  map.on('styledata', () => { mark('style'); });
  map.on('sourcedata', (e) => {
    if (e.sourceId === SOURCE && e.tile !== undefined) {
      mark('first-tile');
      // Until the grids are drawn: when the last tile of the first view came in.
      if (!gridsSeen) timeline['last-tile'] = Math.round(performance.now());
    }
  });
  map.once('render', () => { mark('first-frame'); });
  // When the bundled label font came in (after `grids-drawn`, or it cost the launch).
  document.fonts.addEventListener('loadingdone', () => { mark('font-loaded'); });
  map.on('sourcedataloading', (e) => { if (e.sourceId === SOURCE) mark('tile-requested'); });
  map.on('sourcedata', (e) => { if (e.sourceId === SOURCE && e.isSourceLoaded) mark('source-loaded'); });

  // Hover highlight through feature-state (grids carry `code` as their promoted id).
  let hovered: string | null = null;
  const setHover = (code: string | null) => {
    if (hovered === code) return;
    if (hovered !== null) map.setFeatureState({ source: SOURCE, sourceLayer: 'grids', id: hovered }, { hover: false });
    hovered = code;
    if (code !== null) map.setFeatureState({ source: SOURCE, sourceLayer: 'grids', id: code }, { hover: true });
    if (code === null) delete body.dataset.hoverGrid;
    else body.dataset.hoverGrid = code;
  };
  map.on('mousemove', 'grids-fill', (e) => {
    const code: unknown = e.features?.[0]?.properties.code;
    setHover(typeof code === 'string' ? code : null);
    map.getCanvas().style.cursor = 'pointer';
  });
  map.on('mouseleave', 'grids-fill', () => {
    setHover(null);
    map.getCanvas().style.cursor = '';
  });

  let selectSeq = 0;
  const selectGrid = async (code: string | null) => {
    const seq = ++selectSeq;
    map.setFilter('grids-selected', ['==', ['get', 'code'], code ?? '']);
    if (code === null) {
      showGrid(null);
      return;
    }
    try {
      const info = await api.gridInfo(code);
      if (seq === selectSeq) showGrid(info);
    } catch (e) {
      if (seq === selectSeq) showGrid(asErrorDto(e));
    }
  };

  // Click: the engine decides which grid contains the point (it is the source of truth, and it
  // answers at zooms where grid polygons are not drawn).
  map.on('click', (e) => {
    // In the case workspace a click starts a case instead (ui/src/cases/); in the register it
    // opens or adds a component (ui/src/register/); in planning the panel follows the planning
    // selection (ui/src/planning/), so a click that adds a point to a sketch opens no panel.
    const ws = document.body.dataset.workspace;
    if (ws === 'cases' || ws === 'register' || ws === 'planning') return;
    api
      .gridAt(e.lngLat.lng, e.lngLat.lat)
      .then((code) => selectGrid(code))
      .catch((err: unknown) => { showGrid(asErrorDto(err)); });
  });

  const fitBbox = (b: Bbox, maxZoom: number) => {
    map.fitBounds(
      [
        [b[0], b[1]],
        [b[2], b[3]],
      ],
      { padding: 80, maxZoom, duration: 900 },
    );
  };

  return {
    map,
    firstDrawn,
    selectGrid,
    zoomToDistrict: () => { fitBbox(bbox, 19); },
    fitBbox,
    applyGroup: (g) => {
      const apply = () => {
        for (const id of g.layers) {
          if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', g.visible ? 'visible' : 'none');
        }
      };
      if (map.isStyleLoaded()) apply();
      else map.once('style.load', apply);
    },
  };
}

export function statusOverview(o: Overview): string {
  return `${o.district_name ?? t('district')} · ${o.grids.toLocaleString()} ${t('grids')}`;
}
