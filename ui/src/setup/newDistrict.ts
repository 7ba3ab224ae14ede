// File ▸ New: a real district of one's own (picked from the county-level divisions built into
// the app, or with an outline from a file; its first administrator; the store file from the
// Save dialog), or the sample district. The engine creates the store (crash-safe) and the
// window starts over on it, signed in as the new administrator.
import { asErrorDto } from '../api';
import { el } from '../dom';
import { sayMessage } from '../i18n';
import { setupApi, type CountyEntry } from './api';
import { ss } from './strings';

let open: HTMLElement | null = null;

function field(label: string, input: HTMLElement): HTMLElement {
  return el('label', { class: 'setup-field' }, el('span', {}, label), input);
}

/** Opens the New dialog. */
export function openNewDistrict(): void {
  open?.remove();
  let picked: CountyEntry | null = null;
  const query = el('input', { id: 'new-district-query', type: 'search', placeholder: ss('search'), spellcheck: 'false' });
  const list = el('ul', { id: 'new-district-list', class: 'setup-list' });
  const chosen = el('p', { id: 'new-district-chosen', class: 'muted' });
  const outlineSel = el('select', { id: 'new-district-outline' },
    el('option', { value: 'bundled' }, ss('outlineBundled')), el('option', { value: 'file' }, ss('outlineFile')));
  const outlinePath = el('input', { id: 'new-district-outline-path', type: 'text', spellcheck: 'false' });
  const outlineChoose = el('button', { type: 'button', id: 'new-district-outline-choose' }, ss('choose'));
  const outlineRow = el('div', { class: 'setup-row' }, field(ss('outlineFilePath'), outlinePath), outlineChoose);
  const storePath = el('input', { id: 'new-district-store', type: 'text', spellcheck: 'false' });
  const storeChoose = el('button', { type: 'button', id: 'new-district-store-choose' }, ss('choose'));
  const login = el('input', { id: 'new-district-login', autocomplete: 'off', value: 'admin' });
  const name = el('input', { id: 'new-district-name' });
  const pw = el('input', { id: 'new-district-password', type: 'password', autocomplete: 'new-password' });
  const pw2 = el('input', { id: 'new-district-password2', type: 'password', autocomplete: 'new-password' });
  const result = el('div', { id: 'new-district-result', 'aria-live': 'polite' });
  const create = el('button', { type: 'button', id: 'new-district-create' }, ss('create'));
  const cancel = el('button', { type: 'button', id: 'new-district-cancel' }, ss('cancel'));
  const sample = el('button', { type: 'button', id: 'new-district-sample' }, ss('newSample'));

  const say = (state: string, text: string) => {
    result.dataset.state = state;
    result.replaceChildren(el('p', { class: state === 'error' ? 'error' : 'muted' }, text));
  };
  const syncOutline = () => { outlineRow.hidden = outlineSel.value !== 'file'; };
  outlineSel.addEventListener('change', syncOutline);
  syncOutline();

  const choose = (c: CountyEntry) => {
    picked = c;
    chosen.dataset.code = c.code;
    chosen.textContent = `${c.province}${c.city ? ` ${c.city}` : ''} ${c.name}（${c.code}）`;
    for (const li of list.querySelectorAll('li')) li.classList.toggle('selected', li.dataset.code === c.code);
  };
  let asked = 0;
  const searchNow = async () => {
    const n = ++asked;
    try {
      const hits = await setupApi.counties(query.value, 30);
      if (n !== asked) return;
      list.replaceChildren(...hits.map((c) => {
        const li = el('li', { 'data-code': c.code }, el('b', {}, c.name), ' ', el('span', { class: 'muted' }, `${c.province}${c.city ? ` · ${c.city}` : ''} · ${c.code}`));
        li.addEventListener('click', () => { choose(c); });
        return li;
      }));
      if (!hits.length) list.replaceChildren(el('li', { class: 'muted' }, ss('noMatch')));
      list.dataset.count = String(hits.length);
    } catch (e) {
      say('error', sayMessage(asErrorDto(e).detail));
    }
  };
  let timer = 0;
  query.addEventListener('input', () => { window.clearTimeout(timer); timer = window.setTimeout(() => { void searchNow(); }, 150); });
  void searchNow();

  outlineChoose.addEventListener('click', () => { void setupApi.pickOutline().then((p) => { if (p) outlinePath.value = p; }); });
  storeChoose.addEventListener('click', () => { void setupApi.pickStore(picked?.name ?? 'griddesk').then((p) => { if (p) storePath.value = p; }); });

  const card = el('div', { class: 'modal-card setup-card' },
    el('h2', {}, ss('newTitle')),
    el('section', { class: 'setup-choice' }, el('h3', {}, ss('newReal')), el('p', { class: 'muted' }, ss('newRealHint')),
      field(ss('district'), query), list, chosen,
      field(ss('outline'), outlineSel), outlineRow,
      el('div', { class: 'setup-row' }, field(ss('store'), storePath), storeChoose),
      el('h4', {}, ss('admin')), field(ss('login'), login), field(ss('name'), name), field(ss('password'), pw), field(ss('password2'), pw2),
      result, el('div', { class: 'buttons' }, create, cancel)),
    el('section', { class: 'setup-choice' }, el('h3', {}, ss('newSample')), el('p', { class: 'muted' }, ss('newSampleHint')), sample));
  const overlay = el('div', { class: 'modal', id: 'new-district' }, card);
  open = overlay;
  const close = () => { overlay.remove(); open = null; };
  cancel.addEventListener('click', close);
  sample.addEventListener('click', () => { close(); void setupApi.newSample(); });
  create.addEventListener('click', () => {
    if (!picked) { say('error', ss('needDistrict')); return; }
    if (!storePath.value.trim()) { say('error', ss('needStore')); return; }
    if (pw.value !== pw2.value) { say('error', ss('passwordsDiffer')); return; }
    say('busy', ss('creating'));
    create.disabled = true;
    const outline = outlineSel.value === 'file' ? { kind: 'file' as const, path: outlinePath.value.trim() } : { kind: 'bundled' as const };
    setupApi.create(storePath.value.trim(), {
      code: picked.code,
      outline,
      admin: { login: login.value.trim(), name: name.value.trim(), password: pw.value, roles: ['admin'], department: null },
    }).then(() => { say('done', ''); }, (e: unknown) => {
      create.disabled = false;
      const err = asErrorDto(e);
      result.dataset.errorCode = err.detail.code;
      say('error', sayMessage(err.detail));
    });
  });
  document.body.append(overlay);
  query.focus();
}
