// Case view: filters and a virtual-scrolling media grid (only the visible rows are in the DOM;
// pages are fetched by cursor as the user scrolls), with full keyboard navigation.
import { get, qs, thumbUrl, enc } from './api.js';
import { h, mount, errorBox, fmtDuration } from './dom.js';
import * as wellness from './wellness.js';

const PAGE = 500;
const MAX_PAGE = 1000;
const OVERSCAN = 2;
export const FILTERS = ['status', 'category', 'kind', 'has_gps', 'has_speech', 'series', 'cluster', 'country'];

// One cached listing per case + filters, so that coming back from a media view keeps the place.
const cache = new Map();

function filtersFrom(params) {
  const f = {};
  for (const k of FILTERS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f;
}

/** The series filter: free text (id or name) with the visible series offered as suggestions. */
function seriesInput(input) {
  const list = h('datalist#series-options');
  input.setAttribute('list', 'series-options');
  get('/series?limit=1000').then((r) => {
    list.replaceChildren(...(r.items || []).map((x) => h('option', { value: x.name }, `${x.media} media`)));
  }, () => {});
  return [input, list];
}

function filterForm(number, f) {
  const text = (name, ph) => h(`input#f-${name}`, { type: 'text', name, value: f[name] || '', placeholder: ph, 'aria-label': ph });
  const sel = (name, opts, aria) =>
    h(`select#f-${name}`, { name, 'aria-label': aria }, opts.map(([v, t]) => h('option', { value: v, selected: (f[name] || '') === v }, t)));
  const box = (name, t) => h('label', h(`input#f-${name}`, { type: 'checkbox', name, checked: f[name] === 'true' }), t);
  const form = h(
    'form.filters#filters',
    { 'aria-label': 'Filters' },
    sel('status', [['', 'new and known'], ['new', 'new'], ['known', 'known']], 'Status'),
    text('category', 'category'),
    sel('kind', [['', 'images and videos'], ['image', 'images'], ['video', 'videos']], 'Kind'),
    box('has_gps', 'has GPS'),
    box('has_speech', 'has speech'),
    seriesInput(text('series', 'series (id or name)')),
    text('cluster', 'cluster'),
    text('country', 'country (XX)'),
    h('button', { type: 'submit' }, 'Apply'),
    h('button', { type: 'reset' }, 'Clear'),
  );
  const go = (vals) => {
    location.hash = `#/case/${enc(number)}${qs(vals)}`;
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const vals = {};
    for (const k of FILTERS) {
      const el = form.elements[k];
      if (el.type === 'checkbox') vals[k] = el.checked ? 'true' : '';
      else vals[k] = k === 'country' ? el.value.trim().toUpperCase() : el.value.trim();
    }
    go(vals);
  });
  form.addEventListener('reset', (ev) => {
    ev.preventDefault();
    go({});
  });
  for (const el of form.querySelectorAll('select, input[type="checkbox"]')) {
    el.addEventListener('change', () => form.requestSubmit());
  }
  return form;
}

export async function caseView(number, params) {
  const f = filtersFrom(params);
  const key = `${number}\u0000${JSON.stringify(f)}`;
  let state = cache.get(key);
  if (!state) {
    state = { items: [], cursor: null, done: false, total: null, scrollTop: 0, active: 0, loading: null, error: null };
    cache.clear();
    cache.set(key, state);
  }
  const count = h('span#grid-count.muted', state.total === null ? '' : `${state.total} media`);
  const status = h('div#grid-status', { 'aria-live': 'polite' });
  const viewport = h('div.grid-viewport.grid#grid', {
    tabindex: '0',
    role: 'grid',
    'aria-label': `Media of case ${number}; arrows move, Enter opens, Space reveals`,
  });
  const spacer = h('div.grid-spacer');
  viewport.append(spacer);
  mount(
    h('div.row', h('h1', `Case ${number}`), count, h('a', { href: `#/map?case=${enc(number)}` }, 'map of this case')),
    filterForm(number, f),
    status,
    viewport,
  );

  // pages of PAGE items; the largest page the API allows when far behind (a jump with End or the scroll bar)
  const query = (cursor, behind) => `/cases/${enc(number)}/media${qs({ ...f, limit: behind > PAGE ? MAX_PAGE : PAGE, cursor })}`;
  const rows = new Map();
  let cols = 1;
  let rowH = 130;
  let cellW = 104;

  const measure = () => {
    const cs = getComputedStyle(document.body);
    const thumb = parseFloat(cs.getPropertyValue('--thumb')) || 96;
    cellW = thumb + 8;
    rowH = thumb + 18 + 8 + 4;
    cols = Math.max(1, Math.floor((viewport.clientWidth - 16 + 8) / cellW));
  };

  const loadMore = async (needed) => {
    while (!state.done && state.items.length < needed) {
      if (!state.loading) {
        state.loading = get(query(state.cursor, needed - state.items.length)).then(
          (r) => {
            state.items.push(...(r.items || []));
            state.cursor = r.next_cursor || null;
            state.done = !state.cursor;
            if (typeof r.total === 'number') state.total = r.total;
            else if (state.done) state.total = state.items.length;
          },
          (e) => {
            state.error = e;
            state.done = true;
          },
        );
      }
      const p = state.loading;
      const before = state.items.length;
      await p;
      if (state.loading === p) state.loading = null;
      if (!viewport.isConnected) return;
      // re-render only when the new page reaches the rows on screen (a long jump loads many pages first)
      if (before === 0 || state.done || state.error || (state.items.length > shownFirst && before <= shownLast)) render(true);
    }
    // the user may have scrolled further meanwhile: render() asks for what is on screen now
    if (viewport.isConnected && !state.loading) render();
  };

  const totalCount = () => (state.total === null ? state.items.length : state.total);

  const cell = (i) => {
    const m = state.items[i];
    if (!m) return h('div.cell.placeholder', { id: `cell-${i}`, role: 'gridcell', 'data-index': i }, h('div.shield'));
    const img = h('img', { src: thumbUrl(m.sha256), alt: `${m.kind} ${m.sha256.slice(0, 12)}`, loading: 'lazy', decoding: 'async', draggable: 'false' });
    const el = h('div.cell', {
      id: `cell-${i}`,
      role: 'gridcell',
      'data-index': i,
      'data-sha': m.sha256,
      'aria-selected': i === state.active ? 'true' : 'false',
    });
    const sh = wellness.shield(img, { host: el });
    if (m.kind === 'video') sh.append(h('span.badge', `▶ ${fmtDuration(m.duration_s)}`));
    if (m.status === 'known') sh.append(h('span.badge.r', 'known'));
    el.append(
      sh,
      h('div.cap', h('a', { href: `#/media/${enc(m.sha256)}?case=${enc(number)}`, tabindex: '-1' }, m.sha256.slice(0, 10)), m.country ? ` ${m.country}` : ''),
    );
    if (i === state.active) el.classList.add('active');
    el.addEventListener('click', () => setActive(i, false));
    el.addEventListener('dblclick', () => open(i));
    return el;
  };

  const buildRow = (r) => {
    const row = h('div.grid-row', { role: 'row', 'data-row': r });
    row.style.transform = `translateY(${r * rowH}px)`;
    row.style.height = `${rowH}px`;
    const start = r * cols;
    const end = Math.min(totalCount(), start + cols);
    let complete = true;
    for (let i = start; i < end; i++) {
      if (!state.items[i]) complete = false;
      row.append(cell(i));
    }
    row.dataset.complete = complete ? '1' : '0';
    return row;
  };

  let lastCols = 0;
  let shownFirst = 0;
  let shownLast = 0;
  function render(force) {
    measure();
    const n = totalCount();
    const nrows = Math.ceil(n / cols);
    spacer.style.height = `${nrows * rowH}px`;
    if (cols !== lastCols) {
      for (const row of rows.values()) row.remove();
      rows.clear();
      lastCols = cols;
    }
    const top = viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / rowH) - OVERSCAN);
    const last = Math.min(nrows - 1, Math.ceil((top + viewport.clientHeight) / rowH) + OVERSCAN);
    for (const [r, row] of rows) {
      if (r < first || r > last || (force && row.dataset.complete !== '1')) {
        row.remove();
        rows.delete(r);
      }
    }
    shownFirst = first * cols;
    shownLast = (last + 1) * cols - 1;
    for (let r = first; r <= last; r++) {
      if (!rows.has(r)) {
        const row = buildRow(r);
        rows.set(r, row);
        spacer.append(row);
      }
    }
    count.textContent = state.total === null ? `${state.items.length}+ media` : `${state.total} media`;
    if (state.error) status.replaceChildren(errorBox(state.error));
    else if (!state.loading && n === 0 && state.done) status.replaceChildren(h('p.muted#grid-empty', 'No media matches these filters.'));
    else status.replaceChildren();
    const needed = (last + 1) * cols + cols * 4;
    if (!state.done && state.items.length < needed && !state.loading) loadMore(needed);
  }

  const setActive = (i, scroll = true) => {
    const n = totalCount();
    if (!n) return;
    i = Math.max(0, Math.min(n - 1, i));
    if (i !== state.active) wellness.conceal();
    const prev = viewport.querySelector('.cell.active');
    if (prev) {
      prev.classList.remove('active');
      prev.setAttribute('aria-selected', 'false');
    }
    state.active = i;
    viewport.setAttribute('aria-activedescendant', `cell-${i}`);
    if (scroll) {
      const r = Math.floor(i / cols);
      if (r * rowH < viewport.scrollTop) viewport.scrollTop = r * rowH;
      else if ((r + 1) * rowH > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = (r + 1) * rowH - viewport.clientHeight;
      render();
    }
    const el = document.getElementById(`cell-${i}`);
    if (el) {
      el.classList.add('active');
      el.setAttribute('aria-selected', 'true');
    }
  };

  const open = (i) => {
    const m = state.items[i];
    if (!m) return;
    state.scrollTop = viewport.scrollTop;
    state.active = i;
    location.hash = `#/media/${enc(m.sha256)}?case=${enc(number)}`;
  };

  viewport.addEventListener('keydown', (ev) => {
    const i = state.active;
    const page = Math.max(1, Math.floor(viewport.clientHeight / rowH)) * cols;
    const moves = {
      ArrowRight: i + 1,
      ArrowLeft: i - 1,
      ArrowDown: i + cols,
      ArrowUp: i - cols,
      PageDown: i + page,
      PageUp: i - page,
      Home: 0,
      End: totalCount() - 1,
    };
    if (ev.key in moves) {
      ev.preventDefault();
      setActive(moves[ev.key]);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      open(i);
    } else if (ev.key === ' ') {
      ev.preventDefault();
      const el = document.querySelector(`#cell-${i} .shield`);
      if (el) {
        if (el.classList.contains('revealed')) wellness.conceal();
        else wellness.reveal(el);
      }
    } else if (ev.key === 'Escape') {
      wellness.conceal();
    }
  });
  viewport.addEventListener('focus', () => setActive(state.active, false));
  viewport.addEventListener('blur', () => wellness.conceal());
  let ticking = false;
  viewport.addEventListener('scroll', () => {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(() => {
      ticking = false;
      if (viewport.isConnected) render();
    });
  });
  const onResize = () => {
    if (!viewport.isConnected) {
      window.removeEventListener('resize', onResize);
      window.removeEventListener('vidi:settings', onResize);
      return;
    }
    render(true);
  };
  window.addEventListener('resize', onResize);
  window.addEventListener('vidi:settings', onResize);

  render();
  if (state.scrollTop) {
    viewport.scrollTop = state.scrollTop;
    render();
  }
  if (state.items.length === 0 && !state.done) await loadMore(cols * 20);
  viewport.focus({ preventScroll: true });
  setActive(state.active, true);
}
