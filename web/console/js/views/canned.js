// The "Canned Responses" menu of a chat window: site-wide and own responses for the chat's
// site, a "Search responses" box that filters them (title, text, shortcut) as you type;
// choosing one puts its body, placeholders filled (placeholders.js), into the Message box;
// "Add Current Text" asks for a "Title" and an optional "Shortcut" and saves the typed text as
// a new own response. The `/shortcut` list under the Message box is shortcut-list.js.

import { h, text, field } from '../dom.js';
import { canned as cannedApi } from '../api.js';
import { store } from '../state.js';
import { openMenu } from '../ui/menu.js';
import { openDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { truncate } from '../format.js';
import { fillPlaceholders, isMadeUpVisitorName } from '../placeholders.js';

const cache = new Map(); // site_id -> {at, list}
const FRESH_MS = 30_000;

export function invalidateCanned(siteId) {
  if (siteId == null) cache.clear();
  else cache.delete(Number(siteId));
}

export async function loadCanned(siteId, { force = false } = {}) {
  const hit = cache.get(Number(siteId));
  if (hit && !force && Date.now() - hit.at < FRESH_MS) return hit.list;
  const list = await cannedApi.list(siteId);
  const clean = Array.isArray(list) ? list : [];
  cache.set(Number(siteId), { at: Date.now(), list: clean });
  return clean;
}

/** What the placeholders of a response become in this chat (see placeholders.js). */
export function placeholderValues(chatId) {
  const chat = store.chat(chatId) || {};
  const visitor = store.visitors.get(`${chat.site_id}/${chat.visitor_id}`);
  const given = visitor?.name || chat.visitor_name;
  return {
    'visitor.name': isMadeUpVisitorName(given, chat.visitor_id) ? '' : given,
    'agent.name': store.me?.name || '',
    'site.name': chat.site_name || (chat.site_id != null ? store.sites.get(Number(chat.site_id))?.name : '') || '',
    'page.title': visitor?.page?.title || '',
  };
}

/** A response's body as it goes into the Message box of `chatId`. */
export function filledBody(chatId, body) {
  return fillPlaceholders(body, placeholderValues(chatId));
}

/** Puts `body` into the textarea at the caret (or replaces the selection, or [from, to)). */
export function insertText(textarea, body, { from = null, to = null } = {}) {
  const start = from ?? textarea.selectionStart ?? textarea.value.length;
  const end = to ?? textarea.selectionEnd ?? textarea.value.length;
  const before = textarea.value.slice(0, start);
  const after = textarea.value.slice(end);
  const glue = before && !/\s$/.test(before) ? ' ' : '';
  textarea.value = before + glue + body + after;
  const caret = (before + glue + body).length;
  textarea.focus();
  textarea.setSelectionRange(caret, caret);
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Site-wide responses first, then mine, each by title. */
function byScope(list) {
  const sorted = (xs) => xs.sort((a, b) => a.title.localeCompare(b.title));
  return {
    site: sorted(list.filter((c) => c.agent_id == null)),
    own: sorted(list.filter((c) => c.agent_id != null)),
  };
}

/**
 * The "Add Current Text" dialog: "Title" (the text's start, to edit) and "Shortcut"
 * (optional). Saves an own response; the server's refusal (a taken shortcut…) is shown in it.
 */
export function addCurrentTextDialog({ siteId, body, onSaved = () => {} }) {
  const title = h('input', { type: 'text', name: 'title', maxlength: '100', required: true,
    value: truncate(body.trim().replace(/\s+/g, ' '), 40) });
  const shortcut = h('input', { type: 'text', name: 'shortcut', maxlength: '33', autocomplete: 'off', spellcheck: 'false' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'stack-form', novalidate: true },
    field('Title', title).wrap,
    field('Shortcut', shortcut, 'Optional: letters, digits, - or _. Type /shortcut in the Message box.').wrap,
    error);
  let saving = false;
  const save = async (close) => {
    if (saving) return;
    const t = title.value.trim();
    if (!t) {
      text(error, 'Please give the response a title.');
      title.focus();
      return;
    }
    saving = true;
    try {
      await cannedApi.create(siteId, t, body, 'own', shortcut.value.trim() || null);
      invalidateCanned(siteId);
      close('saved');
      toast(`Saved “${t}” to your canned responses.`);
      onSaved();
    } catch (err) {
      text(error, err.message);
      (err.code === 'conflict' || /shortcut/i.test(err.message) ? shortcut : title).focus();
    } finally {
      saving = false;
    }
  };
  const dlg = openDialog({
    title: 'Add Current Text',
    body: form,
    actions: [
      { label: 'Save', primary: true, onClick: (close) => save(close) },
      { label: 'Cancel', value: null },
    ],
    initialFocus: title,
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save(dlg.close);
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target instanceof HTMLInputElement && !e.isComposing) {
      e.preventDefault();
      save(dlg.close);
    }
  });
  return dlg;
}

export function cannedButton({ siteId, chatId, textarea }) {
  const button = h('button', {
    type: 'button', class: 'btn', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-keyshortcuts': 'Alt+C',
  }, 'Canned Responses');

  const addCurrent = async () => {
    const body = textarea.value;
    if (!body.trim()) {
      toast('Type the text to save in the Message box first.');
      textarea.focus();
      return;
    }
    const { result } = addCurrentTextDialog({ siteId, body });
    await result;
    textarea.focus();
  };

  const show = async () => {
    let list = [];
    button.setAttribute('aria-busy', 'true');
    try {
      list = await loadCanned(siteId);
    } catch (err) {
      toast(err.message, { kind: 'error' });
    } finally {
      button.removeAttribute('aria-busy');
    }
    const { site, own } = byScope(list);
    const pick = (c) => ({
      label: c.title || truncate(c.body, 40),
      title: truncate(c.body, 300),
      search: [c.title, c.body, c.shortcut ? `/${c.shortcut}` : ''].join('\n'),
      keepFocusAway: true,
      onSelect: () => insertText(textarea, filledBody(chatId, c.body)),
    });
    const items = [];
    if (site.length) items.push({ heading: 'Site-wide' }, ...site.map(pick));
    if (own.length) items.push({ heading: 'Mine' }, ...own.map(pick));
    if (!site.length && !own.length) items.push({ label: 'No canned responses yet', disabled: true, onSelect: () => {} });
    items.push({ separator: true }, { label: 'Add Current Text', onSelect: addCurrent, keepFocusAway: true });
    openMenu({
      label: 'Canned Responses', items, opener: button, className: 'canned-menu',
      search: list.length ? { label: 'Search responses', empty: 'No matching responses' } : null,
    });
  };

  button.addEventListener('click', show);
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      show();
    }
  });
  button.open = show;
  return button;
}
