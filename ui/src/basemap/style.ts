// How a basemap is drawn: the app's own quiet style for the basemaps GridDesk builds (from an
// OSM extract or the sample's streets), a generic one from `vector_layers` for other vector
// packages, and a raster layer for image packages. Everything is local: no style URL, no glyph
// server (labels use the local CJK font, as the grid labels do: see layers.ts).
//
// The layer and class contract of built basemaps is crates/basemap/src/basemap/features.rs:
// layers landuse, water, waterways, buildings, railways, roads, places, pois, each feature with
// `class` and (when named) `name`. Every layer id starts with BASEMAP_PREFIX; every paint
// property ending in `-opacity` carries the basemap's opacity (see `opacityPaint`).
import type {
  Map as MapLibreMap,
  ExpressionSpecification,
  FilterSpecification,
  LayerSpecification,
  SourceSpecification,
} from 'maplibre-gl';
import { FONT } from '../layers';
import type { BasemapInfo } from './api';

/** The one source of the active basemap. */
export const BASEMAP_SOURCE = 'basemap';
/** Every basemap style layer's id starts with this. */
export const BASEMAP_PREFIX = 'basemap-';

export function isBasemapLayer(id: string): boolean {
  return id.startsWith(BASEMAP_PREFIX);
}

export function basemapSource(b: BasemapInfo, tiles: string): SourceSpecification {
  const common = {
    tiles: [tiles],
    minzoom: b.min_zoom,
    maxzoom: b.max_zoom,
    ...(b.bounds ? { bounds: b.bounds } : {}),
    ...(b.attribution ? { attribution: b.attribution } : {}),
  };
  return b.tile_format === 'mvt' ? { type: 'vector', ...common } : { type: 'raster', tileSize: 256, ...common };
}

/** The style layers of basemap `b` at `opacity` (0–1). */
export function basemapLayers(b: BasemapInfo, opacity: number): LayerSpecification[] {
  if (b.tile_format !== 'mvt') return rasterLayers(opacity);
  return b.built ? builtLayers(opacity) : genericLayers(b, opacity);
}

type PaintKey = Parameters<MapLibreMap['setPaintProperty']>[1];
type PaintValue = Parameters<MapLibreMap['setPaintProperty']>[2];

/** The paint properties of `layer` that carry the opacity, with their values. */
export function opacityPaint(layer: LayerSpecification): [PaintKey, PaintValue][] {
  const paint: object | undefined = 'paint' in layer ? layer.paint : undefined;
  if (!paint) return [];
  return Object.entries(paint)
    .filter(([k]) => k.endsWith('-opacity'))
    .map(([k, v]) => [k as PaintKey, v as PaintValue]);
}

// ---- raster ------------------------------------------------------------------------------------

function rasterLayers(o: number): LayerSpecification[] {
  return [
    {
      id: `${BASEMAP_PREFIX}raster`,
      type: 'raster',
      source: BASEMAP_SOURCE,
      paint: { 'raster-opacity': o, 'raster-fade-duration': 0 },
    },
  ];
}

// ---- GridDesk-built basemaps -------------------------------------------------------------------

type Expr = ExpressionSpecification;
const cls: Expr = ['get', 'class'];

/** `['match', ['get', 'class'], …pairs, fallback]` from a table of class lists. */
function byClass<T extends string | number>(table: [string[], T][], fallback: T): Expr {
  const out: unknown[] = ['match', cls];
  for (const [classes, v] of table) out.push(classes, v);
  out.push(fallback);
  return out as Expr;
}

function classIn(classes: string[]): Expr {
  return ['match', cls, classes, true, false];
}

/** Zoom-interpolated value (exponential, as road widths grow on screen). */
function byZoom(stops: [number, number | Expr][], base = 1.5): Expr {
  return ['interpolate', ['exponential', base], ['zoom'], ...stops.flat()] as unknown as Expr;
}

const GREEN = ['park', 'grass', 'garden', 'recreation_ground', 'village_green', 'meadow', 'playground', 'pitch', 'golf_course'];
const WOOD = ['forest', 'wood', 'scrub', 'nature_reserve'];
const FARM = ['farmland', 'farmyard', 'orchard', 'vineyard', 'allotments', 'greenhouse_horticulture', 'plant_nursery'];
const HOMES = ['residential'];
const SHOPS = ['commercial', 'retail'];
const WORKS = ['industrial', 'railway', 'depot', 'port', 'quarry', 'construction', 'brownfield', 'landfill'];
const SCHOOLS = ['school', 'university', 'college', 'kindergarten', 'education'];
const CARE = ['hospital', 'clinic'];
const PUBLIC = ['public', 'civic', 'religious', 'military', 'government'];
const GRAVES = ['cemetery', 'grave_yard'];

const MOTORWAY = ['motorway', 'motorway_link'];
const TRUNK = ['trunk', 'trunk_link'];
const PRIMARY = ['primary', 'primary_link'];
const SECONDARY = ['secondary', 'secondary_link'];
const TERTIARY = ['tertiary', 'tertiary_link'];
const MAJOR = [...MOTORWAY, ...TRUNK, ...PRIMARY, ...SECONDARY, ...TERTIARY];
const MINOR = ['residential', 'unclassified', 'living_street', 'road', 'busway'];
const SERVICE = ['service', 'track'];
const PATHS = ['footway', 'pedestrian', 'path', 'cycleway', 'steps', 'bridleway', 'corridor'];

/** Road fill colours: warm for the big roads, white for the rest (light, under the grids). */
const ROAD_FILL = byClass<string>(
  [
    [MOTORWAY, '#f4b778'],
    [TRUNK, '#f8cc8e'],
    [PRIMARY, '#fbdc9f'],
    [SECONDARY, '#fcebb6'],
    [TERTIARY, '#fffbea'],
  ],
  '#ffffff',
);
const ROAD_CASING = byClass<string>(
  [
    [MOTORWAY, '#c9894d'],
    [TRUNK, '#cf9f63'],
    [PRIMARY, '#c9ab74'],
    [SECONDARY, '#c8b789'],
  ],
  '#bdb6aa',
);

/** Width of a road's fill in pixels at zoom z, by class (the casing adds to it). */
function roadWidth(z: number): Expr {
  const k = 2 ** (z - 16);
  const w = (px: number) => Math.max(0.5, Math.round(px * k * 10) / 10);
  return byClass<number>(
    [
      [MOTORWAY, w(14)],
      [TRUNK, w(13)],
      [PRIMARY, w(12)],
      [SECONDARY, w(10)],
      [TERTIARY, w(8)],
      [MINOR, w(6)],
      [SERVICE, w(3.5)],
    ],
    w(2),
  );
}

const ROAD_ZOOMS = [10, 12, 14, 16, 18];
const roadFillWidth = byZoom(ROAD_ZOOMS.map((z): [number, Expr] => [z, roadWidth(z)]), 2);
const roadCasingWidth = byZoom(
  ROAD_ZOOMS.map((z): [number, Expr] => [z, ['+', roadWidth(z), z <= 12 ? 1 : z <= 14 ? 1.6 : 2.4] as unknown as Expr]),
  2,
);

/** Draw order within the roads: paths under streets under the big roads. */
const roadRank = byClass<number>(
  [
    [MOTORWAY, 7],
    [TRUNK, 6],
    [PRIMARY, 5],
    [SECONDARY, 4],
    [TERTIARY, 3],
    [MINOR, 2],
    [SERVICE, 1],
  ],
  0,
);

const HALO = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 } as const;

function builtLayers(o: number): LayerSpecification[] {
  const src = { source: BASEMAP_SOURCE } as const;
  const id = (s: string) => `${BASEMAP_PREFIX}${s}`;
  return [
    {
      id: id('landuse'),
      type: 'fill',
      ...src,
      'source-layer': 'landuse',
      paint: {
        'fill-color': byClass<string>(
          [
            [GREEN, '#d4e7c5'],
            [WOOD, '#c3dbb0'],
            [FARM, '#eef0da'],
            [HOMES, '#ebe8e3'],
            [SHOPS, '#f3e4e1'],
            [WORKS, '#e8e2ec'],
            [SCHOOLS, '#f4edcf'],
            [CARE, '#f4e0df'],
            [PUBLIC, '#ede6da'],
            [GRAVES, '#d9e3d2'],
          ],
          '#ecebe6',
        ),
        'fill-opacity': o,
      },
    },
    {
      id: id('water'),
      type: 'fill',
      ...src,
      'source-layer': 'water',
      paint: { 'fill-color': '#a9cfe3', 'fill-opacity': o },
    },
    {
      id: id('waterways'),
      type: 'line',
      ...src,
      'source-layer': 'waterways',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': '#8fbfd9',
        'line-width': byZoom([
          [10, byClass<number>([[['river'], 1.2], [['canal'], 1]], 0.5)],
          [16, byClass<number>([[['river'], 6], [['canal'], 4]], 1.8)],
        ]),
        'line-opacity': o,
      },
    },
    {
      id: id('buildings'),
      type: 'fill',
      ...src,
      'source-layer': 'buildings',
      minzoom: 14,
      paint: {
        'fill-color': '#ddd3c8',
        'fill-outline-color': '#b9a999',
        'fill-opacity': o,
      },
    },
    {
      id: id('roads-paths'),
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: classIn(PATHS),
      minzoom: 15,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': '#b09a86',
        'line-width': byZoom([[15, 0.8], [18, 1.6]]),
        'line-dasharray': [2, 1.5],
        'line-opacity': o,
      },
    },
    {
      id: id('roads-casing'),
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: ['!', classIn(PATHS)],
      layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': roadRank },
      paint: {
        'line-color': ROAD_CASING,
        'line-width': roadCasingWidth,
        // Major roads always have an edge; minor streets get a thin one from z14.
        'line-opacity': ['interpolate', ['linear'], ['zoom'], 13, ['match', cls, MAJOR, o, 0], 14, o],
      },
    },
    {
      id: id('roads'),
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: ['!', classIn(PATHS)],
      layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': roadRank },
      paint: { 'line-color': ROAD_FILL, 'line-width': roadFillWidth, 'line-opacity': o },
    },
    {
      id: id('railways'),
      type: 'line',
      ...src,
      'source-layer': 'railways',
      paint: {
        'line-color': '#9a9a9a',
        'line-width': byZoom([[10, 1], [16, 2.5]]),
        'line-dasharray': [3, 2],
        'line-opacity': o,
      },
    },
    {
      id: id('road-names'),
      type: 'symbol',
      ...src,
      'source-layer': 'roads',
      minzoom: 13,
      filter: [
        'all',
        ['has', 'name'],
        ['any', classIn(MAJOR), ['>=', ['zoom'], 15]],
      ],
      layout: {
        'symbol-placement': 'line',
        'symbol-spacing': 320,
        'text-field': ['get', 'name'],
        'text-font': [FONT],
        'text-size': byZoom([[13, 10], [17, 13]], 1),
        'text-max-angle': 35,
        'text-padding': 4,
      },
      paint: { 'text-color': '#5b5248', ...HALO, 'text-opacity': o },
    },
    {
      id: id('places'),
      type: 'symbol',
      ...src,
      'source-layer': 'places',
      filter: ['has', 'name'],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': [FONT],
        'text-size': byClass<number>(
          [
            [['city'], 18],
            [['town', 'district'], 16],
            [['suburb', 'quarter', 'village'], 14],
            [['neighbourhood'], 12.5],
          ],
          11.5,
        ),
        'text-max-width': 8,
        'text-padding': 6,
      },
      paint: {
        'text-color': byClass<string>([[['city', 'town', 'district', 'suburb', 'quarter'], '#5a4a3c']], '#6f6358'),
        ...HALO,
        'text-opacity': o,
      },
    },
    {
      id: id('pois-dot'),
      type: 'circle',
      ...src,
      'source-layer': 'pois',
      minzoom: 15,
      filter: ['has', 'name'],
      paint: {
        'circle-radius': 2.5,
        'circle-color': '#9c8775',
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
        'circle-opacity': o,
        'circle-stroke-opacity': o,
      },
    },
    {
      id: id('pois'),
      type: 'symbol',
      ...src,
      'source-layer': 'pois',
      minzoom: 15,
      filter: ['has', 'name'],
      layout: {
        'text-field': ['get', 'name'],
        'text-font': [FONT],
        'text-size': 11,
        'text-anchor': 'top',
        'text-offset': [0, 0.5],
        'text-max-width': 7,
        'text-optional': true,
      },
      paint: { 'text-color': '#7a6a5c', ...HALO, 'text-opacity': o },
    },
  ];
}

// ---- other vector packages ---------------------------------------------------------------------

/** Quiet colours for the layers of a package GridDesk did not build, by layer index. */
const GENERIC = ['#b09f8e', '#8fa9bb', '#b9c9a3', '#c7a9b5', '#a7a7c9', '#c9b98f', '#a0c4b8', '#bfa58f'];

const POLYGON: FilterSpecification = ['==', ['geometry-type'], 'Polygon'];
const LINE: FilterSpecification = ['==', ['geometry-type'], 'LineString'];
const POINT: FilterSpecification = ['==', ['geometry-type'], 'Point'];

function genericLayers(b: BasemapInfo, o: number): LayerSpecification[] {
  const out: LayerSpecification[] = [];
  const points: LayerSpecification[] = [];
  b.vector_layers.forEach((vl, i) => {
    const colour = GENERIC[i % GENERIC.length] ?? '#b7a99a';
    const base = { source: BASEMAP_SOURCE, 'source-layer': vl.id } as const;
    const id = (kind: string) => `${BASEMAP_PREFIX}${i}-${kind}`;
    const g = vl.geometry?.toLowerCase() ?? null;
    const want = (k: string) => g === null || g.includes(k);
    // A layer that does not say what it holds is drawn all three ways, by geometry type.
    const only = (f: FilterSpecification): { filter: FilterSpecification } | Record<string, never> =>
      g === null ? { filter: f } : {};
    if (want('polygon')) {
      out.push(
        { id: id('fill'), type: 'fill', ...base, ...only(POLYGON), paint: { 'fill-color': colour, 'fill-opacity': 0.35 * o } },
        { id: id('outline'), type: 'line', ...base, ...only(POLYGON), paint: { 'line-color': colour, 'line-width': 0.8, 'line-opacity': o } },
      );
    }
    if (want('line')) {
      out.push({
        id: id('line'),
        type: 'line',
        ...base,
        ...only(LINE),
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': colour, 'line-width': byZoom([[10, 1], [14, 1.6], [16, 3], [18, 7]]), 'line-opacity': o },
      });
    }
    if (want('point')) {
      points.push(
        { id: id('circle'), type: 'circle', ...base, ...only(POINT), paint: { 'circle-radius': 3, 'circle-color': colour, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1, 'circle-opacity': o, 'circle-stroke-opacity': o } },
        {
          id: id('label'),
          type: 'symbol',
          ...base,
          ...only(POINT),
          layout: {
            'text-field': ['coalesce', ['get', 'name:zh'], ['get', 'name'], ''],
            'text-font': [FONT],
            'text-size': 11,
            'text-anchor': 'top',
            'text-offset': [0, 0.5],
            'text-optional': true,
          },
          paint: { 'text-color': '#5b5248', ...HALO, 'text-opacity': o },
        },
      );
    }
  });
  // Points and their labels over every area and line.
  return [...out, ...points];
}
