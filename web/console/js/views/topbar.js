// The top bar: who I am, connection state, Status, monitored sites, navigation (Console,
// All Chats, Archive, Options, Admin), sounds,
// desktop notifications, shortcuts help and Sign out.

import { h, text, uniqueId, reconcile } from '../dom.js';
import { store } from '../state.js';
import {
  soundsEnabled, setSoundsEnabled, notificationPermission, requestNotifications,
} from '../notify.js';
import { toast } from '../ui/toast.js';

const CONN_TEXT = {
  idle: 'Connecting…',
  connecting: 'Connecting…',
  opening: 'Connecting…',
  online: 'Connected',
  waiting: 'Reconnecting…',
  stopped: 'Disconnected',
};

export function renderTopbar({ ctrl, onSignOut, onShortcuts }) {
  const statusId = uniqueId('status');
  const status = h('select', { id: statusId, name: 'status' },
    h('option', { value: 'online' }, 'On-Line'),
    h('option', { value: 'away' }, 'Away'));
  status.addEventListener('change', () => ctrl.setStatus(status.value));

  const conn = h('span', { class: 'conn', 'aria-live': 'polite' });
  // "At capacity" (my presence says so): no pop-ups or offers for new chats until a chat ends.
  const capacity = h('span', {
    class: 'badge capacity-badge', hidden: true,
    title: 'You have as many chats as your “Most chats at once”: no new pop-ups until one ends',
  }, 'At capacity');
  const who = h('span', { class: 'who' });
  const sites = h('div', { class: 'site-checks' });
  const monitor = h('fieldset', { class: 'monitor' }, h('legend', null, 'Monitoring'), sites);

  const navButton = (label, page) => h('button', {
    type: 'button', class: 'nav-btn', dataset: { page }, onclick: () => store.setPage(page),
  }, label);
  const navConsole = navButton('Console', 'console');
  const navOptions = navButton('Options', 'options');
  const navAdmin = navButton('Admin', 'admin');
  const navArchive = navButton('Archive', 'archive');
  const navAllChats = navButton('All Chats', 'all-chats'); // supervisors only
  navAllChats.hidden = true;
  const nav = h('nav', { class: 'nav', 'aria-label': 'Pages' }, navConsole, navAllChats, navArchive, navOptions, navAdmin);

  const soundsBox = h('input', { type: 'checkbox', checked: soundsEnabled() });
  soundsBox.addEventListener('change', () => setSoundsEnabled(soundsBox.checked));
  const sounds = h('label', { class: 'check' }, soundsBox, ' Sounds');

  const notifyBtn = h('button', { type: 'button', class: 'btn btn-small' }, 'Enable desktop notifications');
  notifyBtn.addEventListener('click', async () => {
    const result = await requestNotifications();
    if (result === 'granted') toast('Desktop notifications are on.');
    else if (result === 'denied') toast('Desktop notifications are blocked in this browser’s site settings.');
    refreshNotify();
  });
  const refreshNotify = () => { notifyBtn.hidden = notificationPermission() !== 'default'; };

  const help = h('button', { type: 'button', class: 'btn btn-small', 'aria-keyshortcuts': 'Shift+?', onclick: onShortcuts }, 'Shortcuts');
  const signOut = h('button', { type: 'button', class: 'btn btn-small', onclick: onSignOut }, 'Sign out');

  const bar = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-name' }, 'Frontdesk'), who, conn),
    h('div', { class: 'status-field' }, h('label', { for: statusId }, 'Status'), status, capacity),
    monitor,
    nav,
    h('div', { class: 'tools' }, sounds, notifyBtn, help, signOut));

  const renderMe = () => {
    const me = store.me;
    text(who, me ? me.name : '');
    status.value = me?.status === 'away' ? 'away' : 'online';
    status.classList.toggle('is-away', me?.status === 'away');
    navAdmin.hidden = !me?.is_admin;
    capacity.hidden = !(me && store.agents.get(Number(me.agent_id))?.at_capacity);
  };
  const renderSites = () => {
    const list = [...store.sites.values()].sort((a, b) => a.name.localeCompare(b.name));
    monitor.hidden = list.length === 0;
    navAllChats.hidden = !store.isSupervisor();
    reconcile(sites, list, (s) => s.site_id, (s) => {
      const box = h('input', { type: 'checkbox', name: 'monitor' });
      box.addEventListener('change', () => ctrl.setMonitoring(s.site_id, box.checked));
      return h('label', { class: 'check' }, box, h('span', { class: 'site-name' }));
    }, (el, s) => {
      el.querySelector('input').checked = !!s.monitoring;
      text(el.querySelector('.site-name'), s.name);
    });
  };
  const renderConn = () => {
    const { state, info } = store.conn;
    let label = CONN_TEXT[state] || state;
    if (state === 'waiting' && info.retryAt) {
      const secs = Math.max(1, Math.round((info.retryAt - Date.now()) / 1000));
      label = `Reconnecting in ${secs} s…`;
    }
    text(conn, label);
    conn.dataset.state = state;
  };
  const renderPage = () => {
    for (const b of [navConsole, navAllChats, navArchive, navOptions, navAdmin]) {
      if (b.dataset.page === store.page) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
  };

  store.on('me', renderMe);
  store.on('agents', renderMe);
  store.on('sites', renderSites);
  store.on('conn', renderConn);
  store.on('tick', () => { if (store.conn.state === 'waiting') renderConn(); });
  store.on('page', renderPage);
  renderMe();
  renderSites();
  renderConn();
  renderPage();
  refreshNotify();
  return bar;
}
