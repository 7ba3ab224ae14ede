// The analytics IPC boundary: typed wrappers for src-tauri/src/analytics.rs and the engine's
// analytics DTOs (crates/griddesk/src/analytics/).
import { invoke } from '@tauri-apps/api/core';
import { CommandError, asErrorDto, schemeBase } from '../api';

export type SourceKey = string;
export type StatusKey = string;

/** Engine `CaseFilter`; empty lists mean no restriction. Dates are `YYYY-MM-DD`. */
export interface CaseFilter {
  from: string | null;
  to: string | null;
  classes: string[];
  sources: SourceKey[];
  statuses: StatusKey[];
  departments: string[];
  streets: string[];
  communities: string[];
  grids: string[];
}

export interface Named {
  key: string;
  name: string;
}

export interface Options {
  classes: Named[];
  sources: Named[];
  statuses: Named[];
  departments: string[];
  streets: Named[];
  communities: Named[];
  first_day: string | null;
  last_day: string | null;
  cases: number;
}

export interface LegendStop {
  value: number;
  rgba: [number, number, number, number];
}

export interface HeatmapInfo {
  key: string;
  corners: [[number, number], [number, number], [number, number], [number, number]];
  cases: number;
  bandwidth_m: number;
  max: number;
  legend: LegendStop[];
}

export interface Breaks {
  method: 'quantile' | 'jenks';
  bounds: number[];
}

export interface Choropleth {
  codes: string[];
  cases: number[];
  per_ha: number[];
  overdue: number[];
  overdue_share: (number | null)[];
  breaks_cases: Breaks;
  breaks_per_ha: Breaks;
  breaks_overdue_share: Breaks;
  total: number;
  unlocated: number;
}

export type Direction = 'up' | 'down' | 'same' | 'new';

export interface Change {
  current: number;
  previous: number | null;
  change_pct: number | null;
  direction: Direction | null;
}

export interface GridHotspot {
  rank: number;
  code: string;
  name: string;
  centre: [number, number];
  cases: Change;
}

export interface Place {
  rank: number;
  centre: [number, number];
  radius_m: number;
  cells: number;
  cases: Change;
  dominant_class: string;
  dominant_share: number;
  grid: string | null;
}

export interface Hotspots {
  grids: GridHotspot[];
  places: Place[];
  previous_period: [string, string] | null;
  min_cases: number;
}

export type Bucket = 'day' | 'week' | 'month';

export interface Series {
  key: string;
  label: string;
  values: number[];
}

export interface Trends {
  bucket: Bucket;
  starts: string[];
  total: number[];
  by_class: Series[];
  by_source: Series[];
}

export type GroupBy = 'street' | 'community' | 'department';

export interface SummaryRow {
  key: string;
  name: string;
  cases: number;
  open: number;
  closed: number;
  overdue: number;
  closed_pct: number | null;
  overdue_pct: number | null;
}

export interface Drill {
  total: number;
  ids: string[];
}

export type LoadFlag = 'high' | 'normal' | 'low';

export interface GridLoad {
  code: string;
  name: string;
  cases: number;
  components: number;
  workload: number;
  ratio: number | null;
  flag: LoadFlag;
}

export interface LoadBalance {
  from: string;
  median: number;
  high: number;
  low: number;
  grids: GridLoad[];
}

export type TableKind = 'summary' | 'grids' | 'hotspots' | 'trends' | 'load';
export type TableFormat = 'xlsx' | 'csv';

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw new CommandError(asErrorDto(e));
  }
}

export const analyticsApi = {
  options: () => call<Options>('analytics_options'),
  heatmap: (filter: CaseFilter, bandwidthM: number, size: number) =>
    call<HeatmapInfo>('analytics_heatmap', { filter, bandwidthM, size }),
  choropleth: (filter: CaseFilter) => call<Choropleth>('analytics_choropleth', { filter }),
  hotspots: (filter: CaseFilter, top: number) => call<Hotspots>('analytics_hotspots', { filter, top }),
  trends: (filter: CaseFilter, bucket: Bucket) => call<Trends>('analytics_trends', { filter, bucket }),
  summary: (filter: CaseFilter, by: GroupBy) => call<SummaryRow[]>('analytics_summary', { filter, by }),
  cases: (filter: CaseFilter) => call<Drill>('analytics_cases', { filter }),
  load: () => call<LoadBalance>('analytics_load'),
  exportTable: (filter: CaseFilter, table: TableKind, by: GroupBy | null, format: TableFormat, name: string) =>
    call<string | null>('analytics_export_table', { filter, table, by, format, name }),
  /** Saves PNG bytes (sent raw, not as JSON). */
  savePng: async (png: Uint8Array, name: string): Promise<string | null> => {
    try {
      return await invoke<string | null>('analytics_save_png', png, { headers: { 'x-name': encodeURIComponent(name) } });
    } catch (e) {
      throw new CommandError(asErrorDto(e));
    }
  },
  bulletin: (filter: CaseFilter, period: string, name: string) =>
    call<string | null>('analytics_bulletin', { filter, period, name }),
};

export function heatmapUrl(key: string): string {
  return `${schemeBase()}/heatmap/${key}.png`;
}
