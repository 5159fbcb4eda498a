// One result of the "Archive" page: visitor, site, agent, date, state, tags, rating and, for a
// search, the snippet with the matched words in <mark>. Every piece of it is text: the snippet
// is cut into text nodes and <mark> elements by its `highlights` ranges (UTF-16 offsets, what
// String.prototype.slice counts), never parsed as HTML. Pure DOM building, no fetching.

import { h } from '../dom.js';
import { dateTime, visitorLabel } from '../format.js';
import { ratingBadge } from './rating.js';

const STATE_TEXT = {
  ended: 'Ended', missed: 'Missed', blocked: 'Blocked', open: 'Open',
};

const MATCHED_IN = {
  message: null, // the usual case: no label
  note: 'Note',
  visitor_name: 'Visitor name',
  visitor_email: 'Visitor email',
  page_title: 'Page title',
  tag: 'Tag',
  wrap_up: 'Wrap-up note',
};

/** "1,234 chats", "1 chat", "10,000+ chats". */
export function countText({ count, more }) {
  const n = Number(count) || 0;
  const shown = n.toLocaleString('en-US');
  if (more) return `${shown}+ chats`;
  return `${shown} ${n === 1 ? 'chat' : 'chats'}`;
}

/**
 * The snippet's text as nodes: plain text, and each highlighted range in a <mark>. Ranges that
 * are out of order, overlapping or outside the text are skipped (the text is still shown).
 */
export function snippetNodes(snippet) {
  const textValue = String(snippet?.text ?? '');
  const ranges = Array.isArray(snippet?.highlights) ? snippet.highlights : [];
  const out = [];
  let at = 0;
  for (const r of ranges) {
    const start = Number(r?.[0]);
    const end = Number(r?.[1]);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < at || end <= start || end > textValue.length) continue;
    if (start > at) out.push(document.createTextNode(textValue.slice(at, start)));
    const mark = document.createElement('mark');
    mark.textContent = textValue.slice(start, end);
    out.push(mark);
    at = end;
  }
  if (at < textValue.length) out.push(document.createTextNode(textValue.slice(at)));
  return out;
}

/** The <li> of one hit; `onOpen(hit)` opens its transcript. */
export function resultItem(hit, onOpen) {
  const name = visitorLabel(hit.visitor_name, hit.visitor_id);
  const state = hit.archive_state || (hit.state === 'ended' ? (hit.missed ? 'missed' : 'ended') : 'open');
  const open = h('button', { type: 'button', class: 'link-btn archive-open' }, name);
  open.addEventListener('click', () => onOpen(hit));
  const tags = Array.isArray(hit.tags) && hit.tags.length
    ? h('span', { class: 'archive-tags' }, h('span', { class: 'sr-only' }, 'Tags: '),
      hit.tags.map((t) => h('span', { class: 'chip' }, t)))
    : null;
  const snippet = hit.snippet;
  const label = snippet ? MATCHED_IN[snippet.matched_in] : null;
  return h('li', { class: 'archive-hit', dataset: { chatId: hit.chat_id } },
    h('div', { class: 'archive-hit-head' },
      h('h3', { class: 'archive-visitor' }, open),
      h('span', { class: `badge state-badge state-${state}` }, STATE_TEXT[state] || state),
      hit.rating ? ratingBadge(hit.rating) : null),
    h('p', { class: 'archive-meta' },
      h('span', { class: 'archive-site' }, hit.site_name || ''),
      ' · ',
      h('span', { class: 'archive-agent' }, hit.agent_name || 'No agent'),
      ' · ',
      h('time', { class: 'archive-date', datetime: new Date(Number(hit.created_at)).toISOString() }, dateTime(hit.created_at)),
      tags ? ' · ' : null, tags),
    snippet ? h('p', { class: 'archive-snippet' },
      label ? h('span', { class: 'archive-matched-in' }, `${label}: `) : null,
      snippetNodes(snippet)) : null);
}
