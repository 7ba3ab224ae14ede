// Clock settings' IPC boundary: typed wrappers for src-tauri/src/settings.rs. The types are
// generated from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import { allOf } from '../enums';
import type {
  AreaClass, CalendarDay, CalendarYear, CaseKind, FilingCondition, Stage, TimeLimit, TimeUnit,
} from '../generated';

export type {
  AreaClass, CalendarDay, CalendarYear, DayKind, FilingCondition, Stage, StageLimit, TimeLimit, Urgency,
} from '../generated';

export const STAGES = allOf<Stage>()('accept', 'verify', 'file', 'dispatch', 'handle', 'check', 'close');
export const AREAS = allOf<AreaClass>()('A', 'B', 'C');
export const UNITS = allOf<TimeUnit>()('work_hour', 'urgent_hour', 'work_day', 'calendar_day');

export const calendar = (year: number) => invoke<CalendarYear>('settings_calendar', { year });
export const setDay = (day: CalendarDay) => invoke<null>('settings_set_day', { day });
export const clearDay = (date: string) => invoke<null>('settings_clear_day', { date });
export const importCalendar = () => invoke<number | null>('settings_import_calendar');
export const limits = (kind: CaseKind, classCode: string) => invoke<FilingCondition[]>('settings_limits', { kind, classCode });
export const setLimit = (kind: CaseKind, classCode: string, condition: string, stage: Stage, areaClass: AreaClass, limit: TimeLimit) =>
  invoke<FilingCondition[]>('settings_set_limit', { kind, classCode, condition, stage, areaClass, limit });
