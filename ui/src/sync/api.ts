// The 同步 tab's IPC boundary: typed wrappers for src-tauri/src/sync.rs. The types are generated
// from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { SettleChoice, SyncConflictView, SyncReportView, SyncStage, SyncStatus } from '../generated';

export type { SettleChoice, SyncConflictView, SyncReportView, SyncStage, SyncStatus, SyncTableCount } from '../generated';

export const status = () => invoke<SyncStatus>('sync_status');
export const syncNow = (centre: string) => invoke<SyncReportView>('sync_now', { centre });
export const conflicts = (centre: string) => invoke<SyncConflictView[]>('sync_conflicts', { centre });
export const settle = (centre: string, id: number, choice: SettleChoice) =>
  invoke<SyncConflictView>('sync_settle', { centre, id, choice });

/** Each stage of a running sync. */
export function onProgress(handler: (stage: SyncStage) => void): Promise<UnlistenFn> {
  return listen<SyncStage>('sync-progress', (e) => { handler(e.payload); });
}
