// The setup checklist of a real district (docs/setup.md): visible until every step is done,
// each step with what is there and what is missing, and the way to do it — an import, grids
// proposed for every community at once (reviewed on the map, accepted as one undoable step),
// a department with its classes. A sample store does not show it.
import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource, MapMouseEvent } from 'maplibre-gl';
import { asErrorDto } from '../api';
import { el } from '../dom';
import { onLangChange, sayMessage } from '../i18n';
import type { MapView } from '../map';
import { openTransfer } from '../transfer';
import { currentSession } from '../cases/api';
import { openUsers } from '../users';
import { select as selectWorkspace } from '../workspace';
import { planApi } from '../planning/api';
import type { BoundaryKind, Dataset, SetupFigure, SetupStep, SetupStepKey } from '../generated';
import { setupApi, type DistrictProposal, type SetupStatus } from './api';
import { fill, ss } from './strings';

type StepText = Parameters<typeof ss>[0];
const stepName = (k: SetupStepKey): string => ss(`step.${k}` as StepText);
const figureText = (f: SetupFigure): string => {
  const v = f.key.endsWith('_m2') ? Math.round(f.value).toLocaleString() : f.key.endsWith('_km2') ? f.value.toFixed(2) : String(f.value);
  return fill(ss(`fig.${f.key}` as StepText), { v });
};

/** Clicks the element `id` once a workspace has drawn it (within 10 s). */
function clickWhenThere(id: string): void {
  const deadline = Date.now() + 10000;
  const tick = () => {
    const e = document.getElementById(id);
    if (e) e.click();
    else if (Date.now() < deadline) window.setTimeout(tick, 100);
  };
  tick();
}

/** Tells the checklist (and anyone listening) that the store's data changed. */
export function dataChanged(): void {
  document.dispatchEvent(new Event('griddesk:data-changed'));
}

const PREVIEW = 'setup-preview';

function drawPreview(view: MapView, fc: FeatureCollection | null): void {
  const m = view.map;
  if (!m.getSource(PREVIEW)) {
    m.addSource(PREVIEW, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    m.addLayer({ id: `${PREVIEW}-line`, type: 'line', source: PREVIEW, paint: { 'line-color': '#6a1b9a', 'line-width': 1.5, 'line-dasharray': [3, 2] } });
  }
  void m.getSource<GeoJSONSource>(PREVIEW)?.setData(fc ?? { type: 'FeatureCollection', features: [] });
  document.body.dataset.setupPreview = fc ? String(fc.features.length) : '';
}

export function initChecklist(view: MapView): void {
  let status: SetupStatus | null = null;
  let collapsed = false;
  let proposal: DistrictProposal | null = null;
  let busy = '';
  let note = '';
  let target = 10000;
  const card = el('aside', { id: 'setup-checklist', class: 'setup-checklist' });
  const reopen = el('button', { type: 'button', id: 'setup-checklist-open', class: 'setup-checklist-open' }, ss('show'));
  reopen.addEventListener('click', () => { collapsed = false; render(); });
  document.body.append(card, reopen);

  async function refresh(): Promise<void> {
    try {
      status = await setupApi.status();
    } catch {
      status = null;
    }
    render();
  }

  function stepActions(step: SetupStep): HTMLElement[] {
    const imp = (ds: Dataset) => {
      const b = el('button', { type: 'button', 'data-import': ds }, ss('import'));
      b.addEventListener('click', () => { void openTransfer('import', ds); });
      return b;
    };
    switch (step.key) {
      case 'streets': return [imp('streets'), drawButton('street')];
      case 'communities': return [imp('communities'), drawButton('community'), ...(problems(step) ? [showProblems()] : [])];
      case 'grids': return [gridsPart(), ...(problems(step) ? [showProblems()] : [])];
      case 'duty_grids': {
        const users = el('button', { type: 'button', id: 'setup-users' }, ss('openUsers'));
        users.addEventListener('click', () => {
          void currentSession().then((me) => { if (me) openUsers(me); else note = ss('signInFirst'); render(); });
        });
        return [imp('duty-grids'), users];
      }
      case 'departments': return [departmentForm()];
      case 'components': return [imp('components')];
      case 'calendar': {
        // The work calendar and time limits are edited in the register workspace (administrators).
        const b = el('button', { type: 'button', id: 'setup-open-clock' }, ss('openSettings'));
        b.addEventListener('click', () => {
          selectWorkspace('register');
          clickWhenThere('reg-clock');
        });
        return [b];
      }
      default: return [];
    }
  }

  // ---- drawing a street or community on the map -------------------------------------------

  let drawing: { kind: BoundaryKind; pts: [number, number][]; name: string; code: string; error: string } | null = null;
  const SKETCH = 'setup-sketch';

  function drawSketch(): void {
    const m = view.map;
    if (!m.getSource(SKETCH)) {
      m.addSource(SKETCH, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addLayer({ id: `${SKETCH}-line`, type: 'line', source: SKETCH, paint: { 'line-color': '#d81b60', 'line-width': 2 } });
      m.addLayer({ id: `${SKETCH}-point`, type: 'circle', source: SKETCH, filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-radius': 4, 'circle-color': '#d81b60' } });
    }
    const pts = drawing?.pts ?? [];
    const first = pts[0];
    const line = first && pts.length > 1 ? [{ type: 'Feature' as const, properties: {}, geometry: { type: 'LineString' as const, coordinates: pts.length > 2 ? [...pts, first] : pts } }] : [];
    const dots = pts.map((p) => ({ type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: p } }));
    void m.getSource<GeoJSONSource>(SKETCH)?.setData({ type: 'FeatureCollection', features: [...line, ...dots] });
    document.body.dataset.setupSketch = drawing ? String(pts.length) : '';
  }

  async function onDrawClick(e: MapMouseEvent): Promise<void> {
    const d = drawing;
    if (!d) return;
    const m = view.map;
    const metres = (40075016.686 * Math.cos((m.getCenter().lat * Math.PI) / 180)) / (512 * 2 ** m.getZoom());
    let p: [number, number] = [e.lngLat.lng, e.lngLat.lat];
    try {
      const hit = await planApi.snap(p[0], p[1], 10 * metres);
      if (hit) p = [hit.point[0], hit.point[1]];
    } catch {
      // Unsnapped: the point as clicked.
    }
    // Cancelled or finished while the snap was asked: the point is not wanted.
    if (drawing !== d) return;
    d.pts.push(p);
    drawSketch();
    render();
  }

  function startDrawing(kind: BoundaryKind): void {
    selectWorkspace('map');
    drawing = { kind, pts: [], name: '', code: '', error: '' };
    view.map.doubleClickZoom.disable();
    view.map.getCanvas().style.cursor = 'crosshair';
    drawSketch();
    render();
  }

  function stopDrawing(): void {
    drawing = null;
    view.map.doubleClickZoom.enable();
    view.map.getCanvas().style.cursor = '';
    drawSketch();
    render();
  }

  function drawButton(kind: BoundaryKind): HTMLElement {
    const b = el('button', { type: 'button', id: `setup-draw-${kind}` }, ss(kind === 'street' ? 'drawStreet' : 'drawCommunity'));
    b.disabled = drawing !== null;
    b.addEventListener('click', () => { startDrawing(kind); });
    return b;
  }

  function drawPanel(): HTMLElement {
    const d = drawing;
    if (!d) return el('div');
    const name = el('input', { id: 'setup-draw-name', value: d.name });
    name.addEventListener('input', () => { d.name = name.value; });
    const code = el('input', { id: 'setup-draw-code', value: d.code, placeholder: d.kind === 'street' ? '331004001' : '331004001001' });
    code.addEventListener('input', () => { d.code = code.value; });
    const finish = el('button', { type: 'button', id: 'setup-draw-finish' }, ss('drawFinish'));
    finish.disabled = d.pts.length < 3;
    finish.addEventListener('click', () => {
      setupApi.drawBoundary({ kind: d.kind, code: d.code.trim() === '' ? null : d.code.trim(), name: d.name, ring: d.pts })
        .then(() => { stopDrawing(); dataChanged(); }, (err: unknown) => {
          d.error = sayMessage(asErrorDto(err).detail);
          render();
        });
    });
    const undo = el('button', { type: 'button', id: 'setup-draw-undo' }, ss('drawUndo'));
    undo.addEventListener('click', () => { d.pts.pop(); drawSketch(); render(); });
    const cancel = el('button', { type: 'button', id: 'setup-draw-cancel' }, ss('drawCancel'));
    cancel.addEventListener('click', stopDrawing);
    return el('div', { id: 'setup-draw', class: 'setup-draw', 'data-kind': d.kind },
      el('b', {}, ss(d.kind === 'street' ? 'drawStreet' : 'drawCommunity')), el('p', { class: 'muted' }, ss('drawing')),
      el('p', { id: 'setup-draw-points' }, fill(ss('drawPoints'), { n: d.pts.length })),
      el('label', {}, ss('drawName'), ' ', name), el('label', {}, ss('drawCode'), ' ', code),
      d.error ? el('p', { class: 'error', id: 'setup-draw-error' }, d.error) : '',
      el('div', { class: 'buttons' }, finish, undo, cancel));
  }

  view.map.on('click', (e) => { void onDrawClick(e); });

  /** Whether a step has gaps, overlaps or topology errors to look at (not only missing data). */
  function problems(step: SetupStep): boolean {
    return step.figures.some((f) => f.problem && ['community_gap_m2', 'community_overlap_m2', 'topology_errors'].includes(f.key));
  }

  /** The planning workspace's district check: every gap and overlap drawn on the map. */
  function showProblems(): HTMLElement {
    const b = el('button', { type: 'button', class: 'setup-show-problems' }, ss('showProblems'));
    b.addEventListener('click', () => {
      selectWorkspace('planning');
      const d = document.getElementById('plan-check');
      if (d instanceof HTMLDetailsElement) d.open = true;
      clickWhenThere('plan-check-run');
    });
    return b;
  }

  function gridsPart(): HTMLElement {
    const box = el('div', { class: 'setup-grids' });
    const t = el('input', { id: 'setup-target', type: 'number', min: '500', max: '200000', step: '500', value: String(target) });
    t.addEventListener('change', () => { target = Math.max(500, Number(t.value) || 10000); });
    const go = el('button', { type: 'button', id: 'setup-propose' }, ss('proposeAll'));
    go.disabled = busy !== '';
    go.addEventListener('click', () => { void propose(); });
    box.append(el('label', {}, ss('targetArea'), ' ', t), go);
    if (proposal) {
      const p = proposal;
      box.append(el('p', { id: 'setup-proposal-summary' }, fill(ss('proposalOf'), { n: p.communities.length, g: p.grids, w: p.warnings })));
      const table = el('table', { id: 'setup-proposal', class: 'plan-table' },
        el('tr', {}, el('th', {}, ss('community')), el('th', {}, ss('gridsN')), el('th', {}, ss('meanArea')), el('th', {}, ss('areaCv'))));
      for (const c of p.communities) {
        table.append(el('tr', { 'data-community': c.code }, el('td', {}, `${c.name} ${c.code}`), el('td', {}, String(c.balance.grids)),
          el('td', {}, Math.round(c.balance.mean_area_m2).toLocaleString()), el('td', {}, c.balance.area_cv.toFixed(2))));
      }
      box.append(el('div', { class: 'setup-table' }, table));
      if (p.errors.length) {
        box.append(el('p', { class: 'error', id: 'setup-proposal-errors' }, `${ss('proposalErrors')}: ${p.errors.slice(0, 5).map((e) => sayMessage(e.detail)).join('；')}`));
      }
      const accept = el('button', { type: 'button', id: 'setup-accept' }, ss('accept'));
      accept.disabled = p.errors.length > 0 || busy !== '';
      accept.addEventListener('click', () => { void acceptIt(p.token); });
      const discard = el('button', { type: 'button', id: 'setup-discard' }, ss('discard'));
      discard.addEventListener('click', () => { proposal = null; drawPreview(view, null); void setupApi.discard(); render(); });
      box.append(el('div', { class: 'buttons' }, accept, discard));
    }
    return box;
  }

  async function propose(): Promise<void> {
    busy = 'propose';
    note = ss('proposing');
    render();
    try {
      proposal = await setupApi.propose({ target_area_m2: target });
      drawPreview(view, proposal.preview);
      note = '';
    } catch (e) {
      proposal = null;
      note = sayMessage(asErrorDto(e).detail);
    }
    busy = '';
    render();
  }

  async function acceptIt(token: number): Promise<void> {
    busy = 'accept';
    render();
    try {
      const a = await setupApi.accept(token);
      note = fill(ss('accepted'), { n: a.edit.effect.created.length });
      proposal = null;
      drawPreview(view, null);
      dataChanged();
    } catch (e) {
      note = sayMessage(asErrorDto(e).detail);
    }
    busy = '';
    render();
  }

  function departmentForm(): HTMLElement {
    const code = el('input', { id: 'setup-dept-code', size: '6' });
    const name = el('input', { id: 'setup-dept-name' });
    const classes = el('input', { id: 'setup-dept-classes', placeholder: '01, 0201' });
    const add = el('button', { type: 'submit', id: 'setup-dept-add' }, ss('add'));
    const said = el('span', { id: 'setup-dept-result', class: 'muted' });
    const form = el('form', { class: 'setup-dept', id: 'setup-dept' }, el('b', {}, ss('addDepartment')),
      el('label', {}, ss('deptCode'), ' ', code), el('label', {}, ss('deptName'), ' ', name), el('label', {}, ss('deptClasses'), ' ', classes), add, said);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const list = classes.value.split(/[,，;；\s]+/).filter((c) => c !== '');
      setupApi.addDepartment(code.value, name.value, list).then(() => {
        said.textContent = ss('added');
        said.dataset.state = 'added';
        dataChanged();
      }, (e: unknown) => {
        said.dataset.state = 'error';
        said.textContent = sayMessage(asErrorDto(e).detail);
      });
    });
    return form;
  }

  function render(): void {
    const s = status;
    const show = s !== null && !s.sample && !s.done;
    card.hidden = !show || collapsed;
    reopen.hidden = !show || !collapsed;
    document.body.dataset.setupDone = s?.done ? '1' : '';
    if (!s || !show) return;
    const hide = el('button', { type: 'button', id: 'setup-checklist-hide' }, ss('hide'));
    hide.addEventListener('click', () => { collapsed = true; render(); });
    const again = el('button', { type: 'button', id: 'setup-checklist-refresh' }, ss('refresh'));
    again.addEventListener('click', () => { void refresh(); });
    const ol = el('ol', { class: 'setup-steps' });
    for (const step of s.steps) {
      const figs = step.figures.filter((f) => f.problem || f.value !== 0 || f.key === step.figures[0]?.key);
      ol.append(el('li', { 'data-step': step.key, 'data-done': step.done ? '1' : '', class: step.done ? 'done' : 'todo' },
        el('span', { class: 'setup-mark' }, step.done ? '✓' : '○'), ' ', el('b', {}, stepName(step.key)),
        el('p', { class: 'setup-figures' }, ...figs.map((f) => el('span', { class: f.problem ? 'problem' : '', 'data-figure': f.key }, figureText(f)))),
        // The calendar is preloaded (done at once) and stays editable; more streets and
        // communities may be imported or drawn while the district is set up.
        ...(step.done && !['calendar', 'streets', 'communities'].includes(step.key) ? [] : stepActions(step))));
    }
    card.replaceChildren(el('header', {}, el('h3', {}, ss('checklist')), again, hide), drawing ? drawPanel() : '', ol,
      note ? el('p', { id: 'setup-note', class: 'muted' }, note) : '');
  }

  document.addEventListener('griddesk:data-changed', () => { void refresh(); });
  onLangChange(() => { render(); });
  void refresh();
}
