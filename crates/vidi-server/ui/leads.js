// Leads (potential identifications): list, creation from the media view with supporting media
// and clues, workflow buttons by role and state, comments and full history.
import { get, post, patch, qs, enc, thumbUrl } from './api.js';
import { h, mount, errorBox, dl, label, fmtTime } from './dom.js';
import { session, isMe } from './session.js';
import * as wellness from './wellness.js';
import { describe } from './media.js';

const STATES = ['draft', 'submitted', 'approved', 'rejected', 'disseminated'];

/** The author / reviewer of a lead, whichever shape the server gives (object, username, or *_user fields). */
const authorOf = (l) => l.author ?? l.author_user ?? null;
const reviewerOf = (l) => l.reviewer ?? l.reviewer_user ?? null;

function stateChip(st) {
  return h('span', { class: `state ${st || ''}`, 'data-state': st || '' }, st || '?');
}

export async function leadsView(params) {
  const state = params.get('state') || '';
  const country = params.get('country') || '';
  mount(h('h1', 'Leads'), h('p.muted', 'Loading…'));
  let items = [];
  try {
    let cursor = null;
    do {
      const r = await get(`/leads${qs({ state, country, limit: 1000, cursor })}`);
      items.push(...(r.items || []));
      cursor = r.next_cursor;
    } while (cursor && items.length < 10000);
  } catch (e) {
    mount(h('h1', 'Leads'), errorBox(e));
    return;
  }
  const stSel = h('select#leads-state', { 'aria-label': 'State' }, h('option', { value: '' }, 'any state'),
    STATES.map((x) => h('option', { value: x, selected: x === state }, x)));
  const cInput = h('input#leads-country', { value: country, placeholder: 'country (XX)', 'aria-label': 'Target country', size: 8 });
  const filter = h('form.row', stSel, cInput, h('button', { type: 'submit' }, 'Filter'));
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/leads${qs({ state: stSel.value, country: cInput.value.trim().toUpperCase() })}`;
  });
  stSel.addEventListener('change', () => filter.requestSubmit());
  mount(
    h('h1', 'Leads'),
    filter,
    items.length
      ? h('table#leads', h('thead', h('tr', h('th', 'Lead'), h('th', 'Subject'), h('th', 'Country'), h('th', 'State'), h('th', 'Author'))),
        h('tbody', items.map((l) => h('tr', { 'data-lead': l.id },
          h('td', h('a', { href: `#/lead/${enc(l.id)}` }, l.title || `lead ${l.id}`)),
          h('td', l.subject), h('td', l.target_country), h('td', stateChip(l.state)), h('td', label(authorOf(l)))))))
      : h('p.muted#leads-empty', 'No lead. Write one from a media view ("Write a lead").'),
  );
}

export async function newLeadView(params) {
  const shas = (params.get('media') || '').split(',').filter(Boolean);
  const caseNo = params.get('case');
  mount(h('h1', 'New lead'), h('p.muted', 'Loading…'));
  const media = [];
  for (const sha of shas) {
    try {
      media.push(await get(`/media/${enc(sha)}`));
    } catch (e) {
      mount(h('h1', 'New lead'), errorBox(e));
      return;
    }
  }
  const topCountry = media.flatMap((m) => m.hypotheses || []).sort((a, b) => b.score - a.score)[0];
  const subject = h('select#lead-subject', { name: 'subject' }, ['victim', 'offender', 'place'].map((x) => h('option', { value: x }, x)));
  const country = h('input#lead-country', { name: 'target_country', required: true, pattern: '[A-Za-z]{2}', size: 4, value: topCountry ? topCountry.country : '' });
  const title = h('input#lead-title', { name: 'title', required: true, size: 50 });
  const summary = h('textarea#lead-summary', { name: 'summary', required: true });
  const mediaBoxes = media.map((m) => {
    const cell = h('label.cell', { 'data-sha': m.sha256 });
    cell.append(h('input', { type: 'checkbox', name: 'media', value: m.sha256, checked: true }),
      wellness.shield(h('img', { src: thumbUrl(m.sha256), alt: `media ${m.sha256.slice(0, 12)}` }), { host: cell, clickReveals: false }),
      h('span.mono', m.sha256.slice(0, 12)));
    return cell;
  });
  const clueBoxes = media.flatMap((m) => (m.clues || []).map((c) => h('label',
    h('input', { type: 'checkbox', name: 'clues', value: c.id, checked: true }), `${c.kind}: ${describe(c.value)} (${m.sha256.slice(0, 8)})`)));
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form.panel.form-grid#lead-form',
    h('span', 'Subject'), subject,
    h('span', 'Target country'), country,
    h('span', 'Title'), title,
    h('span', 'Summary'), summary,
    h('span', 'Supporting media'), h('div.similar', mediaBoxes.length ? mediaBoxes : h('span.muted', 'None: open a media item and choose "Write a lead".')),
    h('span', 'Clues'), h('div', clueBoxes.length ? clueBoxes.map((b) => h('div', b)) : h('span.muted', 'None.')),
    h('span'), h('button.primary#lead-create', { type: 'submit' }, 'Create draft'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {
      subject: subject.value,
      target_country: country.value.trim().toUpperCase(),
      title: title.value.trim(),
      summary: summary.value,
      media: [...form.querySelectorAll('input[name="media"]:checked')].map((x) => x.value),
      clues: [...form.querySelectorAll('input[name="clues"]:checked')].map((x) => (/^\d+$/.test(x.value) ? Number(x.value) : x.value)),
    };
    try {
      const lead = await post('/leads', body);
      location.hash = `#/lead/${enc(lead.id)}`;
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  });
  mount(h('h1', 'New lead'), caseNo ? h('p', h('a', { href: `#/case/${enc(caseNo)}` }, `Case ${caseNo}`)) : null, form, status);
}

function actionButton(id, text, fn, cls) {
  const b = h(`button#${id}`, { type: 'button', class: cls || '' }, text);
  b.addEventListener('click', fn);
  return b;
}

export async function leadView(id) {
  let lead;
  try {
    lead = await get(`/leads/${enc(id)}`);
  } catch (e) {
    mount(h('h1', 'Lead'), errorBox(e));
    return;
  }
  const me = session.user || {};
  const author = isMe(authorOf(lead));
  const reviewer = me.role === 'reviewer' || me.role === 'admin';
  const status = h('div#lead-status', { 'aria-live': 'polite' });
  const act = (path, body) => async () => {
    try {
      await post(`/leads/${enc(id)}/${path}`, body ? body() : {});
      leadView(id);
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  };
  const actions = h('div.row#lead-actions');
  const st = lead.state;
  let editForm = null;
  if (author && (st === 'draft' || st === 'rejected')) {
    const t = h('input#edit-title', { value: lead.title || '', size: 50, 'aria-label': 'Title' });
    const sm = h('textarea#edit-summary', { 'aria-label': 'Summary' });
    sm.value = lead.summary || '';
    editForm = h('form.panel#lead-edit', h('h2', 'Edit'), t, sm, h('button', { type: 'submit' }, 'Save changes'));
    editForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await patch(`/leads/${enc(id)}`, { title: t.value.trim(), summary: sm.value });
        leadView(id);
      } catch (e) {
        status.replaceChildren(errorBox(e));
      }
    });
  }
  if (author && st === 'draft') actions.append(actionButton('lead-submit', 'Submit for review', act('submit'), 'primary'));
  if (reviewer && !author && st === 'submitted') {
    const reason = h('input#reject-reason', { placeholder: 'reason for rejection', 'aria-label': 'Reason for rejection', size: 30 });
    actions.append(
      actionButton('lead-approve', 'Approve', act('approve'), 'primary'),
      reason,
      actionButton('lead-reject', 'Reject', async () => {
        if (!reason.value.trim()) {
          status.replaceChildren(errorBox({ message: 'Give a reason for the rejection.' }));
          reason.focus();
          return;
        }
        await act('reject', () => ({ reason: reason.value.trim() }))();
      }, 'danger'),
    );
  }
  if (reviewer && st === 'approved') actions.append(actionButton('lead-disseminate', 'Disseminate', act('disseminate'), 'primary'));
  if (!actions.childNodes.length) {
    const why = st === 'submitted' && author ? 'Waiting for a reviewer (not the author).' : st === 'disseminated' ? 'Sent to the country concerned.' : 'No action for your role at this state.';
    actions.append(h('span.muted', why));
  }
  const comment = h('textarea#comment-text', { 'aria-label': 'Comment', required: true });
  const commentForm = h('form#comment-form', comment, h('button', { type: 'submit' }, 'Comment'));
  commentForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/leads/${enc(id)}/comments`, { text: comment.value });
      leadView(id);
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  });
  const mediaList = (lead.media || []).map((m) => (typeof m === 'object' ? m.sha256 : m));
  // clue ids are described from the supporting media (when the user may still see them)
  const clueText = new Map();
  await Promise.all(mediaList.slice(0, 20).map((sha) => get(`/media/${enc(sha)}`).then(
    (m) => (m.clues || []).forEach((c) => clueText.set(String(c.id), `${c.kind}: ${describe(c.value)}`)),
    () => null,
  )));
  mount(
    h('div.row', h('h1', lead.title || `Lead ${lead.id}`), stateChip(st)),
    h('section.panel', dl([
      ['Subject', lead.subject], ['Target country', lead.target_country], ['Author', label(authorOf(lead))],
      ['Reviewer', label(reviewerOf(lead))], ['Agency', label(lead.agency ?? lead.author_agency)], ['Created', fmtTime(lead.created_at || lead.created)],
      ['Summary', lead.summary], ['Review note', lead.review_note || lead.reject_reason || lead.reason],
    ])),
    actions,
    status,
    editForm,
    h('section.panel', h('h2', 'Supporting media'), mediaList.length
      ? h('div.similar', mediaList.map((sha) => {
        const cell = h('div.cell');
        cell.append(wellness.shield(h('img', { src: thumbUrl(sha), alt: `media ${String(sha).slice(0, 12)}` }), { host: cell }),
          h('div.cap', h('a', { href: `#/media/${enc(sha)}` }, String(sha).slice(0, 10))));
        return cell;
      }))
      : h('p.muted', 'None.'),
    h('h2', 'Clues'), (lead.clues || []).length ? h('ul', lead.clues.map((c) => h('li', typeof c === 'object' ? `${c.kind}: ${describe(c.value)}` : clueText.get(String(c)) || `clue ${c}`))) : h('p.muted', 'None.')),
    h('section.panel', h('h2', 'Comments'),
      h('ul#comments', (lead.comments || []).map((c) => h('li', `${label(c.user || c.author)} (${fmtTime(c.at)}): ${c.text}`))), commentForm),
    h('section.panel', h('h2', 'History'),
      h('ol.history#history', (lead.history || []).map((x) => h('li', { 'data-action': x.action },
        `${fmtTime(x.at)} · ${label(x.user)} · ${x.action}${x.from || x.to ? ` (${x.from || '—'} → ${x.to || '—'})` : ''}${x.note ? `: ${x.note}` : ''}`)))),
  );
}
