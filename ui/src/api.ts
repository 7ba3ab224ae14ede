// The IPC boundary: one typed wrapper per shell command (src-tauri/src/commands.rs). The types
// they carry are generated from the Rust types into ./generated (scripts/gen-ts.sh); only the
// error shape below is still written by hand.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AppInfoDto, GridInfo, Lang, LayerItem, MenuAction, Overview, SearchHit, StoreHealthDto, StoreStatusDto,
  TileStatsDto,
} from './generated';

export type {
  AppInfoDto, DutyGridInfo, GridInfo, Lang, LayerItem, MenuAction, Overview, SearchHit, StoreStatusDto,
  TileStatsDto,
} from './generated';
import { isMessage, type Message } from './messages';

export type Bbox = [number, number, number, number];

/** Engine `ErrorKind` (kebab-case) plus the shell's own kinds. Branch on this, never on text. */
export type ErrorCode =
  | 'store-not-found'
  | 'store-corrupt'
  | 'store-too-new'
  | 'store-locked'
  | 'store-read-only'
  | 'store-incomplete'
  | 'storage'
  | 'invalid-input'
  | 'not-found'
  | 'bad-tile'
  | 'conflict'
  | 'not-ready'
  | 'window'
  | 'not-permitted'
  | 'not-signed-in'
  | 'lan-listen'
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

const ERROR_CODES: readonly string[] = [
  'store-not-found', 'store-corrupt', 'store-too-new', 'store-locked', 'store-read-only',
  'store-incomplete', 'storage', 'invalid-input',
  'not-found', 'bad-tile', 'conflict', 'not-ready', 'window', 'not-permitted', 'not-signed-in', 'lan-listen',
  'refused', 'sign-in-refused', 'topology-refused',
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
  storeStatus: () => call<StoreStatusDto>('store_status'),
  overview: () => call<Overview>('overview'),
  gridAt: (lon: number, lat: number) => call<string | null>('grid_at', { lon, lat }),
  gridInfo: (code: string) => call<GridInfo>('grid_info', { code }),
  search: (query: string, limit: number) => call<SearchHit[]>('search', { query, limit }),
  /** Tile service times so far; `reset` starts a new measurement. */
  tileStats: (reset = false) => call<TileStatsDto>('tile_stats', { reset }),
  appInfo: () => call<AppInfoDto>('app_info'),
  /** SQLite's quick check of the open store's file, off the window's way. */
  storeHealth: () => call<StoreHealthDto>('store_health'),
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
