// The analytics IPC boundary: typed wrappers for src-tauri/src/analytics.rs and evaluation.rs. The
// types are generated from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import { CommandError, asErrorDto, schemeBase } from '../api';
import type {
  AnalyticsFilter, Bucket, Choropleth, DrillDto, EvalTableKind, EvaluationConfig, GroupBy, HeatmapDto, Hotspots,
  LoadBalance, OptionsDto, SummaryRow, TableDto, TableFormat, TableKind, Trends,
} from '../generated';

export type {
  AnalyticsFilter, Band, BandOp, Bands, Breaks, Bucket, Change, Choropleth, ColumnDto, Direction, DrillDto,
  EvalTableKind, EvaluationConfig, FilterOption, GradeBand, GridHotspot, GridLoad, GroupBy, HeatmapDto,
  Hotspots, LegendStop, LoadBalance, LoadFlag, OptionsDto, Place, RowDto, Series, SummaryRow, TableDto,
  TableFormat, TableKind, Trends,
} from '../generated';

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw new CommandError(asErrorDto(e));
  }
}

export const analyticsApi = {
  options: () => call<OptionsDto>('analytics_options'),
  /** `bounds` `[west, south, east, north]`: a raster over the map view instead of the district. */
  heatmap: (filter: AnalyticsFilter, bandwidthM: number, size: number, bounds: [number, number, number, number] | null = null) =>
    call<HeatmapDto>('analytics_heatmap', { filter, bandwidthM, size, bounds }),
  choropleth: (filter: AnalyticsFilter) => call<Choropleth>('analytics_choropleth', { filter }),
  hotspots: (filter: AnalyticsFilter, top: number) => call<Hotspots>('analytics_hotspots', { filter, top }),
  trends: (filter: AnalyticsFilter, bucket: Bucket) => call<Trends>('analytics_trends', { filter, bucket }),
  summary: (filter: AnalyticsFilter, by: GroupBy) => call<SummaryRow[]>('analytics_summary', { filter, by }),
  cases: (filter: AnalyticsFilter) => call<DrillDto>('analytics_cases', { filter }),
  load: () => call<LoadBalance>('analytics_load'),
  exportTable: (filter: AnalyticsFilter, table: TableKind, by: GroupBy | null, format: TableFormat, name: string) =>
    call<string | null>('analytics_export_table', { filter, table, by, format, name }),
  /** Saves PNG bytes (sent raw, not as JSON). */
  savePng: async (png: Uint8Array, name: string): Promise<string | null> => {
    try {
      return await invoke<string | null>('analytics_save_png', png, { headers: { 'x-name': encodeURIComponent(name) } });
    } catch (e) {
      throw new CommandError(asErrorDto(e));
    }
  },
  bulletin: (filter: AnalyticsFilter, period: string, name: string) =>
    call<string | null>('analytics_bulletin', { filter, period, name }),
};

export const evaluationApi = {
  table: (period: string, table: EvalTableKind) => call<TableDto>('evaluation_table', { period, table }),
  cases: (period: string, table: EvalTableKind, index: number, indicator: string) =>
    call<DrillDto>('evaluation_cases', { period, table, index, indicator }),
  config: () => call<EvaluationConfig>('evaluation_config'),
  // `seen`: the configuration the form was opened with; refused when someone else changed it since.
  setConfig: (config: EvaluationConfig, seen: EvaluationConfig) =>
    call<EvaluationConfig>('set_evaluation_config', { config, seen }),
  exportTable: (period: string, table: EvalTableKind, format: TableFormat, name: string) =>
    call<string | null>('evaluation_export', { period, table, format, name }),
};

export function heatmapUrl(key: string): string {
  return `${schemeBase()}/heatmap/${key}.png`;
}
