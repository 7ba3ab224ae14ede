// Small pieces the street-register tabs share: the error box, labelled fields, selects, modal
// forms, dates and the place fields (typed lon/lat or a click on the map).
import { asCaseError } from '../cases/api';
import { el } from '../dom';
import { sayMessage } from '../i18n';
import { pickPoint } from './draw';
import { s } from './strings';

/** A failed command in the user's language (the engine's English stays in a data attribute). */
export function errorBox(e: unknown): HTMLElement {
  const err = asCaseError(e);
  return el('p', { class: 'error', 'data-error-code': err.code, 'data-error-detail': err.detail.code, 'data-error-message': err.message },
    sayMessage(err.detail));
}

export function labelled(label: string, control: HTMLElement): HTMLElement {
  return el('label', { class: 'field' }, el('span', {}, label), control);
}

export function select(name: string, options: [string, string][], value = ''): HTMLSelectElement {
  const sel = el('select', { name });
  for (const [v, text] of options) sel.append(el('option', { value: v }, text));
  if (options.some(([v]) => v === value)) sel.value = value;
  return sel;
}

/** A trimmed text, `null` when empty. */
export const text = (v: string): string | null => (v.trim() ? v.trim() : null);

/** A stored time `2026-12-07T10:20:30` as shown. */
export const when = (t: string | null): string => (t ? t.replace('T', ' ').slice(0, 16) : '—');

/** Local now as `YYYY-MM-DDTHH:MM` (a datetime-local value). */
export function localNow(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A modal form over the window; `close()` removes it. */
export function modal(id: string, title: string, ...body: Node[]): { overlay: HTMLElement; form: HTMLFormElement; close: () => void } {
  document.getElementById(id)?.remove();
  const form = el('form', { class: 'modal-box street-form' }, el('h2', {}, title), ...body);
  const overlay = el('div', { id, class: 'modal cases-modal' }, form);
  document.body.append(overlay);
  return { overlay, form, close: () => { overlay.remove(); } };
}

/** Lon/lat inputs with "pick on the map"; the overlay (if any) hides while the map is clicked. */
export function placeFields(prefix: string, at: [number, number] | null, overlay: () => HTMLElement | null,
  changed: (at: [number, number] | null) => void = () => undefined): { node: HTMLElement; value: () => [number, number] | null; set: (at: [number, number]) => void } {
  const lon = el('input', { name: 'lon', id: `${prefix}-lon`, inputmode: 'decimal', value: at ? at[0].toFixed(6) : '' });
  const lat = el('input', { name: 'lat', id: `${prefix}-lat`, inputmode: 'decimal', value: at ? at[1].toFixed(6) : '' });
  const value = (): [number, number] | null => {
    const x = Number(lon.value.trim());
    const y = Number(lat.value.trim());
    return lon.value.trim() && lat.value.trim() && Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
  };
  const set = (p: [number, number]) => { lon.value = p[0].toFixed(6); lat.value = p[1].toFixed(6); changed(p); };
  const pick = el('button', { type: 'button', id: `${prefix}-pick` }, s('pickOnMap'));
  pick.addEventListener('click', () => {
    const o = overlay();
    if (o) o.hidden = true;
    void pickPoint(s('clickPlace')).then((p) => {
      if (o) o.hidden = false;
      if (p) set(p);
    });
  });
  lon.addEventListener('change', () => { changed(value()); });
  lat.addEventListener('change', () => { changed(value()); });
  const node = el('div', { class: 'street-where' }, labelled(s('lon'), lon), labelled(s('lat'), lat), pick);
  return { node, value, set };
}

/** Fills `{name}` fields of a string. */
export const fill = (t: string, vars: Record<string, string | number>): string =>
  t.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
