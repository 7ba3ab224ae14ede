// Accounts and audit IPC boundary: typed wrappers for src-tauri/src/users.rs. The types are
// generated from the Rust types (../generated, scripts/gen-ts.sh).
import { invoke } from '@tauri-apps/api/core';
import type {
  AuditCheck, AuditLogEntry, AuditQuery, NewUser, RoleChange, Session, SignInScreenDto, User,
} from '../generated';

export type { AuditBreak, AuditCheck, AuditLogEntry, AuditQuery, NewUser, Role, RoleChange, SignInScreenDto, User } from '../generated';

export const signInScreen = () => invoke<SignInScreenDto>('users_sign_in_screen');
export const createFirstAdmin = (user: NewUser) => invoke<Session>('users_create_first_admin', { user });
export const list = () => invoke<User[]>('users_list');
export const add = (user: NewUser) => invoke<User>('users_add', { user });
export const setActive = (login: string, active: boolean) => invoke<null>('users_set_active', { login, active });
export const setRoles = (change: RoleChange) => invoke<User>('users_set_roles', { change });
export const setPassword = (login: string, password: string) => invoke<null>('users_set_password', { login, password });
export const auditEntries = (query: AuditQuery) => invoke<AuditLogEntry[]>('audit_entries', { query });
export const auditCheck = () => invoke<AuditCheck>('audit_check');
