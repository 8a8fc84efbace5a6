// Series: the list the user may see, one series (media under the wellness rules, cases,
// agencies, clusters, VICS/ICSE names, history, pooled location hypotheses) and changes.
import { get, post, patch, thumbUrl, enc } from './api.js';
import { h, mount, errorBox, fmtTime } from './dom.js';
import * as wellness from './wellness.js';
import { section, smallForm, hypothesesList } from './media.js';

export async function seriesListView() {
  mount(h('h1', 'Series'), h('p.muted', 'Loading…'));
  let r;
  try {
    r = await get('/series?limit=1000');
  } catch (e) {
    mount(h('h1', 'Series'), errorBox(e));
    return;
  }
  const items = r.items || [];
  const rows = items.map((x) => h('tr', { 'data-series': String(x.id) },
    h('td', h('a', { href: `#/series/${enc(String(x.id))}` }, x.name)),
    h('td', String(x.media)), h('td', String(x.cases)), h('td', String(x.agencies)),
    h('td', (x.hashset_names || []).join(', ')), h('td', x.origin)));
  mount(
    h('h1', 'Series'),
    items.length
      ? h('table#series-list', h('thead', h('tr', h('th', 'Name'), h('th', 'Media'), h('th', 'Cases'), h('th', 'Agencies'), h('th', 'VICS/ICSE names'), h('th', 'Origin'))), h('tbody', rows))
      : h('p.muted', 'No series you may see.'),
    section('New series', smallForm('form-series', [h('input', { name: 'name', placeholder: 'name', 'aria-label': 'series name', required: true })], 'Create', async (f) => {
      const c = await post('/series', { name: f.elements.name.value.trim() });
      location.hash = `#/series/${enc(String(c.id))}`;
    })),
  );
}

export async function seriesView(id, params) {
  mount(h('h1', 'Series'), h('p.muted', 'Loading…'));
  let d;
  try {
    d = await get(`/series/${enc(id)}`);
  } catch (e) {
    mount(h('h1', 'Series'), errorBox(e), h('a', { href: '#/series' }, 'All series'));
    return;
  }
  const reload = () => seriesView(String(d.id), params);
  const members = (d.members || []).map((m) => {
    const sha = m.sha256;
    const inCase = (m.cases || [])[0];
    const cell = h('div.cell', { 'data-sha': sha });
    const img = h('img', { src: thumbUrl(sha), alt: `series media ${sha.slice(0, 12)}`, loading: 'lazy' });
    cell.append(wellness.shield(img, { host: cell }),
      h('div.cap', h('a', { href: `#/media/${enc(sha)}${inCase ? `?case=${enc(inCase)}` : ''}` }, sha.slice(0, 10)), ` ${m.origin}`));
    return cell;
  });
  const agencies = (d.agency_list || []).map((a) => `${a.code}${a.country ? ` (${a.country})` : ''}`);
  mount(
    h('div.row', h('h1#series-name', d.name), h('a', { href: '#/series' }, 'All series')),
    h('div.cols',
      h('div',
        section('Media', h('div.similar#series-media', members.length ? members : h('p.muted', 'No media you may see.'))),
        section('Location hypotheses', hypothesesList(d.hypotheses, 'series-hypotheses')),
      ),
      h('div',
        section('Details', h('dl.kv',
          h('dt', 'Cases'), h('dd#series-cases', (d.case_numbers || []).map((c) => h('a.chip', { href: `#/case/${enc(c)}?series=${enc(String(d.id))}` }, c))),
          h('dt', 'Agencies'), h('dd#series-agencies', agencies.join(', ')),
          h('dt', 'VICS/ICSE names'), h('dd', (d.external_names || []).map((n) => n.name).join(', ')),
          h('dt', 'Clusters'), h('dd', String((d.clusters || []).length)),
          h('dt', 'Created'), h('dd', `${d.created_by} ${fmtTime(d.created_at)}`))),
        section('Rename', smallForm('form-series-rename', [h('input', { name: 'name', value: d.name, 'aria-label': 'new name', required: true })], 'Rename', async (f) => {
          await patch(`/series/${enc(String(d.id))}`, { name: f.elements.name.value.trim() });
          reload();
        })),
        section('Merge into another series', smallForm('form-series-merge', [h('input', { name: 'into', type: 'number', min: '1', placeholder: 'series id', 'aria-label': 'target series id', required: true })], 'Merge', async (f) => {
          const r = await post(`/series/${enc(String(d.id))}/merge`, { into: Number(f.elements.into.value) });
          location.hash = `#/series/${enc(String(r.into))}`;
        })),
        section('Add media', smallForm('form-series-add', [h('input', { name: 'sha', placeholder: 'SHA-256', 'aria-label': 'media SHA-256', required: true })], 'Add', async (f) => {
          await post(`/series/${enc(String(d.id))}/media`, { media: [f.elements.sha.value.trim()] });
          reload();
        })),
        section('History', h('ul#series-history', (d.history || []).map((e) => h('li.muted', `${fmtTime(e.at)} ${e.actor}: ${e.action}${e.detail ? ` ${e.detail}` : ''}`)))),
      ),
    ),
  );
}
