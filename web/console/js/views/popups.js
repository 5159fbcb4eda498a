// Pop-ups (role="alertdialog"), stacked top-right: chat requests with "Start Chatting" (under
// "Assign automatically", "Offered to you" with a role="timer" countdown, see offers.js; a
// chat escalated for waiting too long is highlighted and named "Chat request Waiting too
// long"), "NAME transferred a chat to you", and "NAME invites you to a chat" ("Join chat"). They never take focus by themselves (the agent may be
// typing in another chat); Alt+A accepts the oldest waiting chat.

import { h, reconcile, externalLink, uniqueId, replace } from '../dom.js';
import { store } from '../state.js';
import { visitorLabel, elapsedSince } from '../format.js';
import { secondsLeft } from '../offers.js';

const TRANSFER_POPUP_MS = 30_000;

export function renderPopups({ ctrl }) {
  const stack = h('div', { class: 'popups' });
  const timers = new Map();

  const requestBody = (el, p) => {
    const c = store.chat(p.chatId) || {};
    const titleId = uniqueId('pop');
    const descId = uniqueId('pop-d');
    const visitor = store.visitors.get(`${c.site_id}/${c.visitor_id}`);
    const pageUrl = c.page_url || visitor?.page?.url || '';
    const pageTitle = visitor?.page?.url === pageUrl ? visitor.page.title : '';
    el.setAttribute('aria-labelledby', titleId);
    el.setAttribute('aria-describedby', descId);
    const lines = h('div', { id: descId, class: 'popup-desc' },
      h('p', { class: 'popup-visitor' }, h('strong', null, visitorLabel(c.visitor_name, c.visitor_id)),
        ' on ', h('span', { class: 'popup-site' }, c.site_name || store.siteName(c.site_id))),
      c.department_name ? h('p', { class: 'popup-department' }, `Department: ${c.department_name}`) : null,
      pageUrl ? h('p', { class: 'popup-page' }, 'Page: ', externalLink(pageUrl, pageTitle || pageUrl)) : null,
      c.queued_at ? h('p', { class: 'popup-wait' }, 'Waiting ',
        h('span', { class: 'elapsed', dataset: { since: c.queued_at } }, elapsedSince(c.queued_at))) : null);
    const offer = p.offered && p.status !== 'taken' && p.status !== 'gone'
      ? h('p', { class: 'popup-offer' }, h('strong', null, 'Offered to you'), ' · ',
        h('span', { role: 'timer', 'aria-label': 'Time left to answer', class: 'countdown', dataset: { deadline: p.deadline } },
          `${secondsLeft(p.deadline)} s`))
      : null;
    let status = null;
    let actions = null;
    if (p.status === 'taken') {
      status = h('p', { class: 'popup-status' }, `Taken by ${p.by || 'another agent'}`);
    } else if (p.status === 'gone') {
      status = h('p', { class: 'popup-status' }, p.reason || 'The visitor has left.');
    } else {
      const start = h('button', {
        type: 'button', class: 'btn btn-primary', 'aria-keyshortcuts': 'Alt+A',
        disabled: p.status === 'accepting', onclick: () => ctrl.accept(p.chatId),
      }, 'Start Chatting');
      start.dataset.role = 'start';
      actions = h('div', { class: 'popup-actions' }, start,
        h('button', { type: 'button', class: 'btn', onclick: () => store.setPopup(p.key, null) }, 'Dismiss'));
    }
    // Escalated (waiting too long): highlighted, and named so ("Chat request Waiting too long").
    const escalated = c.state === 'pending' && (p.escalated || c.escalated_at != null);
    el.classList.toggle('popup-escalated', escalated);
    const title = h('h2', { id: titleId, class: 'popup-title' }, 'Chat request',
      escalated ? ' ' : null, escalated ? h('span', { class: 'popup-flag' }, 'Waiting too long') : null);
    replace(el, title, offer, lines, status, actions);
  };

  const transferBody = (el, p) => {
    const c = store.chat(p.chatId) || {};
    const titleId = uniqueId('pop');
    el.setAttribute('aria-labelledby', titleId);
    el.removeAttribute('aria-describedby');
    replace(el,
      h('h2', { id: titleId, class: 'popup-title' }, `${p.fromName || 'An agent'} transferred a chat to you`),
      h('p', null, h('strong', null, visitorLabel(c.visitor_name, c.visitor_id)),
        c.site_name ? ` on ${c.site_name}` : ''),
      h('div', { class: 'popup-actions' },
        h('button', {
          type: 'button', class: 'btn btn-primary',
          onclick: () => { store.openWindow(p.chatId); store.setPopup(p.key, null); store.emit('focus-composer', p.chatId); },
        }, 'Open chat'),
        h('button', { type: 'button', class: 'btn', onclick: () => store.setPopup(p.key, null) }, 'Dismiss')));
    if (!timers.has(p.key)) {
      timers.set(p.key, setTimeout(() => { timers.delete(p.key); store.setPopup(p.key, null); }, TRANSFER_POPUP_MS));
    }
  };

  // "Invite Agent": a colleague asks me into their chat ("Join chat").
  const joinBody = (el, p) => {
    const c = store.chat(p.chatId) || {};
    const titleId = uniqueId('pop');
    el.setAttribute('aria-labelledby', titleId);
    el.removeAttribute('aria-describedby');
    replace(el,
      h('h2', { id: titleId, class: 'popup-title' }, `${p.fromName || 'An agent'} invites you to a chat`),
      h('p', null, h('strong', null, visitorLabel(c.visitor_name, c.visitor_id)),
        c.site_name ? ` on ${c.site_name}` : ''),
      h('div', { class: 'popup-actions' },
        h('button', {
          type: 'button', class: 'btn btn-primary', disabled: p.status === 'joining', onclick: () => ctrl.joinChat(p.chatId),
        }, 'Join chat'),
        h('button', { type: 'button', class: 'btn', onclick: () => store.setPopup(p.key, null) }, 'Dismiss')));
  };

  const render = () => {
    const list = [...store.popups.values()];
    reconcile(stack, list, (p) => p.key,
      (p) => h('section', { role: 'alertdialog', class: `popup popup-${p.kind}`, 'aria-modal': 'false' }),
      (el, p) => {
        const c = store.chat(p.chatId);
        const sig = `${p.status}|${p.by}|${p.reason}|${c?.visitor_name}|${p.offered ? p.deadline : ''}|${p.escalated || c?.escalated_at != null}`;
        if (el.dataset.sig === sig) return;
        el.dataset.sig = sig;
        el.classList.toggle('is-done', p.status === 'taken' || p.status === 'gone');
        el.classList.toggle('is-offer', !!p.offered);
        if (p.kind === 'transferred') transferBody(el, p);
        else if (p.kind === 'join') joinBody(el, p);
        else requestBody(el, p);
      });
    for (const [key, t] of timers) {
      if (!store.popups.has(key)) { clearTimeout(t); timers.delete(key); }
    }
  };

  // The countdowns of offers, each second (main.js's ticker).
  const countdown = () => {
    for (const t of stack.querySelectorAll('[role="timer"][data-deadline]')) {
      const s = `${secondsLeft(Number(t.dataset.deadline))} s`;
      if (t.textContent !== s) t.textContent = s;
    }
  };

  store.on('popups', render);
  store.on('tick', countdown);
  store.on('focus-popup', (chatId) => {
    const el = stack.querySelector(`[data-key="req-${Number(chatId)}"] [data-role="start"]`);
    if (el) el.focus();
  });
  render();
  return stack;
}
