// The search box: grid code (full or partial), component code, community or street name; and,
// in a group of their own (地名), the place names of the installed GridDesk-built basemaps.
import { api, type SearchHit } from './api';
import { byId, el } from './dom';
import { t, type StringKey } from './i18n';
import type { MapView } from './map';
import { placeKind, searchPlaces, showPlace, type BasemapPlace } from './basemap/places';
import { bs } from './basemap/strings';

const LIMIT = 12;
const PLACE_LIMIT = 8;

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
  let places: BasemapPlace[] = [];
  let seq = 0;
  let timer: number | undefined;

  const go = (hit: SearchHit) => {
    list.hidden = true;
    input.value = hit.code;
    view.fitBbox(hit.bbox, maxZoomFor(hit));
    document.body.dataset.lastSearch = hit.code;
    if (hit.kind === 'grid') void view.selectGrid(hit.code);
  };

  const goPlace = (p: BasemapPlace) => {
    list.hidden = true;
    input.value = p.name;
    showPlace(view, p);
  };

  const render = () => {
    if (input.value.trim() === '') {
      list.hidden = true;
      return;
    }
    list.hidden = false;
    if (hits.length === 0 && places.length === 0) {
      list.replaceChildren(el('li', { class: 'none' }, t('searchNone')));
      return;
    }
    const placeItems = places.map((p, i) => {
      const li = el(
        'li',
        { role: 'option', class: 'place', 'data-place-index': String(i), 'data-layer': p.layer, 'data-class': p.class, 'data-name': p.name },
        el('span', { class: 'kind kind-place' }, placeKind(p)),
        ' ',
        el('span', { class: 'label' }, p.name),
      );
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        goPlace(p);
      });
      return li;
    });
    if (placeItems.length > 0) {
      placeItems.unshift(el('li', { class: 'group', role: 'presentation', id: 'search-places' }, bs('places')));
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
      ...placeItems,
    );
  };

  const run = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q === '') {
      hits = [];
      places = [];
      render();
      return;
    }
    const [found, named] = await Promise.all([
      api.search(q, LIMIT).catch((e: unknown) => {
        console.warn('search failed', e);
        return [];
      }),
      searchPlaces(q, PLACE_LIMIT).catch((e: unknown) => {
        console.warn('place search failed', e);
        return [];
      }),
    ]);
    if (mine !== seq) return;
    hits = found;
    places = named;
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
        const place = places[0];
        if (first) go(first);
        else if (place) goPlace(place);
      });
    } else if (e.key === 'Escape') {
      list.hidden = true;
    }
  });
  input.addEventListener('blur', () => { list.hidden = true; });
  input.addEventListener('focus', () => { if (hits.length > 0 || places.length > 0) render(); });
}
