// The components register's IPC boundary: typed wrappers for src-tauri/src/register.rs and the
// engine DTOs they carry (crates/griddesk/src/register/, qr/, io/).
import { invoke } from '@tauri-apps/api/core';
import type { IntakeRequest } from '../cases/api';

export type ComponentState = 'intact' | 'damaged' | 'missing' | 'occupied';
export const STATES: ComponentState[] = ['intact', 'damaged', 'missing', 'occupied'];

/** A component as the engine's `ComponentRecord`. */
export interface ComponentRecord {
  code: string;
  class_code: string;
  class_name: string | null;
  owner: string | null;
  maintainer: string | null;
  state: ComponentState;
  location: [number, number];
  grid: string | null;
}

export interface RegisterQuery {
  text: string;
  class_code: string | null;
  state: ComponentState | null;
  grid: string | null;
  offset: number;
  limit: number;
}

export interface RegisterPage {
  total: number;
  offset: number;
  rows: ComponentRecord[];
}

export interface ComponentChange {
  seq: number;
  code: string;
  at: string;
  actor: string;
  /** `create`, `edit`, `move`, `state`, or several joined by `+`. */
  action: string;
  before: ComponentRecord | null;
  after: ComponentRecord | null;
  note: string | null;
}

export interface ComponentDetail {
  component: ComponentRecord;
  payload: string;
  /** `data:image/png;base64,…` */
  qr: string;
  history: ComponentChange[];
}

export interface NewComponent {
  class_code: string;
  location: [number, number];
  owner: string | null;
  maintainer: string | null;
  state: ComponentState;
  note: string | null;
}

/** Absent fields stay; `null` owner or maintainer clears it. */
export interface ComponentEdit {
  owner?: string | null;
  maintainer?: string | null;
  state?: ComponentState;
  note?: string | null;
}

export interface Scan {
  payload: string;
  component: ComponentRecord;
  offset_m: number | null;
  intake: IntakeRequest;
}

export type SheetFormat = 'png' | 'pdf';

export const list = (query: RegisterQuery) => invoke<RegisterPage>('register_list', { query });
export const component = (code: string) => invoke<ComponentDetail>('register_component', { code });
export const nextCode = (classCode: string) => invoke<string>('register_next_code', { classCode });
export const create = (c: NewComponent) => invoke<ComponentRecord>('register_create', { component: c });
export const edit = (code: string, e: ComponentEdit) => invoke<ComponentRecord>('register_edit', { code, edit: e });
export const plateSheet = (codes: string[], format: SheetFormat, name: string) =>
  invoke<string[] | null>('register_plate_sheet', { codes, format, name });
export const scanText = (text: string) => invoke<Scan>('register_scan_text', { text });
export const scanImage = () => invoke<Scan | null>('register_scan_image');
