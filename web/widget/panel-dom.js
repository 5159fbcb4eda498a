// Frontdesk visitor widget: the panel's small tools. An element builder, text setters that do
// not re-announce live regions, the message and link-card elements, and the plain-loop and
// JSON helpers that survive a hostile host page. No state.
//
// Every text from the network or the visitor goes through textContent or text nodes, never
// markup. Host pages patch the higher-order Array.prototype methods (map, filter, find,
// forEach, …), sometimes with versions that throw: we use plain loops instead.

const SVG = 'http://www.w3.org/2000/svg';

// The chosen language: its table (l10n-XX.js, imported by the loader) and its code.
let table = {};
let lang = 'en';

/** Sets the language of every text (mount() does, once, from the loader's `conn`). */
export function useLanguage(code, strings) {
  lang = code || 'en';
  table = strings || {};
}

/** The chosen language's code ('en', 'pt', 'ar' …): for Intl. */
export const language = () => lang;

/** The text `key` in the chosen language, `{name}`s filled in from `vars`; a plural (an
 * object of Intl.PluralRules categories) is chosen by `vars.n`. The key itself when missing. */
export function t(key, vars) {
  let s = table[key];
  if (s && typeof s === 'object') {
    let form = 'other';
    try { form = new Intl.PluralRules(lang).select(vars.n); } catch (e) { /* no Intl: other */ }
    s = s[form] || s.other;
  }
  s = s == null ? key : String(s);
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] == null ? m : String(vars[k]))) : s;
}

/** Element builder. `text` sets textContent; `on*` adds listeners; anything else is an attribute. */
export function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const kid of kids) if (kid != null && kid !== false) e.append(kid);
  return e;
}

/** A 24×24 SVG icon of one path, hidden from assistive technology. */
export function icon(d) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

/** Sets text only when it changes, so live regions do not announce it again. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Shows `lines` as paragraphs of `el`, unless they are already shown (no re-announcement). */
export function setLines(el, lines) {
  const paragraphs = [];
  let text = '';
  for (const line of lines) {
    text += line + '\n';
    paragraphs.push(h('p', { text: line }));
  }
  if (el.fdLines === text) return;
  el.fdLines = text;
  el.replaceChildren(...paragraphs);
}

/** "14:05" in the widget's language and the visitor's time zone, or '' where the browser
 * cannot say. */
export function clock(ms) {
  try {
    return new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  } catch (e) {
    return '';
  }
}

/** An http(s) URL object, or null for anything else (javascript:, data:, junk). */
export function safeUrl(s) {
  try {
    const u = new URL(String(s));
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch (e) {
    return null;
  }
}

/** A link (Send Link) as an "Open page" button: host, full URL, "Open page"; a real link that
 * opens in a new tab without an opener on a click, which no pop-up blocker refuses. Space
 * presses it as it presses a button (Enter follows a link already). */
export function linkCard(url) {
  return h('a', {
    class: 'fd-card', href: url.href, target: '_blank', rel: 'noopener noreferrer', role: 'button',
    onkeydown: (e) => { if (e.key === ' ') { e.preventDefault(); e.currentTarget.click(); } },
  },
    h('span', { class: 'fd-card-host', text: url.hostname }),
    h('span', { class: 'fd-card-url', text: url.href }),
    h('span', { class: 'fd-card-go', text: t('openPage') }));
}

/** "512 B", "1.5 KB", "10 MB". */
export function bytes(n) {
  const u = n >= 1048576 ? 1048576 : n >= 1024 ? 1024 : 1;
  const v = n / u;
  return (v >= 10 || u === 1 ? Math.round(v) : Math.round(v * 10) / 10) + (u === 1 ? ' B' : u === 1024 ? ' KB' : ' MB');
}

/** A file of a `file` message: a raster image (it has a pixel size, so a thumbnail) as its
 * thumbnail, anything else as "name (size)"; both open the download URL (the visitor's token
 * is the capability) in a new tab. The name only ever as text or `alt`. */
function fileElement(f, conn) {
  const url = conn.origin + '/files/' + encodeURIComponent(f.id);
  const q = '?token=' + encodeURIComponent(conn.store('') || '');
  const a = h('a', { class: 'fd-file', href: url + q, target: '_blank', rel: 'noopener noreferrer' });
  if (f.width && /^image\//.test(f.mime)) a.append(h('img', { class: 'fd-thumb', src: url + '/thumb' + q, alt: f.name }));
  else a.textContent = f.name + ' (' + bytes(f.size) + ')';
  return a;
}

/** A message of the log: `{ from, kind, body, at, name, file }`; its last child is the meta
 * line. `conn` (the loader's handle) gives a file message its URLs. */
export function messageElement(m, conn) {
  const from = m.from === 'agent' || m.from === 'visitor' ? m.from : 'system';
  const el = h('div', { class: 'fd-msg fd-' + from });
  if (from === 'agent') el.append(h('span', { class: 'fd-who', text: m.name || t('agent') }));
  if (from === 'visitor') el.append(h('span', { class: 'fd-vh', text: t('you') }));
  const url = m.kind === 'link' && safeUrl(m.body);
  const f = m.kind === 'file' && conn && m.file;
  el.append(f ? fileElement(f, conn) : url ? linkCard(url) : h('p', { class: 'fd-text', text: m.body }));
  el.append(h('span', { class: 'fd-meta', text: m.at ? clock(m.at) : '' }));
  return el;
}

/** Sets a message's meta line (time, "Sending…", "Not sent: …") and its class. */
export function setMeta(el, text, cls) {
  el.classList.remove('fd-sending', 'fd-failed');
  if (cls) el.classList.add(cls);
  el.lastChild.textContent = text;
}

/** A visitor message not yet confirmed: "Sending…". */
export function sendingElement(body) {
  const el = messageElement({ from: 'visitor', kind: 'text', body });
  setMeta(el, t('sending'), 'fd-sending');
  return el;
}

/** JSON that survives a host page which patched Array.prototype.toJSON (old Prototype.js). */
export function toJson(value) {
  return JSON.stringify(value, function (key, replaced) {
    const original = this[key];
    return Array.isArray(original) ? original : replaced;
  });
}

/** Parsed JSON, or null for anything unparsable (or nothing stored). */
export function parseJson(s) {
  try {
    return JSON.parse(s);
  } catch (e) {
    return null;
  }
}

/** A v4 UUID: crypto.randomUUID where there is one (secure contexts only), else by hand. */
export function uuid() {
  const c = globalThis.crypto;
  if (c && c.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += (b[i] + 256).toString(16).slice(1);
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

/** The items of `list` for which `pred` holds (Array.prototype.filter without it). */
export function filtered(list, pred) {
  const out = [];
  for (const x of list) if (pred(x)) out.push(x);
  return out;
}

/** The first item of `list` for which `pred` holds, or undefined. */
export function findFirst(list, pred) {
  for (const x of list) if (pred(x)) return x;
  return undefined;
}
