// What every tab of the street registers reads: the overview (counts, tables and what the
// session may do) and the signed-in role.
import { currentSession, type Role } from '../cases/api';
import * as api from './api';

export const state: { overview: api.RegisterOverview | null; role: Role | null; login: string | null } = {
  overview: null, role: null, login: null,
};

/** Reads the overview and the session again (after a sign-in, a save, an import). */
export async function reload(): Promise<void> {
  try {
    const sess = await currentSession();
    state.role = sess?.role ?? null;
    state.login = sess?.login ?? null;
  } catch {
    state.role = null;
    state.login = null;
  }
  try {
    state.overview = state.role ? await api.overview() : null;
  } catch {
    state.overview = null;
  }
}

/** Section letter → name. */
export function sectionName(letter: string | null): string {
  if (!letter) return '—';
  const n = state.overview?.sections.find(([l]) => l === letter)?.[1];
  return n ? `${letter} ${n}` : letter;
}
