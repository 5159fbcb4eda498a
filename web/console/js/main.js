// Boot: sign-in or the console. Builds the layout, starts the socket, the one-second ticker
// (waiting times, title count) and the shortcuts; tears everything down on sign-out.

import { h } from './dom.js';
import { store } from './state.js';
import { auth, onUnauthorized } from './api.js';
import { Connection, agentSocketUrl } from './connection.js';
import { Controller } from './controller.js';
import { primeAudio, setTitleCount } from './notify.js';
import { elapsedSince } from './format.js';
import { installShortcuts } from './shortcuts.js';
import { toast, clearToasts } from './ui/toast.js';
import { closeAllDialogs, confirmDialog } from './ui/dialog.js';
import { closeMenu } from './ui/menu.js';
import { renderSignin } from './views/signin.js';
import { renderTopbar } from './views/topbar.js';
import { renderPopups } from './views/popups.js';
import { renderChatList } from './views/chatlist.js';
import { renderVisitors } from './views/visitors.js';
import { renderChatTabs } from './views/chattabs.js';
import { renderOptions } from './views/options.js';
import { renderAdmin } from './views/admin.js';
import { renderAllChats } from './views/allchats.js';
import { renderArchive } from './views/archive.js';
import { openShortcutsHelp } from './views/help.js';

const root = document.getElementById('app');
let session = null; // {conn, ctrl, cleanups: []}

function showSignin(notice = '') {
  root.replaceChildren();
  renderSignin(root, {
    notice,
    onSignedIn: async (who) => {
      let me = who;
      try {
        me = await auth.me();
      } catch {
        /* the login answer is enough to start */
      }
      startApp(me);
    },
  });
}

async function endSession(notice) {
  if (!session) return;
  const { conn, cleanups } = session;
  session = null;
  conn.stop();
  cleanups.forEach((fn) => fn());
  closeMenu({ restoreFocus: false });
  closeAllDialogs();
  clearToasts();
  store.listeners.clear();
  store.reset();
  setTitleCount(0);
  showSignin(notice);
}

async function signOut() {
  if (session && session.conn.outbox.size > 0) {
    const yes = await confirmDialog({
      title: 'Sign out with unsent messages?',
      message: 'Some of your messages have not reached the server yet. They will be lost.',
      confirm: 'Sign out',
      danger: true,
    });
    if (!yes) return;
  }
  if (session) session.conn.stop(); // no reconnect, no "session ended" notice
  try {
    await auth.logout();
  } catch {
    /* signed out locally all the same */
  }
  endSession('You have signed out.');
}

function startApp(me) {
  if (session) return;
  store.listeners.clear();
  store.reset();
  store.setMe({
    agent_id: me.agent_id, name: me.name, email: me.email, is_admin: !!me.is_admin, status: me.status || 'online',
  });
  if (Array.isArray(me.sites)) store.setSites(me.sites);

  let ctrl = null;
  const conn = new Connection({
    url: agentSocketUrl(),
    onFrame: (f) => ctrl.handle(f),
    onState: (state, info) => store.setConn(state, info),
    onReady: () => ctrl.onReady(),
    onSessionEnded: () => endSession('Your session has ended. Please sign in again.'),
    checkSession: async () => {
      try {
        await auth.me();
        return true;
      } catch (err) {
        return err.status !== 401;
      }
    },
  });
  ctrl = new Controller(conn);
  const cleanups = [];
  session = { conn, ctrl, cleanups };

  const tabs = renderChatTabs({ ctrl });
  const consolePage = h('main', { class: 'page console-page', 'aria-label': 'Console' },
    h('div', { class: 'console-grid' },
      tabs.el,
      renderVisitors({ ctrl }),
      renderChatList({ ctrl })));
  const topbar = renderTopbar({ ctrl, onSignOut: signOut, onShortcuts: openShortcutsHelp });
  const popups = renderPopups({ ctrl });
  const shell = h('div', { class: 'app-shell' }, topbar, consolePage, renderAllChats({ ctrl }), renderArchive(), renderOptions(), renderAdmin(), popups);
  root.replaceChildren(shell);

  // Pop-ups sit in the column of "Visitors on Site" (just below the top bar, whose height
  // changes as it wraps; at the bottom on narrower screens), and the panel makes room for
  // them (console.css, --popups-space) so that they never cover it.
  const grid = consolePage.firstElementChild;
  const placePopups = () => {
    const pad = parseFloat(getComputedStyle(grid).paddingTop) || 0;
    popups.style.top = `${Math.round(topbar.getBoundingClientRect().bottom + pad)}px`;
    const hgt = popups.childElementCount ? popups.getBoundingClientRect().height : 0;
    const gap = parseFloat(getComputedStyle(popups).rowGap) || 0;
    grid.style.setProperty('--popups-space', `${Math.ceil(hgt ? hgt + gap : 0)}px`);
  };
  const resizeObserver = new ResizeObserver(placePopups);
  resizeObserver.observe(topbar);
  resizeObserver.observe(popups);
  cleanups.push(() => resizeObserver.disconnect());

  store.on('page', () => { consolePage.hidden = store.page !== 'console'; });

  // Title: "(n) Frontdesk Console" with n = unread messages + waiting chats.
  const title = () => setTitleCount(store.totalUnread() + store.waitingChats().length);
  ['unread', 'chats', 'windows'].forEach((t) => store.on(t, title));
  title();

  // One ticker for every elapsed time on screen.
  const ticker = setInterval(() => {
    const now = Date.now();
    for (const el of root.querySelectorAll('.elapsed[data-since]')) {
      const s = elapsedSince(Number(el.dataset.since), now);
      if (el.textContent !== s) el.textContent = s;
    }
    store.emit('tick');
  }, 1000);
  cleanups.push(() => clearInterval(ticker));

  const onFocus = () => store.setFocused(true);
  const onBlur = () => store.setFocused(false);
  const onVisibility = () => store.markRead(store.active);
  const onGesture = () => primeAudio();
  const onBeforeUnload = (e) => {
    if (conn.outbox.size > 0) {
      e.preventDefault();
      e.returnValue = '';
    }
  };
  window.addEventListener('focus', onFocus);
  window.addEventListener('blur', onBlur);
  document.addEventListener('visibilitychange', onVisibility);
  document.addEventListener('pointerdown', onGesture, true);
  document.addEventListener('keydown', onGesture, true);
  window.addEventListener('beforeunload', onBeforeUnload);
  cleanups.push(() => {
    window.removeEventListener('focus', onFocus);
    window.removeEventListener('blur', onBlur);
    document.removeEventListener('visibilitychange', onVisibility);
    document.removeEventListener('pointerdown', onGesture, true);
    document.removeEventListener('keydown', onGesture, true);
    window.removeEventListener('beforeunload', onBeforeUnload);
  });
  cleanups.push(installShortcuts({ ctrl, tabs }));

  conn.start();
}

onUnauthorized(() => {
  if (session) endSession('Your session has ended. Please sign in again.');
});

async function boot() {
  try {
    const me = await auth.me();
    startApp(me);
  } catch (err) {
    if (err.status === 401 || err.code === 'unauthorized') showSignin();
    else {
      showSignin('Cannot reach the server right now. You can still try to sign in.');
      if (err.code !== 'network') toast(err.message, { kind: 'error' });
    }
  }
}

boot();
