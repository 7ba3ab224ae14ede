// 移车提醒: move-car reminders — a form (plate, place picked on the map, time, channel,
// outcome) and the year's figures per month as the engine counts them (移车率 = moved /
// reminders), with the latest reminders.
import { el } from '../dom';
import * as api from './api';
import { channelName, outcomeName, s } from './strings';
import { errorBox, labelled, localNow, modal, placeFields, select, when } from './ui';

export const MOVE_CHANNELS = ['短信', '电话', '挪车码', '现场'];
let year = new Date().getFullYear();

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

export function renderMoveCar(into: HTMLElement): void {
  const add = el('button', { type: 'button', id: 'movecar-new' }, s('newReminder'));
  add.addEventListener('click', () => { reminderForm(); });
  const yearSel = select('year', [0, 1, 2].map((k): [string, string] => [String(new Date().getFullYear() - k), String(new Date().getFullYear() - k)]), String(year));
  yearSel.id = 'movecar-year-select';
  yearSel.addEventListener('change', () => { year = Number(yearSel.value); void renderYear(); });
  into.replaceChildren(el('div', { class: 'reg-tools' }, add, labelled(s('year'), yearSel)), el('div', { id: 'movecar-year-host' }));
  void renderYear();
}

async function renderYear(): Promise<void> {
  const host = document.getElementById('movecar-year-host');
  if (!host) return;
  try {
    const y = await api.moveCarYear(year);
    const table = el('table', { id: 'movecar-year', class: 'reg-table', 'data-year': String(y.year), 'data-total': String(y.total.reminders) },
      el('thead', {}, el('tr', {}, ...[s('month'), s('reminders'), s('moved'), s('ticketed'), s('noResponse'), s('movedRate')].map((h) => el('th', {}, h)))));
    const tbody = el('tbody', {});
    const line = (m: api.MoveCarMonth, label: string, cls = '') => el('tr', { 'data-month': m.month, class: cls },
      el('td', {}, label), el('td', {}, String(m.reminders)), el('td', {}, String(m.moved)), el('td', {}, String(m.ticketed)),
      el('td', {}, String(m.no_response)), el('td', { 'data-rate': String(m.moved_rate) }, m.reminders ? pct(m.moved_rate) : '—'));
    // Every month of the year so far; the engine lists the months that have reminders.
    const now = new Date();
    const last = y.year < now.getFullYear() ? 12 : y.year === now.getFullYear() ? now.getMonth() + 1 : 0;
    const keys = new Set([...Array.from({ length: last }, (_, i) => `${y.year}-${String(i + 1).padStart(2, '0')}`), ...y.months.map((m) => m.month)]);
    for (const k of [...keys].sort()) {
      const m = y.months.find((x) => x.month === k) ?? { month: k, reminders: 0, moved: 0, ticketed: 0, no_response: 0, moved_rate: 0 };
      tbody.append(line(m, k));
    }
    tbody.append(line(y.total, s('total'), 'street-total'));
    table.append(tbody);
    const latest = el('ul', { id: 'movecar-latest', class: 'street-list' },
      ...y.latest.map((r) => el('li', { 'data-id': String(r.id), 'data-outcome': r.outcome },
        `${when(r.at)} ${r.plate} · ${r.place} · ${r.grid ?? '—'} · ${channelName(r.channel)} · ${outcomeName(r.outcome)} · ${r.by}`)));
    if (!y.latest.length) latest.append(el('li', { class: 'muted' }, s('none')));
    host.replaceChildren(el('div', { class: 'reg-scroll' }, table), el('h3', {}, s('latest')), latest);
  } catch (e) {
    host.replaceChildren(errorBox(e));
  }
}

function reminderForm(): void {
  const plate = el('input', { name: 'plate', placeholder: '浙J·A1234' });
  const place = el('input', { name: 'place' });
  const at = el('input', { name: 'at', type: 'datetime-local', value: localNow() });
  const channel = select('channel', MOVE_CHANNELS.map((c): [string, string] => [c, channelName(c)]), '短信');
  const outcome = select('outcome', api.OUTCOMES.map((k): [string, string] => [k, outcomeName(k)]), 'moved');
  const out = el('div', { id: 'movecar-out' });
  let overlay: HTMLElement | null = null;
  const where = placeFields('movecar', null, () => overlay);
  const save = el('button', { type: 'submit', id: 'movecar-save' }, s('save'));
  const cancel = el('button', { type: 'button' }, s('cancel'));
  const m = modal('movecar-form', s('newReminder'), labelled(s('plate'), plate), labelled(s('place'), place), where.node,
    labelled(s('time'), at), labelled(s('channel'), channel), labelled(s('outcome'), outcome), out, el('div', { class: 'buttons' }, save, cancel));
  overlay = m.overlay;
  cancel.addEventListener('click', m.close);
  m.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const loc = where.value();
    if (!loc) { out.replaceChildren(el('p', { class: 'error', 'data-error-code': 'invalid-input' }, s('needLocation'))); return; }
    const input: api.MoveCarInput = {
      plate: plate.value, place: place.value, location: loc, at: at.value ? (at.value.length === 16 ? `${at.value}:00` : at.value) : null,
      channel: channel.value, outcome: outcome.value as api.MoveOutcome,
    };
    api.addMoveCar(input).then(async () => {
      m.close();
      year = Number(input.at?.slice(0, 4) ?? year);
      await renderYear();
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
}
