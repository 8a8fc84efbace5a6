// Rebuilds crates/vidi-server/ui/countries.geojson (Natural Earth 1:110m via world-atlas, ISO alpha-2 ids).
// Run it from a scratch folder where `npm install world-atlas@2.0.2 topojson-client@3 i18n-iso-countries@7` was done:
//   cp make-countries.mjs /tmp/geo && cd /tmp/geo && node make-countries.mjs OUT.geojson
import fs from 'node:fs';
import { feature } from 'topojson-client';
import countries from 'i18n-iso-countries';
const topo = JSON.parse(fs.readFileSync('node_modules/world-atlas/countries-110m.json', 'utf8'));
const fc = feature(topo, topo.objects.countries);
const r = (x) => Math.round(x * 10) / 10;
const ring = (rg) => { const out = []; for (const [x, y] of rg) { const p = [r(x), r(y)]; const l = out[out.length - 1]; if (!l || l[0] !== p[0] || l[1] !== p[1]) out.push(p); } return out; };
const feats = [];
for (const f of fc.features) {
  const a2 = f.properties.name === 'Kosovo' ? 'XK' : f.id ? countries.numericToAlpha2(f.id) : undefined;
  const g = f.geometry; if (!g) continue;
  let coords = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  coords = coords.map((poly) => poly.map(ring).filter((rg) => rg.length >= 4)).filter((p) => p.length);
  feats.push({ type: 'Feature', id: a2 || null, properties: { iso_a2: a2 || null, name: f.properties.name }, geometry: { type: 'MultiPolygon', coordinates: coords } });
}
fs.writeFileSync(process.argv[2] || 'countries.geojson', JSON.stringify({ type: 'FeatureCollection', features: feats }));
console.log(feats.length, feats.filter((f) => !f.id).map((f) => f.properties.name));
