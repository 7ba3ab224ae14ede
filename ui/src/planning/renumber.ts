// 重新编号 / Renumber: the sequence numbers of a community's grids west→east then north→south.
// The preview lists old code → new code and labels the new numbers on the map; applying is an
// ordinary edit (`renumber` through plan_apply), so Ctrl+Z undoes it.
import type { Feature, Point } from 'geojson';
import { api } from '../api';
import { el } from '../dom';
import { planApi, type CommunityItem, type Preview } from './api';
import { button, chosenCommunity, communitySelect, loadCommunities, section, type Pane, type PlanContext } from './context';
import { setOverlay } from './overlays';
import { fill, ps } from './strings';

export function renumberPane(ctx: PlanContext): Pane {
  const { details, body, retitle } = section('plan-renumber', () => ps('renumberTitle'));
  let list: CommunityItem[] = [];
  let community = '';
  let target: string | null = null;
  let preview: Preview | null = null;

  /** Labels each renamed grid on the map with its old → new sequence number. */
  async function label(p: Preview): Promise<void> {
    const renames = p.change.rename.slice(0, 400);
    const infos = await ctx.track(Promise.all(renames.map((r) => api.gridInfo(r.from).catch(() => null))));
    const features: Feature<Point>[] = [];
    renames.forEach((r, i) => {
      const info = infos[i];
      if (info) {
        features.push({
          type: 'Feature',
          properties: { label: `${r.from.slice(12)} → ${r.to.slice(12)}` },
          geometry: { type: 'Point', coordinates: info.centroid },
        });
      }
    });
    setOverlay(ctx.map(), 'plan-preview', { type: 'FeatureCollection', features });
  }

  async function run(): Promise<void> {
    target = chosenCommunity(community, ctx.selected()[0]);
    if (!target) {
      ctx.say(ps('needCommunity'), 'error');
      return;
    }
    try {
      preview = await ctx.track(planApi.renumberPreview(target));
      const errors = preview.report.problems.filter((p) => p.severity === 'error');
      if (errors.length) ctx.showProblems(errors);
      void label(preview);
    } catch (e) {
      preview = null;
      ctx.say(ctx.failure(e), 'error');
    }
    render();
  }

  async function apply(): Promise<void> {
    if (!target || !preview || preview.change.rename.length === 0) return;
    try {
      const a = await ctx.track(planApi.apply({ op: 'renumber', community: target }));
      preview = null;
      setOverlay(ctx.map(), 'plan-preview', null);
      ctx.edited(`${ps('renumbered')}: #${a.edit.id} (${a.edit.effect.renamed.length})`, a.edit);
    } catch (e) {
      ctx.say(ctx.failure(e), 'error');
    }
    render();
  }

  function render(): void {
    retitle();
    const sel = communitySelect('plan-renumber-community', list, community, ctx.selected()[0]);
    sel.addEventListener('change', () => { community = sel.value; });
    const applyBtn = button('plan-renumber-apply', ps('renumberApply'), () => { void apply(); });
    applyBtn.disabled = !preview || preview.change.rename.length === 0;
    const parts: (Node | string)[] = [
      el('p', { class: 'plan-hint' }, ps('renumberHint')),
      el('label', {}, ps('community'), sel),
      el('div', { class: 'plan-row-buttons' }, button('plan-renumber-preview', ps('renumberPreview'), () => { void run(); }), applyBtn),
    ];
    if (preview) {
      const renames = [...preview.change.rename].sort((a, b) => a.to.localeCompare(b.to));
      parts.push(
        el('p', { id: 'plan-renumber-summary' }, renames.length ? fill(ps('renumberN'), { n: renames.length }) : ps('renumberNone')),
      );
      if (renames.length) {
        const t = el('table', { id: 'plan-renumber-table', class: 'plan-table' });
        t.append(el('tr', {}, el('th', {}, ps('oldCode')), el('th', {}, ps('newCode'))));
        for (const r of renames) t.append(el('tr', { 'data-from': r.from }, el('td', {}, r.from), el('td', {}, r.to)));
        parts.push(t);
      }
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
