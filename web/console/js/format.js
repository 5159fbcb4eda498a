// Formatting of times, names and text. Pure functions: no DOM except linkify(), which only
// creates text nodes and safe anchors.

import { h, httpUrl } from './dom.js';

const pad = (n) => String(n).padStart(2, '0');

/** 0:07, 12:34, 1:02:03 */
export function elapsed(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const hrs = Math.floor(total / 3600);
  return hrs > 0 ? `${hrs}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function elapsedSince(ts, now = Date.now()) {
  return elapsed(now - Number(ts || 0));
}

export function clock(ts) {
  if (!ts) return '';
  const d = new Date(Number(ts));
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function dateTime(ts) {
  if (!ts) return '';
  const d = new Date(Number(ts));
  return d.toLocaleString([], {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

export function isoTime(ts) {
  try {
    return new Date(Number(ts)).toISOString();
  } catch {
    return '';
  }
}

/** A short readable label for an anonymous visitor id. */
export function visitorLabel(name, visitorId) {
  if (name && String(name).trim()) return String(name).trim();
  const id = String(visitorId || '');
  return id ? `Visitor ${id.replace(/-/g, '').slice(0, 6)}` : 'Visitor';
}

export function truncate(s, max) {
  const chars = Array.from(String(s ?? ''));
  return chars.length > max ? chars.slice(0, max).join('') : chars.join('');
}

// Words that look like URLs, as the server's find_url: http://, https://, www.
const URL_WORD = /^(https?:\/\/|www\.)\S+/i;
const TRAILING = /[.,;:!?)\]}'"»]+$/;

/** Splits text into [{text}|{url, raw}] parts; URLs are http(s):// or www. words. */
export function splitUrls(textValue) {
  const parts = [];
  const re = /\S+/g;
  let last = 0;
  let m;
  const s = String(textValue ?? '');
  while ((m = re.exec(s)) !== null) {
    const word = m[0];
    const lead = word.match(/^[(<["'«]*/)[0];
    const core = word.slice(lead.length);
    if (!URL_WORD.test(core)) continue;
    const trail = (core.match(TRAILING) || [''])[0];
    const raw = core.slice(0, core.length - trail.length);
    if (raw.length < 5) continue;
    const start = m.index + lead.length;
    if (start > last) parts.push({ text: s.slice(last, start) });
    parts.push({ url: normaliseUrl(raw), raw });
    last = start + raw.length;
  }
  if (last < s.length) parts.push({ text: s.slice(last) });
  return parts;
}

/** www.x.example -> https://www.x.example (so the server does not resolve it as relative). */
export function normaliseUrl(raw) {
  return /^www\./i.test(raw) ? `https://${raw}` : raw;
}

export function hasUrl(textValue) {
  return splitUrls(textValue).some((p) => p.url);
}

/** Text with http(s) URLs as safe links (rel=noopener noreferrer, new tab). */
export function linkify(textValue) {
  const frag = document.createDocumentFragment();
  for (const part of splitUrls(textValue)) {
    if (part.url && httpUrl(part.url)) {
      frag.append(h('a', {
        href: httpUrl(part.url), rel: 'noopener noreferrer', target: '_blank', class: 'ext',
      }, part.raw));
    } else {
      frag.append(document.createTextNode(part.text ?? part.raw));
    }
  }
  return frag;
}

/** "Chrome on Windows" from the browser and OS the server parsed. */
export function browserText(browser, os) {
  const b = (browser || '').trim();
  const o = (os || '').trim();
  if (b && o) return `${b} on ${o}`;
  return b || o || 'Unknown browser';
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** New random id for a message's client_id (idempotency key). */
export function newClientId() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A file size: "512 B", "1.5 KB", "10 MB". */
export function fileSize(n) {
  const size = Number(n) || 0;
  const [unit, name] = size >= 1048576 ? [1048576, 'MB'] : size >= 1024 ? [1024, 'KB'] : [1, 'B'];
  const v = size / unit;
  return `${v >= 10 || unit === 1 ? Math.round(v) : Math.round(v * 10) / 10} ${name}`;
}
