// Clock settings (administrators): the holiday / adjusted-working-day table of a year (list, add,
// remove, import CSV) and the filing standard's time limits per class (view, edit one limit).
// Opened as a dialog from the components register; the engine refuses changes by other roles.
import { asCaseError, formTables, type CaseKind, type ClassDto, type TimeUnit } from '../cases/api';
import '../cases/cases.css';
import { el } from '../dom';
import { sayMessage } from '../i18n';
import * as api from './api';
import './settings.css';
import { s, stageName, unitName } from './strings';

/** A failed command in the user's language (the engine's English stays in a data attribute). */
function errorBox(e: unknown): HTMLElement {
  const err = asCaseError(e);
  return el('p', { class: 'error', 'data-error-code': err.code, 'data-error-detail': err.detail.code, 'data-error-message': err.message },
    sayMessage(err.detail));
}

function labelled(label: string, control: HTMLElement): HTMLElement {
  return el('label', { class: 'field' }, el('span', {}, label), control);
}

function select(name: string, options: [string, string][], value = ''): HTMLSelectElement {
  const sel = el('select', { name });
  for (const [v, text] of options) sel.append(el('option', { value: v }, text));
  if (options.some(([v]) => v === value)) sel.value = value;
  return sel;
}

// ---- calendar --------------------------------------------------------------------------------

function calendarSection(): HTMLElement {
  const year = el('input', { id: 'cal-year', type: 'number', min: '1990', max: '2149', value: String(new Date().getFullYear()) });
  const list = el('div', { id: 'cal-list' });
  const out = el('div', { id: 'cal-out' });
  const date = el('input', { name: 'date', id: 'cal-date', type: 'date' });
  const kind = select('kind', [['holiday', s('holiday')], ['workday', s('workday')]], 'holiday');
  kind.id = 'cal-kind';
  const note = el('input', { name: 'note', id: 'cal-note' });
  const add = el('form', { id: 'cal-add', class: 'settings-row' }, labelled(s('date'), date), labelled(s('kind'), kind), labelled(s('note'), note),
    el('button', { type: 'submit', id: 'cal-add-submit' }, s('add')));
  const imp = el('button', { type: 'button', id: 'cal-import' }, s('importCsv'));
  // The entries the list shows, by date: what a change of a date was based on.
  let shown = new Map<string, api.CalendarDay>();
  let shownYear = 0;
  const seenOf = async (d: string): Promise<api.CalendarDay | null> => {
    if (Number(d.slice(0, 4)) === shownYear) return shown.get(d) ?? null;
    const y = await api.calendar(Number(d.slice(0, 4)));
    return y.days.find((x) => x.date === d) ?? null;
  };
  const load = async () => {
    try {
      const y = await api.calendar(Number(year.value));
      shown = new Map(y.days.map((d) => [d.date, d]));
      shownYear = y.year;
      const ul = el('ul', { id: 'cal-days', class: 'settings-list', 'data-year': String(y.year) });
      for (const d of y.days) {
        const rm = el('button', { type: 'button', 'data-remove': d.date }, s('remove'));
        rm.addEventListener('click', () => {
          api.clearDay(d.date, d).then(load).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
        });
        ul.append(el('li', { 'data-date': d.date, 'data-kind': d.kind }, `${d.date} ${d.kind === 'holiday' ? s('holiday') : s('workday')} ${d.note} `, rm));
      }
      list.replaceChildren(el('p', { class: 'muted' }, `${s('officeHours')}: ${y.office_hours}`), y.days.length ? ul : el('p', { class: 'muted', id: 'cal-days' }, s('noDays')));
    } catch (e) {
      list.replaceChildren(errorBox(e));
    }
  };
  year.addEventListener('change', () => { void load(); });
  add.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const day = { date: date.value, kind: kind.value as api.DayKind, note: note.value.trim() };
    seenOf(day.date).then((seen) => api.setDay(day, seen))
      .then(async () => {
        const y = Number(date.value.slice(0, 4));
        if (y && y !== Number(year.value)) year.value = String(y);
        await load();
      })
      .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  imp.addEventListener('click', () => {
    api.importCalendar().then(async (n) => {
      out.replaceChildren(el('p', { id: 'cal-imported' }, n === null ? s('cancelled') : `${s('imported')}: ${n}`));
      await load();
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  const template = el('button', { type: 'button', id: 'cal-template' }, s('template'));
  template.addEventListener('click', () => {
    api.calendarTemplate().then((p) => {
      out.replaceChildren(el('p', { id: 'cal-template-saved' }, p === null ? s('cancelled') : `${s('templateSaved')}: ${p}`));
    }).catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  void load();
  return el('section', { class: 'settings-section' }, el('h3', {}, s('calendar')), labelled(s('year'), year), list, add, imp, template, out);
}

// ---- time limits -----------------------------------------------------------------------------

function limitsSection(classes: ClassDto[]): HTMLElement {
  const kind = select('kind', [['event', s('event')], ['component', s('component')]], 'event');
  kind.id = 'lim-kind';
  const klass = select('class', []);
  klass.id = 'lim-class';
  const table = el('div', { id: 'lim-table-host' });
  const out = el('div', { id: 'lim-out' });
  const cond = select('condition', []);
  cond.id = 'lim-condition';
  const stage = select('stage', api.STAGES.map((v): [string, string] => [v, stageName(v)]), 'handle');
  stage.id = 'lim-stage';
  const area = select('area', api.AREAS.map((v): [string, string] => [v, v]), 'B');
  area.id = 'lim-area';
  const amount = el('input', { id: 'lim-amount', type: 'number', min: '0.5', step: '0.5', value: '1' });
  const unit = select('unit', api.UNITS.map((v): [string, string] => [v, unitName(v)]), 'work_day');
  unit.id = 'lim-unit';
  const edit = el('form', { id: 'lim-edit', class: 'settings-row' }, labelled(s('condition'), cond), labelled(s('stage'), stage),
    labelled(s('area'), area), labelled(s('amount'), amount), labelled(s('unit'), unit), el('button', { type: 'submit', id: 'lim-save' }, s('save')));
  let shown: api.FilingCondition[] = [];
  const fillEdit = () => {
    const c = shown.find((x) => x.condition === cond.value);
    const l = c?.limits.find((x) => x.stage === stage.value && x.area_class === area.value);
    if (l) { amount.value = String(l.limit.amount); unit.value = l.limit.unit; }
  };
  const render = (conds: api.FilingCondition[]) => {
    shown = conds;
    const t = el('table', { id: 'lim-table', class: 'settings-table' });
    const head = el('tr', {}, el('th', {}, s('condition')), el('th', {}, s('stage')), ...api.AREAS.map((a) => el('th', {}, a)));
    t.append(el('thead', {}, head));
    const body = el('tbody', {});
    for (const c of conds) {
      api.STAGES.forEach((st, i) => {
        const tr = el('tr', {});
        if (i === 0) {
          tr.append(el('td', { rowspan: String(api.STAGES.length), class: 'cond' }, `${c.condition} ${c.filing}`, el('br'),
            el('span', { class: 'muted' }, c.is_default ? s('defaultRule') : s('localRule'))));
        }
        tr.append(el('td', {}, stageName(st)));
        for (const a of api.AREAS) {
          const l = c.limits.find((x) => x.stage === st && x.area_class === a);
          tr.append(el('td', { 'data-cell': `${c.condition}/${st}/${a}` }, l ? `${l.limit.amount} ${unitName(l.limit.unit)}` : '—'));
        }
        body.append(tr);
      });
    }
    t.append(body);
    const keep = cond.value;
    cond.replaceChildren(...conds.map((c) => el('option', { value: c.condition }, `${c.condition} ${c.filing}`)));
    if (conds.some((c) => c.condition === keep)) cond.value = keep;
    table.replaceChildren(t);
    fillEdit();
  };
  const load = async () => {
    try {
      render(await api.limits(kind.value as CaseKind, klass.value));
    } catch (e) {
      table.replaceChildren(errorBox(e));
    }
  };
  const fillClasses = () => {
    const list = classes.filter((c) => c.kind === kind.value);
    klass.replaceChildren(...list.map((c) => el('option', { value: c.code }, `${c.code} ${c.major_name}/${c.name}`)));
    void load();
  };
  kind.addEventListener('change', fillClasses);
  klass.addEventListener('change', () => { void load(); });
  for (const x of [cond, stage, area]) x.addEventListener('change', fillEdit);
  edit.addEventListener('submit', (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const seen = shown.find((x) => x.condition === cond.value)?.limits
      .find((x) => x.stage === stage.value && x.area_class === area.value)?.limit ?? null;
    api.setLimit({
      kind: kind.value as CaseKind, class_code: klass.value, condition: cond.value, stage: stage.value as api.Stage,
      area_class: area.value as api.AreaClass, limit: { amount: Number(amount.value), unit: unit.value as TimeUnit }, seen,
    })
      .then((conds) => { render(conds); out.replaceChildren(el('p', { id: 'lim-saved', class: 'muted' }, s('newCasesNote'))); })
      .catch((e: unknown) => { out.replaceChildren(errorBox(e)); });
  });
  fillClasses();
  return el('section', { class: 'settings-section' }, el('h3', {}, s('limits')), el('div', { class: 'settings-row' },
    labelled(s('caseKind'), kind), labelled(s('klass'), klass)), table, edit, out);
}

/** Opens the clock settings dialog. */
export async function openClockSettings(): Promise<void> {
  document.getElementById('clock-settings')?.remove();
  let classes: ClassDto[] = [];
  try {
    classes = (await formTables()).classes;
  } catch {
    classes = [];
  }
  const close = el('button', { type: 'button', id: 'clock-settings-close' }, s('close'));
  const box = el('div', { class: 'modal-box settings-box' }, el('h2', {}, s('title')), el('p', { class: 'muted' }, s('adminOnly')),
    calendarSection(), limitsSection(classes), el('div', { class: 'buttons' }, close));
  const overlay = el('div', { id: 'clock-settings', class: 'modal cases-modal' }, box);
  close.addEventListener('click', () => { overlay.remove(); });
  document.body.append(overlay);
}
