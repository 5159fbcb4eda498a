// Tiny DOM helpers. Text is only ever set through text nodes / textContent, attributes only
// through setAttribute with an allowlist, and href/src only when their scheme is safe.
// Nothing in the console uses innerHTML.

const ALLOWED_ATTRS = new Set([
  'id', 'class', 'role', 'type', 'name', 'placeholder', 'title', 'href', 'target', 'rel',
  'download', 'for', 'tabindex', 'hidden', 'disabled', 'readonly', 'required', 'autocomplete',
  'inputmode', 'min', 'max', 'maxlength', 'minlength', 'rows', 'cols', 'multiple', 'lang', 'dir',
  'datetime', 'spellcheck', 'list', 'pattern', 'size', 'scope', 'colspan', 'open', 'novalidate',
  'enterkeyhint', 'accesskey', 'draggable', 'translate', 'method', 'form', 'step', 'wrap',
  'src', 'alt', 'accept',
]);

// Set as DOM properties (live value), not attributes.
const PROPS = new Set(['value', 'checked', 'selected', 'indeterminate']);

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** The href if it is same-origin/relative or http(s)/mailto, else null. */
export function safeHref(value) {
  if (value == null) return null;
  const s = String(value).trim();
  if (s === '') return null;
  try {
    const u = new URL(s, window.location.href);
    return SAFE_SCHEMES.has(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

/** Absolute http(s) URL of a visitor-supplied string, or null (no relative URLs). */
export function httpUrl(value) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const u = new URL(value.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function setAttr(el, key, value) {
  if (value === undefined || value === null || value === false) return;
  if (key.startsWith('on') && typeof value === 'function') {
    el.addEventListener(key.slice(2).toLowerCase(), value);
    return;
  }
  if (PROPS.has(key)) {
    el[key] = value;
    return;
  }
  if (key === 'dataset' && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (v != null) el.dataset[k] = String(v);
    return;
  }
  if (!(ALLOWED_ATTRS.has(key) || key.startsWith('aria-') || key.startsWith('data-'))) {
    throw new Error(`dom.h: attribute not allowed: ${key}`);
  }
  if (key === 'href') {
    const href = safeHref(value);
    if (href === null) return;
    el.setAttribute('href', value === '#' ? '#' : String(value).trim());
    return;
  }
  if (key === 'src') { // images only (files in chats), same rule as href
    if (safeHref(value) !== null) el.setAttribute('src', String(value).trim());
    return;
  }
  el.setAttribute(key, value === true ? '' : String(value));
}

/** Appends children: strings/numbers become text nodes, arrays are flattened, null skipped. */
export function append(el, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === true) continue;
    if (Array.isArray(child)) append(el, ...child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
  return el;
}

/** h('button', {type: 'button', onclick: fn}, 'Send') */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
  } else if (attrs) {
    for (const [k, v] of Object.entries(attrs)) setAttr(el, k, v);
  }
  return append(el, ...children);
}

/** Replaces the children (null/false skipped, strings as text nodes). */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}

export function text(el, value) {
  el.textContent = value == null ? '' : String(value);
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

let uid = 0;
export function uniqueId(prefix = 'fd') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A link to a visitor-supplied URL: an <a> only for absolute http(s) URLs, else plain text. */
export function externalLink(url, label) {
  const href = httpUrl(url);
  const shown = label == null || label === '' ? String(url ?? '') : String(label);
  if (!href) return h('span', { class: 'url-text' }, shown);
  return h('a', { href, rel: 'noopener noreferrer', target: '_blank', class: 'ext' }, shown);
}

/** A label + control pair. Returns {wrap, input}. */
export function field(label, control, hint) {
  const id = control.id || uniqueId('f');
  control.id = id;
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control);
  if (hint) {
    const hid = uniqueId('hint');
    control.setAttribute('aria-describedby', hid);
    wrap.append(h('p', { class: 'hint', id: hid }, hint));
  }
  return { wrap, input: control };
}

export function button(label, onclick, attrs = {}) {
  return h('button', { type: 'button', ...attrs, onclick }, label);
}

/**
 * Reuses child elements by key so that focus and scroll survive re-rendering a list.
 * create(item) -> Element; update(el, item) refreshes it.
 */
export function reconcile(container, items, key, create, update) {
  const existing = new Map();
  for (const child of [...container.children]) {
    if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
    else child.remove();
  }
  let prev = null;
  for (const item of items) {
    const k = String(key(item));
    let el = existing.get(k);
    if (el) {
      existing.delete(k);
      update(el, item);
    } else {
      el = create(item);
      el.dataset.key = k;
      update(el, item);
    }
    const want = prev ? prev.nextSibling : container.firstChild;
    if (want !== el) container.insertBefore(el, want);
    prev = el;
  }
  for (const el of existing.values()) el.remove();
}

/** Moves focus among `items` with arrow keys, Home and End. Returns true if handled. */
export function arrowNav(event, items, current, { horizontal = false } = {}) {
  const list = items.filter((el) => !el.hidden && !el.disabled);
  if (list.length === 0) return false;
  let i = list.indexOf(current);
  const next = horizontal ? 'ArrowRight' : 'ArrowDown';
  const prev = horizontal ? 'ArrowLeft' : 'ArrowUp';
  switch (event.key) {
    case next: i = (i + 1) % list.length; break;
    case prev: i = (i - 1 + list.length) % list.length; break;
    case 'Home': i = 0; break;
    case 'End': i = list.length - 1; break;
    default: return false;
  }
  event.preventDefault();
  list[i].focus();
  return list[i];
}

/** Is the event target a place where the user types text? */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}
