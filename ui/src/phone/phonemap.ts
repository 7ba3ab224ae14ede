// The inspector app's map (docs/station.md, "Phones"): the engine's vector tiles served by the
// station (district, communities, unit grids, the inspector's own duty grids drawn stronger,
// open cases), the report's position, and a tap that sets the report's position. No glyphs and
// no basemap from the internet: only what the station has. Loaded on demand, so the report form
// works on a phone without WebGL.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';

maplibregl.setWorkerUrl(workerUrl);

export interface PhoneMap {
  /** Moves the report's mark (and the view, when `fly`). */
  mark(lon: number, lat: number, fly: boolean): void;
}

/**
 * A map in `el` over the station's tiles (asked with the session's token), framed on `bbox`
 * (the inspector's duty grids) or the district; `onTap` gets the point a finger tapped.
 */
export function phoneMap(
  el: HTMLElement,
  token: () => string | null,
  mine: string[],
  bbox: [number, number, number, number] | null,
  onTap: (lon: number, lat: number) => void,
): PhoneMap {
  const origin = location.origin;
  const map = new maplibregl.Map({
    container: el,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    maxZoom: 19,
    style: {
      version: 8,
      sources: {
        gd: {
          type: 'vector',
          tiles: [`${origin}/m/api/tiles/{z}/{x}/{y}.pbf`],
          minzoom: 0,
          maxzoom: 17,
        },
        mark: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      },
      layers: [
        { id: 'bg', type: 'background', paint: { 'background-color': '#eef1f4' } },
        { id: 'district', type: 'fill', source: 'gd', 'source-layer': 'district', paint: { 'fill-color': '#ffffff' } },
        {
          id: 'mine',
          type: 'fill',
          source: 'gd',
          'source-layer': 'grids',
          filter: ['in', ['get', 'code'], ['literal', mine]],
          paint: { 'fill-color': '#1d5fa8', 'fill-opacity': 0.14 },
        },
        {
          id: 'grids',
          type: 'line',
          source: 'gd',
          'source-layer': 'grids',
          paint: { 'line-color': '#8a97a8', 'line-width': 0.8 },
        },
        {
          id: 'mine-line',
          type: 'line',
          source: 'gd',
          'source-layer': 'grids',
          filter: ['in', ['get', 'code'], ['literal', mine]],
          paint: { 'line-color': '#1d5fa8', 'line-width': 2 },
        },
        {
          id: 'communities',
          type: 'line',
          source: 'gd',
          'source-layer': 'communities',
          paint: { 'line-color': '#55606e', 'line-width': 1.6, 'line-dasharray': [3, 2] },
        },
        {
          id: 'cases',
          type: 'circle',
          source: 'gd',
          'source-layer': 'cases',
          // Open cases only: not closed, cancelled or refused (CaseStatus::is_open; the desk's
          // map leaves out the same three, FINISHED in layers.ts).
          filter: ['!', ['in', ['get', 'status'], ['literal', ['closed', 'cancelled', 'not_accepted']]]],
          paint: { 'circle-radius': 3.5, 'circle-color': '#d9822b', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
        },
        {
          id: 'mark',
          type: 'circle',
          source: 'mark',
          paint: { 'circle-radius': 9, 'circle-color': '#c0392b', 'circle-stroke-color': '#fff', 'circle-stroke-width': 3 },
        },
      ],
    },
    transformRequest: (url) => {
      const t = token();
      return url.startsWith(`${origin}/m/api/`) && t !== null ? { url, headers: { authorization: `Bearer ${t}` } } : { url };
    },
  });
  if (bbox !== null) {
    map.fitBounds(
      [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[3]],
      ],
      { padding: 16, duration: 0, maxZoom: 17 },
    );
  }
  map.on('idle', () => {
    el.dataset.idle = String(Date.now());
  });
  map.on('click', (e) => {
    onTap(e.lngLat.lng, e.lngLat.lat);
  });
  // A mark set before the style loaded is drawn once it has.
  let pending: GeoJSON.FeatureCollection | null = null;
  const draw = (): void => {
    const src = map.getSource('mark');
    if (pending !== null && src instanceof maplibregl.GeoJSONSource) {
      void src.setData(pending);
      pending = null;
    }
  };
  map.on('load', draw);
  return {
    mark(lon, lat, fly) {
      pending = {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lon, lat] } }],
      };
      draw();
      if (fly) map.jumpTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 16) });
    },
  };
}
