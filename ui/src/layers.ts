// The map style: two vector sources of engine tiles through the griddesk: scheme (everything but
// the labels, and the labels), no basemap, no glyph server: MapLibre 6 draws every label with the
// font named in text-font, the app's bundled GridDesk Sans SC (a Noto Sans CJK SC subset declared
// in style.css, made by scripts/make-map-font.py); a character outside it falls back to the system.
import type {
  DataDrivenPropertyValueSpecification,
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import type { StringKey } from './i18n';

export const SOURCE = 'gd';
/** The `labels` layer comes as its own source: the grids draw without waiting for text layout. */
export const LABEL_SOURCE = 'gd-labels';
export const FONT = 'GridDesk Sans SC';
export const FONT_STACK = `'${FONT}', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif`;

/** Community colour index (`ci`, 0..7) → fill colour. Adjacent communities differ in ci. */
export const CI_COLORS = [
  '#8dd3c7', '#ffffb3', '#bebada', '#fb8072', '#80b1d3', '#fdb462', '#b3de69', '#fccde5',
] as const;

/** Component major class (CJ/T 214) → colour. */
export const MAJOR_COLORS: readonly [string, string, StringKey][] = [
  ['01', '#1f77b4', 'major01'],
  ['02', '#7f7f7f', 'major02'],
  ['03', '#d62728', 'major03'],
  ['04', '#2ca02c', 'major04'],
  ['05', '#8c564b', 'major05'],
  ['06', '#9467bd', 'major06'],
];

/** Case status → colour; open states warm, finished states grey. */
export const STATUS_COLORS: readonly [string, string, StringKey][] = [
  ['reported', '#e41a1c', 'statusReported'],
  ['verifying', '#e7298a', 'statusVerifying'],
  ['accepted', '#ff7f00', 'statusAccepted'],
  ['filed', '#f0c000', 'statusFiled'],
  ['handling', '#984ea3', 'statusHandling'],
  ['hung', '#a65628', 'statusHung'],
  ['checking', '#377eb8', 'statusChecking'],
  ['to_close', '#4daf4a', 'statusToClose'],
  ['self_handled', '#1b9e77', 'statusSelfHandled'],
  ['closed', '#9e9e9e', 'statusClosed'],
  ['not_accepted', '#bdbdbd', 'statusNotAccepted'],
  ['cancelled', '#d0d0d0', 'statusCancelled'],
];

/** Case statuses that left the loop (the engine's `CaseStatus::is_terminal`): drawn small and
 * pale under the open ones. */
const FINISHED = ['closed', 'cancelled', 'not_accepted'];

/** A toggle in the layer panel and the View menu, and the style layers it shows or hides. */
export interface LayerGroup {
  id: string;
  label: StringKey;
  layers: string[];
  visible: boolean;
}

export const GROUPS: LayerGroup[] = [
  { id: 'district', label: 'layerDistrict', layers: ['district-fill', 'district-line'], visible: true },
  { id: 'streets', label: 'layerStreets', layers: ['streets-line', 'street-labels'], visible: true },
  {
    id: 'communities',
    label: 'layerCommunities',
    layers: ['communities-fill', 'communities-line', 'community-labels'],
    visible: true,
  },
  {
    id: 'grids',
    label: 'layerGrids',
    layers: ['grids-fill', 'grids-line', 'grids-hover', 'grids-selected'],
    visible: true,
  },
  { id: 'grid-labels', label: 'layerGridLabels', layers: ['grid-seq-labels', 'grid-code-labels'], visible: true },
  { id: 'components', label: 'layerComponents', layers: ['components'], visible: true },
  { id: 'cases', label: 'layerCases', layers: ['cases'], visible: true },
  { id: 'case-counts', label: 'layerCaseCounts', layers: ['case-counts', 'case-counts-label'], visible: true },
];

function ciColor(): ExpressionSpecification {
  const m: (string | number)[] = [];
  CI_COLORS.forEach((c, i) => m.push(i, c));
  return ['match', ['to-number', ['get', 'ci']], ...m, '#dddddd'] as unknown as ExpressionSpecification;
}

function matchColor(
  prop: string,
  table: readonly (readonly [string, string, StringKey])[],
  fallback: string,
): DataDrivenPropertyValueSpecification<string> {
  const m: string[] = [];
  for (const [k, c] of table) m.push(k, c);
  return ['match', ['to-string', ['get', prop]], ...m, fallback] as unknown as ExpressionSpecification;
}

const halo = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 } as const;

function layers(): LayerSpecification[] {
  const src = { source: SOURCE } as const;
  const lsrc = { source: LABEL_SOURCE } as const;
  return [
    { id: 'background', type: 'background', paint: { 'background-color': '#e9ecef' } },
    { id: 'district-fill', type: 'fill', ...src, 'source-layer': 'district', paint: { 'fill-color': '#fbfaf6' } },
    {
      id: 'communities-fill',
      type: 'fill',
      ...src,
      'source-layer': 'communities',
      maxzoom: 13,
      paint: { 'fill-color': ciColor(), 'fill-opacity': 0.35 },
    },
    {
      id: 'grids-fill',
      type: 'fill',
      ...src,
      'source-layer': 'grids',
      minzoom: 13,
      paint: {
        'fill-color': ciColor(),
        'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.85, 0.45],
      },
    },
    {
      id: 'grids-line',
      type: 'line',
      ...src,
      'source-layer': 'grids',
      minzoom: 13,
      paint: {
        'line-color': '#5f6b73',
        'line-width': ['interpolate', ['linear'], ['zoom'], 13, 0.3, 16, 0.9, 18, 1.4],
      },
    },
    {
      id: 'communities-line',
      type: 'line',
      ...src,
      'source-layer': 'communities',
      minzoom: 11,
      paint: {
        'line-color': '#6d4c41',
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.8, 15, 2],
      },
    },
    {
      id: 'streets-line',
      type: 'line',
      ...src,
      'source-layer': 'streets',
      paint: {
        'line-color': '#6a3d9a',
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.2, 15, 3],
        'line-dasharray': [3, 1.5],
      },
    },
    {
      id: 'district-line',
      type: 'line',
      ...src,
      'source-layer': 'district',
      paint: { 'line-color': '#263238', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1.5, 14, 4] },
    },
    {
      id: 'grids-hover',
      type: 'line',
      ...src,
      'source-layer': 'grids',
      minzoom: 13,
      paint: {
        'line-color': '#ff6d00',
        'line-width': 2.5,
        'line-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 1, 0],
      },
    },
    {
      id: 'grids-selected',
      type: 'line',
      ...src,
      'source-layer': 'grids',
      minzoom: 13,
      filter: ['==', ['get', 'code'], ''],
      paint: { 'line-color': '#d50000', 'line-width': 3.5 },
    },
    {
      id: 'case-counts',
      type: 'circle',
      ...src,
      'source-layer': 'case_counts',
      maxzoom: 16,
      paint: {
        'circle-color': ['case', ['>', ['to-number', ['get', 'open']], 0], '#e65100', '#78909c'],
        'circle-opacity': 0.55,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 0.8,
        'circle-radius': [
          'interpolate', ['linear'], ['zoom'],
          10, ['*', 0.5, ['sqrt', ['to-number', ['get', 'count']]]],
          14, ['*', 1.6, ['sqrt', ['to-number', ['get', 'count']]]],
          15, ['min', 22, ['*', 2, ['sqrt', ['to-number', ['get', 'count']]]]],
        ],
      },
    },
    {
      id: 'components',
      type: 'circle',
      ...src,
      'source-layer': 'components',
      minzoom: 16,
      paint: {
        'circle-color': matchColor('major', MAJOR_COLORS, '#607d8b'),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 16, 2.6, 18, 5],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 0.6,
      },
    },
    {
      id: 'cases',
      type: 'circle',
      ...src,
      'source-layer': 'cases',
      minzoom: 16,
      layout: {
        // Open cases are drawn above finished ones.
        'circle-sort-key': ['case', ['in', ['get', 'status'], ['literal', FINISHED]], 0, 1],
      },
      paint: {
        'circle-color': matchColor('status', STATUS_COLORS, '#424242'),
        'circle-radius': [
          'interpolate', ['linear'], ['zoom'],
          16, ['case', ['in', ['get', 'status'], ['literal', FINISHED]], 2.4, 4.5],
          18, ['case', ['in', ['get', 'status'], ['literal', FINISHED]], 4, 7],
        ],
        'circle-opacity': ['case', ['in', ['get', 'status'], ['literal', FINISHED]], 0.55, 1],
        'circle-stroke-color': '#212121',
        'circle-stroke-width': ['case', ['in', ['get', 'status'], ['literal', FINISHED]], 0, 1],
      },
    },
    {
      id: 'case-counts-label',
      type: 'symbol',
      ...src,
      'source-layer': 'case_counts',
      minzoom: 14,
      maxzoom: 16,
      layout: {
        'text-field': ['to-string', ['get', 'count']],
        'text-font': [FONT],
        'text-size': 10,
        'text-allow-overlap': false,
      },
      paint: { 'text-color': '#4e2600', ...halo },
    },
    {
      id: 'grid-seq-labels',
      type: 'symbol',
      ...lsrc,
      'source-layer': 'labels',
      minzoom: 15,
      maxzoom: 17,
      filter: ['==', ['get', 'kind'], 'grid'],
      layout: { 'text-field': ['get', 'seq'], 'text-font': [FONT], 'text-size': 12 },
      paint: { 'text-color': '#263238', ...halo },
    },
    {
      id: 'grid-code-labels',
      type: 'symbol',
      ...lsrc,
      'source-layer': 'labels',
      minzoom: 17,
      filter: ['==', ['get', 'kind'], 'grid'],
      layout: { 'text-field': ['get', 'code'], 'text-font': [FONT], 'text-size': 12 },
      paint: { 'text-color': '#263238', ...halo },
    },
    {
      id: 'community-labels',
      type: 'symbol',
      ...lsrc,
      'source-layer': 'labels',
      minzoom: 12,
      maxzoom: 16,
      filter: ['==', ['get', 'kind'], 'community'],
      layout: { 'text-field': ['get', 'name'], 'text-font': [FONT], 'text-size': 13 },
      paint: { 'text-color': '#4e342e', ...halo },
    },
    {
      id: 'street-labels',
      type: 'symbol',
      ...lsrc,
      'source-layer': 'labels',
      minzoom: 9,
      maxzoom: 13,
      filter: ['==', ['get', 'kind'], 'street'],
      layout: { 'text-field': ['get', 'name'], 'text-font': [FONT], 'text-size': 16, 'text-letter-spacing': 0.1 },
      paint: { 'text-color': '#4a148c', ...halo, 'text-halo-width': 2 },
    },
  ];
}

function isLabelLayer(l: LayerSpecification): boolean {
  return 'source' in l && l.source === LABEL_SOURCE;
}

function labelSource(tiles: string, bounds: [number, number, number, number]): SourceSpecification {
  return { type: 'vector', tiles: [tiles], minzoom: 9, maxzoom: 16, bounds };
}

/**
 * The label source and its layers, added once the first grids are drawn: text layout and the
 * locally drawn CJK glyphs would otherwise compete with the grid tiles for the two cores at
 * launch. Each layer takes its group's current visibility.
 */
export function labelStyle(
  tiles: string,
  bounds: [number, number, number, number],
): { source: SourceSpecification; layers: LayerSpecification[] } {
  const hidden = new Set(GROUPS.filter((g) => !g.visible).flatMap((g) => g.layers));
  return {
    source: labelSource(tiles, bounds),
    layers: layers()
      .filter(isLabelLayer)
      .map((l): LayerSpecification =>
        hidden.has(l.id) && l.type === 'symbol' ? { ...l, layout: { ...l.layout, visibility: 'none' } } : l,
      ),
  };
}

/** Ids of the layers the launch style has (labels and workspace overlays come later). */
export function baseLayerIds(): Set<string> {
  return new Set(layers().filter((l) => !isLabelLayer(l)).map((l) => l.id));
}

/** The style at launch: everything but the labels (see `labelStyle`). */
export function buildStyle(tiles: string, bounds: [number, number, number, number]): StyleSpecification {
  return {
    version: 8,
    name: 'GridDesk',
    sources: {
      [SOURCE]: {
        type: 'vector',
        tiles: [tiles],
        minzoom: 0,
        maxzoom: 16,
        bounds,
        promoteId: { grids: 'code' },
      },
    },
    layers: layers().filter((l) => !isLabelLayer(l)),
  };
}
