// 自动划分 / Auto-proposal: the engine partitions a community into grids near a target area,
// balancing workload. "预览" draws the proposed grids dashed over the current ones with their
// area and workload, and the balance figures beside the current ones; "接受" applies the
// change as one undoable edit; "取消" clears the preview.
import type { Feature, Polygon } from 'geojson';
import { activeVectorBasemap } from '../basemap';
import { el } from '../dom';
import { sayMessage } from '../i18n';
import { PlanError, planApi, type Balance, type CommunityItem, type Proposal } from './api';
import {
  bboxOf,
  button,
  chosenCommunity,
  communitySelect,
  flyTo,
  fmt,
  loadCommunities,
  section,
  type Pane,
  type PlanContext,
} from './context';
import { highlightGrids, setOverlay } from './overlays';
import { fill, ps } from './strings';

const DEFAULT_TARGET = 10000;
const DEFAULT_WEIGHT = 0.5;

export function proposalPane(ctx: PlanContext): Pane {
  const { details, body, retitle } = section('plan-proposal', () => ps('proposalTitle'));
  let list: CommunityItem[] = [];
  let community = '';
  let target = DEFAULT_TARGET;
  let weight = DEFAULT_WEIGHT;
  let proposal: Proposal | null = null;
  let working = false;

  function draw(): void {
    const m = ctx.map();
    if (!proposal) {
      setOverlay(m, 'plan-preview', null);
      document.body.dataset.planPreview = '';
      return;
    }
    const figures = new Map(proposal.grids.map((g) => [g.code, g]));
    const features: Feature<Polygon>[] = proposal.change.create.map((g) => {
      const f = figures.get(g.code);
      const label = `${g.code.slice(12)}\n${fmt(g.area_m2)} m²${f ? `\n${ps('workload')} ${f.workload}` : ''}`;
      return { type: 'Feature', properties: { code: g.code, label }, geometry: g.polygon };
    });
    setOverlay(m, 'plan-preview', { type: 'FeatureCollection', features });
    document.body.dataset.planPreview = String(features.length);
    const b = bboxOf(features.map((f) => f.geometry));
    if (b) flyTo(m, b);
  }

  async function preview(): Promise<void> {
    const code = chosenCommunity(community, ctx.selected()[0]);
    if (!code) {
      ctx.say(ps('needCommunity'), 'error');
      return;
    }
    working = true;
    render();
    try {
      // The vector basemap drawn gives its roads as the preferred cuts.
      const basemap = activeVectorBasemap()?.id ?? null;
      proposal = await ctx.track(planApi.propose(code, { target_area_m2: target, workload_weight: weight, basemap }));
      highlightGrids(ctx.map(), []);
      const errors = proposal.report.problems.filter((p) => p.severity === 'error');
      if (errors.length) {
        ctx.showProblems(errors);
        ctx.say(`${ps('proposalRefused')} ${errors.map((p) => sayMessage(p.detail)).join('；')}`, 'error');
      }
    } catch (e) {
      proposal = null;
      ctx.say(ctx.failure(e), 'error');
    }
    working = false;
    draw();
    render();
  }

  async function accept(): Promise<void> {
    if (!proposal) return;
    try {
      const a = await ctx.track(planApi.accept(proposal.change));
      proposal = null;
      draw();
      ctx.edited(`${ps('accepted')}: #${a.edit.id} −${a.edit.effect.retired.length} +${a.edit.effect.created.length}`, a.edit);
      void loadCommunities(true).then((l) => { list = l; render(); });
    } catch (e) {
      if (e instanceof PlanError && e.report) ctx.showProblems(e.report.problems);
      ctx.say(ctx.failure(e), 'error');
    }
    render();
  }

  function cancel(): void {
    proposal = null;
    draw();
    render();
  }

  function balanceTable(cur: Balance, prop: Balance): HTMLTableElement {
    const rows: [Parameters<typeof ps>[0], (b: Balance) => string][] = [
      ['grids', (b) => String(b.grids)],
      ['meanArea', (b) => fmt(b.mean_area_m2)],
      ['areaCv', (b) => b.area_cv.toFixed(2)],
      ['meanLoad', (b) => fmt(b.mean_workload, 1)],
      ['loadCv', (b) => b.workload_cv.toFixed(2)],
      ['maxLoad', (b) => b.max_workload_ratio.toFixed(2)],
    ];
    const t = el('table', { id: 'plan-proposal-balance', class: 'plan-table' });
    t.append(el('tr', {}, el('th', {}, ps('balance')), el('th', {}, ps('current')), el('th', {}, ps('proposed'))));
    for (const [k, f] of rows) t.append(el('tr', { 'data-row': k }, el('td', {}, ps(k)), el('td', {}, f(cur)), el('td', {}, f(prop))));
    return t;
  }

  function render(): void {
    retitle();
    const sel = communitySelect('plan-proposal-community', list, community, ctx.selected()[0]);
    sel.addEventListener('change', () => { community = sel.value; });
    const tIn = el('input', { id: 'plan-proposal-target', type: 'number', min: '500', max: '200000', step: '500', value: String(target) });
    tIn.addEventListener('change', () => { target = Math.max(500, Number(tIn.value) || DEFAULT_TARGET); });
    const wIn = el('input', { id: 'plan-proposal-weight', type: 'number', min: '0', max: '0.9', step: '0.1', value: String(weight) });
    wIn.addEventListener('change', () => { weight = Math.min(0.9, Math.max(0, Number(wIn.value) || 0)); });
    const bar = el(
      'div',
      { class: 'plan-row-buttons' },
      button('plan-proposal-preview', ps('preview'), () => { void preview(); }),
      button('plan-proposal-accept', ps('accept'), () => { void accept(); }),
      button('plan-proposal-cancel', ps('cancel'), cancel),
    );
    const acceptBtn = bar.querySelector<HTMLButtonElement>('#plan-proposal-accept');
    if (acceptBtn) acceptBtn.disabled = !proposal || proposal.report.problems.some((p) => p.severity === 'error');
    const parts: (Node | string)[] = [
      el('label', {}, ps('community'), sel),
      el('label', {}, ps('targetArea'), tIn),
      el('label', {}, ps('workloadWeight'), wIn),
      bar,
    ];
    const roadsFrom = activeVectorBasemap();
    if (roadsFrom) parts.push(el('p', { class: 'plan-hint', id: 'plan-proposal-basemap' }, fill(ps('proposalBasemap'), { name: roadsFrom.name })));
    if (working) parts.push(el('p', { class: 'plan-hint' }, ps('proposing')));
    if (proposal) {
      parts.push(
        el('p', { id: 'plan-proposal-summary' }, fill(ps('proposalN'), { n: proposal.change.create.length, m: proposal.change.retire.length })),
        balanceTable(proposal.current, proposal.proposed),
      );
      const grids = el('table', { id: 'plan-proposal-grids', class: 'plan-table' });
      grids.append(el('tr', {}, el('th', {}, ps('code')), el('th', {}, ps('area')), el('th', {}, ps('workload'))));
      for (const g of proposal.grids) grids.append(el('tr', {}, el('td', {}, g.code), el('td', {}, fmt(g.area_m2)), el('td', {}, String(g.workload))));
      parts.push(grids);
    }
    body.replaceChildren(...parts);
  }

  details.addEventListener('toggle', () => {
    if (details.open && list.length === 0) {
      void loadCommunities().then((l) => { list = l; render(); }).catch((e: unknown) => { ctx.say(ctx.failure(e), 'error'); });
    }
  });
  render();
  return { element: details, render, selectionChanged: () => { if (!community) render(); } };
}
