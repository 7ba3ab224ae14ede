// The city view's IPC boundary: typed wrappers for src-tauri/src/city.rs. The types are generated
// from the Rust types (../generated, scripts/gen-ts.sh).
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { call, schemeBase } from '../api';
import type { CityFigures, CityHeatmapDto, CityOverview, CityStatusDto, TableDto } from '../generated';

export type { CityDistrict, CityFigures, CityHeatmapDto, CityOverview, CityStatusDto } from '../generated';

export const cityApi = {
  /** Waits for a centre named at launch to open or fail; `off` when none is open. */
  status: () => call<CityStatusDto>('city_status'),
  open: (url: string) => call<CityOverview>('city_open', { url }),
  close: () => call<null>('city_close'),
  statistics: () => call<CityFigures[]>('city_statistics'),
  evaluation: (period: string) => call<TableDto>('city_evaluation', { period }),
  heatmap: (district: string | null, bandwidthM: number, size: number) =>
    call<CityHeatmapDto>('city_heatmap', { district, bandwidthM, size }),
};

export function onCityChanged(handler: () => void): Promise<UnlistenFn> {
  return listen<null>('city-changed', () => { handler(); });
}

/** Every district's grids, components and cases, from the open centre. */
export function cityTileUrl(generation: number): string {
  return `${schemeBase()}/city/${generation}/{z}/{x}/{y}.pbf`;
}

export function cityLabelUrl(generation: number): string {
  return `${schemeBase()}/city-labels/${generation}/{z}/{x}/{y}.pbf`;
}

export function cityHeatUrl(key: string): string {
  return `${schemeBase()}/city-heat/${key}.png`;
}
