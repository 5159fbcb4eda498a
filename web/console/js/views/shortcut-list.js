// The `/shortcut` list of a Message box. Typing `/` at the start of the text or after a space
// opens a listbox under the box (role="listbox", options role="option") with the canned
// responses of the chat's site: `/` alone lists them all, `/ho` only those whose shortcut or
// title contains "ho" (shortcuts that start with it first). An agent's own response hides a
// site-wide one with the same shortcut (it shadows it). ↑/↓ move (aria-activedescendant on the
// Message box, focus stays in it), Tab or Enter put the response in place of `/ho`,
// placeholders filled (placeholders.js), Esc closes the list until the next `/`. While the
// list is closed the box's keys are untouched (Enter sends).

import { h, uniqueId } from '../dom.js';
import { loadCanned, filledBody } from './canned.js';

const MAX_OPTIONS = 50;

/** The `/query` the caret is at the end of: {from, query}, or null. */
export function tokenAt(value, caret) {
  const m = /(?:^|\s)\/([^\s/]*)$/.exec(value.slice(0, caret));
  return m ? { from: caret - m[1].length - 1, query: m[1].toLowerCase() } : null;
}

/** The responses to offer for `query`, best first (see the top of the file). */
export function matches(list, query) {
  const ownShortcuts = new Set(list.filter((c) => c.agent_id != null && c.shortcut).map((c) => c.shortcut.toLowerCase()));
  const shown = list.filter((c) => !(c.agent_id == null && c.shortcut && ownShortcuts.has(c.shortcut.toLowerCase())));
  const rank = (c) => {
    const s = (c.shortcut || '').toLowerCase();
    const t = (c.title || '').toLowerCase();
    if (!query) return s ? 0 : 1;
    if (s === query) return 0;
    if (s.startsWith(query)) return 1;
    if (s.includes(query)) return 2;
    if (t.startsWith(query)) return 3;
    if (t.includes(query)) return 4;
    return -1;
  };
  return shown.map((c) => ({ c, r: rank(c) })).filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || (a.c.shortcut || '').localeCompare(b.c.shortcut || '')
      || a.c.title.localeCompare(b.c.title))
    .slice(0, MAX_OPTIONS)
    .map((x) => x.c);
}

/**
 * Attaches the list to `textarea` (a chat's Message box); the list goes right after it.
 * Returns {el, isOpen(), close(), destroy()}.
 */
export function attachShortcutList({ textarea, siteId, chatId }) {
  const listId = uniqueId('shortcuts');
  const el = h('ul', { id: listId, role: 'listbox', class: 'slash-list', 'aria-label': 'Canned responses', hidden: true });
  textarea.after(el);
  textarea.setAttribute('aria-autocomplete', 'list');
  textarea.setAttribute('aria-controls', listId);

  let shown = []; // responses in the list
  let active = 0;
  let token = null;
  let dismissedAt = null; // the `from` of a token closed with Esc
  let generation = 0;

  const close = () => {
    if (el.hidden && !shown.length) return;
    el.hidden = true;
    el.replaceChildren();
    shown = [];
    textarea.removeAttribute('aria-activedescendant');
  };
  const isOpen = () => !el.hidden && shown.length > 0;

  const setActive = (i) => {
    active = (i + shown.length) % shown.length;
    const options = [...el.children];
    options.forEach((o, k) => o.setAttribute('aria-selected', k === active ? 'true' : 'false'));
    const cur = options[active];
    if (cur) {
      textarea.setAttribute('aria-activedescendant', cur.id);
      cur.scrollIntoView?.({ block: 'nearest' });
    }
  };

  const place = () => {
    // Under the box, or above it when there is no room below.
    const box = textarea.getBoundingClientRect();
    const room = document.documentElement.clientHeight - box.bottom;
    el.style.left = `${textarea.offsetLeft}px`;
    el.style.width = `${textarea.offsetWidth}px`;
    if (room < Math.min(el.offsetHeight, 200) && box.top > room) {
      el.style.top = '';
      el.style.bottom = `${textarea.offsetParent ? textarea.offsetParent.clientHeight - textarea.offsetTop : 0}px`;
    } else {
      el.style.bottom = '';
      el.style.top = `${textarea.offsetTop + textarea.offsetHeight}px`;
    }
  };

  const render = (list) => {
    shown = list;
    if (!shown.length) {
      close();
      return;
    }
    el.replaceChildren(...shown.map((c, i) => {
      const opt = h('li', { id: `${listId}-${i}`, role: 'option', class: 'slash-option', 'aria-selected': 'false' },
        c.shortcut ? h('span', { class: 'slash-key' }, `/${c.shortcut}`) : null,
        h('span', { class: 'slash-title' }, c.title),
        h('span', { class: 'slash-body' }, c.body));
      opt.addEventListener('pointerdown', (e) => e.preventDefault()); // keep the focus in the box
      opt.addEventListener('click', () => choose(i));
      return opt;
    }));
    el.hidden = false;
    setActive(Math.min(active, shown.length - 1));
    place();
  };

  const update = async () => {
    const caret = textarea.selectionStart;
    token = textarea.selectionStart === textarea.selectionEnd ? tokenAt(textarea.value, caret) : null;
    if (!token || token.from === dismissedAt || textarea.disabled) {
      if (!token) dismissedAt = null;
      close();
      return;
    }
    const mine = ++generation;
    let list;
    try {
      list = await loadCanned(siteId);
    } catch {
      return; // the Canned Responses menu tells about load errors
    }
    if (mine !== generation || document.activeElement !== textarea) return;
    const wasOpen = isOpen();
    if (!wasOpen) active = 0;
    const next = matches(list, token.query);
    if (wasOpen && next[0] !== shown[0]) active = 0;
    render(next);
  };

  const choose = (i) => {
    const c = shown[i];
    if (!c || !token) return;
    const { from } = token;
    const to = textarea.selectionStart;
    close();
    generation += 1;
    const body = filledBody(chatId, c.body);
    const value = textarea.value;
    textarea.value = value.slice(0, from) + body + value.slice(to);
    const caret = from + body.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    dismissedAt = null;
    token = null;
    textarea.dispatchEvent(new Event('input', { bubbles: true })); // typing frames
  };

  const onKey = (e) => {
    if (e.target !== textarea || !isOpen() || e.isComposing) return;
    const plain = !e.altKey && !e.ctrlKey && !e.metaKey;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!plain) return;
      setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if ((e.key === 'Enter' || e.key === 'Tab') && plain && !e.shiftKey) {
      choose(active);
    } else if (e.key === 'Escape') {
      dismissedAt = token ? token.from : null;
      close();
    } else {
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation(); // before the Message box's own keys (Enter sends)
  };
  // On the form, capturing: runs before any listener on the box itself.
  const keyTarget = textarea.form || textarea;
  keyTarget.addEventListener('keydown', onKey, true);
  const onInput = () => { update(); };
  const onCaret = (e) => {
    if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key) || e.type === 'click') update();
  };
  const onBlur = () => close();
  textarea.addEventListener('input', onInput);
  textarea.addEventListener('keyup', onCaret);
  textarea.addEventListener('click', onCaret);
  textarea.addEventListener('blur', onBlur);

  return {
    el,
    isOpen,
    close,
    destroy() {
      keyTarget.removeEventListener('keydown', onKey, true);
      textarea.removeEventListener('input', onInput);
      textarea.removeEventListener('keyup', onCaret);
      textarea.removeEventListener('click', onCaret);
      textarea.removeEventListener('blur', onBlur);
      el.remove();
    },
  };
}
