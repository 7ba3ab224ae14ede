// 区域检查 / District check: every topology problem of the district (the engine's
// `check_district`), each clickable — the map flies to it and draws it in red; and, with a
// vector basemap drawn, its buildings a grid boundary cuts through (切穿建筑的网格边界), drawn in
// yellow, each clickable too.
import type { FeatureCollection } from 'geojson';
import { api } from '../api';
import { activeVectorBasemap } from '../basemap';
import { el } from '../dom';
import { sayMessage } from '../i18n';
import { planApi, type BuildingCut, type Problem } from './api';
import { bboxOf, button, flyTo, fmt, section, union, type Pane, type PlanContext } from './context';
import { setOverlay } from './overlays';
import { fill, ps } from './strings';

/** Rows listed at most (the count says how many there are). */
const MAX_ROWS = 300;

const RULES: Record<string, Parameters<typeof ps>[0]> = {
  'invalid-polygon': 'ruleInvalidPolygon',
  overlap: 'ruleOverlap',
  gap: 'ruleGap',
  'outside-community': 'ruleOutsideCommunity',
  'unknown-community': 'ruleUnknownCommunity',
  'edge-mismatch': 'ruleEdgeMismatch',
  'community-overlap': 'ruleCommunityOverlap',
  'street-coverage': 'ruleStreetCoverage',
  code: 'ruleCode',
  'area-range': 'ruleAreaRange',
  'pre-existing': 'rulePreExisting',
};

/** A rule id in words (the id itself for a rule this UI does not know yet). */
export function ruleName(rule: string): string {
  const k = RULES[rule];
  return k ? ps(k) : rule;
}

export function checkPane(ctx: PlanContext): Pane {
  const { details, body, retitle } = section('plan-check', () => ps('checkTitle'));
  let problems: Problem[] | null = null;
  /** The cut buildings of basemap `cutsOf` (its id and name), as of the last run. */
  let cuts: BuildingCut[] | null = null;
  let cutsOf: { id: string; name: string } | null = null;
  let shown = -1;

  function drawCuts(): void {
    const data: FeatureCollection | null = cuts && cuts.length
      ? {
        type: 'FeatureCollection',
        features: cuts.slice(0, MAX_ROWS).map((c, i) => ({
          type: 'Feature',
          properties: { index: i, shown: i === shown },
          geometry: { type: 'Polygon', coordinates: [c.outline] },
        })),
      }
      : null;
    setOverlay(ctx.map(), 'plan-building-cuts', data);
    document.body.dataset.planBuildingCuts = cuts === null ? '' : String(cuts.length);
  }

  function focusCut(i: number): void {
    const c = cuts?.[i];
    if (!c) return;
    shown = i;
    drawCuts();
    render();
    const b = bboxOf([{ type: 'Polygon', coordinates: [c.outline] }]);
    if (b) flyTo(ctx.map(), b);
  }

  async function runCuts(): Promise<void> {
    const b = activeVectorBasemap();
    shown = -1;
    if (!b) {
      cuts = null;
      cutsOf = null;
    } else {
      try {
        cuts = await ctx.track(planApi.buildingCuts(b.id));
        cutsOf = { id: b.id, name: b.name };
      } catch (e) {
        cuts = null;
        cutsOf = null;
        ctx.say(ctx.failure(e), 'error');
      }
    }
    drawCuts();
  }

  async function focus(p: Problem): Promise<void> {
    ctx.showProblems([p]);
    let b = bboxOf([p.geometry]);
    if (!b && p.grids.length) {
      const infos = await ctx.track(Promise.all(p.grids.map((g) => api.gridInfo(g).catch(() => null))));
      b = union(infos.map((i) => i?.bbox ?? null));
    }
    if (b) flyTo(ctx.map(), b);
  }

  async function run(): Promise<void> {
    try {
      problems = (await ctx.track(planApi.checkDistrict())).problems;
    } catch (e) {
      problems = null;
      ctx.say(ctx.failure(e), 'error');
    }
    render();
    await runCuts();
    render();
  }

  function cutsSection(): (Node | string)[] {
    const b = activeVectorBasemap();
    // Another basemap (or none) drawn since the run: its list no longer applies.
    if (cutsOf && cutsOf.id !== b?.id) {
      cuts = null;
      cutsOf = null;
      drawCuts();
    }
    const out: (Node | string)[] = [el('h4', { id: 'plan-cuts-title' }, ps('cutsTitle'))];
    if (!b) {
      out.push(el('p', { class: 'plan-hint', id: 'plan-cuts-summary' }, ps('cutsNoBasemap')));
      return out;
    }
    if (!cuts || !cutsOf) return problems === null ? [] : out;
    out.push(el('p', { id: 'plan-cuts-summary', 'data-count': String(cuts.length) },
      cuts.length === 0 ? fill(ps('cutsNone'), { name: cutsOf.name }) : fill(ps('cutsCount'), { n: cuts.length, name: cutsOf.name })));
    if (cuts.length === 0) return out;
    out.push(el('p', { class: 'plan-hint' }, ps('cutsHint')));
    const list = el('ol', { id: 'plan-cuts-list', class: 'plan-rows' });
    cuts.slice(0, MAX_ROWS).forEach((c, i) => {
      const li = el('li', { class: i === shown ? 'warning shown' : 'warning', 'data-index': String(i), 'data-grids': c.grids.join(','), tabindex: '0' },
        fill(ps('cutsRow'), { grids: c.grids.join(' / '), area: fmt(c.area_m2), share: Math.round(c.share * 100) }));
      li.addEventListener('click', () => { focusCut(i); });
      li.addEventListener('keydown', (e) => { if (e.key === 'Enter') focusCut(i); });
      list.append(li);
    });
    out.push(list);
    if (cuts.length > MAX_ROWS) out.push(el('p', {}, fill(ps('checkMore'), { n: cuts.length - MAX_ROWS })));
    return out;
  }

  function render(): void {
    retitle();
    const parts: (Node | string)[] = [button('plan-check-run', ps('checkRun'), () => { void run(); })];
    if (problems !== null) {
      const errors = problems.filter((p) => p.severity === 'error').length;
      parts.push(
        el(
          'p',
          { id: 'plan-check-summary' },
          problems.length === 0
            ? ps('checkNone')
            : fill(ps('checkCount'), { n: problems.length, e: errors, w: problems.length - errors }),
        ),
      );
      if (problems.length) parts.push(el('p', { class: 'plan-hint' }, ps('checkHint')));
      const list = el('ol', { id: 'plan-check-list', class: 'plan-rows' });
      problems.slice(0, MAX_ROWS).forEach((p, i) => {
        const li = el(
          'li',
          { class: p.severity, 'data-rule': p.rule, 'data-index': String(i), tabindex: '0' },
          el('b', {}, ruleName(p.rule)),
          ` ${sayMessage(p.detail)}`,
          p.grids.length ? el('span', { class: 'plan-grids' }, ` [${p.grids.join(', ')}]`) : '',
        );
        li.addEventListener('click', () => { void focus(p); });
        li.addEventListener('keydown', (e) => { if (e.key === 'Enter') void focus(p); });
        list.append(li);
      });
      parts.push(list);
      if (problems.length > MAX_ROWS) parts.push(el('p', {}, fill(ps('checkMore'), { n: problems.length - MAX_ROWS })));
    }
    parts.push(...cutsSection());
    body.replaceChildren(...parts);
  }

  render();
  return { element: details, render };
}
