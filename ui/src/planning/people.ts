// 人员与责任区 / People and their zones: everyone with a role and phone; clicking a person lists
// their zones in every layer (and the road lines they lead) and highlights those unit grids.
import { el } from '../dom';
import { planApi, type PersonRef, type PersonZonesDto } from './api';
import { button, flyTo, section, union, type Pane, type PlanContext } from './context';
import { highlightGrids } from './overlays';
import { fill, ps } from './strings';

export function peoplePane(ctx: PlanContext): Pane {
  const { details, body, retitle } = section('plan-people', () => ps('peopleTitle'));
  let people: PersonRef[] | null = null;
  let chosen: PersonZonesDto | null = null;

  async function loadPeople(): Promise<void> {
    try {
      people = await ctx.track(planApi.people());
    } catch (e) {
      ctx.say(ctx.failure(e), 'error');
    }
    render();
  }

  async function choose(id: string): Promise<void> {
    try {
      chosen = await ctx.track(planApi.personZones(id));
      const codes = [...new Set(chosen.zones.flatMap((z) => z.member_grids))];
      highlightGrids(ctx.map(), codes);
      document.body.dataset.planPerson = id;
      const b = union(chosen.zones.map((z) => z.bbox));
      if (b) flyTo(ctx.map(), b);
    } catch (e) {
      chosen = null;
      ctx.say(ctx.failure(e), 'error');
    }
    render();
  }

  function clear(): void {
    chosen = null;
    highlightGrids(ctx.map(), []);
    document.body.dataset.planPerson = '';
    render();
  }

  function zonesView(pz: PersonZonesDto): HTMLElement {
    const box = el('div', { id: 'plan-person-zones' }, el('h4', {}, fill(ps('zonesOf'), { name: pz.person.name })));
    if (pz.zones.length === 0 && pz.roads.length === 0) box.append(el('p', {}, ps('noZones')));
    const ul = el('ul', { class: 'plan-rows' });
    for (const z of pz.zones) {
      ul.append(
        el(
          'li',
          { 'data-layer': z.layer, 'data-zone': z.code },
          el('b', {}, z.layer_name),
          ` ${z.name} (${z.code}) · ${ps(z.lead ? 'lead' : 'member')} · ${fill(ps('gridsN'), { n: z.grids })}`,
        ),
      );
    }
    box.append(ul);
    if (pz.roads.length) {
      box.append(el('h5', {}, ps('roadsLed')));
      const rl = el('ul', { class: 'plan-rows' });
      for (const r of pz.roads) rl.append(el('li', { 'data-road': r.code }, `${r.name} · ${r.chief_title} · ${r.length_m.toFixed(0)} m`));
      box.append(rl);
    }
    box.append(button('plan-person-clear', ps('clearHighlight'), clear));
    return box;
  }

  function render(): void {
    retitle();
    const parts: (Node | string)[] = [button('plan-people-load', ps('peopleLoad'), () => { void loadPeople(); })];
    if (people) {
      if (people.length === 0) parts.push(el('p', {}, ps('peopleNone')));
      const list = el('ul', { id: 'plan-people-list', class: 'plan-rows' });
      for (const p of people) {
        if (p.id === null) continue;
        const id = p.id;
        const li = el(
          'li',
          { 'data-person': id, tabindex: '0', class: chosen?.person.id === id ? 'shown' : '' },
          el('b', {}, p.name),
          ` ${p.role_zh}${p.unit_name ? ` · ${p.unit_name}` : ''}${p.phone ? ` · ☎ ${p.phone}` : ''}`,
        );
        li.addEventListener('click', () => { void choose(id); });
        list.append(li);
      }
      parts.push(list);
    }
    if (chosen) parts.push(zonesView(chosen));
    body.replaceChildren(...parts);
  }

  details.addEventListener('toggle', () => {
    if (details.open && people === null) void loadPeople();
  });
  render();
  return { element: details, render };
}
