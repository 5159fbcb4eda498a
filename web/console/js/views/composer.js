// The Message box of a chat window: Enter sends, Shift+Enter adds a line; typing frames;
// "Send as link?" when the text contains a URL; the Canned Responses menu; the `/shortcut`
// list (shortcut-list.js). Two modes, the toggle buttons "Reply" (default) and "Note"
// (`aria-pressed`): in Note mode the box turns yellow, Enter sends a `note` frame (an internal
// note: the chat's agents only), and no typing frame goes to the visitor.

import { h, uniqueId } from '../dom.js';
import { openDialog } from '../ui/dialog.js';
import { splitUrls, hasUrl } from '../format.js';
import { cannedButton } from './canned.js';
import { attachShortcutList } from './shortcut-list.js';
import { attachControl } from './attach.js';
import { store } from '../state.js';

const TYPING_REPEAT_MS = 3_000; // re-send typing:true at most this often
const TYPING_IDLE_MS = 4_000; // typing:false after this long without a key

/** Asks "Send as link?"; resolves 'link', 'text' or null (Esc: keep editing). */
async function askSendAsLink(textValue) {
  const urls = splitUrls(textValue).filter((p) => p.url).map((p) => p.url);
  const { result } = openDialog({
    title: 'Send as link?',
    body: [
      h('p', null, urls.length > 1 ? 'Your message contains these links:' : 'Your message contains a link:'),
      h('ul', { class: 'url-list' }, urls.map((u) => h('li', null, u))),
      h('p', { class: 'hint' }, 'As a link, it opens in the visitor’s browser; as text, it stays part of the message.'),
    ],
    actions: [
      { label: 'Send as Link', value: 'link', primary: true },
      { label: 'Send as Text', value: 'text' },
    ],
    initialFocus: (buttons) => buttons[0],
  });
  return result;
}

export function createComposer(chatId, { ctrl, siteId }) {
  const id = uniqueId('msg');
  const textarea = h('textarea', {
    id, name: 'message', rows: '3', class: 'composer-input', 'aria-keyshortcuts': 'Alt+M',
    placeholder: 'Type a message — Enter sends, Shift+Enter adds a line',
  });
  const send = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Send');
  const canned = cannedButton({ siteId, chatId, textarea });
  const replyMode = h('button', { type: 'button', class: 'btn btn-small composer-mode', 'aria-pressed': 'true' }, 'Reply');
  const noteMode = h('button', { type: 'button', class: 'btn btn-small composer-mode composer-mode-note', 'aria-pressed': 'false' }, 'Note');
  // "Attach" (files go to the visitor: Reply mode only), its uploads above the box.
  const attach = attachControl(chatId, { ctrl, textarea });
  // A site with "Allow files" off has no "Attach" (the snapshot says `files_off`).
  if (store.sites.get(Number(siteId))?.files_off) attach.button.hidden = true;
  const form = h('form', { class: 'composer' },
    attach.list, attach.input,
    h('label', { for: id, class: 'sr-only' }, 'Message'),
    textarea,
    h('div', { class: 'composer-actions' },
      h('div', { class: 'composer-modes', role: 'group', 'aria-label': 'Reply or note' }, replyMode, noteMode),
      send, canned, attach.button));
  const shortcuts = attachShortcutList({ textarea, siteId, chatId });
  const placeholders = {
    reply: textarea.getAttribute('placeholder'),
    note: 'Internal note, only agents see it — Enter adds it',
  };

  let typingSentAt = 0;
  let idleTimer = null;
  const stopTyping = () => {
    clearTimeout(idleTimer);
    if (typingSentAt) ctrl.sendTyping(chatId, false);
    typingSentAt = 0;
  };

  let mode = 'reply';
  let enabled = true;
  const setMode = (m) => {
    mode = m;
    attach.setEnabled(enabled && m === 'reply');
    replyMode.setAttribute('aria-pressed', String(m === 'reply'));
    noteMode.setAttribute('aria-pressed', String(m === 'note'));
    form.classList.toggle('is-note', m === 'note');
    textarea.setAttribute('placeholder', placeholders[m]);
    if (m === 'note') stopTyping(); // the visitor is not told about a note being written
    textarea.focus();
  };
  replyMode.addEventListener('click', () => setMode('reply'));
  noteMode.addEventListener('click', () => setMode('note'));

  textarea.addEventListener('input', () => {
    if (mode === 'note') return;
    if (!textarea.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (now - typingSentAt > TYPING_REPEAT_MS) {
      ctrl.sendTyping(chatId, true);
      typingSentAt = now;
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  });
  textarea.addEventListener('blur', () => { if (typingSentAt) stopTyping(); });

  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  let busy = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy || textarea.disabled) return;
    const value = textarea.value;
    if (!value.trim()) return;
    if (mode === 'note') {
      textarea.value = '';
      ctrl.sendNote(chatId, value).catch(() => {});
      textarea.focus();
      return;
    }
    let as = 'text';
    if (hasUrl(value)) {
      busy = true;
      try {
        as = await askSendAsLink(value);
      } finally {
        busy = false;
      }
      if (!as) {
        textarea.focus();
        return;
      }
    }
    textarea.value = '';
    stopTyping();
    if (as === 'link') {
      // The other text goes first as one normal message, then each URL as a link.
      const parts = splitUrls(value);
      const rest = parts.filter((p) => !p.url).map((p) => p.text).join(' ')
        .replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').trim();
      if (rest) ctrl.sendText(chatId, rest).catch(() => {});
      for (const p of parts) if (p.url) ctrl.sendLink(chatId, p.url).catch(() => {});
    } else {
      ctrl.sendText(chatId, value).catch(() => {});
    }
    textarea.focus();
  });

  return {
    el: form,
    textarea,
    canned,
    focus: () => textarea.focus(),
    setEnabled(on) {
      enabled = on;
      attach.setEnabled(on && mode === 'reply');
      textarea.disabled = !on;
      send.disabled = !on;
      canned.disabled = !on;
      replyMode.disabled = !on;
      noteMode.disabled = !on;
      if (!on) {
        stopTyping();
        shortcuts.close();
      }
    },
  };
}
