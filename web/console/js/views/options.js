// The Options page: own canned responses (admins: also site-wide), notifications, password,
// shortcuts; offline messages for agents who are not admins (admins have them under Admin).

import { h, text, field } from '../dom.js';
import { auth } from '../api.js';
import { store } from '../state.js';
import { notificationPermission } from '../notify.js';
import { cannedEditor } from './cannededitor.js';
import { offlineMessages } from './offline.js';
import { shortcutsSection } from './help.js';
import { pageSection, statusLine } from './common.js';

const PERMISSION_TEXT = {
  granted: 'Desktop notifications are on for this browser.',
  denied: 'Desktop notifications are blocked: allow them in this browser’s site settings.',
  default: 'Desktop notifications are off. Use “Enable desktop notifications” in the top bar to turn them on.',
  unsupported: 'This browser does not support desktop notifications.',
};

function passwordForm() {
  const current = h('input', { type: 'password', name: 'current', autocomplete: 'current-password' });
  const next = h('input', { type: 'password', name: 'new', autocomplete: 'new-password', minlength: '8' });
  const again = h('input', { type: 'password', name: 'again', autocomplete: 'new-password' });
  const status = statusLine();
  const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password');
  // A username field helps password managers (and keeps Chromium from warning).
  const user = h('input', { type: 'email', name: 'username', autocomplete: 'username', hidden: true, readonly: true, value: store.me?.email || '' });
  const form = h('form', { class: 'stack-form narrow' }, user,
    field('Current password', current).wrap, field('New password', next).wrap,
    field('Repeat new password', again).wrap, status, btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (next.value !== again.value) {
      text(status, 'The new passwords do not match.');
      again.focus();
      return;
    }
    if (next.value.length < 8) {
      text(status, 'Please use at least 8 characters.');
      next.focus();
      return;
    }
    btn.disabled = true;
    try {
      await auth.changePassword(current.value, next.value);
      text(status, 'Password changed. Your other sessions were signed out.');
      current.value = next.value = again.value = '';
    } catch (err) {
      text(status, err.code === 'bad_credentials' ? 'The current password is wrong.' : err.message);
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

export function renderOptions() {
  const notif = h('p');
  const refreshNotif = () => text(notif, PERMISSION_TEXT[notificationPermission()] || '');
  const offlineSlot = h('div');
  const page = h('main', { class: 'page options-page', hidden: true, 'aria-labelledby': 'options-title' },
    h('h1', { id: 'options-title' }, 'Options'),
    pageSection('Canned Responses', h('p', { class: 'hint' }, 'Your own responses appear in the Canned Responses menu of every chat on that site.'), h('div', { class: 'canned-slot' })),
    pageSection('Notifications', notif, h('p', { class: 'hint' }, 'Sounds can be switched with the “Sounds” box in the top bar.')),
    pageSection('Password', passwordForm()),
    offlineSlot,
    shortcutsSection());

  let built = false;
  const build = () => {
    if (built || !store.me) return;
    built = true;
    page.querySelector('.canned-slot').replaceWith(cannedEditor({ mode: store.me.is_admin ? 'both' : 'own' }));
    if (!store.me.is_admin) {
      const list = offlineMessages();
      offlineSlot.replaceWith(pageSection('Offline Messages', list));
      list.load();
    }
  };
  const show = () => {
    page.hidden = store.page !== 'options';
    if (!page.hidden) {
      build();
      refreshNotif();
    }
  };
  store.on('page', show);
  store.on('me', () => { if (!page.hidden) build(); });
  show();
  return page;
}
