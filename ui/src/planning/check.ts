// 区域检查 / District check: every topology problem of the district (the engine's
// `check_district`), each clickable — the map flies to it and draws it in red.
import { api } from '../api';
import { el } from '../dom';
import { sayMessage } from '../i18n';
import { planApi, type Problem } from './api';
import { bboxOf, button, flyTo, section, union, type Pane, type PlanContext } from './context';
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
    body.replaceChildren(...parts);
  }

  render();
  return { element: details, render };
}
