// Visit Detail, shown in every chat window (GET /api/sites/{site}/visitors/{visitor}):
// who the site says the visitor is ("Verified" / "Unverified", customer id, attributes);
// location, browser, OS, referrer, every page viewed; "Refresh"; "Previous Visits";
// "Chat History" (only when the visitor has earlier chats) opening their transcripts, with
// their "Tags" (editable after the fact) and "Wrap-up note"; for admins, "Export visitor data"
// and "Erase visitor" (visitdetail-privacy.js).

import { h, uniqueId, externalLink, replace } from '../dom.js';
import { visitors as visitorsApi, chats as chatsApi } from '../api.js';
import { openDialog } from '../ui/dialog.js';
import { store } from '../state.js';
import { messageElement } from './messagelog.js';
import { tagsField } from './tags.js';
import { ratingBadge } from './rating.js';
import { saveControl, openEmailDialog } from './chatactions.js';
import { visitorDataButtons } from './visitdetail-privacy.js';
import {
  dateTime, clock, elapsedSince, browserText, visitorLabel, plural,
} from '../format.js';

function row(label, value) {
  return [h('dt', null, label), h('dd', null, value == null || value === '' ? '—' : value)];
}

function pagesList(pages) {
  const sorted = [...(pages || [])].sort((a, b) => a.viewed_at - b.viewed_at);
  if (!sorted.length) return h('p', { class: 'empty' }, 'No pages recorded.');
  return h('ol', { class: 'pages' }, sorted.map((p) => h('li', null,
    h('time', { class: 'page-time', title: dateTime(p.viewed_at) }, clock(p.viewed_at)), ' ',
    externalLink(p.url, p.title || p.url),
    p.title ? h('span', { class: 'page-url' }, p.url) : null)));
}

/** "German (de)": the widget's language in the visit (a text, never markup); '—' when the
 * visit was recorded before the widget said. */
function languageText(code) {
  if (!code) return null;
  let name = '';
  try {
    name = new Intl.DisplayNames(['en'], { type: 'language' }).of(code);
  } catch (e) { /* an old browser: the code alone */ }
  return name && name !== code ? `${name} (${code})` : String(code);
}

/** Who the site says the visitor is (Frontdesk.identify()): "Verified" only when the site's
 * server signed the id; every value is the page's, shown as text. */
function identityFacts(p) {
  if (!p) return null;
  const attrs = Object.entries(p.attributes || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const state = p.verified ? 'Verified' : 'Unverified';
  return h('section', { class: 'identity', 'aria-label': 'Identity' },
    h('h4', null, 'Identity ', h('span', { class: `identity-state identity-${p.verified ? 'verified' : 'unverified'}` }, state)),
    h('dl', { class: 'facts' },
      row('Name', p.name), row('Email', p.email), row('Customer id', p.external_id)),
    attrs.length
      ? h('dl', { class: 'facts identity-attributes', 'aria-label': 'Attributes' },
        attrs.map(([k, v]) => row(k, String(v))))
      : null);
}

function visitFacts(v, { current }) {
  return h('dl', { class: 'facts' },
    row('Location', v.location_text || 'Unknown'),
    row('Browser', v.browser || 'Unknown'),
    row('OS', v.os || 'Unknown'),
    row('Referrer', v.referrer ? externalLink(v.referrer) : 'None (direct)'),
    row('Language', languageText(v.language)),
    row('IP address', v.ip),
    row('Started', dateTime(v.started_at)),
    current
      ? row('Time on site', h('span', { class: 'elapsed', dataset: { since: v.started_at } }, elapsedSince(v.started_at)))
      : row('Last seen', dateTime(v.last_seen)),
    row('User agent', h('span', { class: 'ua' }, v.user_agent || '')));
}

/** A read-only transcript of a chat, in a dialog, with the chat window's "Save" and "Email"
 * (Chat History, and a result of the Archive). */
export async function openTranscript(chatId) {
  const body = h('div', { class: 'transcript' }, h('p', null, 'Loading…'));
  const dlg = openDialog({
    title: 'Chat transcript',
    body,
    className: 'dialog-wide',
    actions: [{ label: 'Done', value: null }],
  });
  try {
    const res = await chatsApi.get(chatId);
    const c = res.chat || {};
    const name = visitorLabel(c.visitor_name, c.visitor_id);
    const log = h('div', { class: 'log log-static', role: 'log', 'aria-label': `Transcript with ${name}`, tabindex: '0' },
      (res.messages || []).sort((a, b) => a.seq - b.seq).map((m) => messageElement(m, { visitorName: name })));
    replace(body,
      h('p', { class: 'transcript-head' }, `${name} · ${c.site_name || ''} · ${dateTime(c.created_at)}`,
        c.agent_name ? ` · with ${c.agent_name}` : ''),
      c.rating ? h('p', { class: 'transcript-rating' }, ratingBadge(c.rating, { withComment: true })) : null,
      tagsField(chatId, { siteId: c.site_id, initial: c.tags }).el,
      c.wrap_up ? h('div', { class: 'wrap-up', role: 'note', 'aria-label': 'Wrap-up note' },
        h('h4', null, 'Wrap-up note'), h('p', { class: 'wrap-up-text' }, c.wrap_up)) : null,
      log,
      h('div', { class: 'window-buttons transcript-actions' }, saveControl(chatId),
        h('button', { type: 'button', class: 'btn', onclick: () => openEmailDialog(chatId, c) }, 'Email')));
  } catch (err) {
    replace(body, h('p', { class: 'form-error' }, err.message));
  }
  return dlg;
}

export function createVisitDetail(chat) {
  const headingId = uniqueId('h');
  const content = h('div', { class: 'detail-content', 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', null, 'Loading…'));
  const refreshBtn = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh');
  const prevBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', hidden: true }, 'Previous Visits');
  const histBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', hidden: true }, 'Chat History');
  const prevSection = h('section', { class: 'detail-sub', hidden: true, 'aria-label': 'Previous Visits' });
  const histSection = h('section', { class: 'detail-sub', hidden: true, 'aria-label': 'Chat History' });
  prevBtn.setAttribute('aria-controls', prevSection.id = uniqueId('prev'));
  histBtn.setAttribute('aria-controls', histSection.id = uniqueId('hist'));
  const el = h('aside', { class: 'visit-detail', 'aria-labelledby': headingId },
    h('div', { class: 'panel-head' }, h('h3', { id: headingId }, 'Visit Detail'), refreshBtn),
    content,
    h('div', { class: 'detail-buttons' }, prevBtn, histBtn),
    prevSection, histSection,
    visitorDataButtons(chat));

  const toggle = (btn, section) => {
    const open = btn.getAttribute('aria-expanded') !== 'true';
    btn.setAttribute('aria-expanded', String(open));
    section.hidden = !open;
  };
  prevBtn.addEventListener('click', () => toggle(prevBtn, prevSection));
  histBtn.addEventListener('click', () => toggle(histBtn, histSection));

  let loading = false;
  const load = async () => {
    if (loading) return;
    loading = true;
    content.setAttribute('aria-busy', 'true');
    refreshBtn.disabled = true;
    try {
      const d = await visitorsApi.detail(chat.site_id, chat.visitor_id, chat.chat_id);
      show(d);
    } catch (err) {
      replace(content, h('p', { class: 'form-error' }, `Could not load the visit: ${err.message}`));
    } finally {
      loading = false;
      refreshBtn.disabled = false;
      content.setAttribute('aria-busy', 'false');
    }
  };

  const show = (d) => {
    const v = d.visitor || {};
    const cur = d.current_visit;
    const department = (store.chat(chat.chat_id) || chat).department_name;
    const who = h('dl', { class: 'facts' },
      row('Name', v.name || visitorLabel(null, v.visitor_id || chat.visitor_id)),
      v.email ? row('Email', v.email) : null,
      department ? row('Department', department) : null,
      row('First seen', dateTime(v.first_seen)));
    replace(content, who, identityFacts(d.identity),
      cur ? visitFacts(cur, { current: true }) : h('p', { class: 'empty' }, 'The visitor is not on the site now.'),
      cur ? h('h4', null, `Pages viewed (${(cur.pages || []).length})`) : null,
      cur ? pagesList(cur.pages) : null);

    const prev = Array.isArray(d.previous_visits) ? d.previous_visits : [];
    prevBtn.hidden = false;
    replace(prevBtn, 'Previous Visits', h('span', { class: 'btn-count', 'aria-hidden': 'true' }, ` (${prev.length})`));
    replace(prevSection, h('h4', null, 'Previous Visits'),
      prev.length ? h('ol', { class: 'visits' }, [...prev].sort((a, b) => b.started_at - a.started_at).map((pv) => h('li', null,
        h('details', null,
          h('summary', null, `${dateTime(pv.started_at)} · ${plural((pv.pages || []).length, 'page', 'pages')} · ${pv.location_text || 'Unknown'}`),
          h('p', null, browserText(pv.browser, pv.os)),
          h('p', null, 'Referrer: ', pv.referrer ? externalLink(pv.referrer) : 'None (direct)'),
          pagesList(pv.pages)))))
        : h('p', { class: 'empty' }, 'This is the first visit.'));

    const earlier = (Array.isArray(d.chats) ? d.chats : []).filter((c) => Number(c.chat_id) !== Number(chat.chat_id));
    histBtn.hidden = d.has_chat_history !== true;
    replace(histSection, h('h4', null, 'Chat History'),
      earlier.length ? h('ul', { class: 'history' }, earlier.sort((a, b) => b.created_at - a.created_at).map((c) => h('li', null,
        h('button', { type: 'button', class: 'link-btn', onclick: () => openTranscript(c.chat_id) },
          `${dateTime(c.created_at)}${c.agent_name ? ` with ${c.agent_name}` : ''}`),
        c.rating ? ' ' : null, ratingBadge(c.rating, { withComment: true }),
        Array.isArray(c.tags) && c.tags.length ? h('span', { class: 'history-tags' }, ` Tags: ${c.tags.join(', ')}`) : null,
        c.wrap_up ? h('span', { class: 'history-wrap-up' }, ` Wrap-up: ${c.wrap_up}`) : null)))
        : h('p', { class: 'empty' }, 'No earlier chats.'));
    if (histBtn.hidden) {
      histSection.hidden = true;
      histBtn.setAttribute('aria-expanded', 'false');
    }
  };

  refreshBtn.addEventListener('click', load);
  if (chat.site_id != null && chat.visitor_id != null) load();
  else replace(content, h('p', { class: 'empty' }, 'No visitor details for this chat.'));
  return { el, refresh: load };
}
