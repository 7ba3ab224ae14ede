// 网格历史 / Grid history: the selected grid's lineage (predecessors and successors) and every
// edit that touched it — who, when, what — with the outline before and after drawn on the map
// when a row is clicked; and 历史时点: the district's grids as they were at the end of a date,
// drawn over today's, with a button back to today.
import type { Feature, Polygon } from 'geojson';
import { el } from '../dom';
import { sayTerm } from '../i18n';
import { planApi, type GridHistory, type GridsAsOf } from './api';
import { bboxOf, button, flyTo, section, type Pane, type PlanContext } from './context';
import { setOverlay } from './overlays';
import { fill, ps, s } from './strings';

const STATE_KEY = { applied: 'stateApplied', undone: 'stateUndone', discarded: 'stateDiscarded' } as const;

function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function historyPane(ctx: PlanContext): Pane {
  const { details, body, retitle } = section('plan-grid-history', () => ps('historyTitle'));
  let history: GridHistory | null = null;
  let shownEdit: number | null = null;
  let asOf: GridsAsOf | null = null;
  let day = isoDay(new Date(Date.now() - 86400000));
  /** The grid code typed in (a retired grid cannot be clicked on the map); else the selection. */
  let typed = '';

  async function load(code: string): Promise<void> {
    try {
      history = await ctx.track(planApi.history(code));
      shownEdit = null;
      setOverlay(ctx.map(), 'plan-versions', null);
    } catch (e) {
      history = null;
      ctx.say(ctx.failure(e), 'error');
    }
    render();
  }

  function showEdit(i: number): void {
    const entry = history?.edits[i];
    if (!entry) return;
    shownEdit = entry.edit.id;
    const features: Feature<Polygon>[] = [];
    for (const g of entry.grids) {
      if (g.before) features.push({ type: 'Feature', properties: { side: 'before', code: g.code }, geometry: g.before });
      if (g.after) features.push({ type: 'Feature', properties: { side: 'after', code: g.code }, geometry: g.after });
    }
    setOverlay(ctx.map(), 'plan-versions', { type: 'FeatureCollection', features });
    document.body.dataset.planVersions = String(entry.edit.id);
    const b = bboxOf(features.map((f) => f.geometry));
    if (b) flyTo(ctx.map(), b);
    render();
  }

  async function showAsOf(): Promise<void> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
    try {
      asOf = await ctx.track(planApi.gridsAsOf(day));
      // The outlines of an edit belong to today's view, not to that day's.
      shownEdit = null;
      setOverlay(ctx.map(), 'plan-versions', null);
      setOverlay(ctx.map(), 'plan-asof', asOf.grids);
      document.body.dataset.planAsOf = asOf.date;
    } catch (e) {
      asOf = null;
      ctx.say(ctx.failure(e), 'error');
    }
    render();
  }

  function today(): void {
    asOf = null;
    setOverlay(ctx.map(), 'plan-asof', null);
    document.body.dataset.planAsOf = '';
    render();
  }

  function historyView(h: GridHistory): HTMLElement[] {
    const out: HTMLElement[] = [el('h4', {}, fill(ps('historyOf'), { code: h.code }))];
    out.push(el('h5', {}, ps('lineage')));
    // Links made by an undone or discarded edit are shown struck through; their grids do not
    // exist, so only the codes of standing links are offered.
    const states = new Map(h.edits.map((e) => [e.edit.id, e.edit.state]));
    const standing = h.lineage.filter((l) => states.get(l.edit) === 'applied');
    const live = new Set([h.code, ...standing.flatMap((l) => [l.predecessor, l.successor])]);
    const codes = el('div', { id: 'plan-lineage-codes', class: 'plan-row-buttons' });
    for (const c of h.lineage_codes.filter((x) => live.has(x))) {
      const b = button(`plan-lineage-${c}`, c, () => {
        typed = c;
        void load(c);
      });
      b.dataset.code = c;
      if (c === h.code) b.setAttribute('aria-pressed', 'true');
      codes.append(b);
    }
    out.push(codes);
    const lin = el('ul', { id: 'plan-lineage', class: 'plan-rows' });
    const sorted = [...standing, ...h.lineage.filter((l) => states.get(l.edit) !== 'applied')];
    for (const l of sorted) {
      const state = states.get(l.edit) ?? 'applied';
      lin.append(el('li', { 'data-edit': String(l.edit), 'data-state': state }, `${l.predecessor} → ${l.successor} (#${l.edit})`));
    }
    out.push(lin);
    out.push(el('h5', {}, ps('edits')));
    if (h.edits.length === 0) {
      out.push(el('p', {}, ps('noEdits')));
      return out;
    }
    out.push(el('p', { class: 'plan-hint' }, ps('rowHint')));
    const t = el('ol', { id: 'plan-grid-edits', class: 'plan-rows' });
    h.edits.forEach((e, i) => {
      const x = e.edit;
      const li = el(
        'li',
        { 'data-id': String(x.id), 'data-state': x.state, tabindex: '0', class: x.id === shownEdit ? 'shown' : '' },
        el('b', { 'data-operation': x.operation }, `#${x.id} ${sayTerm(`operation.${x.operation}`)}`),
        ` · ${x.at} · ${x.author} · ${s(STATE_KEY[x.state])}`,
        el('br'),
        el('span', { class: 'plan-grids' }, e.grids.map((g) => `${g.code}${g.before ? '' : ' +'}${g.after ? '' : ' −'}${g.end_date_after ? ` ⏹${g.end_date_after}` : ''}`).join(', ')),
      );
      li.addEventListener('click', () => { showEdit(i); });
      t.append(li);
    });
    out.push(t);
    return out;
  }

  function render(): void {
    retitle();
    const sel = ctx.selected()[0];
    const code = el('input', { id: 'plan-history-code', type: 'text', maxlength: '15', placeholder: ps('historySelect'), value: typed || (sel ?? '') });
    code.addEventListener('change', () => { typed = code.value.trim(); });
    const parts: (Node | string)[] = [
      el(
        'div',
        { class: 'plan-row-buttons' },
        code,
        button('plan-history-load', ps('historyLoad'), () => {
          const c = code.value.trim();
          if (c) void load(c);
        }),
      ),
    ];
    if (history) parts.push(...historyView(history));
    const date = el('input', { id: 'plan-asof-date', type: 'date', value: day });
    date.addEventListener('change', () => { day = date.value; });
    const back = button('plan-asof-today', ps('asOfToday'), today);
    back.disabled = asOf === null;
    parts.push(
      el('h4', {}, ps('asOf')),
      el('div', { class: 'plan-row-buttons' }, date, button('plan-asof-show', ps('asOfShow'), () => { void showAsOf(); }), back),
    );
    if (asOf) {
      parts.push(
        el(
          'p',
          { id: 'plan-asof-banner', class: 'plan-banner' },
          fill(ps('asOfShowing'), { date: asOf.date, n: asOf.total }) +
            (asOf.truncated ? fill(ps('asOfTruncated'), { n: asOf.grids.features.length }) : ''),
        ),
      );
    }
    body.replaceChildren(...parts);
  }

  render();
  return {
    element: details,
    render,
    selectionChanged: () => {
      const sel = ctx.selected()[0];
      typed = '';
      if (details.open && sel && sel !== history?.code) void load(sel);
      else render();
    },
  };
}
