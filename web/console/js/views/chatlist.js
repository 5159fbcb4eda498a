// "Chatting Visitors": waiting and active chats, with waiting time and owner, and today's
// "Missed" chats (the visitor left before anyone answered; the "Missed" toggle shows only
// them). Enter opens or accepts; right-click, Shift+F10, the ContextMenu key or the entry's
// "⋯" button (touch) opens a menu with "Start Chatting".

import { h, text, reconcile, uniqueId, arrowNav } from '../dom.js';
import { store } from '../state.js';
import { openMenu, menuOpener } from '../ui/menu.js';
import { visitorLabel, elapsedSince } from '../format.js';
import { ratingBadge } from './rating.js';

export function renderChatList({ ctrl }) {
  const headingId = uniqueId('h');
  const list = h('ul', { class: 'entry-list chat-list', 'aria-labelledby': headingId });
  const empty = h('p', { class: 'empty' }, 'No visitors are waiting or chatting.');
  const count = h('span', { class: 'count-badge', 'aria-live': 'polite' });
  let onlyMissed = false;
  const missedBtn = h('button', {
    type: 'button', class: 'btn btn-small filter-missed', 'aria-pressed': 'false',
    onclick: () => {
      onlyMissed = !onlyMissed;
      missedBtn.setAttribute('aria-pressed', String(onlyMissed));
      render();
    },
  }, 'Missed');
  const section = h('section', { class: 'panel chatting', 'aria-labelledby': headingId },
    h('div', { class: 'panel-head' }, h('h2', { id: headingId }, 'Chatting Visitors'), count, missedBtn),
    list, empty);

  const showMenu = (entry, at) => {
    if (menuOpener() === entry) return; // keydown and contextmenu of the same key press
    const c = store.chat(entry.dataset.key);
    if (!c) return;
    const items = [];
    if (c.state === 'pending') {
      items.push({ label: 'Start Chatting', onSelect: () => ctrl.accept(c.chat_id), keepFocusAway: true });
    } else if (c.state === 'ended') {
      items.push({ label: 'Read the visitor\'s messages', onSelect: () => ctrl.openChat(c.chat_id), keepFocusAway: true });
    } else if (store.isMine(c)) {
      items.push({ label: 'Open Chat Window', onSelect: () => ctrl.openChat(c.chat_id), keepFocusAway: true });
    } else {
      items.push({ label: `Chatting with ${c.agent_name || 'another agent'}`, disabled: true, onSelect: () => {} });
    }
    openMenu({ label: `Chat with ${visitorLabel(c.visitor_name, c.visitor_id)}`, items, opener: entry, at });
  };

  const create = () => {
    const li = h('li', { class: 'entry', tabindex: '0', 'aria-haspopup': 'menu' },
      h('span', { class: 'badge' }),
      h('span', { class: 'entry-main' },
        h('span', { class: 'entry-name' }),
        h('span', { class: 'entry-sub' }),
        h('span', { class: 'entry-rating' })),
      h('span', { class: 'entry-time' }, h('span', { class: 'elapsed' })),
      h('span', { class: 'entry-owner' }),
      // The same menu for touch screens (no right-click, no Shift+F10): a visible button.
      h('button', {
        type: 'button', class: 'icon-btn entry-menu', 'aria-haspopup': 'menu', 'aria-label': 'Menu', tabindex: '-1',
      }, '⋯'));
    const menuBtn = li.querySelector('.entry-menu');
    menuBtn.addEventListener('click', (e) => {
      e.stopPropagation();
      const r = menuBtn.getBoundingClientRect();
      showMenu(li, { x: r.left, y: r.bottom });
    });
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        ctrl.openChat(li.dataset.key);
      } else if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
        e.preventDefault();
        showMenu(li, null);
      } else {
        arrowNav(e, [...list.children], li);
      }
    });
    li.addEventListener('contextmenu', (e) => {
      e.preventDefault();
      const keyboard = e.clientX === 0 && e.clientY === 0;
      showMenu(li, keyboard ? null : { x: e.clientX, y: e.clientY });
    });
    li.addEventListener('dblclick', () => ctrl.openChat(li.dataset.key));
    return li;
  };

  const update = (li, c) => {
    const waiting = c.state === 'pending';
    const missed = c.state === 'ended' && !!c.missed;
    const mine = store.isMine(c);
    li.classList.toggle('is-waiting', waiting);
    li.classList.toggle('is-mine', mine);
    li.classList.toggle('is-missed', missed);
    li.classList.toggle('is-escalated', waiting && c.escalated_at != null);
    text(li.querySelector('.badge'), missed ? 'Missed' : waiting ? 'Waiting' : 'Chatting');
    text(li.querySelector('.entry-name'), visitorLabel(c.visitor_name, c.visitor_id));
    const site = c.site_name || store.siteName(c.site_id);
    text(li.querySelector('.entry-sub'), c.department_name ? `${site} · ${c.department_name}` : site);
    const rating = li.querySelector('.entry-rating');
    const score = c.rating ? String(c.rating.score) : '';
    if (rating.dataset.score !== score) {
      rating.dataset.score = score;
      rating.replaceChildren(...[ratingBadge(c.rating)].filter(Boolean));
    }
    const since = waiting ? c.queued_at : c.created_at;
    const el = li.querySelector('.elapsed');
    el.dataset.since = String(since || 0);
    text(el, elapsedSince(since));
    li.querySelector('.entry-time').title = waiting ? 'Waiting time' : missed ? 'Since the request' : 'Chat time';
    text(li.querySelector('.entry-owner'), missed ? 'Nobody answered' : waiting ? 'No agent yet'
      : (mine ? `${c.agent_name || 'You'} (you)` : c.agent_name || 'Another agent'));
  };

  const render = () => {
    const rank = { pending: 0, active: 1, ended: 2 };
    const all = [...store.chats.values()]
      .filter((c) => c.state === 'pending' || (c.state === 'active' && !c.released) || (c.state === 'ended' && c.missed))
      .sort((a, b) => (rank[a.state] - rank[b.state])
        || (a.queued_at - b.queued_at) || (a.chat_id - b.chat_id));
    const chats = onlyMissed ? all.filter((c) => c.state === 'ended') : all;
    reconcile(list, chats, (c) => c.chat_id, create, update);
    empty.hidden = chats.length > 0;
    text(empty, onlyMissed ? 'No missed chats today.' : 'No visitors are waiting or chatting.');
    const waiting = all.filter((c) => c.state === 'pending').length;
    text(count, waiting ? `${waiting} waiting` : '');
  };

  store.on('chats', render);
  store.on('me', render);
  store.on('focus-chatlist', () => (list.firstElementChild || section).focus());
  render();
  return section;
}
