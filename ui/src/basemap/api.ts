// The basemap commands (src-tauri/src/basemap.rs) and events, and the tile URL of a basemap.
// Types come from ../generated; failures are `CommandError`s (ui/src/api.ts), shown through
// their message code.
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { call, schemeBase } from '../api';
import type { BasemapInfo, BasemapList, BasemapPlace, Datum, InstallOptions, InstallProgress } from '../generated';

export type {
  BasemapInfo, BasemapList, BasemapPlace, Datum, InstallOptions, InstallProgress, InstallStage, PackageFormat, TileFormat,
  VectorLayer,
} from '../generated';

export const basemapApi = {
  list: () => call<BasemapList>('basemap_list'),
  install: (path: string, options: InstallOptions) => call<BasemapInfo>('basemap_install', { path, options }),
  cancel: () => call<null>('basemap_cancel'),
  remove: (id: string) => call<null>('basemap_remove', { id }),
  /** The native Open dialog; `null` when cancelled. */
  pickFile: () => call<string | null>('basemap_pick_file'),
  placeSearch: (query: string, limit: number) => call<BasemapPlace[]>('place_search', { query, limit }),
};

export function onInstallProgress(handler: (p: InstallProgress) => void): Promise<UnlistenFn> {
  return listen<InstallProgress>('basemap-progress', (e) => { handler(e.payload); });
}

export function onBasemapsChanged(handler: () => void): Promise<UnlistenFn> {
  return listen<null>('basemaps-changed', () => { handler(); });
}

/** Tile URL template of an installed basemap (vector tiles uncompressed MVT, or raster images). */
export function basemapTileUrl(id: string): string {
  return `${schemeBase()}/basemap/${encodeURIComponent(id)}/{z}/{x}/{y}`;
}

/** The datums the install form offers (`null`: what the package says, else WGS84). */
export const DATUMS: readonly Datum[] = ['wgs84', 'cgcs2000', 'gcj02'];

export function datumName(d: Datum): string {
  switch (d) {
    case 'wgs84':
      return 'WGS84';
    case 'cgcs2000':
      return 'CGCS2000';
    case 'gcj02':
      return 'GCJ-02';
  }
}
