// What the analytics workspace draws on the map: the heatmap as an image source placed by its
// corners, or the engine's own grid tiles coloured through feature-state from per-grid values.
import type { DataDrivenPropertyValueSpecification, ExpressionSpecification, ImageSource, Map as MlMap } from 'maplibre-gl';
import { SOURCE } from '../layers';
import { heatmapUrl, type Choropleth, type HeatmapDto } from './api';

const HEAT_SOURCE = 'analytics-heat';
const HEAT_LAYER = 'analytics-heat';
/** The map's own unit-grid fill, recoloured for the per-grid modes. */
const GRID_LAYER = 'grids-fill';
/** Sequential ramp for choropleth classes (light → dark). */
export const CLASS_COLORS = ['#fff5eb', '#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'];

export type GridMeasure = 'cases' | 'per_ha' | 'overdue_share';

/** The layer below which analytics layers go, so labels stay readable. */
function beforeId(map: MlMap): string | undefined {
  return map.getLayer('grid-seq-labels') ? 'grid-seq-labels' : undefined;
}

export function showHeatmap(map: MlMap, info: HeatmapDto): void {
  const url = heatmapUrl(info.key);
  const src = map.getSource<ImageSource>(HEAT_SOURCE);
  if (src) {
    src.updateImage({ url, coordinates: info.corners });
  } else {
    map.addSource(HEAT_SOURCE, { type: 'image', url, coordinates: info.corners });
    map.addLayer(
      { id: HEAT_LAYER, type: 'raster', source: HEAT_SOURCE, paint: { 'raster-opacity': 0.8, 'raster-fade-duration': 0 } },
      beforeId(map),
    );
  }
}

export function hideHeatmap(map: MlMap): void {
  if (map.getLayer(HEAT_LAYER)) map.removeLayer(HEAT_LAYER);
  if (map.getSource(HEAT_SOURCE)) map.removeSource(HEAT_SOURCE);
}

/** Class index of `v` in ascending `bounds` (k + 1 values), or -1 for no value. */
export function classOf(v: number | null, bounds: number[]): number {
  if (v === null || bounds.length < 2) return -1;
  for (let k = 1; k < bounds.length - 1; k += 1) if (v < (bounds[k] ?? Infinity)) return k - 1;
  return bounds.length - 2;
}

export function measureValues(c: Choropleth, m: GridMeasure): { values: (number | null)[]; bounds: number[] } {
  if (m === 'cases') return { values: c.cases, bounds: c.breaks_cases.bounds };
  if (m === 'per_ha') return { values: c.per_ha, bounds: c.breaks_per_ha.bounds };
  return {
    values: c.overdue_share.map((v) => (v === null ? null : v * 100)),
    bounds: c.breaks_overdue_share.bounds.map((b) => b * 100),
  };
}

/** The grid layer's own paint, kept while the analytics colours replace it. */
let saved: {
  color: DataDrivenPropertyValueSpecification<string>;
  opacity: DataDrivenPropertyValueSpecification<number>;
} | null = null;

/**
 * Colours the grid tiles by class of `m` (feature-state `ac` on the grid layer the map already
 * draws; grids without a value keep their usual colour); returns the bounds for the legend.
 */
export function showChoropleth(map: MlMap, c: Choropleth, m: GridMeasure): number[] {
  map.removeFeatureState({ source: SOURCE, sourceLayer: 'grids' });
  const { values, bounds } = measureValues(c, m);
  c.codes.forEach((code, i) => {
    map.setFeatureState({ source: SOURCE, sourceLayer: 'grids', id: code }, { ac: classOf(values[i] ?? null, bounds) });
  });
  if (saved === null) {
    saved = {
      color: map.getPaintProperty(GRID_LAYER, 'fill-color') as DataDrivenPropertyValueSpecification<string>,
      opacity: map.getPaintProperty(GRID_LAYER, 'fill-opacity') as DataDrivenPropertyValueSpecification<number>,
    };
    const colour: unknown[] = ['match', ['to-number', ['coalesce', ['feature-state', 'ac'], -1]]];
    CLASS_COLORS.forEach((col, k) => colour.push(k, col));
    colour.push(saved.color);
    map.setPaintProperty(GRID_LAYER, 'fill-color', colour as ExpressionSpecification);
    map.setPaintProperty(GRID_LAYER, 'fill-opacity', 0.85);
  }
  return bounds;
}

export function hideChoropleth(map: MlMap): void {
  if (saved !== null) {
    map.setPaintProperty(GRID_LAYER, 'fill-color', saved.color);
    map.setPaintProperty(GRID_LAYER, 'fill-opacity', saved.opacity);
    saved = null;
  }
  map.removeFeatureState({ source: SOURCE, sourceLayer: 'grids' });
}

/** Map canvas composed with a title and legend rows, as PNG bytes. */
export async function mapPng(
  map: MlMap,
  title: string,
  legendTitle: string,
  legend: { color: string; label: string }[],
): Promise<Uint8Array> {
  // The drawing buffer is only valid inside the render that produced it.
  const shot = await new Promise<HTMLCanvasElement>((resolve) => {
    map.once('render', () => {
      const src = map.getCanvas();
      const copy = document.createElement('canvas');
      copy.width = src.width;
      copy.height = src.height;
      copy.getContext('2d')?.drawImage(src, 0, 0);
      resolve(copy);
    });
    map.triggerRepaint();
  });
  const ratio = window.devicePixelRatio || 1;
  const out = document.createElement('canvas');
  out.width = shot.width;
  out.height = shot.height;
  const g = out.getContext('2d');
  if (!g) throw new Error('no 2D canvas');
  g.drawImage(shot, 0, 0);
  g.scale(ratio, ratio);
  g.font = 'bold 18px sans-serif';
  g.fillStyle = 'rgba(255,255,255,0.85)';
  g.fillRect(8, 8, Math.max(240, g.measureText(title).width + 24), 34);
  g.fillStyle = '#1d2b36';
  g.fillText(title, 20, 31);
  const h = 22 + legend.length * 18;
  const y0 = out.height / ratio - h - 12;
  g.fillStyle = 'rgba(255,255,255,0.9)';
  g.fillRect(8, y0, 200, h);
  g.font = '12px sans-serif';
  g.fillStyle = '#1d2b36';
  g.fillText(legendTitle, 16, y0 + 15);
  legend.forEach((row, i) => {
    const y = y0 + 22 + i * 18;
    g.fillStyle = row.color;
    g.fillRect(16, y, 18, 12);
    g.fillStyle = '#1d2b36';
    g.fillText(row.label, 42, y + 11);
  });
  const blob = await new Promise<Blob | null>((resolve) => { out.toBlob(resolve, 'image/png'); });
  if (!blob) throw new Error('the map image could not be encoded');
  return new Uint8Array(await blob.arrayBuffer());
}
