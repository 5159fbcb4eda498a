// A chat's messages (role="log"), in seq order, each seq shown once; then the agent's own
// messages not yet confirmed by the server ("Sending…", or "Not sent" with Retry/Discard).
// Internal notes (kind `note`, agents only) are highlighted and headed "Note by NAME".

import { h, text, externalLink } from '../dom.js';
import { store } from '../state.js';
import { clock, dateTime, isoTime, linkify, visitorLabel, fileSize } from '../format.js';
import { files as filesApi } from '../api.js';

/** The heading of an internal note. */
export const noteBy = (name) => `Note by ${name || 'an agent'}`;

/**
 * The file of a `file` message: a raster image (the server gives its pixel size: it has a
 * thumbnail) as its thumbnail, which opens the image in a new tab; anything else as a download
 * link "name (size)". The name only as text (and `alt`).
 */
export function fileElement(f) {
  const url = filesApi.url(f.id);
  if (f.width && /^image\//.test(f.mime || '')) {
    return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'file-thumb' },
      h('img', { src: filesApi.thumbUrl(f.id), alt: f.name || 'image' }));
  }
  return h('a', { href: url, download: f.name || 'file', class: 'file-link' }, `${f.name || 'file'} (${fileSize(f.size)})`);
}

/** One message as an element (also used for transcripts). `names` gives the visitor label. */
export function messageElement(m, { visitorName } = {}) {
  const from = m.from === 'visitor' || m.from === 'agent' ? m.from : 'system';
  const mine = from === 'agent' && store.isMe(m.agent_id);
  const note = m.kind === 'note';
  const author = note ? noteBy(m.author_name)
    : from === 'visitor' ? (m.author_name || visitorName || 'Visitor')
      : from === 'agent' ? (m.author_name || 'Agent') : 'Frontdesk';
  let body;
  if (m.kind === 'file' && m.file) {
    body = h('div', { class: 'msg-body' }, fileElement(m.file));
  } else if (m.kind === 'link') {
    body = h('div', { class: 'msg-body' }, h('span', { class: 'link-label' }, 'Link: '), externalLink(m.body));
  } else if (m.kind === 'event' || from === 'system') {
    body = h('div', { class: 'msg-body' }, m.body);
  } else {
    body = h('div', { class: 'msg-body' }, linkify(m.body));
  }
  const time = h('time', { datetime: isoTime(m.created_at), title: dateTime(m.created_at) }, clock(m.created_at));
  return h('div', {
    class: `msg msg-${from}${mine ? ' msg-mine' : ''} msg-kind-${m.kind || 'text'}`,
  },
  h('div', { class: 'msg-meta' }, h('span', { class: 'msg-author' }, author), ' ', time),
  body);
}

export function createMessageLog(chatId, { ctrl, label }) {
  const log = h('div', { role: 'log', class: 'log', 'aria-label': label, tabindex: '0' });
  // After a resync that left earlier messages out: say so, and offer them.
  const gap = h('p', { class: 'cw-notice log-gap', hidden: true }, 'Some earlier messages are not shown. ',
    h('button', { type: 'button', class: 'link-btn', onclick: () => ctrl.loadLeftOut(chatId) }, 'Load transcript'));
  log.append(gap);
  const bySeq = new Map();
  const byLocal = new Map();

  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 60;

  const localElement = (e) => {
    const status = h('span', { class: 'msg-status' });
    const retry = h('button', { type: 'button', class: 'link-btn', onclick: () => ctrl.retry(chatId, e.client_id) }, 'Retry');
    const discard = h('button', { type: 'button', class: 'link-btn', onclick: () => ctrl.discard(chatId, e.client_id) }, 'Discard');
    const body = e.kind === 'link'
      ? h('div', { class: 'msg-body' }, h('span', { class: 'link-label' }, 'Link: '), e.body)
      : h('div', { class: 'msg-body' }, e.body);
    const note = e.kind === 'note';
    const author = note ? noteBy(store.me?.name) : (store.me?.name || 'You');
    const el = h('div', { class: `msg msg-agent msg-mine msg-local${note ? ' msg-kind-note' : ''}` },
      h('div', { class: 'msg-meta' }, h('span', { class: 'msg-author' }, author), ' ', status, ' ', retry, ' ', discard),
      body);
    el.refresh = (entry) => {
      el.classList.toggle('is-failed', entry.status === 'failed');
      text(status, entry.status === 'failed' ? `Not sent: ${entry.error || 'error'}`
        : entry.status === 'sent' ? 'Sent' : 'Sending…');
      retry.hidden = entry.status !== 'failed';
      discard.hidden = entry.status !== 'failed';
    };
    return el;
  };

  const render = () => {
    const stick = nearBottom();
    const chat = store.chat(chatId);
    const visitorName = chat ? visitorLabel(chat.visitor_name, chat.visitor_id) : 'Visitor';
    const msgs = store.sortedMessages(chatId);
    const held = new Set(msgs.map((m) => m.seq));
    for (const [seq, el] of bySeq) { // dropped by a resync
      if (!held.has(seq)) { el.remove(); bySeq.delete(seq); }
    }
    gap.hidden = store.leftOut(chatId) === 0;
    for (const m of msgs) {
      if (bySeq.has(m.seq)) continue;
      const el = messageElement(m, { visitorName });
      el.dataset.seq = String(m.seq);
      // Before the rendered message with the next higher seq (usually none: append), and
      // always before the unconfirmed local messages.
      let before = null;
      let best = Infinity;
      for (const [seq, other] of bySeq) {
        if (seq > m.seq && seq < best) { best = seq; before = other; }
      }
      log.insertBefore(el, before || log.querySelector('.msg-local'));
      bySeq.set(m.seq, el);
    }
    const locals = store.localMessages(chatId);
    const keep = new Set(locals.map((e) => e.client_id));
    for (const [id, el] of byLocal) {
      if (!keep.has(id)) { el.remove(); byLocal.delete(id); }
    }
    for (const e of locals) {
      let el = byLocal.get(e.client_id);
      if (!el) {
        el = localElement(e);
        byLocal.set(e.client_id, el);
        log.append(el);
      }
      el.refresh(e);
    }
    if (stick) log.scrollTop = log.scrollHeight;
  };

  render();
  return { el: log, render, scrollToEnd: () => { log.scrollTop = log.scrollHeight; } };
}
