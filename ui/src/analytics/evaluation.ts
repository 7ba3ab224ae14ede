// The 评价 / Evaluation view of the analytics workspace (SPEC §5): one month, one table (region
// level, department or position) with every indicator, score, composite value, grade and rank
// ("—" below the minimum sample). Every number lists the cases behind it through the
// workspace's drill-down list; weights, grade bands and the minimum sample are edited here and
// kept in the store; the shown table is exported as XLSX or CSV with Chinese headers.
import { el } from '../dom';
import { s, type AnKey } from './strings';
import {
  evaluationApi as api,
  type Bands,
  type DrillDto,
  type EvaluationConfig,
  type RowDto,
  type TableDto,
  type EvalTableKind,
  type TableFormat,
} from './api';

/** What the view borrows from the workspace. */
export interface EvaluationHost {
  /** Shows a drill-down list (the workspace's case list) under a title. */
  showDrill: (title: string, d: DrillDto, key: string, into: HTMLElement) => void;
  fail: (e: unknown) => void;
  say: (path: string | null) => void;
  /** First and last report day of the cases (`YYYY-MM-DD`), for the month list. */
  span: () => [string | null, string | null];
}

const TABLES: [EvalTableKind, AnKey][] = [
  ['district', 'evDistrict'], ['street', 'evStreet'], ['community', 'evCommunity'], ['grid', 'evGrid'],
  ['duty_grid', 'evDutyGrid'], ['department', 'evDepartment'], ['inspector', 'evInspector'],
  ['receptionist', 'evReceptionist'], ['shift_leader', 'evShiftLeader'], ['dispatcher', 'evDispatcher'],
];

/** The config section and weight field of each table's score keys. */
function weightField(table: EvalTableKind, score: string): [keyof EvaluationConfig, string] {
  const section: Record<EvalTableKind, keyof EvaluationConfig> = {
    district: 'region', street: 'region', community: 'region', grid: 'region', duty_grid: 'region',
    department: 'department', inspector: 'inspector', receptionist: 'receptionist',
    shift_leader: 'shift_leader', dispatcher: 'dispatcher',
  };
  const sec = section[table];
  if (sec === 'dispatcher' && score === 'on_time_dispatch') return [sec, 'w_on_time'];
  if (sec === 'dispatcher' && score === 'accurate_dispatch') return [sec, 'w_accurate'];
  return [sec, `w_${score}`];
}

function fmt(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** `YYYY-MM` months from `first` to `last`, newest first. */
export function months(first: string | null, last: string | null): string[] {
  const today = new Date().toISOString().slice(0, 7);
  const a = (first ?? last ?? today).slice(0, 7);
  const b = (last ?? first ?? today).slice(0, 7);
  const out: string[] = [];
  let [y, m] = a.split('-').map(Number) as [number, number];
  while (out.length < 600) {
    const k = `${y}-${String(m).padStart(2, '0')}`;
    out.push(k);
    if (k >= b) break;
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out.reverse();
}

function num(v: number | null, digits: number): string {
  return v === null ? '—' : v.toFixed(digits);
}

/** Mounts the view into `box`; returns a function that (re)loads it. */
export function mountEvaluation(box: HTMLElement, host: EvaluationHost): () => void {
  let period = '';
  let table: EvalTableKind = 'street';
  let shown: TableDto | null = null;
  let config: EvaluationConfig | null = null;
  // The configuration as the store gave it (the form edits `config` in place): what a save is
  // based on, refused by the engine when someone else changed it since.
  let seenConfig: EvaluationConfig | null = null;

  const openBtn = el('button', { type: 'button', id: 'ev-open' });
  const panel = el('div', { class: 'ev-panel', id: 'ev-panel', hidden: '' });
  const closeBtn = el('button', { type: 'button', id: 'ev-close' });
  const periodSel = el('select', { id: 'ev-period' });
  const tableSel = el('select', { id: 'ev-table' });
  const info = el('div', { class: 'ev-info', id: 'ev-info' });
  const grid = el('div', { class: 'ev-grid', id: 'ev-grid' });
  const drill = el('div', { class: 'an-drill ev-drill', id: 'ev-drill' });
  const exports = el('div', { class: 'an-export' });
  const cfgBox = el('details', { class: 'ev-config', id: 'ev-config' });
  box.append(openBtn);
  document.body.append(panel);

  const label = (k: AnKey) => s(k);

  const renderControls = () => {
    openBtn.textContent = label('evOpen');
    closeBtn.textContent = `✕ ${label('evClose')}`;
    const [first, last] = host.span();
    const ms = months(first, last);
    if (!period || !ms.includes(period)) period = ms[0] ?? '';
    periodSel.replaceChildren(...ms.map((m) => el('option', { value: m }, m)));
    periodSel.value = period;
    tableSel.replaceChildren(...TABLES.map(([k, l]) => el('option', { value: k }, label(l))));
    tableSel.value = table;
    const fmts: [TableFormat, AnKey][] = [['xlsx', 'anExportXlsx'], ['csv', 'anExportCsv']];
    exports.replaceChildren(...fmts.map(([f, k]) => {
      const b = el('button', { type: 'button', 'data-ev-export': f }, label(k));
      b.addEventListener('click', () => {
        const name = `${shown?.title ?? '评价'}-${period}`;
        api.exportTable(period, table, f, name).then(host.say).catch(host.fail);
      });
      return b;
    }));
    panel.replaceChildren(
      el('div', { class: 'ev-head' },
        el('b', {}, label('anEval')),
        el('label', {}, label('evPeriod'), periodSel),
        el('label', {}, label('evTable'), tableSel),
        exports,
        closeBtn),
      info, grid, drill, cfgBox,
    );
  };

  const drillTo = (row: RowDto, indicator: string, header: string) => {
    if (!shown) return;
    api.cases(period, table, row.index, indicator).then((d) => {
      host.showDrill(`${row.name || row.code} · ${header}`, d, `${row.code}:${indicator}`, drill);
    }).catch(host.fail);
  };

  const renderTable = (t: TableDto) => {
    shown = t;
    // Departments are named by their name: one column then.
    const withCode = t.rows.some((r) => r.code !== r.name);
    const codeCells = (r: RowDto) => (withCode ? [el('td', { class: 'ev-code' }, r.code)] : []);
    const head = el('tr', {},
      ...(withCode ? [el('th', {}, label('evCode'))] : []), el('th', {}, label('evName')),
      ...t.columns.map((c) => el('th', { 'data-col': c.key, title: c.weight === null ? c.label : `${c.label} ×${c.weight}` },
        c.weight === null ? c.label : `${c.label} (${c.weight})`)),
      el('th', {}, label('evComposite')), el('th', {}, label('evGrade')), el('th', {}, label('evRank')));
    const cell = (row: RowDto, text: string, indicator: string, header: string, key: string) => {
      const td = el('td', { class: 'an-num an-link', 'data-col': key }, text);
      td.addEventListener('click', () => { drillTo(row, indicator, header); });
      return td;
    };
    const body = t.rows.map((r) => el('tr', { 'data-code': r.code, 'data-index': String(r.index) },
      ...codeCells(r), el('td', { class: 'ev-name' }, r.name),
      ...t.columns.map((c, k) => cell(r, num(r.values[k] ?? null, c.kind === 'count' ? 0 : 2), c.drill, c.label, c.key)),
      cell(r, num(r.composite, 2), t.sample, label('evComposite'), 'composite'),
      el('td', { class: `ev-grade ev-grade-${r.grade ?? 'none'}`, 'data-col': 'grade' }, r.grade ?? '—'),
      el('td', { class: 'an-num', 'data-col': 'rank' }, r.rank === null ? '—' : String(r.rank)),
    ));
    grid.replaceChildren(el('table', {}, el('thead', {}, head), el('tbody', {}, ...body)));
    grid.dataset.rows = String(t.rows.length);
    grid.dataset.table = t.table;
    info.textContent = `${t.title} · ${t.period} · ${fmt(label('evRows'), { n: t.rows.length })} · ${fmt(label('evBelow'), { n: t.min_sample })}`;
    if (t.rows.length === 0) info.textContent += ` · ${label('evEmpty')}`;
    renderConfig();
  };

  const load = async () => {
    if (panel.hidden || !period) return;
    panel.dataset.busy = '1';
    try {
      const fetchConfig = () => api.config().then((c) => { seenConfig = structuredClone(c); return c; });
      const [t, c] = await Promise.all([api.table(period, table), config ? Promise.resolve(config) : fetchConfig()]);
      config = c;
      renderTable(t);
    } catch (e) {
      host.fail(e);
    } finally {
      panel.dataset.busy = '0';
    }
  };

  // ---- configuration: the shown table's weights, grade bands, minimum sample, whole JSON ----
  const numberInput = (value: number, id: string, onChange: (v: number) => void) => {
    const i = el('input', { type: 'number', step: 'any', value: String(value), id, class: 'ev-num-input' });
    i.addEventListener('change', () => {
      const v = Number(i.value);
      if (Number.isFinite(v)) onChange(v);
    });
    return i;
  };
  function renderConfig() {
    const c = config;
    const t = shown;
    if (!c || !t) return;
    const weights = t.columns.filter((col) => col.kind === 'score').map((col) => {
      const [sec, field] = weightField(t.table, col.key);
      const section = c[sec] as Record<string, number | Bands>;
      const w = section[field];
      return el('label', {}, col.label, numberInput(typeof w === 'number' ? w : 0, `ev-w-${col.key}`, (v) => { section[field] = v; }));
    });
    const grades = c.grades.map((g, k) =>
      el('label', {}, g.grade, numberInput(g.min, `ev-grade-${g.grade}`, (v) => { c.grades[k] = { ...g, min: v }; })));
    const json = el('textarea', { id: 'ev-json', rows: '10', spellcheck: 'false' });
    json.value = JSON.stringify(c, null, 1);
    const save = el('button', { type: 'button', id: 'ev-save' }, label('evSave'));
    const msg = el('span', { class: 'ev-config-msg', id: 'ev-config-msg' });
    save.addEventListener('click', () => {
      let next: EvaluationConfig = c;
      const advanced = json.closest('details');
      if (advanced?.open) {
        try {
          next = JSON.parse(json.value) as EvaluationConfig;
        } catch {
          msg.textContent = label('evBadJson');
          return;
        }
      }
      api.setConfig(next, seenConfig ?? c).then((saved) => {
        config = saved;
        seenConfig = structuredClone(saved);
        msg.textContent = label('evSavedConfig');
        return load();
      }).catch((e: unknown) => {
        // Shown as it is now (someone else's save, say); the refusal says why.
        config = null;
        host.fail(e);
        void load();
      });
    });
    // The choice the sources leave open (§5.2), and the two rules GridDesk fixes (§5).
    const basis = el('select', { id: 'ev-filed-basis' },
      el('option', { value: 'per_grid' }, label('evFiledPerGrid')),
      el('option', { value: 'total' }, label('evFiledTotal')));
    basis.value = c.region.filed_basis;
    basis.addEventListener('change', () => { c.region.filed_basis = basis.value === 'total' ? 'total' : 'per_grid'; });
    const rules = el('div', { class: 'ev-config-row ev-rules' }, el('b', {}, label('evRules')),
      el('label', {}, label('evFiledBasis'), basis),
      el('span', { class: 'ev-rule' }, label('evRuleRework')),
      el('span', { class: 'ev-rule' }, label('evRuleToday')));
    cfgBox.replaceChildren(
      el('summary', {}, `${label('evWeights')} · ${label('evGrades')} · ${label('evMinSample')} · ${label('evRules')}`),
      el('div', { class: 'ev-config-row' }, el('b', {}, label('evWeights')), ...weights),
      el('div', { class: 'ev-config-row' }, el('b', {}, label('evGrades')), ...grades),
      el('div', { class: 'ev-config-row' }, el('label', {}, label('evMinSample'),
        numberInput(c.min_sample, 'ev-min-sample', (v) => { c.min_sample = Math.max(0, Math.round(v)); }))),
      rules,
      el('details', {}, el('summary', {}, label('evAdvanced')), json),
      el('div', { class: 'ev-config-row' }, save, msg),
    );
  }

  openBtn.addEventListener('click', () => {
    panel.hidden = false;
    renderControls();
    void load();
  });
  closeBtn.addEventListener('click', () => { panel.hidden = true; });
  periodSel.addEventListener('change', () => { period = periodSel.value; void load(); });
  tableSel.addEventListener('change', () => {
    table = tableSel.value as EvalTableKind;
    drill.replaceChildren();
    void load();
  });

  renderControls();
  return () => {
    renderControls();
    if (shown) renderTable(shown);
    void load();
  };
}

/** Hides the view (leaving the workspace). */
export function hideEvaluation(): void {
  const p = document.getElementById('ev-panel');
  if (p) p.hidden = true;
}
