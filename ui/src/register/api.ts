// The components register's IPC boundary: typed wrappers for src-tauri/src/register.rs. The
// types are generated from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import { allOf } from '../enums';
import type {
  ComponentDetail, ComponentEdit, ComponentRecord, ComponentState, NewComponent, RegisterPage, RegisterQuery,
  Scan, SheetFormat,
} from '../generated';

export type {
  ComponentChange, ComponentDetail, ComponentEdit, ComponentRecord, ComponentState, NewComponent,
  RegisterPage, RegisterQuery, Scan, SheetFormat,
} from '../generated';

export const STATES = allOf<ComponentState>()('intact', 'damaged', 'missing', 'occupied');

export const list = (query: RegisterQuery) => invoke<RegisterPage>('register_list', { query });
export const component = (code: string) => invoke<ComponentDetail>('register_component', { code });
export const nextCode = (classCode: string) => invoke<string>('register_next_code', { classCode });
export const create = (c: NewComponent) => invoke<ComponentRecord>('register_create', { component: c });
export const edit = (code: string, e: ComponentEdit) => invoke<ComponentRecord>('register_edit', { code, edit: e });
export const plateSheet = (codes: string[], format: SheetFormat, name: string) =>
  invoke<string[] | null>('register_plate_sheet', { codes, format, name });
export const scanText = (text: string) => invoke<Scan>('register_scan_text', { text });
export const scanImage = () => invoke<Scan | null>('register_scan_image');
