// A stand-in for `vidi serve` that follows the API contract (notes: api.md) with synthetic data,
// used to develop and test the UI while the real server routes are not there yet.
// Usage: node mock-server.mjs PORT   (serves ../../crates/vidi-server/ui)
// Data: case BE-2026-001 (100,000 generated media), BE-2026-002 (a few with clues, a video, GPS),
// NL-2026-001 (agency NL, not granted to BE). Users (password "vidi-test-pw" or $MOCK_PASSWORD): be-analyst,
// be-reviewer, be-admin, nl-analyst, nl-admin.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const UI = path.resolve(here, '../../crates/vidi-server/ui');
const PORT = Number(process.argv[2] || 8099);
const PW = process.env.MOCK_PASSWORD || 'vidi-test-pw';
const BIG = Number(process.env.MOCK_BIG || 100000);

const agencies = {
  'BE-FCCU': { code: 'BE-FCCU', name: 'Belgian Federal Computer Crime Unit', country: 'BE' },
  'NL-NP': { code: 'NL-NP', name: 'Netherlands National Police', country: 'NL' },
  'FR-OFMIN': { code: 'FR-OFMIN', name: 'French OFMIN', country: 'FR' },
};
const users = [
  { id: 1, username: 'be-analyst', agency: agencies['BE-FCCU'], role: 'analyst' },
  { id: 2, username: 'be-reviewer', agency: agencies['BE-FCCU'], role: 'reviewer' },
  { id: 3, username: 'be-admin', agency: agencies['BE-FCCU'], role: 'admin' },
  { id: 4, username: 'nl-analyst', agency: agencies['NL-NP'], role: 'analyst' },
  { id: 5, username: 'nl-admin', agency: agencies['NL-NP'], role: 'admin' },
];
const grants = [];
const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
const cases = [
  { number: 'BE-2026-001', agency: 'BE-FCCU', media: [] },
  { number: 'BE-2026-002', agency: 'BE-FCCU', media: [] },
  { number: 'NL-2026-001', agency: 'NL-NP', media: [] },
];
const media = new Map();
function addMedia(c, i, extra) {
  const id = sha(`${c.number}:${i}`);
  const m = {
    sha256: id, kind: 'image', width: 320, height: 240, duration_s: null, status: i % 7 === 0 ? 'known' : 'new',
    categories: i % 7 === 0 ? [{ scheme: 'vics', code: '0', label: 'non-pertinent', source: 'hashset' }] : [],
    has_gps: i % 5 === 0, has_speech: false, series: [], cluster: i % 11 === 0 ? `c${i % 3}` : null, country: i % 3 === 0 ? 'BE' : null,
    case: c.number, ...extra,
  };
  media.set(id, m);
  c.media.push(id);
  return m;
}
for (let i = 0; i < BIG; i++) addMedia(cases[0], i);
const v = addMedia(cases[1], 0, { kind: 'video', duration_s: 40, has_speech: true, width: 320, height: 240 });
const p = addMedia(cases[1], 1, { has_gps: true, country: 'FR' });
for (let i = 2; i < 6; i++) addMedia(cases[1], i);
const nl = addMedia(cases[2], 0, { country: 'NL' });
for (let i = 1; i < 5; i++) addMedia(cases[2], i);
const details = {
  [p.sha256]: {
    clues: [
      { id: 11, kind: 'ocr_text', value: 'BOULANGERIE', confidence: 0.91, extractor: 'ocr', version: '1', region: { x: 40, y: 30, w: 120, h: 40 } },
      { id: 12, kind: 'gps_place', value: 'FR', confidence: 1, extractor: 'gps', version: 1, region: null, time_range: null },
    ],
    hypotheses: [{ country: 'FR', country_name: 'France', region: null, score: 0.82, evidence: [{ clue: 11, kind: 'ocr_language' }, { clue: 12, kind: 'gps' }] }],
    links: [{ kind: 'near_duplicate', restricted: true, other_agency: { code: 'NL-NP', country: 'NL' } }, { kind: 'near_duplicate', restricted: false, other: { sha256: v.sha256, media_kind: 'video', cases: ['BE-2026-002'] }, distance: 12, score: null }],
    metadata: { camera_make: 'Synthetic', gps: { lat: 48.85, lon: 2.35 } },
  },
  [v.sha256]: {
    clues: [{ id: 21, kind: 'speech_language', value: 'fr', confidence: 0.7, extractor: 'speech', version: 1, region: null, time_range: [5, 15] }],
    hypotheses: [{ country: 'FR', country_name: 'France', score: 0.6, evidence: [{ clue: 21 }] }],
  },
};

// ---- synthetic images: PNG gradients coloured from the hash
const crcTable = new Int32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c; });
const crc = (b) => { let c = -1; for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8); return (c ^ -1) >>> 0; };
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
}
function png(id, w, hgt) {
  const [r0, g0, b0] = [parseInt(id.slice(0, 2), 16), parseInt(id.slice(2, 4), 16), parseInt(id.slice(4, 6), 16)];
  const raw = Buffer.alloc((w * 3 + 1) * hgt);
  for (let y = 0; y < hgt; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (r0 + x) & 255; raw[o + 1] = (g0 + y) & 255; raw[o + 2] = (b0 + ((x ^ y) & 32 ? 120 : 0)) & 255;
    }
  }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(hgt, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// ---- sessions, settings, leads, packages
const sessions = new Map();
const listCache = new Map(); // filtered media lists (the data never change, except categories: cleared on change)
const settings = new Map();
const leads = [];
const packages = [];
const visible = (u, caseNo) => { const c = cases.find((x) => x.number === caseNo); return c && (c.agency === u.agency.code || grants.some((g) => g.case === caseNo && g.agency === u.agency.code)); };
const now = () => new Date().toISOString();

function send(res, status, body, headers = {}) {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length, 'Cache-Control': 'no-store', ...headers });
  res.end(data);
}
const fail = (res, status, code, message) => send(res, status, { error: { code, message } });

function page(list, q) {
  const limit = Math.min(1000, Math.max(1, Number(q.get('limit')) || 100));
  const start = Number(q.get('cursor')) || 0;
  const items = list.slice(start, start + limit);
  return { items, next_cursor: start + limit < list.length ? String(start + limit) : null, total: list.length };
}

function leadOut(l) { return { ...l, author: { id: l.author.id, username: l.author.username }, reviewer: l.reviewer ? { username: l.reviewer.username } : null }; }

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const t = Buffer.concat(chunks).toString();
  return t ? JSON.parse(t) : {};
}

const CSP = "default-src 'self'; img-src 'self'; media-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.geojson': 'application/geo+json', '.json': 'application/json' };

function staticFile(res, rel) {
  const file = path.join(UI, rel);
  if (!file.startsWith(UI) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return fail(res, 404, 'not_found', 'Not found.');
  const data = fs.readFileSync(file);
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' });
  res.end(data);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const q = url.searchParams;
  const p = url.pathname;
  if (p === '/' || p === '/index.html') return staticFile(res, 'index.html');
  if (p.startsWith('/ui/')) return staticFile(res, p.slice(4));
  if (!p.startsWith('/api/v1/')) return fail(res, 404, 'not_found', 'Not found.');
  const r = p.slice(7);
  const sid = /(?:^|;\s*)vidi_session=([^;]+)/.exec(req.headers.cookie || '');
  const sess = sid ? sessions.get(sid[1]) : null;
  if (r === '/auth/login' && req.method === 'POST') {
    const b = await body(req);
    const u = users.find((x) => x.username === b.username);
    if (!u || b.password !== PW) return fail(res, 401, 'bad_credentials', 'Wrong user name or password.');
    const id = crypto.randomBytes(16).toString('hex');
    const s = { user: u, csrf: crypto.randomBytes(16).toString('hex') };
    sessions.set(id, s);
    return send(res, 200, { user: u, csrf_token: s.csrf }, { 'Set-Cookie': `vidi_session=${id}; HttpOnly; SameSite=Strict; Path=/` });
  }
  if (!sess) return fail(res, 401, 'unauthenticated', 'Sign in first.');
  if (req.method !== 'GET' && req.headers['x-csrf-token'] !== sess.csrf) return fail(res, 403, 'csrf', 'Missing or wrong CSRF token.');
  const u = sess.user;
  let m;
  if (r === '/auth/me') return send(res, 200, { user: u, csrf_token: sess.csrf });
  if (r === '/auth/logout') { sessions.delete(sid[1]); return send(res, 200, {}); }
  if (r === '/me/settings') {
    if (req.method === 'PUT') settings.set(u.id, { ...(settings.get(u.id) || {}), ...(await body(req)) });
    return send(res, 200, { blur: true, greyscale: true, thumb_size: 'small', muted: true, ...(settings.get(u.id) || {}) });
  }
  if (r === '/cases') return send(res, 200, page(cases.filter((c) => visible(u, c.number)).map((c) => ({ number: c.number, agency: agencies[c.agency], access: c.agency === u.agency.code ? 'owner' : 'granted', media_count: c.media.length })), q));
  if (r === '/agencies') return u.role === 'admin' ? send(res, 200, page(Object.values(agencies), q)) : fail(res, 403, 'forbidden', 'Admins only.');
  if ((m = /^\/cases\/([^/]+)\/grants$/.exec(r)) && req.method === 'POST') {
    const no = decodeURIComponent(m[1]);
    const c = cases.find((x) => x.number === no);
    if (!c || !visible(u, no)) return fail(res, 404, 'not_found', 'No such case.');
    if (u.role !== 'admin' || c.agency !== u.agency.code) return fail(res, 403, 'forbidden', 'Only an admin of the owning agency grants access.');
    const b = await body(req);
    if (!agencies[b.agency]) return fail(res, 400, 'bad_request', 'Unknown agency.');
    grants.push({ case: no, agency: b.agency });
    return send(res, 201, { case: no, agency: agencies[b.agency] });
  }
  const sendPage = (list) => {
    const pg = page(list, q);
    pg.items = pg.items.map(({ case: _c, ...rest }) => rest);
    return send(res, 200, pg);
  };
  if ((m = /^\/cases\/([^/]+)\/media$/.exec(r))) {
    const no = decodeURIComponent(m[1]);
    if (!visible(u, no)) return fail(res, 404, 'not_found', 'No such case.');
    const key = `${no}?${[...q].filter(([k]) => k !== 'limit' && k !== 'cursor').sort().join('&')}`;
    let list = listCache.get(key);
    if (list) return sendPage(list);
    list = cases.find((c) => c.number === no).media.map((id) => media.get(id));
    const f = (k, fn) => { if (q.get(k)) list = list.filter(fn); };
    f('status', (x) => x.status === q.get('status'));
    f('kind', (x) => x.kind === q.get('kind'));
    f('has_gps', (x) => x.has_gps);
    f('has_speech', (x) => x.has_speech);
    f('cluster', (x) => x.cluster === q.get('cluster'));
    f('country', (x) => x.country === q.get('country'));
    f('category', (x) => x.categories.some((c) => c.code === q.get('category')));
    f('series', (x) => x.series.includes(q.get('series')));
    listCache.set(key, list);
    return sendPage(list);
  }
  if ((m = /^\/media\/([0-9a-f]{64})(\/[a-z]+)?$/.exec(r))) {
    const x = media.get(m[1]);
    if (!x || !visible(u, x.case)) return fail(res, 404, 'not_found', 'No such media.');
    const d = details[x.sha256] || {};
    const sub = m[2] || '';
    if (sub === '/thumbnail') return send(res, 200, png(x.sha256, 64, 48), { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' });
    if (sub === '/file') return x.kind === 'image' ? send(res, 200, png(x.sha256, 320, 240), { 'Content-Type': 'image/png' }) : fail(res, 404, 'not_found', 'No file.');
    if (sub === '/similar') return send(res, 200, { items: cases.find((c) => c.number === x.case).media.slice(0, 6).filter((s) => s !== x.sha256).map((s, i) => ({ sha256: s, score: 0.9 - i * 0.05, region: null })) });
    if (req.method === 'POST') {
      const b = await body(req);
      d.tags = d.tags || []; d.notes = d.notes || []; d.clues = d.clues || [];
      const note = (text) => ({ id: d.tags.length + d.notes.length + 1, text, user: u.username, agency: u.agency.code, created_at: now() });
      if (sub === '/tags') d.tags.push(note(b.tag));
      else if (sub === '/notes') d.notes.push(note(b.text));
      else if (sub === '/categories') listCache.clear(), x.categories.push({ scheme: b.scheme, code: b.code, label: '', source: 'manual' });
      else if (sub === '/clues') d.clues.push({ id: 1000 + d.clues.length, ...b, extractor: 'manual', version: '1' });
      details[x.sha256] = d;
      return send(res, 201, {});
    }
    return send(res, 200, {
      ...x, case: undefined, md5: sha(`md5${x.sha256}`).slice(0, 32), sha1: sha(`sha1${x.sha256}`).slice(0, 40), pdq: sha(`pdq${x.sha256}`),
      mime: x.kind === 'video' ? 'video/mp4' : 'image/png', size: 12345, metadata: d.metadata || {}, evidence: [{ case: x.case, path: `/evidence/${x.sha256.slice(0, 8)}.png` }],
      hits: x.status === 'known' ? [{ set: 'demo-set', category: '0' }] : [], clues: d.clues || [], links: d.links || [], hypotheses: d.hypotheses || [], tags: d.tags || [], notes: d.notes || [],
    });
  }
  if (r === '/map') {
    const vis = [...media.values()].filter((x) => visible(u, x.case) && (!q.get('case') || x.case === q.get('case')));
    const pts = vis.filter((x) => x.has_gps).slice(0, 2000).map((x, i) => ({ sha256: x.sha256, lat: 50.85 + (i % 40) * 0.05, lon: 4.35 + (i % 23) * 0.07 }));
    const cc = new Map();
    for (const x of vis) if (x.country) cc.set(x.country, (cc.get(x.country) || 0) + 1);
    return send(res, 200, { points: pts, countries: [...cc].map(([country, n]) => ({ country, media: n })) });
  }
  if (r === '/geo/countries') return staticFile(res, 'countries.geojson');
  if (r === '/leads' && req.method === 'GET') return send(res, 200, page(leads.filter((l) => l.agency === u.agency.code && (!q.get('state') || l.state === q.get('state'))).map(leadOut), q));
  if (r === '/leads' && req.method === 'POST') {
    const b = await body(req);
    if (!b.title || !/^[A-Z]{2}$/.test(b.target_country || '')) return fail(res, 400, 'bad_request', 'Title and a two-letter target country are needed.');
    const l = { id: String(leads.length + 1), state: 'draft', ...b, author: u, agency: u.agency.code, reviewer: null, comments: [], history: [{ at: now(), user: u.username, action: 'create', from: null, to: 'draft', note: null }] };
    leads.push(l);
    return send(res, 201, leadOut(l));
  }
  if ((m = /^\/leads\/(\d+)(?:\/([a-z]+))?$/.exec(r))) {
    const l = leads.find((x) => x.id === m[1] && x.agency === u.agency.code);
    if (!l) return fail(res, 404, 'not_found', 'No such lead.');
    const act = m[2];
    if (!act && req.method === 'GET') return send(res, 200, leadOut(l));
    const b = await body(req);
    const move = (from, to, who, note) => {
      if (!from.includes(l.state)) return fail(res, 409, 'invalid_state', `Not possible from ${l.state}.`);
      if (!who) return fail(res, 403, 'forbidden', 'Not allowed for your role.');
      l.history.push({ at: now(), user: u.username, action: act || 'edit', from: l.state, to, note: note || null });
      l.state = to;
      return send(res, 200, leadOut(l));
    };
    const isAuthor = l.author.id === u.id;
    const rev = u.role === 'reviewer' || u.role === 'admin';
    if (!act && req.method === 'PATCH') { Object.assign(l, { title: b.title ?? l.title, summary: b.summary ?? l.summary }); return move(['draft', 'rejected'], 'draft', isAuthor); }
    if (act === 'submit') return move(['draft'], 'submitted', isAuthor);
    if (act === 'approve') { l.reviewer = u; return move(['submitted'], 'approved', rev && !isAuthor); }
    if (act === 'reject') return move(['submitted'], 'rejected', rev && !isAuthor, b.reason);
    if (act === 'disseminate') return move(['approved'], 'disseminated', rev);
    if (act === 'comments') { l.comments.push({ at: now(), user: u.username, text: b.text }); return send(res, 201, leadOut(l)); }
  }
  if (r === '/packages' && req.method === 'GET') return send(res, 200, page(packages.filter((x) => x.agency === u.agency.code).map(({ bytes: _b, ...x }) => x), q));
  if (r === '/packages' && req.method === 'POST') {
    const b = await body(req);
    const ls = leads.filter((l) => l.target_country === b.country && ['approved', 'disseminated'].includes(l.state));
    const bytes = Buffer.from(JSON.stringify({ format: 'vidi-package-mock', country: b.country, leads: ls.map(leadOut) }));
    const pk = { id: String(packages.length + 1), agency: u.agency.code, country: b.country, version: 1, leads: ls.length, sha256: sha(bytes), file_name: `vidi-package-${b.country}-1.json`, bytes };
    packages.push(pk);
    const { bytes: _b, agency: _a, ...out } = pk;
    return send(res, 201, out);
  }
  if ((m = /^\/packages\/(\d+)\/file$/.exec(r))) {
    const pk = packages.find((x) => x.id === m[1] && x.agency === u.agency.code);
    if (!pk) return fail(res, 404, 'not_found', 'No such package.');
    return send(res, 200, pk.bytes, { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${pk.file_name}"` });
  }
  return fail(res, 404, 'not_found', 'Not found.');
}

http.createServer((req, res) => handle(req, res).catch((e) => fail(res, 400, 'bad_request', String(e.message)))).listen(PORT, '127.0.0.1', () => {
  process.stdout.write(`mock vidi on http://127.0.0.1:${PORT}\n`);
});
