// The action controls of a chat window: Save (text/HTML downloads), Email, Block, Send Link,
// Transfer, Close and End Chat (which asks for an optional "Wrap-up note" first).

import { h, text, field, uniqueId } from '../dom.js';
import { chats as chatsApi } from '../api.js';
import { store } from '../state.js';
import { openDialog, confirmDialog } from '../ui/dialog.js';
import { disclosure } from '../ui/menu.js';
import { toast } from '../ui/toast.js';
import { askWrapUp } from './tags.js';

/** "Save" → "Save as Text" / "Save as HTML" download links; choosing one closes the pop-over. */
export function saveControl(chatId) {
  return disclosure('Save', (close) => [
    h('a', {
      href: chatsApi.transcriptUrl(chatId, 'txt'), download: `chat-${chatId}.txt`, class: 'popover-link', onclick: () => close(true),
    }, 'Save as Text'),
    h('a', {
      href: chatsApi.transcriptUrl(chatId, 'html'), download: `chat-${chatId}.html`, class: 'popover-link', onclick: () => close(true),
    }, 'Save as HTML'),
  ], { className: 'save-popover' }).wrap;
}

/** The "Email" dialog: send through the server, or a .eml draft, or the agent's mail app.
 * `known` is the chat's summary when the chat is not in the store (Chat History, Archive).
 * Internal notes go only with "Include internal notes" ticked, and never to the visitor's own
 * address (the box is unticked and disabled then; the server refuses it too); the draft and
 * the mail app link never carry them. */
export function openEmailDialog(chatId, known = null) {
  const to = h('input', { type: 'email', name: 'to', autocomplete: 'email', spellcheck: 'false' });
  const chat = store.chat(chatId) || known; // `known`: a chat summary from elsewhere (Archive)
  if (chat?.visitor_email) to.value = chat.visitor_email;
  const status = h('p', { class: 'form-status', 'aria-live': 'polite' });
  const includeNotes = h('input', { type: 'checkbox', name: 'include_notes' });
  const notesField = field('Include internal notes', includeNotes,
    'Notes are never sent to the visitor’s address; the .eml draft and the mail app link never include them.');
  notesField.wrap.classList.add('field-inline');
  const toVisitor = () => !!chat?.visitor_email && to.value.trim().toLowerCase() === chat.visitor_email.trim().toLowerCase();
  const syncNotes = () => {
    includeNotes.disabled = toVisitor();
    if (includeNotes.disabled) includeNotes.checked = false;
  };
  syncNotes();
  const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Send email');
  const eml = h('a', { href: chatsApi.transcriptUrl(chatId, 'eml'), download: `chat-${chatId}.eml` }, 'Download .eml draft');
  // Until the server's href (subject + transcript body) arrives, a bare mailto: still works.
  const mailApp = h('a', { href: 'mailto:' }, 'Open in mail app');
  const done = h('button', { type: 'button', class: 'btn' }, 'Done');
  const form = h('form', { class: 'email-form' },
    field('To', to).wrap, notesField.wrap, status,
    h('div', { class: 'dialog-actions' }, sendBtn, done),
    h('p', { class: 'alt-links' }, eml, ' · ', mailApp));
  const dlg = openDialog({ title: 'Email transcript', body: form, initialFocus: to });
  done.addEventListener('click', () => dlg.close(null));

  let seq = 0;
  let timer = null;
  const refreshMailto = async () => {
    const mine = ++seq;
    try {
      const res = await chatsApi.mailto(chatId, to.value.trim());
      if (mine !== seq) return;
      const href = res && typeof res.href === 'string' ? res.href : '';
      if (/^mailto:/i.test(href)) {
        mailApp.setAttribute('href', href);
        return;
      }
    } catch {
      /* fall back to a plain mailto: link */
    }
    if (mine !== seq) return;
    mailApp.setAttribute('href', `mailto:${encodeURIComponent(to.value.trim())}`);
  };
  to.addEventListener('input', () => {
    syncNotes();
    clearTimeout(timer);
    timer = setTimeout(refreshMailto, 300);
  });
  refreshMailto();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const addr = to.value.trim();
    if (!addr || !to.checkValidity()) {
      text(status, 'Please enter an email address.');
      to.focus();
      return;
    }
    sendBtn.disabled = true;
    text(status, 'Sending…');
    try {
      await chatsApi.email(chatId, addr, includeNotes.checked && !toVisitor());
      text(status, `Sent to ${addr}.`);
    } catch (err) {
      text(status, err.code === 'unavailable'
        ? 'This server cannot send email. Use the .eml draft or your mail app instead.'
        : err.message);
    } finally {
      sendBtn.disabled = false;
    }
  });
}

/** The "Send Link" row: a relative link resolves against the site's base URL on the server. */
export function sendLinkControl(chatId, { ctrl }) {
  const input = h('input', { type: 'text', name: 'link', inputmode: 'url', spellcheck: 'false', placeholder: 'https://… or /page.html' });
  const btn = h('button', { type: 'submit', class: 'btn' }, 'Send Link');
  const form = h('form', { class: 'row-form send-link' }, field('Link', input).wrap, btn);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const url = input.value.trim();
    if (!url) {
      input.focus();
      return;
    }
    if (/^(javascript|data|vbscript|file):/i.test(url)) {
      toast('Only http and https links can be sent.', { kind: 'error' });
      return;
    }
    input.value = '';
    ctrl.sendLink(chatId, /^www\./i.test(url) ? `https://${url}` : url).catch(() => {});
  });
  return { el: form, setEnabled(on) { input.disabled = !on; btn.disabled = !on; } };
}

/** The "Transfer" select (other On-Line agents monitoring the site, and the site's
 * departments as "Sales (department)") and its confirm button. */
export function transferControl(chatId, { ctrl }) {
  const id = uniqueId('xfer');
  const select = h('select', { id, name: 'transfer' });
  const btn = h('button', { type: 'submit', class: 'btn' }, 'Transfer');
  const form = h('form', { class: 'row-form transfer' },
    h('div', { class: 'field' }, h('label', { for: id }, 'Transfer'), select), btn);
  let enabled = true;
  const refresh = () => {
    const chat = store.chat(chatId);
    const agents = chat ? store.transferTargets(chat.site_id) : [];
    const departments = chat ? store.departmentTargets(chat.site_id) : [];
    const targets = [
      ...agents.map((a) => ({ value: String(a.agent_id), label: a.at_capacity ? `${a.name} (At capacity)` : a.name })),
      ...departments.map((d) => ({ value: `dept-${d.department_id}`, label: `${d.name} (department)` })),
    ];
    const keep = select.value;
    const opts = targets.length
      ? [h('option', { value: '' }, departments.length ? 'Choose an agent or a department…' : 'Choose an agent…'),
        ...targets.map((t) => h('option', { value: t.value }, t.label))]
      : [h('option', { value: '' }, 'No other agent is On-Line')];
    select.replaceChildren(...opts);
    if (targets.some((t) => t.value === keep)) select.value = keep;
    else if (targets.length === 1) select.value = targets[0].value;
    select.disabled = !enabled || targets.length === 0;
    btn.disabled = !enabled || targets.length === 0;
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!select.value) {
      select.focus();
      return;
    }
    btn.disabled = true;
    const dept = /^dept-(\d+)$/.exec(select.value);
    const ok = dept ? await ctrl.transferToDepartment(chatId, Number(dept[1]))
      : await ctrl.transfer(chatId, Number(select.value));
    if (!ok) refresh();
  });
  refresh();
  return { el: form, refresh, setEnabled(on) { enabled = on; refresh(); } };
}

/** Block, Close and End Chat buttons (+ Email, Save). */
export function windowButtons(chatId, { ctrl }) {
  const email = h('button', { type: 'button', class: 'btn', onclick: () => openEmailDialog(chatId) }, 'Email');
  const block = h('button', { type: 'button', class: 'btn btn-danger-outline' }, 'Block');
  block.addEventListener('click', async () => {
    const yes = await confirmDialog({
      title: 'Block this visitor for the rest of the day?',
      message: 'The chat ends now, and the visitor cannot start another one on this site until the end of the site’s day.',
      confirm: 'Block',
      cancel: 'Cancel',
      danger: true,
    });
    if (yes) ctrl.block(chatId);
  });
  const close = h('button', {
    type: 'button', class: 'btn', title: 'Close this window; an open chat goes back to the queue (Alt+X)', 'aria-keyshortcuts': 'Alt+X',
  }, 'Close');
  close.addEventListener('click', () => ctrl.close(chatId));
  const end = h('button', { type: 'button', class: 'btn btn-danger' }, 'End Chat');
  end.addEventListener('click', async () => {
    const answer = await askWrapUp();
    if (answer) ctrl.end(chatId, answer.note);
  });
  const bar = h('div', { class: 'window-buttons' }, saveControl(chatId), email, block, close, end);
  return { el: bar, setEnabled(on) { block.disabled = !on; end.disabled = !on; } };
}
