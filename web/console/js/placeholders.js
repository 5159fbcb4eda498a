// Placeholders in canned responses, filled when a response goes into the Message box. Pure:
// no DOM, no store (tested from node: e2e/console-placeholders.test.mjs).
//
//   {visitor.name}  the name the visitor gave (none: empty)
//   {agent.name}    my name
//   {site.name}     the chat's site
//   {page.title}    the title of the page the visitor is on (unknown: empty)
//
// A known placeholder without a value becomes empty, and takes one space before it along when
// what follows is a space, punctuation or the end: "Hi {visitor.name}, welcome!" becomes
// "Hi, welcome!", "Thanks {visitor.name} for waiting" becomes "Thanks for waiting". Anything
// else in braces that looks like a placeholder (`{foo}`, `{visitor.email}`) is unknown: it is
// left as typed, and the editor flags it. Values are inserted once, as text (a value that
// itself contains `{agent.name}` is not filled again).

export const PLACEHOLDERS = Object.freeze(['visitor.name', 'agent.name', 'site.name', 'page.title']);

const KNOWN = new Set(PLACEHOLDERS);
// A name: letters, digits, `_` or `-`, in dot-separated parts, starting with a letter.
const TOKEN = /\{([A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*)\}/g;

/** The unknown placeholders of `body`, each once, as typed (with braces), in order. */
export function unknownPlaceholders(body) {
  const seen = new Set();
  for (const m of String(body ?? '').matchAll(TOKEN)) {
    if (!KNOWN.has(m[1])) seen.add(m[0]);
  }
  return [...seen];
}

/** The sentence the editor shows for unknown placeholders, or '' when there are none. */
export function unknownPlaceholderWarning(body) {
  const unknown = unknownPlaceholders(body);
  if (unknown.length === 0) return '';
  return `${unknown.length === 1 ? 'Unknown placeholder' : 'Unknown placeholders'}: ${unknown.join(', ')}`;
}

const clean = (v) => (v == null ? '' : String(v).trim());

/**
 * `body` with its known placeholders filled from `values` ({'visitor.name': 'Vera', …}).
 * Unknown placeholders stay as typed.
 */
export function fillPlaceholders(body, values = {}) {
  const text = String(body ?? '');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (!KNOWN.has(m[1])) continue;
    const start = m.index;
    const end = start + m[0].length;
    const value = clean(values[m[1]]);
    out += text.slice(last, start);
    if (value === '') {
      const next = text.charAt(end);
      if (out.endsWith(' ') && (next === '' || /[\s.,;:!?)\]]/.test(next))) out = out.slice(0, -1);
    }
    out += value;
    last = end;
  }
  return out + text.slice(last);
}

/** Whether a visitor label is the made-up one ("Visitor 1a2b3c") rather than a given name. */
export function isMadeUpVisitorName(name, visitorId) {
  const id = String(visitorId ?? '');
  const n = String(name ?? '').trim();
  if (!n) return true;
  return n === 'Visitor' || (id !== '' && (n === `Visitor ${id.slice(0, 6)}`
    || n === `Visitor ${id.replace(/-/g, '').slice(0, 6)}`));
}
