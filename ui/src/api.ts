// The IPC boundary: one typed wrapper per shell command, and the DTOs they return. Field names
// mirror the Rust structs (src-tauri/src/commands.rs and the engine's Serialize types).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { isMessage, type Message } from './messages';

export type Bbox = [number, number, number, number];

/** Engine `ErrorKind` (kebab-case) plus the shell's own kinds. Branch on this, never on text. */
export type ErrorCode =
  | 'store-not-found'
  | 'store-corrupt'
  | 'store-too-new'
  | 'store-locked'
  | 'storage'
  | 'invalid-input'
  | 'not-found'
  | 'bad-tile'
  | 'conflict'
  | 'not-ready'
  | 'window'
  | 'not-permitted'
  | 'not-signed-in'
  | 'refused'
  | 'sign-in-refused'
  | 'topology-refused';

/**
 * What a failed command returns. Show `detail` (rendered in the user's language by
 * `sayMessage`), never `message`: that is the engine's English sentence, for logs.
 */
export interface ErrorDto {
  code: ErrorCode;
  message: string;
  detail: Message;
}

export interface Overview {
  store_path: string;
  district_code: string | null;
  district_name: string | null;
  /** The district's extent, or the grids' when the store has no district outline. */
  bbox: Bbox | null;
  streets: number;
  communities: number;
  grids: number;
  retired_grids: number;
  duty_grids: number;
  components: number;
  cases: number;
  open_cases: number;
  sample: boolean;
}

export interface DutyGrid {
  code: string;
  name: string;
  inspector: string;
}

export interface GridInfo {
  code: string;
  seq: string;
  name: string;
  community_code: string;
  community_name: string | null;
  street_code: string;
  street_name: string | null;
  area_m2: number;
  land_use: string | null;
  level: string | null;
  start_date: string;
  end_date: string | null;
  duty_grid: DutyGrid | null;
  components: number;
  cases: number;
  open_cases: number;
  bbox: Bbox;
  centroid: [number, number];
  sample: boolean;
}

export type SearchKind = 'grid' | 'component' | 'community' | 'street';

export interface SearchHit {
  kind: SearchKind;
  code: string;
  label: string;
  bbox: Bbox;
}

export type StoreStatus =
  | {
      state: 'ready';
      path: string;
      seeded: boolean;
      generation: number;
      overview: Overview;
      /** Extent of the active unit grids (where the map opens), null in a store without grids. */
      grids_bbox: Bbox | null;
    }
  | { state: 'failed'; path: string; error: ErrorDto; exit_code: number };

export interface TileStats {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
}

export interface AppInfo {
  name: string;
  version: string;
  uptime_ms: number;
  store_path: string | null;
}

export type Lang = 'zh' | 'en';

export interface LayerItem {
  id: string;
  label: string;
  checked: boolean;
}

export type MenuAction =
  | { action: 'toggle-layer'; layer: string; visible: boolean }
  | { action: 'zoom-district' }
  | { action: 'settings' }
  | { action: 'about' }
  | { action: 'transfer'; mode: 'import' | 'export'; dataset: string };

const ERROR_CODES: readonly string[] = [
  'store-not-found', 'store-corrupt', 'store-too-new', 'store-locked', 'storage', 'invalid-input',
  'not-found', 'bad-tile', 'conflict', 'not-ready', 'window', 'not-permitted', 'not-signed-in', 'refused',
  'sign-in-refused', 'topology-refused',
];

/** The message of an error that did not come from the engine or the shell (a bug in the UI). */
const WINDOW_FAILED: Message = { code: 'window-failed', params: {} };

/** The typed message of a thrown value, if it carries one. */
function detailOf(e: object): Message | null {
  const d = (e as { detail?: unknown }).detail;
  return isMessage(d) ? d : null;
}

/** Narrows whatever a rejected `invoke` threw to an {@link ErrorDto}. */
export function asErrorDto(e: unknown): ErrorDto {
  if (e instanceof CommandError) return { code: e.code, message: e.message, detail: e.detail };
  if (typeof e === 'object' && e !== null && 'code' in e && 'message' in e) {
    const { code, message } = e;
    if (typeof code === 'string' && ERROR_CODES.includes(code) && typeof message === 'string') {
      return { code: code as ErrorCode, message, detail: detailOf(e) ?? { code: 'internal-error', params: {} } };
    }
  }
  return { code: 'window', message: e instanceof Error ? e.message : String(e), detail: WINDOW_FAILED };
}

/** A failed command, thrown by the wrappers below; `code` is what to branch on. */
export class CommandError extends Error implements ErrorDto {
  readonly code: ErrorCode;
  readonly detail: Message;
  constructor(dto: ErrorDto) {
    super(dto.message);
    this.name = 'CommandError';
    this.code = dto.code;
    this.detail = dto.detail;
  }
}

export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw new CommandError(asErrorDto(e));
  }
}

export const api = {
  storeStatus: () => call<StoreStatus>('store_status'),
  overview: () => call<Overview>('overview'),
  gridAt: (lon: number, lat: number) => call<string | null>('grid_at', { lon, lat }),
  gridInfo: (code: string) => call<GridInfo>('grid_info', { code }),
  search: (query: string, limit: number) => call<SearchHit[]>('search', { query, limit }),
  /** Tile service times so far; `reset` starts a new measurement. */
  tileStats: (reset = false) => call<TileStats>('tile_stats', { reset }),
  appInfo: () => call<AppInfo>('app_info'),
  openStoreDialog: () => call<null>('open_store_dialog'),
  newStoreDialog: () => call<null>('new_store_dialog'),
  syncMenu: (lang: Lang, layers: LayerItem[]) => call<null>('sync_menu', { lang, layers }),
  quit: () => call<null>('quit'),
};

export function onMenu(handler: (a: MenuAction) => void): Promise<UnlistenFn> {
  return listen<MenuAction>('menu', (e) => { handler(e.payload); });
}

export function onStoreChanged(handler: () => void): Promise<UnlistenFn> {
  return listen<null>('store-changed', () => { handler(); });
}

/** Base URL of the shell's `griddesk:` scheme (Windows and Android use http://<scheme>.localhost). */
export function schemeBase(): string {
  return /Windows|Android/i.test(navigator.userAgent)
    ? 'http://griddesk.localhost'
    : 'griddesk://localhost';
}

export function tileUrl(generation: number | string): string {
  return `${schemeBase()}/tiles/${generation}/{z}/{x}/{y}.pbf`;
}

/** The labels part of the same tiles (see `LABEL_SOURCE`). */
export function labelUrl(generation: number | string): string {
  return `${schemeBase()}/labels/${generation}/{z}/{x}/{y}.pbf`;
}
