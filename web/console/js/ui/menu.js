// Pop-up menus (role="menu") and disclosure panels. One menu is open at a time. Keyboard:
// arrows / Home / End move, Enter or Space choose, Esc or Tab close (focus returns to the opener).
// A menu may have a search box (`search`): it filters the items that have a `search` text as
// you type; a letter typed on an item goes to it; ↓ moves to the first item left, Enter
// chooses it.

import { h, arrowNav, replace } from '../dom.js';

let current = null;

export function closeMenu({ restoreFocus = true } = {}) {
  if (!current) return;
  const { el, opener, onClose, outside } = current;
  current = null;
  document.removeEventListener('pointerdown', outside, true);
  window.removeEventListener('resize', closeOnResize);
  el.remove();
  if (opener) opener.setAttribute('aria-expanded', 'false');
  if (restoreFocus && opener instanceof HTMLElement && opener.isConnected) opener.focus();
  if (onClose) onClose();
}

function closeOnResize() {
  closeMenu({ restoreFocus: false });
}

/** The element the open menu belongs to, or null. */
export function menuOpener() {
  return current ? current.opener : null;
}

/**
 * openMenu({label, items, opener, at:{x,y}, search:{label, empty}})
 * items: [{label, onSelect, disabled, search}] | {heading} | {separator: true}
 * An item with a `search` text is hidden when the search box's words are not all in it; a
 * heading is hidden when every item under it is.
 */
export function openMenu({ label, items, opener = null, at = null, onClose = null, className = '', search = null }) {
  closeMenu({ restoreFocus: false });
  const menu = h('div', { role: 'menu', class: `menu ${className}`.trim(), 'aria-label': label, tabindex: '-1' });
  const entries = [];
  const filterable = []; // {el, text, heading}
  let heading = null;
  for (const item of items) {
    if (item.separator) {
      heading = null;
      menu.append(h('div', { role: 'separator', class: 'menu-sep' }));
    } else if (item.heading) {
      heading = h('div', { class: 'menu-heading', role: 'presentation' }, item.heading);
      menu.append(heading);
    } else {
      const el = h('button', {
        type: 'button', role: 'menuitem', class: 'menu-item', tabindex: '-1',
        'aria-disabled': item.disabled ? 'true' : null, title: item.title || null,
      }, item.label);
      el.addEventListener('click', () => {
        if (item.disabled) return;
        closeMenu({ restoreFocus: !item.keepFocusAway });
        item.onSelect();
      });
      entries.push(el);
      menu.append(el);
      if (item.search != null) filterable.push({ el, text: String(item.search).toLowerCase(), heading });
    }
  }
  const searchBox = search ? searchField(menu, search, filterable, entries) : null;
  menu.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closeMenu();
    } else if (e.key === 'Tab') {
      closeMenu({ restoreFocus: false });
    } else if (searchBox && e.target === searchBox) {
      // the search box's own keys (see searchField)
    } else if (!arrowNav(e, entries, document.activeElement)) {
      if (searchBox && e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
        searchBox.focus(); // the letter lands in the search box
      } else if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
        // type-ahead: first item starting with the letter
        const i = entries.indexOf(document.activeElement);
        const order = [...entries.slice(i + 1), ...entries.slice(0, i + 1)];
        const hit = order.find((el) => el.textContent.trim().toLowerCase().startsWith(e.key.toLowerCase()));
        if (hit) hit.focus();
      }
    }
  });
  const outside = (e) => {
    if (!menu.contains(e.target) && !(opener && opener.contains(e.target))) closeMenu({ restoreFocus: false });
  };
  document.body.append(menu);
  position(menu, opener, at);
  current = { el: menu, opener, onClose, outside };
  document.addEventListener('pointerdown', outside, true);
  window.addEventListener('resize', closeOnResize);
  if (opener) opener.setAttribute('aria-expanded', 'true');
  (entries.find((el) => el.getAttribute('aria-disabled') !== 'true') || entries[0] || menu).focus();
  return menu;
}

/** The search box at the top of `menu`: filters `filterable` as you type. */
function searchField(menu, { label, empty = 'No matches' }, filterable, entries) {
  const box = h('input', {
    type: 'search', class: 'menu-search', 'aria-label': label, placeholder: label, autocomplete: 'off', spellcheck: 'false',
  });
  const none = h('p', { class: 'menu-empty', role: 'status', hidden: true }, empty);
  menu.prepend(h('div', { class: 'menu-search-row', role: 'none' }, box), none);
  const visible = () => entries.filter((el) => !el.hidden && el.getAttribute('aria-disabled') !== 'true');
  box.addEventListener('input', () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    const headings = new Map();
    for (const f of filterable) {
      f.el.hidden = !words.every((w) => f.text.includes(w));
      if (f.heading) headings.set(f.heading, (headings.get(f.heading) || false) || !f.el.hidden);
    }
    for (const [el, any] of headings) el.hidden = !any;
    none.hidden = !(words.length && filterable.length && filterable.every((f) => f.el.hidden));
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || (e.key === 'Enter' && !e.isComposing)) {
      const first = visible()[0];
      e.preventDefault();
      if (!first) return;
      if (e.key === 'Enter') first.click();
      else first.focus();
    }
  });
  return box;
}

function position(menu, opener, at) {
  menu.style.position = 'fixed';
  const rect = at ? { left: at.x, bottom: at.y, top: at.y } : opener?.getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  const vh = document.documentElement.clientHeight;
  const mw = menu.offsetWidth;
  const mh = menu.offsetHeight;
  let left = rect ? rect.left : 8;
  let top = rect ? rect.bottom + 2 : 8;
  if (left + mw > vw - 8) left = Math.max(8, vw - mw - 8);
  if (top + mh > vh - 8) top = Math.max(8, (rect ? rect.top : vh) - mh - 2);
  menu.style.left = `${Math.round(left)}px`;
  menu.style.top = `${Math.round(top)}px`;
}

/**
 * A button that shows/hides a panel (aria-expanded). Esc inside the panel or a click outside
 * closes it. Returns {wrap, button, panel, open(), close()}.
 */
export function disclosure(label, buildPanel, { className = '' } = {}) {
  const button = h('button', { type: 'button', class: 'btn', 'aria-expanded': 'false' }, label);
  const panel = h('div', { class: `popover ${className}`.trim(), hidden: true });
  const wrap = h('div', { class: 'disclosure' }, button, panel);
  let onDoc = null;
  const onKey = (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) {
      e.preventDefault();
      close(wrap.contains(document.activeElement));
    }
  };
  const close = (restore = false) => {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onDoc, true);
    document.removeEventListener('keydown', onKey);
    if (restore) button.focus();
  };
  const open = () => {
    replace(panel, ...[buildPanel(close)].flat());
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    onDoc = (e) => { if (!wrap.contains(e.target)) close(false); };
    document.addEventListener('pointerdown', onDoc, true);
    document.addEventListener('keydown', onKey);
    const first = panel.querySelector('input, textarea, select, a[href], button');
    if (first) first.focus();
  };
  button.addEventListener('click', () => (panel.hidden ? open() : close(false)));
  button.controls = panel;
  return { wrap, button, panel, open, close };
}
