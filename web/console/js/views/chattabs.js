// Chat windows as tabs (role="tablist"/"tab"/"tabpanel"): several chats at once, each tab
// with its unread count. Arrow keys move between tabs; Alt+1…9 jump (see shortcuts.js).

import { h, text, uniqueId, arrowNav } from '../dom.js';
import { store } from '../state.js';
import { visitorLabel } from '../format.js';
import { createChatWindow } from './chatwindow.js';

export function renderChatTabs({ ctrl }) {
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Open chats', class: 'tabs' });
  const panels = h('div', { class: 'tabpanels' });
  const empty = h('div', { class: 'empty-windows' },
    h('p', null, 'No chat window is open.'),
    h('p', { class: 'hint' }, 'Press “Start Chatting” on a pop-up, or Alt+A for the visitor waiting longest.'));
  const section = h('section', { class: 'windows', 'aria-label': 'Chat windows' }, tablist, panels, empty);
  const wins = new Map(); // chat id -> {tab, panel, win}

  const makeTab = (id) => {
    const tabId = uniqueId('tab');
    const panelId = uniqueId('panel');
    const tab = h('button', {
      type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, class: 'tab',
    },
    h('span', { class: 'tab-name' }),
    h('span', { class: 'tab-unread', hidden: true }));
    tab.addEventListener('click', () => {
      store.setActive(id);
      store.emit('focus-composer', id);
    });
    tab.addEventListener('keydown', (e) => {
      const next = arrowNav(e, [...tablist.children], tab, { horizontal: true });
      if (next) store.setActive(Number(next.dataset.chat));
    });
    tab.dataset.chat = String(id);
    const win = createChatWindow(id, { ctrl });
    const panel = h('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, class: 'tabpanel' }, win.el);
    return { tab, panel, win };
  };

  const renderTab = (id) => {
    const w = wins.get(id);
    if (!w) return;
    const c = store.chat(id);
    text(w.tab.querySelector('.tab-name'), c ? visitorLabel(c.visitor_name, c.visitor_id) : `Chat ${id}`);
    const n = store.unread.get(id) || 0;
    const badge = w.tab.querySelector('.tab-unread');
    badge.hidden = n === 0;
    badge.setAttribute('aria-label', `${n} unread`);
    text(badge, n ? String(n) : '');
    w.tab.classList.toggle('is-ended', c?.state === 'ended');
    w.tab.classList.toggle('is-released', !!c?.released);
    w.tab.classList.toggle('has-unread', n > 0);
  };

  const renderWindows = () => {
    const ids = store.windows;
    for (const [id, w] of wins) {
      if (!ids.includes(id)) {
        w.win.destroy();
        w.tab.remove();
        w.panel.remove();
        wins.delete(id);
      }
    }
    let prev = null;
    ids.forEach((id) => {
      if (!wins.has(id)) wins.set(id, makeTab(id));
      const w = wins.get(id);
      const want = prev ? prev.nextSibling : tablist.firstChild;
      if (want !== w.tab) tablist.insertBefore(w.tab, want); // order of store.windows
      prev = w.tab;
      if (!w.panel.isConnected) panels.append(w.panel);
      renderTab(id);
    });
    empty.hidden = ids.length > 0;
    tablist.hidden = ids.length === 0;
    renderActive();
  };

  const renderActive = () => {
    for (const [id, w] of wins) {
      const on = id === store.active;
      w.tab.setAttribute('aria-selected', String(on));
      w.tab.tabIndex = on ? 0 : -1;
      w.panel.hidden = !on;
    }
  };

  store.on('windows', renderWindows);
  store.on('active', renderActive);
  store.on('unread', () => wins.forEach((_, id) => renderTab(id)));
  store.on('chats', () => wins.forEach((_, id) => renderTab(id)));
  store.on('chat', (id) => renderTab(id));
  renderWindows();

  return {
    el: section,
    window: (id) => wins.get(Number(id))?.win || null,
  };
}
