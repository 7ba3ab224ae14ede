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
  /** `event:0504` style key (for filters). */
  dominant_class: string;
  /** The class name from the code tables. */
  dominant_class_name: string;
  /** What lists show: `0504 占道经营`. */
  dominant_class_label: string;
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
  /** 已结案占比 (%): closed / cases — not the evaluation's 结案率. */
  closed_share: number | null;
  overdue_share: number | null;
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
  /** `bounds` `[west, south, east, north]`: a raster over the map view instead of the district. */
  heatmap: (filter: CaseFilter, bandwidthM: number, size: number, bounds: [number, number, number, number] | null = null) =>
    call<HeatmapInfo>('analytics_heatmap', { filter, bandwidthM, size, bounds }),
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

/** One column of an evaluation table (src-tauri/src/evaluation.rs `ColumnDto`). */
export interface EvalColumn {
  key: string;
  label: string;
  kind: 'count' | 'rate' | 'score';
  /** Indicator key whose cases a click lists. */
  drill: string;
  weight: number | null;
}

export interface EvalRow {
  index: number;
  code: string;
  name: string;
  values: (number | null)[];
  composite: number | null;
  grade: string | null;
  sample: number;
  rank: number | null;
}

export type EvalTableKind =
  | 'district' | 'street' | 'community' | 'grid' | 'duty_grid' | 'department'
  | 'inspector' | 'receptionist' | 'shift_leader' | 'dispatcher';

export interface EvalTable {
  table: EvalTableKind;
  title: string;
  period: string;
  min_sample: number;
  sample: string;
  columns: EvalColumn[];
  rows: EvalRow[];
}

export interface Band {
  op: 'eq' | 'lt' | 'le' | 'ge';
  bound: number;
  score: number;
}

export interface Bands {
  bands: Band[];
  otherwise: number;
}

export interface GradeBand {
  grade: string;
  min: number;
}

/** Engine `EvaluationConfig`: sections of `w_*` weights and bands. */
export interface EvalConfig {
  min_sample: number;
  grades: GradeBand[];
  region: Record<string, number | Bands>;
  department: Record<string, number | Bands>;
  inspector: Record<string, number | Bands>;
  receptionist: Record<string, number | Bands>;
  shift_leader: Record<string, number | Bands>;
  dispatcher: Record<string, number | Bands>;
}

export const evaluationApi = {
  table: (period: string, table: EvalTableKind) => call<EvalTable>('evaluation_table', { period, table }),
  cases: (period: string, table: EvalTableKind, index: number, indicator: string) =>
    call<Drill>('evaluation_cases', { period, table, index, indicator }),
  config: () => call<EvalConfig>('evaluation_config'),
  setConfig: (config: EvalConfig) => call<EvalConfig>('set_evaluation_config', { config }),
  exportTable: (period: string, table: EvalTableKind, format: TableFormat, name: string) =>
    call<string | null>('evaluation_export', { period, table, format, name }),
};

export function heatmapUrl(key: string): string {
  return `${schemeBase()}/heatmap/${key}.png`;
}
