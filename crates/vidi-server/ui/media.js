// Media view: the item (blurred until revealed, video muted), metadata, hashes, hash-set hits,
// clues drawn over the image or on the video timeline, links, cluster, series, location
// hypotheses, find-similar, and the analyst's tags, notes, categories and manual clues.
import { get, post, thumbUrl, fileUrl, enc } from './api.js';
import { h, s, mount, errorBox, dl, fmtBytes, fmtDuration, label, fmtTime } from './dom.js';
import * as wellness from './wellness.js';

/** Short readable text for an object of unknown shape. */
export function describe(v) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return v.map(describe).join(', ');
  return Object.entries(v)
    .filter(([, x]) => x !== null && x !== undefined && x !== '')
    .map(([k, x]) => `${k}: ${typeof x === 'object' ? describe(x) : x}`)
    .join(' · ');
}

/** A region as {x, y, w, h}, in pixels of a width x height image, or null. */
export function normRegion(r, width, height) {
  if (!r) return null;
  let x;
  let y;
  let w;
  let hh;
  if (Array.isArray(r) && r.length >= 4) [x, y, w, hh] = r.map(Number);
  else if (typeof r === 'object') {
    x = Number(r.x ?? r.left);
    y = Number(r.y ?? r.top);
    w = Number(r.w ?? r.width ?? (r.right !== undefined ? r.right - x : NaN));
    hh = Number(r.h ?? r.height ?? (r.bottom !== undefined ? r.bottom - y : NaN));
  }
  if (![x, y, w, hh].every(Number.isFinite)) return null;
  const fractional = [x, y, w, hh].some((v) => !Number.isInteger(v));
  if (fractional && x <= 1 && y <= 1 && w <= 1 && hh <= 1 && width > 1) {
    x *= width;
    w *= width;
    y *= height;
    hh *= height;
  }
  return { x, y, w, h: hh };
}

/** A time range as {start, end} in seconds, or null. */
export function normRange(t) {
  if (!t) return null;
  let a;
  let b;
  if (Array.isArray(t)) [a, b] = t.map(Number);
  else {
    a = Number(t.start ?? t.start_s ?? t.from);
    b = Number(t.end ?? t.end_s ?? t.to);
  }
  if (!Number.isFinite(a)) return null;
  if (!Number.isFinite(b) || b < a) b = a;
  return { start: a, end: b };
}

export function section(title, ...body) {
  return h('section.panel', { 'aria-label': title }, h('h2', title), ...body);
}

export function smallForm(id, fields, button, onSubmit) {
  const status = h('span', { 'aria-live': 'polite' });
  const form = h(`form.row#${id}`, ...fields, h('button', { type: 'submit' }, button), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await onSubmit(form);
      status.replaceChildren(h('span.ok', 'Saved.'));
      form.reset();
      return true;
    } catch (e) {
      status.replaceChildren(errorBox(e));
      return false;
    }
  });
  return form;
}

function viewer(m, onTime) {
  const settings = wellness.current();
  const wrap = h('div.viewer#viewer');
  const width = Number(m.width) || 0;
  const height = Number(m.height) || 0;
  let el;
  const controls = h('div.row');
  if (m.kind === 'video') {
    el = h('video#media-video', { src: fileUrl(m.sha256), controls: true, preload: 'metadata', playsinline: true });
    el.muted = true;
    el.defaultMuted = true;
    if (settings.muted === false) el.muted = false;
    const sound = h('button#sound', { type: 'button', 'aria-pressed': String(!el.muted) }, el.muted ? 'Sound on' : 'Sound off');
    sound.addEventListener('click', () => {
      el.muted = !el.muted;
      sound.textContent = el.muted ? 'Sound on' : 'Sound off';
      sound.setAttribute('aria-pressed', String(!el.muted));
    });
    el.addEventListener('volumechange', () => {
      sound.textContent = el.muted ? 'Sound on' : 'Sound off';
    });
    controls.append(sound);
    if (onTime) el.addEventListener('timeupdate', () => onTime(el.currentTime));
  } else {
    el = h('img#media-image', { src: fileUrl(m.sha256), alt: `${m.kind} ${m.sha256.slice(0, 12)}`, draggable: 'false' });
    el.addEventListener('error', () => {
      el.src = thumbUrl(m.sha256);
    }, { once: true });
  }
  const sh = wellness.shield(el, { host: wrap, toggle: m.kind !== 'video' });
  wrap.append(sh);
  const overlay = s('svg', { class: 'overlay', viewBox: `0 0 ${width || 1} ${height || 1}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  wrap.append(overlay);
  const hide = h('button#conceal', { type: 'button' }, 'Blur again');
  hide.addEventListener('click', () => wellness.conceal());
  const show = h('button#reveal', { type: 'button' }, 'Reveal');
  show.addEventListener('click', () => wellness.reveal(sh));
  controls.prepend(show, hide);
  return { wrap, el, overlay, controls, width, height, shieldEl: sh };
}

function clueRows(m, v) {
  const clues = m.clues || [];
  const boxes = [];
  const timeline = h('div.timeline#timeline', { 'aria-label': 'Clues on the timeline' });
  const dur = Number(m.duration_s) || 0;
  const rows = clues.map((c) => {
    const region = normRegion(c.region, v.width, v.height);
    const range = normRange(c.time_range);
    const tr = h('tr', { 'data-clue': c.id },
      h('td', h('input', { type: 'checkbox', name: 'lead-clue', value: c.id, 'aria-label': `use clue ${c.id} in a lead` })),
      h('td', c.kind), h('td', describe(c.value)),
      h('td', c.confidence === undefined ? '' : Number(c.confidence).toFixed(2)),
      h('td.muted', `${c.extractor || ''}${c.version ? ` ${c.version}` : ''}`),
      h('td', region ? `box ${Math.round(region.x)},${Math.round(region.y)} ${Math.round(region.w)}×${Math.round(region.h)}` : range ? `${fmtDuration(range.start)}–${fmtDuration(range.end)}` : ''),
    );
    if (region) {
      const rect = s('rect', { x: region.x, y: region.y, width: region.w, height: region.h, class: 'clue-box', 'data-clue': c.id });
      const title = s('title', {}, `${c.kind}: ${describe(c.value)}`);
      rect.append(title);
      boxes.push(rect);
      tr.addEventListener('mouseenter', () => rect.classList.add('hl'));
      tr.addEventListener('mouseleave', () => rect.classList.remove('hl'));
    }
    if (range && dur > 0) {
      const seg = h('button.seg', { type: 'button', title: `${c.kind}: ${describe(c.value)} (${fmtDuration(range.start)}–${fmtDuration(range.end)})`, 'data-clue': c.id });
      seg.style.left = `${Math.min(100, (range.start / dur) * 100)}%`;
      seg.style.width = `${Math.max(0.5, ((range.end - range.start) / dur) * 100)}%`;
      seg.addEventListener('click', () => {
        if (v.el.tagName === 'VIDEO') v.el.currentTime = range.start;
      });
      timeline.append(seg);
    }
    return tr;
  });
  for (const b of boxes) v.overlay.append(b);
  return {
    table: clues.length
      ? h('table#clues', h('thead', h('tr', h('th', ''), h('th', 'Kind'), h('th', 'Value'), h('th', 'Confidence'), h('th', 'Extractor'), h('th', 'Where'))), h('tbody', rows))
      : h('p.muted', 'No clue yet.'),
    timeline: m.kind === 'video' ? timeline : null,
  };
}

function linkItem(l, caseNo) {
  if (l.restricted) {
    const a = l.other_agency || {};
    return h('li.restricted', { 'data-restricted': 'true' },
      `${l.kind || 'link'}: match in a case of agency ${label(a.code)}${a.country ? ` (${a.country})` : ''}: ask for access`);
  }
  const end = l.other && typeof l.other === 'object' ? l.other : l;
  const other = end.sha256 || (typeof l.other === 'string' ? l.other : null);
  const cases = end.cases || (l.case ? [l.case] : []);
  const inCase = cases[0] || caseNo;
  const score = l.distance !== undefined && l.distance !== null ? `distance ${l.distance}`
    : l.score !== undefined && l.score !== null ? `score ${Number(l.score).toFixed(3)}` : '';
  return h('li', `${l.kind || 'link'} `,
    other ? h('a.mono', { href: `#/media/${enc(other)}${inCase ? `?case=${enc(inCase)}` : ''}` }, String(other).slice(0, 16)) : '',
    end.media_kind ? ` (${end.media_kind})` : '',
    cases.length ? ` · case ${cases.map(label).join(', ')}` : '', l.agency ? ` · ${label(l.agency)}` : '', score ? ` · ${score}` : '');
}

function regionText(r) {
  if (!r) return '';
  return r.index === 0 ? 'whole' : `region ${r.index} (${r.x},${r.y} ${r.w}×${r.h})`;
}

function similarSection(sha, caseNo) {
  const out = h('div#similar');
  const btn = h('button#find-similar', { type: 'button' }, 'Find similar');
  btn.addEventListener('click', async () => {
    out.replaceChildren(h('p.muted', 'Searching…'));
    try {
      const r = await get(`/media/${enc(sha)}/similar?k=20`);
      if (r.available === false) {
        out.replaceChildren(h('p.muted#similar-unavailable', { 'data-code': r.code || '' }, r.message || 'Find-similar is not available.'));
        return;
      }
      const items = r.items || [];
      const grid = h('div.similar#similar-hits', items.length ? items.map((it) => {
        const inCase = (it.cases || [])[0] || caseNo;
        const cell = h('div.cell', { 'data-sha': it.sha256 });
        const img = h('img', { src: thumbUrl(it.sha256), alt: `similar ${it.sha256.slice(0, 12)}`, loading: 'lazy' });
        const agencies = (it.agencies || []).map((a) => `${a.code}${a.country ? ` (${a.country})` : ''}`).join(', ');
        cell.append(wellness.shield(img, { host: cell }),
          h('div.cap', h('a', { href: `#/media/${enc(it.sha256)}${inCase ? `?case=${enc(inCase)}` : ''}` }, it.sha256.slice(0, 10)),
            ` ${Number(it.score).toFixed(3)}`),
          h('div.cap.muted', { title: 'the region of this media that matched, and the matching region of the other' },
            `${regionText(it.query_region)} ↔ ${regionText(it.hit_region)}`),
          h('div.cap.muted', `${(it.cases || []).join(', ')}${agencies ? ` · ${agencies}` : ''}`));
        return cell;
      }) : [h('p.muted', 'Nothing similar among the media you may see.')]);
      const restricted = (r.restricted || []).map((x) => x.other_agency || {});
      out.replaceChildren(grid, restricted.length
        ? h('ul#similar-restricted', restricted.map((a) => h('li.restricted',
          `A close match exists in a case of ${a.code}${a.country ? ` (${a.country})` : ''}: ask that agency for access.`)))
        : '');
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  });
  return section('Find similar', btn, out);
}

/** Location hypotheses as `vidi locate` ranks them: country, score, and each clue's points. */
export function hypothesesList(hs, id = 'hypotheses') {
  if (!(hs || []).length) return h('p.muted', 'No location hypothesis.');
  return h(`ol#${id}`, hs.map((x) => h('li', { 'data-country': x.country }, h('strong', `${x.country_name || x.country} (${x.country})`),
    x.region ? ` · ${describe(x.region)}` : '', ` · ${(Number(x.score) * 100).toFixed(1)} %`,
    (x.evidence || []).length ? h('ul', x.evidence.map((e) => h('li.muted',
      `${Number(e.weight).toFixed(3)} · ${e.kind} ${e.value}: ${e.why || ''}${e.media ? ` [media ${String(e.media).slice(0, 12)}]` : ''}`))) : '')));
}

function hypotheses(m) {
  return hypothesesList(m.hypotheses);
}

export async function mediaView(sha, params) {
  const caseNo = params.get('case');
  mount(h('h1', 'Media'), h('p.muted', 'Loading…'));
  let m;
  try {
    m = await get(`/media/${enc(sha)}`);
  } catch (e) {
    mount(h('h1', 'Media'), errorBox(e), caseNo ? h('a', { href: `#/case/${enc(caseNo)}` }, 'Back to the case') : h('a', { href: '#/cases' }, 'Cases'));
    return;
  }
  const back = () => {
    if (caseNo) location.hash = `#/case/${enc(caseNo)}`;
    else history.back();
  };
  const v = viewer(m);
  const clues = clueRows(m, v);
  const reload = () => mediaView(sha, params);
  const cats = (m.categories || []).map((c) => h('span.chip', { title: `${c.scheme || ''} ${c.source || ''}` }, `${c.scheme ? `${c.scheme} ` : ''}${c.code}${c.label ? ` ${c.label}` : ''}`));
  const mdRows = Object.entries(m.metadata || {}).map(([k, x]) => [k, describe(x)]);

  const page = mount(
    h('div.row',
      h('h1', `${m.kind === 'video' ? 'Video' : 'Image'} ${m.sha256.slice(0, 16)}`),
      h('span', { class: `chip ${m.status || ''}` }, m.status || (m.hits && m.hits.length ? 'known' : 'new')),
      caseNo ? h('a#back', { href: `#/case/${enc(caseNo)}` }, 'Back to the grid (Esc)') : null,
      h('a#new-lead', { href: `#/lead/new?media=${enc(m.sha256)}${caseNo ? `&case=${enc(caseNo)}` : ''}` }, 'Write a lead'),
    ),
    h('div.cols',
      h('div', section('Media', v.wrap, clues.timeline, v.controls), section('Clues', clues.table,
        smallForm('form-clue', [
          h('input', { name: 'kind', placeholder: 'kind (e.g. sign)', 'aria-label': 'clue kind', required: true }),
          h('input', { name: 'value', placeholder: 'value', 'aria-label': 'clue value', required: true }),
          h('input', { name: 'confidence', type: 'number', min: '0', max: '1', step: '0.05', value: '0.8', 'aria-label': 'confidence' }),
          h('input', { name: 'region', placeholder: 'x,y,w,h (optional)', 'aria-label': 'region x,y,w,h' }),
        ], 'Add manual clue', async (f) => {
          const body = { kind: f.elements.kind.value.trim(), value: f.elements.value.value.trim(), confidence: Number(f.elements.confidence.value) };
          const parts = f.elements.region.value.split(',').map((x) => Number(x.trim())).filter(Number.isFinite);
          if (parts.length === 4) body.region = { x: parts[0], y: parts[1], w: parts[2], h: parts[3] };
          await post(`/media/${enc(sha)}/clues`, body);
          reload();
        }))),
      h('div',
        section('Details', dl([
          ['Kind', m.kind], ['Type', m.mime], ['Size', fmtBytes(m.size)],
          ['Dimensions', m.width && m.height ? `${m.width} × ${m.height}` : ''],
          ['Duration', m.duration_s ? fmtDuration(m.duration_s) : ''],
          ['Cluster', m.cluster ? h('a', { href: caseNo ? `#/case/${enc(caseNo)}?cluster=${enc(m.cluster)}` : '#/cases' }, String(m.cluster)) : ''],
          ['Series', (m.series || []).length ? h('span#series', (m.series || []).map((x) => {
            const id = typeof x === 'object' ? x.id ?? x.name : x;
            return caseNo
              ? h('a.chip', { href: `#/case/${enc(caseNo)}?series=${enc(id)}`, title: 'this series in the grid' }, label(x))
              : h('span.chip', label(x));
          })) : ''],
        ])),
        section('Hashes', dl([['SHA-256', m.sha256], ['SHA-1', m.sha1], ['MD5', m.md5], ['PDQ', m.pdq]], 'kv mono')),
        section('Hash-set hits', (m.hits || []).length ? h('ul#hits', m.hits.map((x) => h('li', describe(x)))) : h('p.muted', 'No hash-set hit.')),
        section('Categories', h('div#categories', cats.length ? cats : h('span.muted', 'None.')),
          smallForm('form-category', [
            h('input', { name: 'scheme', placeholder: 'scheme', value: 'vics-us-2.0', 'aria-label': 'scheme', required: true }),
            h('input', { name: 'code', placeholder: 'code', 'aria-label': 'category code', required: true }),
          ], 'Categorise', async (f) => {
            await post(`/media/${enc(sha)}/categories`, { scheme: f.elements.scheme.value.trim(), code: f.elements.code.value.trim() });
            reload();
          })),
        section('Links', (m.links || []).length ? h('ul#links', m.links.map((l) => linkItem(l, caseNo))) : h('p.muted', 'No link.')),
        section('Location hypotheses', hypotheses(m)),
        section('Tags', h('div#tags', (m.tags || []).length ? m.tags.map((t) => h('span.chip', { title: typeof t === 'object' ? `${t.user || ''} ${fmtTime(t.created_at)}` : '' }, typeof t === 'object' ? t.text ?? t.tag ?? label(t) : String(t))) : h('span.muted', 'None.')),
          smallForm('form-tag', [h('input', { name: 'tag', placeholder: 'tag', 'aria-label': 'tag', required: true })], 'Add tag', async (f) => {
            await post(`/media/${enc(sha)}/tags`, { tag: f.elements.tag.value.trim() });
            reload();
          })),
        section('Notes', h('ul#notes', (m.notes || []).map((n) => h('li', typeof n === 'object' ? `${n.text ?? ''} — ${label(n.user || n.author)}${n.agency ? ` (${label(n.agency)})` : ''} ${fmtTime(n.at || n.created_at)}` : String(n)))),
          smallForm('form-note', [h('textarea', { name: 'text', 'aria-label': 'note', required: true })], 'Add note', async (f) => {
            await post(`/media/${enc(sha)}/notes`, { text: f.elements.text.value });
            reload();
          })),
        similarSection(sha, caseNo),
        section('Evidence', (m.evidence || []).length ? h('ul', m.evidence.map((e) => h('li.mono', `${label(e.case)}: ${e.path}`))) : h('p.muted', 'None visible.')),
        mdRows.length ? section('Metadata', dl(mdRows, 'kv mono')) : null,
      ),
    ),
  );
  const onKey = (ev) => {
    if (!page.contains(v.wrap)) {
      document.removeEventListener('keydown', onKey);
      return;
    }
    if (ev.key === 'Escape' && !ev.target.closest('input, textarea, select')) {
      ev.preventDefault();
      document.removeEventListener('keydown', onKey);
      back();
    }
  };
  document.addEventListener('keydown', onKey);
}
