// The search box: grid code (full or partial), component code, community or street name.
import { api, type SearchHit } from './api';
import { byId, el } from './dom';
import { t, type StringKey } from './i18n';
import type { MapView } from './map';

const LIMIT = 12;

function maxZoomFor(hit: SearchHit): number {
  switch (hit.kind) {
    case 'component':
      return 18;
    case 'grid':
      return 17;
    default:
      return 16;
  }
}

export function initSearch(view: MapView): void {
  const input = byId('search-input', HTMLInputElement);
  const list = byId('search-results');
  let hits: SearchHit[] = [];
  let seq = 0;
  let timer: number | undefined;

  const go = (hit: SearchHit) => {
    list.hidden = true;
    input.value = hit.code;
    view.fitBbox(hit.bbox, maxZoomFor(hit));
    document.body.dataset.lastSearch = hit.code;
    if (hit.kind === 'grid') void view.selectGrid(hit.code);
  };

  const render = () => {
    if (input.value.trim() === '') {
      list.hidden = true;
      return;
    }
    list.hidden = false;
    if (hits.length === 0) {
      list.replaceChildren(el('li', { class: 'none' }, t('searchNone')));
      return;
    }
    list.replaceChildren(
      ...hits.map((h, i) => {
        const li = el(
          'li',
          { role: 'option', 'data-code': h.code, 'data-kind': h.kind, 'data-index': String(i) },
          el('span', { class: `kind kind-${h.kind}` }, t(`kind_${h.kind}` as StringKey)),
          ' ',
          el('span', { class: 'label' }, h.label),
          ' ',
          el('code', {}, h.code),
        );
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
          go(h);
        });
        return li;
      }),
    );
  };

  const run = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q === '') {
      hits = [];
      render();
      return;
    }
    try {
      const found = await api.search(q, LIMIT);
      if (mine !== seq) return;
      hits = found;
    } catch (e) {
      console.warn('search failed', e);
      hits = [];
    }
    render();
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { void run(); }, 150);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      window.clearTimeout(timer);
      void run().then(() => {
        const first = hits[0];
        if (first) go(first);
      });
    } else if (e.key === 'Escape') {
      list.hidden = true;
    }
  });
  input.addEventListener('blur', () => { list.hidden = true; });
  input.addEventListener('focus', () => { if (hits.length > 0) render(); });
}
