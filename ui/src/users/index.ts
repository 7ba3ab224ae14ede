// Accounts and audit: the first administrator of an empty store, the sample's demo accounts
// named on the sign-in screen, changing one's own password, and (administrators) user
// management with the audit log and the check of its hash chain. Every rule is the engine's.
import { asCaseError, ROLES, type Role, type Session } from '../cases/api';
import '../cases/cases.css';
import { roleName } from '../cases/strings';
import { el } from '../dom';
import { sayMessage } from '../i18n';
import '../settings/settings.css';
import * as api from './api';
import { s } from './strings';

/** A failed command in the user's language (the engine's English stays in a data attribute). */
function errorBox(e: unknown): HTMLElement {
  const err = asCaseError(e);
  return el('p', { class: 'error', 'data-error-code': err.code, 'data-error-detail': err.detail.code, 'data-error-message': err.message },
    sayMessage(err.detail));
}

function labelled(label: string, control: HTMLElement): HTMLElement {
  return el('label', { class: 'field' }, el('span', {}, label), control);
}

function input(id: string, type = 'text'): HTMLInputElement {
  return el('input', { id, name: id, type, autocomplete: type === 'password' ? 'new-password' : 'off' });
}

function roleChecks(prefix: string, chosen: Role[]): [HTMLElement, () => Role[]] {
  const boxes = ROLES.map((r) => {
    const b = el('input', { type: 'checkbox', value: r, id: `${prefix}-${r}` });
    b.checked = chosen.includes(r);
    return b;
  });
  const wrap = el('div', { class: 'role-checks' }, ...boxes.map((b) => el('label', {}, b, roleName(b.value))));
  return [wrap, () => boxes.filter((b) => b.checked).map((b) => b.value as Role)];
}

/** The note under the sign-in form naming the store's published demo accounts. */
export function demoNote(demo: api.SignInScreenDto['demo']): HTMLElement | null {
  if (demo.length === 0) return null;
  return el('p', { id: 'signin-demo', class: 'muted demo-note' },
    s('demoNote'), demo.map((d) => `${d.login}（${roleName(d.role)}）`).join('、'));
}

/** The form that creates a store's first administrator; `done` gets the new session. */
export function firstAdminForm(done: (session: Session) => void): HTMLFormElement {
  const login = input('first-login');
  const name = input('first-name');
  const pw = input('first-password', 'password');
  const pw2 = input('first-password2', 'password');
  const out = el('div', { id: 'first-out' });
  const form = el('form', { class: 'modal-box', id: 'first-admin' }, el('h2', {}, s('firstAdminTitle')),
    el('p', { class: 'muted' }, s('firstAdminHint')), labelled(s('login'), login), labelled(s('name'), name),
    labelled(s('password'), pw), labelled(s('confirmPassword'), pw2), out,
    el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'first-submit' }, s('create'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    if (pw.value !== pw2.value) {
      out.append(el('p', { class: 'error', id: 'first-mismatch' }, s('mismatch')));
      return;
    }
    api.createFirstAdmin({ login: login.value.trim(), name: name.value.trim(), password: pw.value, roles: ['admin'], department: null })
      .then(done)
      .catch((e: unknown) => { out.append(errorBox(e)); });
  });
  return form;
}

/** A dialog in which the signed-in user changes their own password. */
export function openChangePassword(session: Session): void {
  document.getElementById('change-password')?.remove();
  const pw = input('cp-password', 'password');
  const pw2 = input('cp-password2', 'password');
  const out = el('div', { id: 'cp-out' });
  const close = el('button', { type: 'button', id: 'cp-close' }, s('close'));
  const form = el('form', { class: 'modal-box' }, el('h2', {}, s('changePassword')), el('p', { class: 'muted' }, session.login),
    labelled(s('newPassword'), pw), labelled(s('confirmPassword'), pw2), out,
    el('div', { class: 'buttons' }, el('button', { type: 'submit', id: 'cp-submit' }, s('save')), close));
  const overlay = el('div', { id: 'change-password', class: 'modal cases-modal' }, form);
  close.addEventListener('click', () => { overlay.remove(); });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    if (pw.value !== pw2.value) {
      out.append(el('p', { class: 'error' }, s('mismatch')));
      return;
    }
    api.setPassword(session.login, pw.value)
      .then(() => { out.append(el('p', { class: 'muted', id: 'cp-done' }, s('changed'))); pw.value = ''; pw2.value = ''; })
      .catch((e: unknown) => { out.append(errorBox(e)); });
  });
  document.body.append(overlay);
  pw.focus();
}

// ---- user management and audit (administrators; leaders read the audit) ---------------------

function userRow(u: api.User, refresh: () => void, out: HTMLElement): HTMLElement {
  const toggle = el('button', { type: 'button', 'data-user-toggle': u.login }, u.active ? s('disable') : s('enable'));
  toggle.addEventListener('click', () => {
    api.setActive(u.login, !u.active).then(refresh).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  const reset = el('button', { type: 'button', 'data-user-reset': u.login }, s('resetPassword'));
  reset.addEventListener('click', () => {
    const pw = input(`reset-${u.login}`, 'password');
    const ok = el('button', { type: 'button', 'data-user-reset-save': u.login }, s('save'));
    ok.addEventListener('click', () => {
      api.setPassword(u.login, pw.value)
        .then(() => { out.replaceChildren(el('p', { class: 'muted', 'data-reset-done': u.login }, `${u.login}: ${s('changed')}`)); refresh(); })
        .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
    });
    out.replaceChildren(el('div', { class: 'settings-row' }, labelled(`${u.login} · ${s('newPassword')}`, pw), ok));
    pw.focus();
  });
  const edit = el('button', { type: 'button', 'data-user-roles': u.login }, s('editRoles'));
  edit.addEventListener('click', () => {
    const [checks, chosen] = roleChecks(`roles-${u.login}`, u.roles);
    const dept = input(`dept-${u.login}`);
    dept.value = u.department ?? '';
    const ok = el('button', { type: 'button', 'data-user-roles-save': u.login }, s('save'));
    ok.addEventListener('click', () => {
      api.setRoles({ login: u.login, roles: chosen(), department: dept.value.trim() === '' ? null : dept.value.trim() })
        .then(() => { out.replaceChildren(); refresh(); })
        .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
    });
    out.replaceChildren(el('div', {}, el('strong', {}, u.login), checks, labelled(s('department'), dept), ok));
  });
  const state = u.active ? s('active') : s('disabled');
  return el('tr', { 'data-user': u.login },
    el('td', {}, u.login), el('td', {}, u.name), el('td', {}, u.roles.map(roleName).join('、')),
    el('td', {}, u.department ?? ''), el('td', {}, u.demo ? `${state} · ${s('demo')}` : state),
    el('td', {}, toggle, reset, edit));
}

function usersSection(): HTMLElement {
  const body = el('tbody');
  const out = el('div', { id: 'users-out' });
  const refresh = (): void => {
    api.list().then((us) => {
      body.replaceChildren(...us.map((u) => userRow(u, refresh, out)));
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  };
  const login = input('nu-login');
  const name = input('nu-name');
  const pw = input('nu-password', 'password');
  const dept = input('nu-department');
  const [checks, chosen] = roleChecks('nu-role', ['inspector']);
  const add = el('form', { id: 'users-add', class: 'settings-form' }, el('h4', {}, s('addUser')),
    el('div', { class: 'settings-row' }, labelled(s('login'), login), labelled(s('name'), name), labelled(s('password'), pw),
      labelled(s('department'), dept)), checks, el('button', { type: 'submit', id: 'nu-submit' }, s('addUser')));
  add.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = dept.value.trim();
    api.add({ login: login.value.trim(), name: name.value.trim(), password: pw.value, roles: chosen(), department: d === '' ? null : d })
      .then((u) => { out.replaceChildren(el('p', { class: 'muted', id: 'nu-done' }, `${s('added')}: ${u.login}`)); add.reset(); refresh(); })
      .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  refresh();
  const head = el('tr', {}, ...[s('login'), s('name'), s('roles'), s('department'), s('state'), ''].map((h) => el('th', {}, h)));
  return el('section', { class: 'settings-section' }, el('h3', {}, s('usersTitle')),
    el('table', { class: 'settings-table', id: 'users-table' }, el('thead', {}, head), body), out, add);
}

function json(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const t = JSON.stringify(v);
  return t.length > 160 ? `${t.slice(0, 157)}…` : t;
}

function breakText(b: api.AuditBreak): string {
  switch (b.kind) {
    case 'changed':
      return `${s('brokenRows')}: ${b.table} ${b.first === b.last ? `#${b.first}` : `#${b.first}–${b.last}`}`;
    case 'unsealed':
      return `${s('unsealedRow')}: ${b.table} #${b.row}`;
    case 'seal_broken':
      return `${s('brokenSeal')}: #${b.seal}`;
  }
}

function auditSection(): HTMLElement {
  const body = el('tbody');
  const out = el('div', { id: 'audit-out' });
  const action = input('audit-action');
  action.placeholder = 'zone / user / import / settings / calendar / view';
  const load = (): void => {
    const a = action.value.trim();
    api.auditEntries({ login: null, action: a === '' ? null : a, subject: null, limit: 200 }).then((rows) => {
      body.replaceChildren(...rows.map((r) => el('tr', { 'data-audit': r.action },
        el('td', {}, r.at), el('td', {}, r.role ? `${r.login}（${roleName(r.role)}）` : r.login), el('td', {}, r.action),
        el('td', {}, r.subject), el('td', { class: 'json' }, json(r.before)), el('td', { class: 'json' }, json(r.after)))));
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  };
  const refresh = el('button', { type: 'button', id: 'audit-refresh' }, s('refresh'));
  refresh.addEventListener('click', load);
  const check = el('button', { type: 'button', id: 'audit-check' }, s('auditCheck'));
  check.addEventListener('click', () => {
    api.auditCheck().then((c) => {
      const ok = c.total_breaks === 0;
      out.replaceChildren(el('div', { id: 'audit-check-result', 'data-ok': String(ok) },
        el('p', { class: ok ? 'muted' : 'error' }, `${ok ? s('auditOk') : s('auditBroken')} · ${s('seals')} ${c.seals} · ${s('head')} ${c.head.slice(0, 16)}…`),
        ...c.breaks.map((b) => el('p', { class: 'error' }, breakText(b)))));
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  load();
  const head = el('tr', {}, ...[s('at'), s('who'), s('action'), s('subject'), s('before'), s('after')].map((h) => el('th', {}, h)));
  return el('section', { class: 'settings-section' }, el('h3', {}, s('audit')),
    el('div', { class: 'settings-row' }, labelled(s('filterAction'), action), refresh, check), out,
    el('div', { class: 'audit-scroll' }, el('table', { class: 'settings-table', id: 'audit-table' }, el('thead', {}, head), body)));
}

/** The users-and-audit dialog: user management for administrators, the audit for both. */
export function openUsers(session: Session): void {
  document.getElementById('users-dialog')?.remove();
  const close = el('button', { type: 'button', id: 'users-close' }, s('close'));
  const sections: HTMLElement[] = [];
  if (session.role === 'admin') sections.push(usersSection());
  sections.push(auditSection());
  const box = el('div', { class: 'modal-box settings-box' }, el('h2', {}, s('users')), el('p', { class: 'muted' }, s('adminOnly')),
    ...sections, el('div', { class: 'buttons' }, close));
  const overlay = el('div', { id: 'users-dialog', class: 'modal cases-modal' }, box);
  close.addEventListener('click', () => { overlay.remove(); });
  document.body.append(overlay);
}

export { s as userStrings };
