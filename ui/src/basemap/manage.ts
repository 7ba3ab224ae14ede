// 底图管理: add a basemap (a PMTiles or MBTiles package, or an OSM extract the engine builds
// into one) from a file chosen in the Open dialog or typed as a path, with an optional name and
// datum; the install's progress by stage with a cancel; the installed basemaps with their kind,
// zooms, size, datum and source file, each removable (a second click confirms: the web view
// has no window.confirm). Planners and administrators only (the list says `can_manage`).
import { asErrorDto } from '../api';
import { el } from '../dom';
import { lang, onLangChange, sayMessage } from '../i18n';
import { basemapApi, DATUMS, datumName, onInstallProgress, type BasemapInfo, type InstallProgress } from './api';
import { basemapState, chooseBasemap, refreshBasemaps } from './index';
import { bs, fill, stageName } from './strings';

/** What the form holds (kept across redraws: a language switch, a list refresh). */
const form = { path: '', name: '', datum: '' };

interface Outcome {
  kind: 'ok' | 'error';
  text: string;
  /** `installed`, `removed`, `error`, `cancelled`. */
  state: string;
  /** The engine's message code of an error. */
  code?: string;
  id?: string;
}

let modal: HTMLElement | null = null;
let installing = false;
let progress: InstallProgress | null = null;
let outcome: Outcome | null = null;
/** The basemap whose 删除 was clicked once (the next click removes it). */
let confirming: string | null = null;

export function openManage(): void {
  if (!modal) {
    modal = el('div', { id: 'basemap-manage', class: 'modal' });
    document.body.append(modal);
  }
  modal.hidden = false;
  render();
}

function close(): void {
  if (modal) modal.hidden = true;
  confirming = null;
}

/** Redraws the dialog if it is open (the list changed). */
export function refreshManage(): void {
  if (modal && !modal.hidden) render();
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function kindText(b: BasemapInfo): string {
  const kind = b.tile_format === 'mvt' ? bs('vector') : bs('raster');
  return `${kind} · ${b.format === 'pmtiles' ? 'PMTiles' : 'MBTiles'} · ${b.tile_format.toUpperCase()}`;
}

function say(o: Outcome | null): void {
  outcome = o;
  render();
}

async function install(): Promise<void> {
  const path = form.path.trim();
  if (path === '') {
    say({ kind: 'error', text: bs('noFile'), state: 'error', code: 'no-file' });
    return;
  }
  installing = true;
  progress = null;
  outcome = null;
  render();
  // The stages this install went through, for the tests (`read,tiles` for an OSM extract).
  const stages: string[] = [];
  document.body.dataset.basemapStages = '';
  const stop = await onInstallProgress((p) => {
    progress = p;
    if (!stages.includes(p.stage)) {
      stages.push(p.stage);
      document.body.dataset.basemapStages = stages.join(',');
    }
    showProgress();
  });
  try {
    const datum = DATUMS.find((d) => d === form.datum) ?? null;
    const info = await basemapApi.install(path, { name: form.name.trim() === '' ? null : form.name.trim(), datum });
    form.path = '';
    form.name = '';
    outcome = { kind: 'ok', text: fill(bs('installed'), { name: info.name }), state: 'installed', id: info.id };
    // The new basemap is drawn at once.
    chooseBasemap(info.id);
    await refreshBasemaps();
  } catch (e) {
    const err = asErrorDto(e);
    outcome = {
      kind: 'error',
      text: sayMessage(err.detail),
      state: err.detail.code === 'basemap-cancelled' ? 'cancelled' : 'error',
      code: err.detail.code,
    };
  } finally {
    stop();
    installing = false;
    progress = null;
    render();
  }
}

async function remove(b: BasemapInfo): Promise<void> {
  if (confirming !== b.id) {
    confirming = b.id;
    render();
    return;
  }
  confirming = null;
  try {
    await basemapApi.remove(b.id);
    outcome = { kind: 'ok', text: fill(bs('removed'), { name: b.name }), state: 'removed', id: b.id };
    await refreshBasemaps();
  } catch (e) {
    const err = asErrorDto(e);
    outcome = { kind: 'error', text: `${bs('failed')}: ${sayMessage(err.detail)}`, state: 'error', code: err.detail.code };
  }
  render();
}

/** Updates the progress bar in place (events come up to ten a second). */
function showProgress(): void {
  const bar = document.getElementById('basemap-progress-bar');
  const label = document.getElementById('basemap-stage');
  const box = document.getElementById('basemap-progress');
  if (!(bar instanceof HTMLProgressElement) || !label || !box) return;
  const p = progress;
  if (!p) {
    bar.removeAttribute('value');
    label.textContent = bs('installing');
    return;
  }
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  bar.max = 1;
  bar.value = frac;
  label.textContent = `${stageName(p.stage)} ${Math.round(frac * 100)}%`;
  box.dataset.stage = p.stage;
}

function field(label: string, input: HTMLElement): HTMLElement {
  return el('label', { class: 'basemap-field' }, el('span', {}, label), input);
}

function addForm(): HTMLElement {
  const path = el('input', { id: 'basemap-path', type: 'text', spellcheck: 'false', value: form.path, placeholder: bs('path') });
  path.addEventListener('input', () => { form.path = path.value; });
  const choose = el('button', { type: 'button', id: 'basemap-choose' }, bs('choose'));
  choose.addEventListener('click', () => {
    basemapApi.pickFile().then((p) => {
      if (p !== null) {
        form.path = p;
        path.value = p;
      }
    }).catch((e: unknown) => { say({ kind: 'error', text: sayMessage(asErrorDto(e).detail), state: 'error' }); });
  });
  const name = el('input', { id: 'basemap-name', type: 'text', value: form.name });
  name.addEventListener('input', () => { form.name = name.value; });
  const datum = el('select', { id: 'basemap-datum' });
  datum.append(el('option', { value: '' }, bs('datumAuto')));
  for (const d of DATUMS) datum.append(el('option', { value: d }, datumName(d)));
  datum.value = form.datum;
  datum.addEventListener('change', () => { form.datum = datum.value; });
  const go = el('button', { type: 'button', id: 'basemap-install' }, bs('install'));
  go.addEventListener('click', () => { void install(); });
  for (const c of [path, choose, name, datum, go]) c.toggleAttribute('disabled', installing);

  const box = el('div', { class: 'basemap-add' },
    el('h3', {}, bs('add')),
    el('div', { class: 'basemap-file' }, path, choose),
    field(bs('name'), name),
    field(bs('datum'), datum),
    el('div', { class: 'buttons' }, go),
  );
  if (installing) {
    const cancel = el('button', { type: 'button', id: 'basemap-cancel' }, bs('cancel'));
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      cancel.textContent = bs('cancelling');
      void basemapApi.cancel();
    });
    box.append(el('div', { id: 'basemap-progress', class: 'basemap-progress' },
      el('progress', { id: 'basemap-progress-bar' }),
      el('span', { id: 'basemap-stage' }, bs('installing')),
      cancel,
    ));
  }
  if (outcome) {
    const o = el('p', { id: 'basemap-result', class: outcome.kind === 'error' ? 'error' : 'ok', 'data-state': outcome.state }, outcome.text);
    if (outcome.code) o.dataset.code = outcome.code;
    if (outcome.id) o.dataset.id = outcome.id;
    box.append(o);
  }
  return box;
}

function listTable(): HTMLElement {
  const { basemaps, active } = basemapState();
  if (basemaps.length === 0) return el('p', { class: 'muted', id: 'basemap-list' }, bs('noneInstalled'));
  const head = el('tr', {}, ...(['colName', 'colKind', 'colZooms', 'colSize', 'colDatum', 'colSource'] as const).map((k) => el('th', {}, bs(k))), el('th'));
  const rows = basemaps.map((b) => {
    const name = el('td', {}, b.name);
    if (b.built) name.append(el('div', { class: 'muted' }, bs('built')));
    if (active?.id === b.id) name.append(el('div', { class: 'basemap-current' }, bs('current')));
    const del = el('button', { type: 'button', class: 'basemap-remove', 'data-id': b.id }, confirming === b.id ? bs('confirmRemove') : bs('remove'));
    if (confirming === b.id) del.dataset.confirm = '1';
    del.addEventListener('click', () => { void remove(b); });
    del.disabled = installing;
    return el('tr', { 'data-id': b.id, 'data-kind': b.tile_format },
      name,
      el('td', {}, kindText(b)),
      el('td', {}, `${b.min_zoom}–${b.max_zoom}`),
      el('td', {}, sizeText(b.size_bytes)),
      el('td', {}, datumName(b.datum)),
      el('td', { class: 'basemap-source', title: `${b.installed_by} · ${b.installed_at}` }, b.source_file),
      el('td', {}, del),
    );
  });
  return el('table', { id: 'basemap-list', class: 'basemap-table' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function render(): void {
  if (!modal || modal.hidden) return;
  const closeButton = el('button', { type: 'button', id: 'basemap-manage-close' }, bs('close'));
  closeButton.addEventListener('click', close);
  closeButton.disabled = installing;
  modal.replaceChildren(el('div', { class: 'modal-card basemap-card', lang: lang() === 'zh' ? 'zh-CN' : 'en' },
    el('h2', {}, bs('manageTitle')),
    el('p', { class: 'muted' }, bs('hint')),
    addForm(),
    el('h3', {}, bs('installedList')),
    listTable(),
    el('div', { class: 'buttons' }, closeButton),
  ));
  if (installing) showProgress();
}

onLangChange(() => { refreshManage(); });
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && modal && !modal.hidden && !installing) close();
});
