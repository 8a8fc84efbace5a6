// Tiny DOM helpers: no innerHTML with data, so nothing from the server is ever parsed as markup.

/**
 * h('div.cls#id', {attrs, on: {click}}, children...): creates an element.
 * Attributes starting with "data-" or "aria-" and plain ones are set with setAttribute; `class` may be given too.
 */
export function h(tag, attrs, ...children) {
  const m = /^([a-z0-9-]+)((?:[.#][\w-]+)*)$/i.exec(tag);
  const el = document.createElement(m ? m[1] : tag);
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    } else if (k === 'class') {
      for (const c of String(v).split(/\s+/).filter(Boolean)) el.classList.add(c);
    } else if (k === 'text') {
      el.textContent = String(v);
    } else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'muted' || k === 'disabled') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces the content of the main area. */
export function mount(...children) {
  const main = document.getElementById('main');
  clear(main);
  append(main, children);
  const first = main.querySelector('h1');
  if (first) {
    first.setAttribute('tabindex', '-1');
    first.focus({ preventScroll: true });
  }
  return main;
}

/** A status line that shows errors from the API. */
export function errorBox(e) {
  const msg = e && e.message ? e.message : String(e);
  return h('p.error', { role: 'alert', 'data-code': (e && e.code) || 'error' }, msg);
}

export function fmtBytes(n) {
  if (typeof n !== 'number') return '';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

export function fmtDuration(s) {
  if (typeof s !== 'number' || !isFinite(s)) return '';
  const m = Math.floor(s / 60);
  const r = Math.floor(s % 60);
  return `${m}:${String(r).padStart(2, '0')}`;
}

/** Definition list from [label, value] pairs (empty values left out). */
export function dl(pairs, cls) {
  const d = h('dl', { class: cls || 'kv' });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    d.append(h('dt', k), h('dd', v instanceof Node ? v : String(v)));
  }
  return d;
}

/** Plain text for a value that may be an object (agency, user...). */
export function label(v) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  return v.username || v.name || v.code || v.label || JSON.stringify(v);
}

/** A timestamp (RFC 3339 text or seconds) as "YYYY-MM-DD HH:MM:SS UTC"; other text unchanged. */
export function fmtTime(v) {
  if (v === null || v === undefined || v === '') return '';
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(String(v));
  if (Number.isNaN(d.getTime())) return String(v);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
