// vidi investigator UI: entry point, session, router (hash based), case list, settings.
import { ApiError, get, post, setCsrf, enc } from './api.js';
import { h, mount, errorBox, label } from './dom.js';
import * as wellness from './wellness.js';
import { caseView } from './grid.js';
import { mediaView } from './media.js';
import { mapView } from './map.js';
import { leadsView, leadView, newLeadView } from './leads.js';
import { packagesView } from './packages.js';
import { seriesListView, seriesView } from './series.js';
import { session } from './session.js';


function showChrome(on) {
  document.getElementById('top').hidden = !on;
  const who = document.getElementById('whoami');
  if (on && session.user) {
    const u = session.user;
    who.textContent = `${u.username} · ${u.role} · ${label(u.agency && u.agency.code)} (${label(u.agency && u.agency.country)})`;
  } else {
    who.textContent = '';
  }
}

function loginView(message) {
  showChrome(false);
  const user = h('input#login-username', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input#login-password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div#login-status', { 'aria-live': 'polite' }, message ? h('p.muted', message) : null);
  const form = h(
    'form#login-form',
    {
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          status.replaceChildren(h('p.muted', 'Signing in…'));
          try {
            const r = await post('/auth/login', { username: user.value, password: pass.value });
            setCsrf(r.csrf_token);
            session.user = r.user;
            await wellness.load();
            showChrome(true);
            if (!location.hash || location.hash === '#/login') location.hash = '#/cases';
            else route();
          } catch (e) {
            pass.value = '';
            const msg =
              e instanceof ApiError && e.code === 'bad_credentials'
                ? 'Wrong user name or password.'
                : e instanceof ApiError && e.code === 'rate_limited'
                  ? 'Too many attempts: wait a moment.'
                  : e.message;
            status.replaceChildren(errorBox({ message: msg, code: e.code }));
          }
        },
      },
    },
    h('label', 'User name', user),
    h('label', 'Password', pass),
    h('button.primary', { type: 'submit' }, 'Sign in'),
  );
  mount(h('section.login.panel', h('h1', 'vidi: sign in'), form, status));
  user.focus();
}

async function casesView() {
  const main = mount(h('h1', 'Cases'), h('p.muted', 'Loading…'));
  try {
    const items = [];
    let cursor = null;
    do {
      const r = await get(`/cases?limit=1000${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      items.push(...(r.items || []));
      cursor = r.next_cursor;
    } while (cursor && items.length < 100000);
    const admin = session.user && session.user.role === 'admin';
    let agencies = [];
    if (admin) {
      try {
        const r = await get('/agencies');
        agencies = (r.items || r || []).filter((a) => a.code !== session.user.agency.code);
      } catch (e) {
        agencies = [];
      }
    }
    const rows = items.map((c) =>
      h(
        'tr',
        { 'data-case': c.number },
        h('td', h('a', { href: `#/case/${enc(c.number)}` }, c.number)),
        h('td', `${label(c.agency && c.agency.name)} (${label(c.agency && c.agency.code)}, ${label(c.agency && c.agency.country)})`),
        h('td', h('span.chip', c.access)),
        h('td', String(c.media_count ?? '')),
        h('td', h('a', { href: `#/map?case=${enc(c.number)}` }, 'map')),
        admin && c.access === 'owner' && agencies.length ? h('td', grantForm(c.number, agencies)) : null,
      ),
    );
    mount(
      h('h1', 'Cases'),
      items.length
        ? h('table#cases', h('thead', h('tr', h('th', 'Case'), h('th', 'Agency'), h('th', 'Access'), h('th', 'Media'), h('th', ''))), h('tbody', rows))
        : h('p.muted', 'No case is visible to your agency.'),
    );
  } catch (e) {
    main.append(errorBox(e));
  }
}

/** Admin of the owning agency: grant another agency access to a case (need-to-know). */
function grantForm(number, agencies) {
  const sel = h('select', { name: 'agency', 'aria-label': `Agency to grant case ${number} to` },
    agencies.map((a) => h('option', { value: a.code }, `${a.code} (${label(a.country)})`)));
  const status = h('span', { 'aria-live': 'polite' });
  const form = h('form.row.grant', { 'data-grant': number }, sel, h('button', { type: 'submit' }, 'Grant access'), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/cases/${enc(number)}/grants`, { agency: sel.value });
      status.replaceChildren(h('span.ok', `Granted to ${sel.value}.`));
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  });
  return form;
}

function settingsView() {
  const s = wellness.current();
  const blur = h('input#set-blur', { type: 'checkbox', checked: s.blur !== false });
  const grey = h('input#set-grey', { type: 'checkbox', checked: s.greyscale !== false });
  const muted = h('input#set-muted', { type: 'checkbox', checked: s.muted !== false });
  const size = h(
    'select#set-size',
    ['small', 'medium', 'large'].map((v) => h('option', { value: v, selected: s.thumb_size === v }, v)),
  );
  const status = h('p', { 'aria-live': 'polite' });
  mount(
    h('h1', 'Settings'),
    h(
      'form.panel.form-grid#settings-form',
      {
        on: {
          submit: async (ev) => {
            ev.preventDefault();
            try {
              await wellness.save({ blur: blur.checked, greyscale: grey.checked, muted: muted.checked, thumb_size: size.value });
              status.replaceChildren(h('span.ok', 'Saved.'));
            } catch (e) {
              status.replaceChildren(errorBox(e));
            }
          },
        },
      },
      h('span', 'Blur media'), blur,
      h('span', 'Greyscale media'), grey,
      h('span', 'Thumbnail size'), size,
      h('span', 'Videos start muted'), muted,
      h('span'), h('button.primary', { type: 'submit' }, 'Save'),
    ),
    status,
    h('p.muted', 'These protect you: they are on by default. Media is revealed one item at a time, on click, and blurred again when you leave it.'),
  );
}

function setNav(name) {
  for (const a of document.querySelectorAll('header#top nav a')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Parses `#/a/b?x=1` into parts and params. */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || '') };
}

export async function route() {
  wellness.conceal();
  if (!session.user) return loginView();
  showChrome(true);
  const { parts, params } = parseHash();
  const [head, arg] = parts;
  setNav(head === 'case' || head === 'media' ? 'cases' : head === 'lead' ? 'leads' : head || 'cases');
  try {
    switch (head) {
      case 'case':
        return await caseView(arg, params);
      case 'media':
        return await mediaView(arg, params);
      case 'map':
        return await mapView(params);
      case 'leads':
        return await leadsView(params);
      case 'lead':
        return arg === 'new' ? await newLeadView(params) : await leadView(arg);
      case 'packages':
        return await packagesView();
      case 'series':
        return arg ? await seriesView(arg, params) : await seriesListView();
      case 'settings':
        return settingsView();
      default:
        return await casesView();
    }
  } catch (e) {
    mount(h('h1', 'Error'), errorBox(e));
  }
}

async function start() {
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await post('/auth/logout');
    } catch (e) {
      // the session may already be gone
    }
    session.user = null;
    setCsrf(null);
    wellness.apply(wellness.DEFAULT_SETTINGS);
    location.hash = '#/cases';
    loginView('Signed out.');
  });
  window.addEventListener('vidi:unauthenticated', () => {
    session.user = null;
    setCsrf(null);
    loginView('Your session has ended: please sign in again.');
  });
  window.addEventListener('hashchange', route);
  try {
    const me = await get('/auth/me');
    session.user = me.user;
    setCsrf(me.csrf_token);
    await wellness.load();
  } catch (e) {
    session.user = null;
  }
  route();
}

start();
