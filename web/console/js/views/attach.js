// "Attach" in a chat window's composer (issue 14): a file chosen with the button, or pasted or
// dropped into the Message box, is uploaded at once. Each upload is a row above the box, the
// file's name and a progress bar (named after the file), never a message: the message appears
// in the log only when the server has stored it. A refused upload says why, with "Retry"
// where trying again can help (same client_id) and "Dismiss". Names go in as text.

import { h } from '../dom.js';
import { newClientId } from '../format.js';

// Errors worth a "Retry": the same file may go through a moment later.
const RETRY = new Set(['network', 'unavailable', 'internal', 'rate_limited', 'timeout']);

export function attachControl(chatId, { ctrl, textarea }) {
  const input = h('input', { type: 'file', multiple: true, hidden: true });
  const button = h('button', { type: 'button', class: 'btn composer-attach' }, 'Attach');
  const list = h('div', { class: 'uploads' });

  const failed = (row, file, clientId, err) => {
    const el = h('div', { class: 'upload is-failed' },
      h('span', { class: 'upload-why', role: 'alert' }, `${file.name || 'file'}: ${err.message}`), ' ',
      RETRY.has(err.code)
        ? h('button', { type: 'button', class: 'link-btn', onclick: () => { start(file, clientId, el); textarea.focus(); } }, 'Retry')
        : null, ' ',
      h('button', { type: 'button', class: 'link-btn', onclick: () => { el.remove(); textarea.focus(); } }, 'Dismiss'));
    row.replaceWith(el);
  };

  /** Uploads one file; `row`: the failed row a Retry replaces. */
  const start = (file, clientId, row) => {
    const name = file.name || 'file';
    const bar = h('progress', { max: '100', value: 0, 'aria-label': name });
    const el = h('div', { class: 'upload' }, h('span', { class: 'upload-name' }, name), ' ', bar);
    if (row) row.replaceWith(el);
    else list.append(el);
    ctrl.sendFile(chatId, file, clientId, (p) => { bar.value = Math.round(p * 100); })
      .then(() => el.remove(), (err) => failed(el, file, clientId, err));
  };
  const sendAll = (files) => {
    for (const file of [...files]) start(file, newClientId());
  };

  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    sendAll(input.files);
    input.value = '';
  });
  // A pasted screenshot, a dropped file.
  const dropped = (e) => {
    const files = (e.clipboardData || e.dataTransfer)?.files;
    if (!files?.length || button.disabled) return;
    e.preventDefault();
    sendAll(files);
  };
  textarea.addEventListener('paste', dropped);
  textarea.addEventListener('drop', dropped);
  textarea.addEventListener('dragover', (e) => {
    if (!button.disabled && [...(e.dataTransfer?.types || [])].includes('Files')) e.preventDefault();
  });

  return {
    button,
    input,
    list,
    setEnabled(on) { button.disabled = !on; },
  };
}
