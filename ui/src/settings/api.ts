// Clock settings' IPC boundary: typed wrappers for src-tauri/src/settings.rs. The types are
// generated from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import { allOf } from '../enums';
import type {
  AreaClass, CalendarDay, CalendarYear, CaseKind, FilingCondition, LimitEdit, Stage, TimeUnit,
} from '../generated';

export type {
  AreaClass, CalendarDay, CalendarYear, DayKind, FilingCondition, Stage, StageLimit, TimeLimit, Urgency,
} from '../generated';

export const STAGES = allOf<Stage>()('accept', 'verify', 'file', 'dispatch', 'handle', 'check', 'close');
export const AREAS = allOf<AreaClass>()('A', 'B', 'C');
export const UNITS = allOf<TimeUnit>()('work_hour', 'urgent_hour', 'work_day', 'calendar_day');

export const calendar = (year: number) => invoke<CalendarYear>('settings_calendar', { year });
// `seen`: the entry the list showed for that date (null: none); the engine refuses the change
// when someone else changed the date since.
export const setDay = (day: CalendarDay, seen: CalendarDay | null) => invoke<null>('settings_set_day', { day, seen });
export const clearDay = (date: string, seen: CalendarDay | null) => invoke<null>('settings_clear_day', { date, seen });
export const importCalendar = () => invoke<number | null>('settings_import_calendar');
export const calendarTemplate = () => invoke<string | null>('settings_calendar_template');
export const limits = (kind: CaseKind, classCode: string) => invoke<FilingCondition[]>('settings_limits', { kind, classCode });
// `edit.seen`: the limit the form showed; refused when someone else changed it since.
export const setLimit = (edit: LimitEdit) => invoke<FilingCondition[]>('settings_set_limit', { edit });
