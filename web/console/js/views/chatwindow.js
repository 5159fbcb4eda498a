// One chat window: header with the window buttons, the message log, the visitor's typing
// indicator, the Message box, Send Link and Transfer rows, "Tags", the colleague row ("With: …",
// "Invite Agent", "Leave chat"), and the Visit Detail panel.

import { h, text, replace } from '../dom.js';
import { store } from '../state.js';
import { visitorLabel } from '../format.js';
import { createMessageLog } from './messagelog.js';
import { createComposer } from './composer.js';
import { sendLinkControl, transferControl, windowButtons } from './chatactions.js';
import { createVisitDetail } from './visitdetail.js';
import { tagsField } from './tags.js';
import { colleagueControls } from './colleagues.js';
import { ratingBadge } from './rating.js';

const ENDED_TEXT = {
  visitor: 'The visitor ended this chat.',
  agent: 'This chat has ended.',
  blocked: 'This chat has ended: the visitor is blocked for the rest of the day.',
};

export function createChatWindow(chatId, { ctrl }) {
  const id = Number(chatId);
  const chat = store.chat(id) || { chat_id: id };
  const name = () => {
    const c = store.chat(id) || chat;
    return visitorLabel(c.visitor_name, c.visitor_id);
  };

  const title = h('h2', { class: 'cw-title' });
  const sub = h('p', { class: 'cw-sub' });
  // The visitor's rating of the ended chat ("How was this chat?"), with its comment.
  const rating = h('p', { class: 'cw-rating' });
  const notice = h('div', { class: 'cw-notice', role: 'status', hidden: true });
  const log = createMessageLog(id, { ctrl, label: `Chat with ${name()}` });
  const typing = h('p', { class: 'typing', 'aria-live': 'polite' });
  const composer = createComposer(id, { ctrl, siteId: chat.site_id });
  const link = sendLinkControl(id, { ctrl });
  const transfer = transferControl(id, { ctrl });
  const buttons = windowButtons(id, { ctrl });
  const detail = createVisitDetail(chat);
  const tags = tagsField(id, { siteId: chat.site_id, initial: chat.tags });
  // A supervisor's "Watch": read-only and live, no composer; "Stop watching" closes it.
  const watchBar = h('div', { class: 'cw-watch', role: 'status', hidden: true },
    h('span', { class: 'badge watch-badge' }, 'Watching'),
    h('span', { class: 'cw-watch-text' }, 'Read-only and live. The visitor is not told.'),
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => ctrl.stopWatching(id) }, 'Stop watching'));
  const rows = h('div', { class: 'cw-rows' }, link.el, transfer.el);
  const colleagues = colleagueControls(id, { ctrl });

  const el = h('div', { class: 'chat-window' },
    h('div', { class: 'cw-head' }, h('div', { class: 'cw-who' }, title, sub, rating), buttons.el),
    h('div', { class: 'cw-body' },
      h('div', { class: 'cw-main' },
        watchBar, notice, colleagues.el, log.el, typing, composer.el, rows, tags.el),
      detail.el));

  const renderNotice = (c) => {
    let parts = null;
    if (c.state === 'ended') {
      parts = [ENDED_TEXT[c.end_reason] || 'This chat has ended.', ' Close the window when you are done.'];
    } else if (c.released) {
      if (c.state === 'pending') {
        parts = ['This chat went back to the queue. ',
          h('button', { type: 'button', class: 'btn btn-small', onclick: () => ctrl.accept(id) }, 'Take this chat')];
      } else if (c.state === 'active' && c.agent_name) {
        parts = [`${c.agent_name} has this chat now.`];
      } else {
        parts = ['This chat is no longer yours.'];
      }
    }
    const sig = parts ? `${c.state}|${c.end_reason}|${c.released}|${c.agent_name}` : '';
    if (notice.dataset.sig === sig) return;
    notice.dataset.sig = sig;
    notice.hidden = !parts;
    replace(notice, ...(parts || []));
  };

  const renderChat = () => {
    const c = store.chat(id);
    if (!c) return;
    text(title, name());
    log.el.setAttribute('aria-label', `Chat with ${name()}`);
    const state = c.state === 'ended' ? 'Ended' : c.state === 'pending' ? 'Waiting' : 'Chatting';
    text(sub, `${c.site_name || store.siteName(c.site_id)} · ${state}`);
    const rated = c.rating ? `${c.rating.score}|${c.rating.comment || ''}` : '';
    if (rating.dataset.sig !== rated) {
      rating.dataset.sig = rated;
      replace(rating, ...[ratingBadge(c.rating, { withComment: true })].filter(Boolean));
    }
    const mine = store.isMine(c);
    // A colleague who joined writes (messages, links); the owner's actions stay the owner's.
    const writes = store.mayWrite(c);
    el.classList.toggle('is-readonly', !writes);
    composer.setEnabled(writes);
    link.setEnabled(writes);
    transfer.setEnabled(mine);
    buttons.setEnabled(mine);
    tags.set(c.tags);
    tags.setEnabled(mine || c.state === 'ended');
    colleagues.render();
    const watching = store.watching.has(id) && !mine;
    watchBar.hidden = !watching;
    composer.el.hidden = watching;
    rows.hidden = watching;
    el.classList.toggle('is-watching', watching);
    if (watching && c.state !== 'ended') {
      notice.hidden = true;
      notice.dataset.sig = '';
    } else renderNotice(c);
    renderTyping();
  };

  const renderTyping = () => {
    const on = store.isTyping(id) && store.chat(id)?.state !== 'ended';
    text(typing, on ? `${name()} is typing…` : '');
    typing.classList.toggle('is-on', on);
  };

  const subs = [
    store.on('chat', (cid) => { if (cid === id) renderChat(); }),
    store.on('chats', renderChat),
    store.on('messages', (cid) => { if (cid === id) log.render(); }),
    store.on('typing', (cid) => { if (cid === id) renderTyping(); }),
    store.on('tick', renderTyping),
    store.on('agents', () => { transfer.refresh(); colleagues.render(); }),
    store.on('me', () => transfer.refresh()),
    store.on('focus-composer', (cid) => {
      if (cid === id) requestAnimationFrame(() => composer.focus());
    }),
  ];
  renderChat();

  return {
    el,
    composer,
    focus: () => composer.focus(),
    openCanned: () => composer.canned.open(),
    scrollToEnd: log.scrollToEnd,
    destroy: () => subs.forEach((off) => off()),
  };
}
