// Inline SVG for the Reports charts: elements through createElementNS, attributes only from
// the chart code (numbers, class names), text only through text nodes. No library.

const NS = 'http://www.w3.org/2000/svg';

/** svg('rect', {x: 1, class: 'bar'}, child…): strings become text nodes. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A `<title>` (the tooltip and accessible text of one mark). */
export const title = (textValue) => svg('title', {}, textValue);

/** Rounds to a tenth of a pixel (shorter attributes, same picture). */
export const px = (n) => Math.round(n * 10) / 10;
