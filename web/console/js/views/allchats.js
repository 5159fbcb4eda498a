// "All Chats" (supervisors: admins, and agents with the "Supervisor" role of a site): every
// live chat of the sites I supervise, with its owner, how long it has waited, its colleagues
// and the last message, and per chat "Watch", "Join" and "Take over". Kept current by polling
// `GET /api/supervision/chats` every few seconds while the page is shown, and at once when a
// chat frame changes the chats I know of (chat.requested / taken / ended / updated).

import { h, text, reconcile } from '../dom.js';
import { store } from '../state.js';
import { supervision as api } from '../api.js';
import { elapsedSince, visitorLabel, truncate } from '../format.js';
import { statusLine } from './common.js';

const POLL_MS = 4000;

function lastMessageText(m) {
  if (!m) return null;
  const who = m.from === 'visitor' ? (m.author_name || 'Visitor') : (m.author_name || 'Agent');
  const label = m.kind === 'note' ? `Note by ${who}: ` : `${who}: `;
  return [h('span', { class: 'ac-who' }, label), truncate(m.body, 140)];
}

function rowFor(ctrl) {
  const visitor = h('th', { scope: 'row', class: 'ac-visitor' });
  const site = h('td', { class: 'ac-site' });
  const owner = h('td', { class: 'ac-owner' });
  const waiting = h('td', { class: 'ac-waiting' }, h('span', { class: 'elapsed' }));
  const last = h('td', { class: 'ac-last' });
  const watch = h('button', { type: 'button', class: 'btn btn-small' }, 'Watch');
  const join = h('button', { type: 'button', class: 'btn btn-small' }, 'Join');
  const take = h('button', { type: 'button', class: 'btn btn-small btn-primary' }, 'Take over');
  const tr = h('tr', null, visitor, site, owner, waiting, last,
    h('td', { class: 'actions' }, watch, ' ', join, ' ', take));
  const id = () => Number(tr.dataset.chatId);
  watch.addEventListener('click', () => ctrl.watch(id()));
  join.addEventListener('click', () => ctrl.joinChat(id()));
  take.addEventListener('click', () => ctrl.takeOver(id()));
  tr.parts = { visitor, site, owner, waiting, last, watch, join, take };
  return tr;
}

function fill(tr, row, fetchedAt) {
  const c = row.chat;
  const p = tr.parts;
  tr.dataset.chatId = String(c.chat_id);
  const name = visitorLabel(c.visitor_name, c.visitor_id);
  text(p.visitor, name);
  text(p.site, c.department_name ? `${c.site_name} · ${c.department_name}` : c.site_name);
  const colleagues = (c.joined || []).map((j) => j.name);
  if (c.state === 'pending') {
    p.owner.replaceChildren(h('span', { class: 'badge ac-waiting-badge' }, 'Waiting'));
  } else {
    p.owner.replaceChildren(c.agent_name || 'Agent',
      colleagues.length ? h('span', { class: 'hint' }, ` + ${colleagues.join(', ')}`) : '');
  }
  const span = p.waiting.firstChild;
  span.dataset.since = String(fetchedAt - Number(row.waiting_ms || 0));
  text(span, elapsedSince(Number(span.dataset.since)));
  const last = lastMessageText(row.last_message);
  p.last.classList.toggle('is-note', row.last_message?.kind === 'note');
  p.last.replaceChildren(...(last || [h('span', { class: 'hint' }, 'Nothing written yet')]));
  const mine = store.isMe(c.agent_id);
  const watching = store.watching.has(Number(c.chat_id));
  p.watch.disabled = mine || watching;
  p.join.disabled = mine || c.state !== 'active';
  p.take.disabled = mine;
}

export function renderAllChats({ ctrl }) {
  const status = statusLine();
  const count = h('span', { class: 'badge count-badge' }, '0');
  const refresh = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh');
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No live chats on your sites right now.');
  const tableEl = h('table', { class: 'table all-chats-table' },
    h('caption', { class: 'sr-only' }, 'Live chats of the sites you supervise'),
    h('thead', null, h('tr', null,
      ['Visitor', 'Site', 'Agent', 'Waiting', 'Last message', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  const page = h('main', { class: 'page all-chats-page', hidden: true, 'aria-labelledby': 'all-chats-title' },
    h('section', { class: 'page-section' },
      h('div', { class: 'panel-head' }, h('h1', { id: 'all-chats-title' }, 'All Chats'), count, refresh),
      h('p', { class: 'hint' }, 'Every live chat of the sites you supervise. “Watch” opens it read-only (the visitor is not told); “Join” joins it as a colleague; “Take over” makes it yours.'),
      status, tableEl, empty));

  let rows = [];
  let timer = null;
  let pending = null;
  let fetchedAt = Date.now();
  const render = () => {
    reconcile(tbody, rows, (r) => r.chat.chat_id, () => rowFor(ctrl), (tr, r) => fill(tr, r, fetchedAt));
    text(count, String(rows.length));
    empty.hidden = rows.length > 0;
    tableEl.hidden = rows.length === 0;
  };
  const load = async () => {
    if (store.page !== 'all-chats') return;
    try {
      const list = await api.chats();
      rows = Array.isArray(list) ? list : [];
      fetchedAt = Date.now();
      text(status, '');
      render();
    } catch (err) {
      text(status, err.message);
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = null;
    if (store.page === 'all-chats') timer = setTimeout(async () => { await load(); schedule(); }, POLL_MS);
  };
  const soon = () => { // a chat frame: fetch at once (coalesced)
    if (store.page !== 'all-chats' || pending) return;
    pending = setTimeout(async () => { pending = null; await load(); }, 200);
  };
  refresh.addEventListener('click', load);
  store.on('page', () => {
    page.hidden = store.page !== 'all-chats';
    if (!page.hidden) load();
    schedule();
  });
  store.on('chats', soon);
  store.on('watching', () => render());
  return page;
}
