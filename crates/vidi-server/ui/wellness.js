// Wellness: per-user settings (blur, greyscale, thumbnail size, muted) and one-at-a-time reveal.
import { get, put } from './api.js';
import { h } from './dom.js';

export const DEFAULT_SETTINGS = { blur: true, greyscale: true, thumb_size: 'small', muted: true };

let settings = { ...DEFAULT_SETTINGS };
let revealed = null;

export function current() {
  return settings;
}

/** Applies settings to the page (classes on <body>). */
export function apply(next) {
  settings = { ...DEFAULT_SETTINGS, ...(next || {}) };
  const b = document.body.classList;
  b.toggle('wellness-blur', settings.blur !== false);
  b.toggle('wellness-grey', settings.greyscale !== false);
  for (const size of ['small', 'medium', 'large']) b.toggle(`thumbs-${size}`, settings.thumb_size === size);
  if (!['small', 'medium', 'large'].includes(settings.thumb_size)) b.add('thumbs-small');
  window.dispatchEvent(new CustomEvent('vidi:settings'));
}

export async function load() {
  try {
    apply(await get('/me/settings'));
  } catch (e) {
    apply(DEFAULT_SETTINGS);
  }
}

export async function save(next) {
  const saved = await put('/me/settings', { ...settings, ...next });
  apply(saved || { ...settings, ...next });
}

/** Hides again whatever is revealed. */
export function conceal() {
  if (revealed) {
    revealed.classList.remove('revealed');
    revealed.setAttribute('aria-pressed', 'false');
  }
  revealed = null;
}

/** Reveals one shield (and conceals any other). */
export function reveal(el) {
  if (revealed && revealed !== el) conceal();
  revealed = el;
  el.classList.add('revealed');
  el.setAttribute('aria-pressed', 'true');
}

/**
 * Wraps a media element (img/video) in a shield: blurred and greyscale by the body classes;
 * click reveals it (only this one), leaving it with the pointer or the focus blurs it again.
 * `host` is the element whose leaving ends the reveal (defaults to the shield).
 */
export function shield(mediaEl, opts = {}) {
  mediaEl.classList.add('media-el');
  const el = h('div.shield', { 'aria-pressed': 'false', title: 'Click to reveal; leaving it blurs it again' }, mediaEl);
  const host = opts.host || el;
  el.addEventListener('click', (ev) => {
    if (opts.clickReveals === false) return;
    if (el.classList.contains('revealed') && opts.toggle) conceal();
    else reveal(el);
    ev.stopPropagation();
  });
  const leave = () => {
    if (revealed === el) conceal();
  };
  host.addEventListener('mouseleave', leave);
  host.addEventListener('focusout', (ev) => {
    if (!host.contains(ev.relatedTarget)) leave();
  });
  return el;
}
