// The street registers' IPC boundary (街面台账): one typed wrapper per command of
// src-tauri/src/street.rs. The types are generated from the Rust types (../generated,
// scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { allOf } from '../enums';
import type {
  AdmissionStatus, Colour, Ladder, ListFormat, MoveCarInput, MoveCarYear, MoveOutcome, Notice, NoticeDraft,
  NoticePreview, NoticeRecipient, ObjectDetail, ObjectEdit, ObjectKind, ObjectPage, ObjectQuery, ObjectStatus,
  PersonLookup, RegisterImport, RegisterOverview, StreetFile, StreetHint, TargetKind, VendingZone, VendorDetail,
  VendorEdit, VendorRow, WarningInput, ZoneRow,
} from '../generated';

export type {
  Admission, AdmissionStatus, Colour, Delivery, FrontageCase, Ladder, ListFormat, MoveCarInput, MoveCarMonth,
  MoveCarReminder, MoveCarYear, MoveOutcome, Notice, NoticeDraft, NoticePreview, NoticeRecipient, ObjectChange,
  ObjectDetail, ObjectEdit, ObjectKind, ObjectPage, ObjectQuery, ObjectRow, ObjectStatus, PersonLookup,
  RegisterImport, RegisterOverview, RegisterPhoto, Reject, ServiceObject, StreetFile, StreetHint, Subclass, Target,
  TargetKind, VendingZone, Vendor, VendorDetail, VendorEdit, VendorRow, Warning, WarningInput, ZoneRow,
} from '../generated';

export const KINDS = allOf<ObjectKind>()('shop', 'firm', 'institution', 'community', 'village', 'key_facility', 'other');
export const STATUSES = allOf<ObjectStatus>()('operating', 'suspended', 'closed');
export const TARGETS = allOf<TargetKind>()('object', 'section', 'subclass', 'grid', 'community', 'street');
export const OUTCOMES = allOf<MoveOutcome>()('moved', 'ticketed', 'no_response');
export const COLOURS = allOf<Colour>()('none', 'yellow', 'green', 'red');
export const ADMISSION_STEPS = allOf<AdmissionStatus>()('admitted', 'filed', 'exited');

export const overview = () => invoke<RegisterOverview>('street_overview');
export const search = (query: ObjectQuery) => invoke<ObjectPage>('street_search', { query });
export const gridCounts = (query: ObjectQuery) => invoke<[string, number][]>('street_grid_counts', { query });
export const object = (id: number) => invoke<ObjectDetail>('street_object', { id });
export const saveObject = (edit: ObjectEdit) => invoke<number>('street_save_object', { edit });
export const verifyObject = (id: number) => invoke<null>('street_verify_object', { id });
export const setFrontage = (id: number, line: [number, number][] | null) => invoke<null>('street_set_frontage', { id, line });
export const pickFile = (kind: StreetFile) => invoke<string | null>('street_pick_file', { kind });
export const importObjects = (path: string, dryRun: boolean) => invoke<RegisterImport>('street_import_objects', { path, dryRun });
export const importSubclasses = (path: string) => invoke<number>('street_import_subclasses', { path });
export const addPhoto = (owner: 'object' | 'vendor', id: number, path: string) => invoke<number>('street_add_photo', { owner, id, path });
/** A photo as a `data:` URL. */
export const photo = (id: number, thumb: boolean) => invoke<string>('street_photo', { id, thumb });
export const previewNotice = (draft: NoticeDraft) => invoke<NoticePreview>('street_preview_notice', { draft });
export const sendNotice = (draft: NoticeDraft) => invoke<Notice>('street_send_notice', { draft });
export const notices = () => invoke<Notice[]>('street_notices');
export const noticeLetters = (id: number) => invoke<NoticeRecipient[]>('street_notice_letters', { id });
/** Where the list was written (`null`: the Save dialog was cancelled). */
export const exportNotice = (id: number, format: ListFormat) => invoke<string | null>('street_export_notice', { id, format });
export const template = (format: ListFormat) => invoke<string | null>('street_template', { format });
export const addMoveCar = (input: MoveCarInput) => invoke<number>('street_add_move_car', { input });
export const moveCarYear = (year: number) => invoke<MoveCarYear>('street_move_car_year', { year });
export const vendors = (text: string) => invoke<VendorRow[]>('street_vendors', { text });
export const vendor = (id: number) => invoke<VendorDetail>('street_vendor', { id });
export const saveVendor = (edit: VendorEdit) => invoke<number>('street_save_vendor', { edit });
/** Logs a warning; the answer is the vendor's row with the colour the engine derives. */
export const addWarning = (input: WarningInput) => invoke<VendorRow>('street_add_warning', { input });
export const setLadder = (ladder: Ladder) => invoke<null>('street_set_ladder', { ladder });
export const zones = () => invoke<ZoneRow[]>('street_zones');
export const saveZone = (zone: VendingZone) => invoke<null>('street_save_zone', { zone });
export const deleteZone = (code: string) => invoke<null>('street_delete_zone', { code });
export const admit = (zone: string, vendor: number, trade: string) => invoke<number>('street_admit', { zone, vendor, trade });
export const admissionStep = (id: number, to: AdmissionStatus, text: string) => invoke<null>('street_admission_step', { id, to, text });
export const caseHints = (id: string) => invoke<StreetHint[]>('street_case_hints', { id });
export const lookups = (limit: number) => invoke<PersonLookup[]>('street_lookups', { limit });

/** The registers changed under the window (an import). */
export function onRegistersChanged(handler: () => void): Promise<UnlistenFn> {
  return listen<null>('registers-changed', () => { handler(); });
}
