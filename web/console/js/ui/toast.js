// Short notices in a polite live region (role="status"), newest last.

import { h } from '../dom.js';

let region = null;

function ensureRegion() {
  if (region && region.isConnected) return region;
  region = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
  document.body.append(region);
  return region;
}

/** toast('Invitation sent') or toast(err.message, {kind: 'error'}) */
export function toast(message, { kind = 'info', timeout = kind === 'error' ? 8000 : 4000 } = {}) {
  const host = ensureRegion();
  const close = () => item.remove();
  const item = h('div', { class: `toast toast-${kind}` },
    h('span', { class: 'toast-text' }, message),
    h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Dismiss notice', onclick: close }, '×'));
  host.append(item);
  while (host.children.length > 4) host.firstElementChild.remove();
  if (timeout) setTimeout(close, timeout);
  return close;
}

export function clearToasts() {
  if (region) region.replaceChildren();
}
