// The "Canned Responses" menu of a chat window: site-wide and own responses for the chat's
// site; choosing one puts its body into the Message box; "Add Current Text" saves the typed
// text as a new own response (title = its first 40 characters).

import { h } from '../dom.js';
import { canned as cannedApi } from '../api.js';
import { openMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';
import { truncate } from '../format.js';

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

/** Puts `body` into the textarea at the caret (or replaces the selection). */
export function insertText(textarea, body) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? textarea.value.length;
  const before = textarea.value.slice(0, start);
  const after = textarea.value.slice(end);
  const glue = before && !/\s$/.test(before) ? ' ' : '';
  textarea.value = before + glue + body + after;
  const caret = (before + glue + body).length;
  textarea.focus();
  textarea.setSelectionRange(caret, caret);
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}

export function cannedButton({ siteId, textarea }) {
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
    const title = truncate(body.trim().replace(/\s+/g, ' '), 40);
    try {
      await cannedApi.create(siteId, title, body, 'own');
      invalidateCanned(siteId);
      toast(`Saved “${title}” to your canned responses.`);
    } catch (err) {
      toast(err.message, { kind: 'error' });
    }
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
    const site = list.filter((c) => c.agent_id == null).sort((a, b) => a.title.localeCompare(b.title));
    const own = list.filter((c) => c.agent_id != null).sort((a, b) => a.title.localeCompare(b.title));
    const pick = (c) => ({
      label: c.title || truncate(c.body, 40),
      title: truncate(c.body, 300),
      keepFocusAway: true,
      onSelect: () => insertText(textarea, c.body),
    });
    const items = [];
    if (site.length) items.push({ heading: 'Site-wide' }, ...site.map(pick));
    if (own.length) items.push({ heading: 'Mine' }, ...own.map(pick));
    if (!site.length && !own.length) items.push({ label: 'No canned responses yet', disabled: true, onSelect: () => {} });
    items.push({ separator: true }, { label: 'Add Current Text', onSelect: addCurrent, keepFocusAway: true });
    openMenu({ label: 'Canned Responses', items, opener: button, className: 'canned-menu' });
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
