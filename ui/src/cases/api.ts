// The case loop's IPC boundary: one typed wrapper per command of src-tauri/src/cases.rs. The
// types they carry are generated from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import { allOf } from '../enums';
import type {
  Action, CaseDetail, CaseFilter, CasePage, CasePoint, CaseSource, CaseStatus,
  FormTablesDto, IntakeOutcome, IntakePreview, IntakeRequest, OnDuplicate, QueueItem, Role, Session,
  SignInDto, Transitioned,
} from '../generated';
import { isMessage, type Message } from '../messages';

export type {
  Action, ActionKind, AuditEntry, CaseDetail, CaseFilter, CaseKind, CasePage, CasePoint, CaseRow,
  CaseSource, CaseStatus, ClassDto, ClockState, ConditionDto, Department, DuplicateCandidate, Flow,
  FormTablesDto, IntakeOutcome, IntakePreview, IntakeRequest, OnDuplicate, PhotoInfo, PhotoInput,
  PhotoPhase, Placement, QueueItem, Role, Session, SignInDto, TimeUnit, Transitioned,
} from '../generated';

export const ROLES = allOf<Role>()('inspector', 'receptionist', 'shift_leader', 'dispatcher', 'department', 'leader', 'admin', 'planner');
export const STATUSES = allOf<CaseStatus>()(
  'reported', 'accepted', 'not_accepted', 'verifying', 'filed', 'handling', 'hung', 'checking',
  'to_close', 'closed', 'cancelled', 'self_handled',
);
export const SOURCES = allOf<CaseSource>()(
  'patrol', 'hotline_12319', 'hotline_12345', 'public', 'qr_code', 'video_ai', 'media', 'leader', 'sensor', 'other',
);

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

export const signIn = (login: string, password: string, role: Role | null) =>
  invoke<SignInDto>('cases_sign_in', { login, password, role });
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
export const formTables = () => invoke<FormTablesDto>('cases_form_tables');
export const mapPoints = (bbox: [number, number, number, number]) => invoke<CasePoint[]>('cases_map_points', { bbox });
