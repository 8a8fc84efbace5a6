// Dissemination packages: build one for a country (its approved leads), list and download.
import { get, post, qs, enc } from './api.js';
import { h, mount, errorBox, label } from './dom.js';

export async function packagesView() {
  mount(h('h1', 'Packages'), h('p.muted', 'Loading…'));
  let items = [];
  try {
    const r = await get(`/packages${qs({ limit: 1000 })}`);
    items = r.items || [];
  } catch (e) {
    mount(h('h1', 'Packages'), errorBox(e));
    return;
  }
  const country = h('input#pkg-country', { required: true, pattern: '[A-Za-z]{2}', size: 4, placeholder: 'XX', 'aria-label': 'Country' });
  const thumbs = h('input#pkg-thumbs', { type: 'checkbox' });
  const status = h('div#pkg-status', { 'aria-live': 'polite' });
  const form = h('form.panel.row#pkg-form', h('label', 'Country', country), h('label', thumbs, 'include redacted thumbnails'),
    h('button.primary', { type: 'submit' }, 'Build package'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const p = await post('/packages', { country: country.value.trim().toUpperCase(), thumbnails: thumbs.checked });
      status.replaceChildren(h('p.ok', `Built ${p.file_name || p.id} (version ${p.version}, ${p.leads} leads). `,
        h('a#pkg-download', { href: `/api/v1/packages/${enc(p.id)}/file`, download: p.file_name || '' }, 'Download')));
      const again = await get(`/packages${qs({ limit: 1000 })}`);
      tbody.replaceChildren(...rows(again.items || []));
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  });
  const rows = (list) => list.map((p) => h('tr', { 'data-package': p.id },
    h('td', String(p.country)), h('td', String(p.version ?? '')), h('td', String(p.leads ?? '')),
    h('td.mono', String(p.sha256 || '').slice(0, 16)), h('td', label(p.created_at || p.at || '')),
    h('td', h('a', { href: `/api/v1/packages/${enc(p.id)}/file`, download: p.file_name || '', 'data-download': p.id }, p.file_name || 'download'))));
  const tbody = h('tbody', rows(items));
  mount(
    h('h1', 'Packages'),
    h('p.muted', 'A package holds the approved leads for one country: signed JSON plus a readable report. Check it with "vidi package verify".'),
    form,
    status,
    h('table#packages', h('thead', h('tr', h('th', 'Country'), h('th', 'Version'), h('th', 'Leads'), h('th', 'SHA-256'), h('th', 'Built'), h('th', 'File'))), tbody),
  );
}
