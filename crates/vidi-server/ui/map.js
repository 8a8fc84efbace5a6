// Offline world map: country shapes shipped with the app (GeoJSON), GPS points and the
// countries of location hypotheses, drawn in SVG (equirectangular), no tile server.
import { get, qs, enc } from './api.js';
import { h, s, mount, errorBox } from './dom.js';

let shapes = null;

async function loadShapes() {
  if (shapes) return shapes;
  try {
    shapes = await get('/geo/countries');
  } catch (e) {
    const r = await fetch('/ui/countries.geojson', { credentials: 'same-origin' });
    if (!r.ok) throw e;
    shapes = await r.json();
  }
  return shapes;
}

/** SVG path data of a GeoJSON Polygon/MultiPolygon in the 360 x 180 equirectangular plane. */
export function pathOf(geom) {
  if (!geom) return '';
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : [];
  let d = '';
  for (const poly of polys) {
    for (const ring of poly) {
      // rings that cross the antimeridian are unwrapped (kept continuous, clipped by the view box)
      let prev = null;
      let shift = 0;
      ring.forEach(([lon, lat], i) => {
        if (prev !== null && Math.abs(lon + shift - prev) > 180) shift += lon + shift > prev ? -360 : 360;
        const x = lon + shift;
        prev = x;
        d += `${i ? 'L' : 'M'}${(x + 180).toFixed(2)} ${(90 - lat).toFixed(2)}`;
      });
      d += 'Z';
    }
  }
  return d;
}

function isoOf(f) {
  const p = f.properties || {};
  return String(f.id || p.iso_a2 || p.ISO_A2 || p.country || '').toUpperCase();
}

export async function mapView(params) {
  const caseNo = params.get('case') || '';
  mount(h('h1', 'Map'), h('p.muted', 'Loading…'));
  let data;
  let geo;
  let cases = [];
  try {
    [data, geo, cases] = await Promise.all([
      get(`/map${qs({ case: caseNo })}`),
      loadShapes(),
      get('/cases?limit=1000').then((r) => r.items || [], () => []),
    ]);
  } catch (e) {
    mount(h('h1', 'Map'), errorBox(e));
    return;
  }
  const counts = new Map((data.countries || []).map((c) => [String(c.country).toUpperCase(), Number(c.media) || 0]));
  const max = Math.max(1, ...counts.values());
  const svg = s('svg', { class: 'map', id: 'map', viewBox: '0 0 360 180', role: 'img', 'aria-label': 'World map of GPS points and location hypotheses' });
  svg.append(s('rect', { x: 0, y: 0, width: 360, height: 180, fill: '#dbe7f2' }));
  const names = new Map();
  for (const f of geo.features || []) {
    const iso = isoOf(f);
    names.set(iso, (f.properties && f.properties.name) || iso);
    const n = counts.get(iso) || 0;
    const cls = n ? `country hyp ${n / max > 0.66 ? 'h3' : n / max > 0.33 ? 'h2' : ''}` : 'country';
    const p = s('path', { d: pathOf(f.geometry), class: cls.trim(), 'data-iso': iso });
    p.append(s('title', {}, `${names.get(iso)}${n ? `: ${n} media (hypothesis)` : ''}`));
    svg.append(p);
  }
  const points = data.points || [];
  for (const pt of points) {
    const lat = Number(pt.lat);
    const lon = Number(pt.lon);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    const c = s('circle', {
      cx: (lon + 180).toFixed(3), cy: (90 - lat).toFixed(3), r: 1.4, class: 'point', tabindex: '0', 'data-sha': pt.sha256,
      role: 'link', 'aria-label': `media ${String(pt.sha256).slice(0, 10)} at ${lat.toFixed(3)}, ${lon.toFixed(3)}`,
    });
    c.append(s('title', {}, `${String(pt.sha256).slice(0, 10)} (${lat.toFixed(4)}, ${lon.toFixed(4)})`));
    const go = () => {
      location.hash = `#/media/${enc(pt.sha256)}${caseNo ? `?case=${enc(caseNo)}` : ''}`;
    };
    c.addEventListener('click', go);
    c.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') go();
    });
    svg.append(c);
  }
  const sel = h('select#map-case', { 'aria-label': 'Case' },
    h('option', { value: '' }, 'all visible cases'),
    cases.map((c) => h('option', { value: c.number, selected: c.number === caseNo }, c.number)));
  sel.addEventListener('change', () => {
    location.hash = `#/map${qs({ case: sel.value })}`;
  });
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([iso, n]) =>
    h('tr', h('td', `${names.get(iso) || iso} (${iso})`), h('td', String(n))));
  mount(
    h('div.row', h('h1', 'Map'), sel, h('span.muted#map-summary', `${points.length} GPS points · ${counts.size} countries in hypotheses`)),
    svg,
    h('p.muted', 'Country shapes: Natural Earth (public domain), 1:110m, simplified; shipped with vidi.'),
    rows.length ? h('table#map-countries', h('thead', h('tr', h('th', 'Country (hypotheses)'), h('th', 'Media'))), h('tbody', rows)) : null,
  );
}
