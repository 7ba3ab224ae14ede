// Clock settings' IPC boundary: typed wrappers for src-tauri/src/settings.rs and the engine's
// calendar and filing-standard DTOs (crates/griddesk/src/clock/, filing/).
import { invoke } from '@tauri-apps/api/core';
import type { CaseKind, TimeUnit } from '../cases/api';

export type DayKind = 'holiday' | 'workday';

/** One entry of the holiday / adjusted-working-day table; `date` is `YYYY-MM-DD`. */
export interface CalendarDay {
  date: string;
  kind: DayKind;
  note: string;
}

export interface CalendarYear {
  year: number;
  office_hours: string;
  days: CalendarDay[];
}

export type Stage = 'accept' | 'verify' | 'file' | 'dispatch' | 'handle' | 'check' | 'close';
export const STAGES: Stage[] = ['accept', 'verify', 'file', 'dispatch', 'handle', 'check', 'close'];
export type AreaClass = 'A' | 'B' | 'C';
export const AREAS: AreaClass[] = ['A', 'B', 'C'];
export const UNITS: TimeUnit[] = ['work_hour', 'urgent_hour', 'work_day', 'calendar_day'];

export interface TimeLimit {
  amount: number;
  unit: TimeUnit;
}

export interface StageLimit {
  stage: Stage;
  area_class: AreaClass;
  limit: TimeLimit;
}

export interface FilingCondition {
  kind: CaseKind;
  class_code: string;
  condition: string;
  filing: string;
  closing: string;
  urgency: 'ordinary' | 'urgent';
  is_default: boolean;
  limits: StageLimit[];
}

export const calendar = (year: number) => invoke<CalendarYear>('settings_calendar', { year });
export const setDay = (day: CalendarDay) => invoke<null>('settings_set_day', { day });
export const clearDay = (date: string) => invoke<null>('settings_clear_day', { date });
export const importCalendar = () => invoke<number | null>('settings_import_calendar');
export const limits = (kind: CaseKind, classCode: string) => invoke<FilingCondition[]>('settings_limits', { kind, classCode });
export const setLimit = (kind: CaseKind, classCode: string, condition: string, stage: Stage, areaClass: AreaClass, limit: TimeLimit) =>
  invoke<FilingCondition[]>('settings_set_limit', { kind, classCode, condition, stage, areaClass, limit });
