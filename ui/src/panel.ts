// The side panel for a clicked grid.
import type { ErrorDto, GridInfo } from './api';
import { byId, el } from './dom';
import { errorText, lang, sayMessage, t, type StringKey } from './i18n';

let shown: GridInfo | ErrorDto | null = null;

function formatArea(m2: number): string {
  const locale = lang() === 'zh' ? 'zh-CN' : 'en-US';
  return `${Math.round(m2).toLocaleString(locale)} m²`;
}

function row(key: StringKey, field: string, value: string): HTMLElement[] {
  return [el('dt', {}, t(key)), el('dd', { 'data-field': field }, value)];
}

function render(): void {
  const body = byId('grid-panel-body');
  const panel = byId('grid-panel');
  if (shown === null) {
    panel.hidden = true;
    body.replaceChildren();
    return;
  }
  panel.hidden = false;
  if ('message' in shown) {
    body.replaceChildren(el('p', { class: 'error', 'data-error-code': shown.code }, errorText(shown.code), el('br'), sayMessage(shown.detail)));
    return;
  }
  const g = shown;
  const none = t('none');
  const duty = g.duty_grid;
  body.replaceChildren(
    el(
      'dl',
      {},
      ...row('code', 'code', g.code),
      ...row('name', 'name', g.name || none),
      ...row('community', 'community', `${g.community_name ?? none} (${g.community_code})`),
      ...row('street', 'street', `${g.street_name ?? none} (${g.street_code})`),
      ...row('area', 'area', formatArea(g.area_m2)),
      ...row('landUse', 'land-use', g.land_use ?? none),
      ...row('level', 'level', g.level ?? none),
      ...row('dutyGrid', 'duty-grid', duty ? `${duty.name} (${duty.code})` : none),
      ...row('inspector', 'inspector', duty?.inspector ?? none),
      ...row('components', 'components', String(g.components)),
      ...row('cases', 'cases', String(g.cases)),
      ...row('openCases', 'open-cases', String(g.open_cases)),
    ),
    ...(g.sample ? [el('p', { class: 'muted' }, t('sampleNote'))] : []),
  );
  panel.dataset.code = g.code;
}

export function showGrid(info: GridInfo | ErrorDto | null): void {
  shown = info;
  if (info === null) delete byId('grid-panel').dataset.code;
  render();
}

export function rerenderPanel(): void {
  render();
}
