// Small building blocks shared by the Options and Admin pages.

import { h, uniqueId } from '../dom.js';
import { store } from '../state.js';

/** A labelled <select> of sites. onChange(siteId). Returns {el, select, value()}. */
export function sitePicker(onChange, { sites = null, label = 'Site' } = {}) {
  const id = uniqueId('site');
  const select = h('select', { id, name: 'site' });
  const fill = (list) => {
    const keep = select.value;
    const sorted = [...list].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    select.replaceChildren(...sorted.map((s) => h('option', { value: String(s.site_id ?? s.id) }, s.name)));
    if (sorted.some((s) => String(s.site_id ?? s.id) === keep)) select.value = keep;
    else {
      const monitored = sorted.find((s) => s.monitoring); // the agent's sites come first
      if (monitored) select.value = String(monitored.site_id);
    }
  };
  fill(sites || [...store.sites.values()]);
  select.addEventListener('change', () => onChange(Number(select.value)));
  const el = h('div', { class: 'field field-inline' }, h('label', { for: id }, label), select);
  return { el, select, fill, value: () => (select.value ? Number(select.value) : null) };
}

/** A table with a header row; rows are arrays of cells (strings or nodes). */
export function table(headers, rows, { caption, className = '' } = {}) {
  return h('table', { class: `table ${className}`.trim() },
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows));
}

/** A section with a heading and a status line for load errors. */
export function pageSection(title, ...children) {
  const id = uniqueId('h');
  return h('section', { class: 'page-section', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

export function statusLine() {
  return h('p', { class: 'form-status', 'aria-live': 'polite' });
}

/** Lines of a textarea as a list (blank lines dropped). */
export function lines(value) {
  return String(value || '').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
}

/** Copies `value` to the clipboard (falling back to selecting `node` and the legacy command). */
export async function copyText(value, node) {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    // Older browsers / insecure contexts: select the text and use the legacy command.
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}
