// The case loop's IPC boundary: one typed wrapper per command of src-tauri/src/cases.rs and the
// engine DTOs they carry (field names mirror the Rust structs).
import { invoke } from '@tauri-apps/api/core';
import { isMessage, type Message } from '../messages';

export type Role =
  | 'inspector' | 'receptionist' | 'shift_leader' | 'dispatcher' | 'department' | 'leader' | 'admin' | 'planner';
export const ROLES: Role[] = ['inspector', 'receptionist', 'shift_leader', 'dispatcher', 'department', 'leader', 'admin', 'planner'];

export type CaseStatus =
  | 'reported' | 'accepted' | 'not_accepted' | 'verifying' | 'filed' | 'handling' | 'hung'
  | 'checking' | 'to_close' | 'closed' | 'cancelled' | 'self_handled';
export const STATUSES: CaseStatus[] = [
  'reported', 'accepted', 'not_accepted', 'verifying', 'filed', 'handling', 'hung', 'checking',
  'to_close', 'closed', 'cancelled', 'self_handled',
];

export type CaseSource =
  | 'patrol' | 'hotline_12319' | 'hotline_12345' | 'public' | 'qr_code' | 'video_ai' | 'media'
  | 'leader' | 'sensor' | 'other';
export const SOURCES: CaseSource[] = [
  'patrol', 'hotline_12319', 'hotline_12345', 'public', 'qr_code', 'video_ai', 'media', 'leader', 'sensor', 'other',
];

export type CaseKind = 'event' | 'component';

export type ActionKind =
  | 'report' | 'duplicate_report' | 'import' | 'accept' | 'refuse' | 'send_verify'
  | 'confirm_verified' | 'verify_not_found' | 'file' | 'request_cancel' | 'approve_cancel' | 'cancel'
  | 'dispatch' | 'request_return' | 'approve_return' | 'request_extension' | 'approve_extension'
  | 'request_hang_up' | 'approve_hang_up' | 'reject_request' | 'restore' | 'feedback' | 'check_pass'
  | 'check_fail' | 'close' | 'self_handle' | 'supervise';

export type TimeUnit = 'work_hour' | 'urgent_hour' | 'work_day' | 'calendar_day';

/** Shell and engine error codes the case screens branch on. */
const CODES = ['refused', 'not-permitted', 'sign-in-refused', 'not-signed-in', 'invalid-input', 'not-found', 'not-ready', 'conflict', 'storage'] as const;
export type CaseErrorCode = (typeof CODES)[number] | 'other';

/** A failed case command: the code to branch on, the message to show (`detail`). */
export interface CaseError {
  code: CaseErrorCode;
  /** The engine's English sentence, for logs. */
  message: string;
  detail: Message;
}

export function asCaseError(e: unknown): CaseError {
  if (typeof e === 'object' && e !== null && 'code' in e && 'message' in e) {
    const code = CODES.find((c) => c === e.code) ?? 'other';
    const d = (e as { detail?: unknown }).detail;
    return { code, message: String(e.message), detail: isMessage(d) ? d : { code: 'internal-error', params: {} } };
  }
  return { code: 'other', message: String(e), detail: { code: 'window-failed', params: {} } };
}

export interface Session {
  login: string;
  name: string;
  role: Role;
  department: string | null;
}

export type SignIn = { state: 'signed-in'; session: Session } | { state: 'choose-role'; roles: Role[] };

export interface ClockState {
  deadline: string | null;
  limit_seconds: number;
  used_seconds: number;
  remaining_seconds: number;
  overdue: boolean;
  overdue_multiple: number;
  stopped: boolean;
}

export interface PhotoInput {
  phase: 'before' | 'after';
  name: string | null;
  /** base64 */
  bytes: string;
}

export interface IntakeRequest {
  source: CaseSource;
  kind: CaseKind;
  class_code: string | null;
  condition: string | null;
  location: [number, number] | null;
  /** 16-digit component code (a component case). */
  component?: string | null;
  description: string | null;
  address: string | null;
  reporter: string | null;
  photos: PhotoInput[];
  /** `YYYY-MM-DDTHH:MM:SS` local time */
  reported_at: string;
}

export interface DuplicateCandidate {
  id: string;
  status: CaseStatus;
  class_code: string;
  reported_at: string;
  distance_m: number;
  department: string | null;
}

export interface IntakePreview {
  class_code: string;
  class_name: string | null;
  location: [number, number];
  condition: string | null;
  accept_deadline: string;
  duplicates: DuplicateCandidate[];
}

export type OnDuplicate = { policy: 'check' } | { policy: 'proceed' } | { policy: 'link_to'; case_id: string };

export type IntakeOutcome =
  | { outcome: 'created'; id: string; audit_seq: number; photos: number[] }
  | { outcome: 'duplicates_found'; candidates: DuplicateCandidate[] }
  | { outcome: 'linked'; original: string; audit_seq: number };

/** A workflow action with its inputs, as the engine's `Action` (tagged by `action`). */
export interface Action {
  action: ActionKind;
  note?: string;
  reason?: string;
  department?: string;
  condition?: string;
  amount?: number;
  unit?: TimeUnit;
  photos?: PhotoInput[];
}

export interface Transitioned {
  case_id: string;
  action: ActionKind;
  from: CaseStatus;
  to: CaseStatus;
  audit_seq: number;
  photos: number[];
}

export interface QueueItem {
  id: string;
  class_code: string;
  class_name: string | null;
  source: CaseSource;
  status: CaseStatus;
  reported_at: string;
  location: [number, number];
  department: string | null;
  actions: ActionKind[];
  clock: ClockState | null;
}

export interface CaseFilter {
  status: CaseStatus[];
  class_code: string | null;
  source: CaseSource[];
  grid: string | null;
  department: string | null;
  overdue: boolean | null;
  offset: number;
  limit: number;
}

export interface CaseRow {
  id: string;
  class_code: string;
  class_name: string | null;
  source: CaseSource;
  status: CaseStatus;
  reported_at: string;
  grid: string | null;
  department: string | null;
  clock: ClockState | null;
}

export interface CasePage {
  total: number;
  offset: number;
  rows: CaseRow[];
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  from_status: CaseStatus | null;
  to_status: CaseStatus;
  note: string | null;
}

export interface PhotoInfo {
  id: number;
  phase: 'before' | 'after';
  name: string | null;
}

export interface Flow {
  department: string | null;
  address: string | null;
  reporter: string | null;
  rework_count?: number;
}

export interface CaseDetail {
  id: string;
  kind: CaseKind;
  class_code: string;
  class_name: string | null;
  source: CaseSource;
  status: CaseStatus;
  reported_at: string;
  description: string | null;
  location: [number, number];
  grid: string | null;
  street_name: string | null;
  community_name: string | null;
  department_name: string | null;
  filing_condition: string | null;
  flow: Flow;
  audit: AuditEntry[];
  photos: PhotoInfo[];
  clock: ClockState | null;
  actions: ActionKind[];
}

export interface ClassDto { kind: CaseKind; code: string; name: string; major_name: string }
export interface ConditionDto { kind: CaseKind; class_code: string; condition: string; filing: string; is_default: boolean }
export interface Department { code: string; name: string; active: boolean }
export interface FormTables { classes: ClassDto[]; conditions: ConditionDto[]; departments: Department[] }

export interface CasePoint { id: string; lon: number; lat: number; status: CaseStatus; overdue: boolean }

export const signIn = (login: string, password: string, role: Role | null) =>
  invoke<SignIn>('cases_sign_in', { login, password, role });
export const signOut = () => invoke<null>('cases_sign_out');
export const currentSession = () => invoke<Session | null>('cases_session');
export const previewIntake = (request: IntakeRequest) => invoke<IntakePreview>('cases_preview_intake', { request });
export const intake = (request: IntakeRequest, onDuplicate: OnDuplicate) =>
  invoke<IntakeOutcome>('cases_intake', { request, onDuplicate });
export const applyAction = (caseId: string, action: Action) => invoke<Transitioned>('cases_apply', { caseId, action });
export const queue = () => invoke<QueueItem[]>('cases_queue');
export const caseList = (filter: CaseFilter) => invoke<CasePage>('cases_list', { filter });
export const caseDetail = (caseId: string) => invoke<CaseDetail>('cases_detail', { caseId });
export const thumbnail = (photoId: number) => invoke<string>('cases_thumbnail', { photoId });
export const formTables = () => invoke<FormTables>('cases_form_tables');
export const mapPoints = (bbox: [number, number, number, number]) => invoke<CasePoint[]>('cases_map_points', { bbox });
