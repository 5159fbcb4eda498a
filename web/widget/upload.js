// Frontdesk visitor widget: sending files ("Attach a file", and a file pasted or dropped into
// the message box). Not one of the panel's modules: panel.js imports it with import() the first
// time the visitor attaches a file, so a visitor who never does downloads none of it.
//
// An upload is a row above the message box, never a message: the file's name and a progress
// bar (XMLHttpRequest upload progress), then on the server's 201 the stored message goes into
// the log like any other (its `message` frame may come before or after: one per seq). A refused
// upload says why in words, with "Retry" where trying again can help (same client_id: the
// server stores it once). The size limit is checked here first; the server decides the rest.
// Every name goes in as text.

import { h, bytes, parseJson, uuid, t } from './panel-dom.js';
import { isLive } from './panel-state.js';
import { addMessage, fromWire, saveChat } from './panel-transcript.js';

const WHY = {
  file_type_not_allowed: 'fileType',
  file_refused: 'fileRefused',
  too_many_files: 'tooManyFiles',
  empty: 'fileEmpty',
  rate_limited: 'fileRate',
  not_found: 'noChat',
  blocked: 'fileBlocked',
  network: 'network',
};
// Codes worth a "Retry": the same file may well go through a moment later.
const AGAIN = { rate_limited: 1, unavailable: 1, internal: 1, network: 1 };
// When the answer is not our JSON (a proxy's page), its status says enough.
const STATUS = { 404: 'not_found', 409: 'too_many_files', 413: 'file_too_large', 415: 'file_type_not_allowed', 429: 'rate_limited' };

/** The reason shown for a refusal `code`. */
function why(panel, code) {
  if (code === 'file_too_large') return t('fileTooLarge', { size: bytes(panel.state.features.file_max_bytes) });
  return t(WHY[code] || 'fileFailed');
}

/** Sends each of `files` (a FileList or an array of File). */
export function upload(panel, files) {
  for (let i = 0; i < files.length; i++) send(panel, files[i], uuid());
}

/** The rows of uploads, above the message box (made on first use). */
function area(panel) {
  const dom = panel.dom;
  if (!dom.uploads) {
    dom.uploads = h('div', { class: 'fd-ups' });
    dom.chatView.insertBefore(dom.uploads, dom.compose);
  }
  return dom.uploads;
}

/** Uploads one file; `row`: the failed row a Retry replaces. */
function send(panel, file, clientId, row) {
  const { state, conn } = panel;
  const name = file.name || t('file');
  const bar = h('progress', { max: 100, value: 0, 'aria-label': name }); // role progressbar, the file's name
  const fresh = h('div', { class: 'fd-up' }, h('span', { class: 'fd-up-name', text: name }), bar);
  if (row) row.replaceWith(fresh);
  else area(panel).append(fresh);
  const max = state.features.file_max_bytes;
  const chatId = isLive(state) ? state.chat.id : null;
  if (!max || chatId == null) return failed(panel, fresh, file, clientId, 'not_found');
  if (file.size > max) return failed(panel, fresh, file, clientId, 'file_too_large');
  if (!file.size) return failed(panel, fresh, file, clientId, 'empty');

  const x = new XMLHttpRequest();
  x.open('POST', conn.origin + '/api/visitor/files');
  x.upload.onprogress = (e) => {
    if (e.lengthComputable && e.total) bar.value = Math.round((e.loaded / e.total) * 100);
  };
  x.onload = () => {
    const body = parseJson(x.responseText) || {};
    if (x.status !== 201 || typeof body.seq !== 'number') {
      return failed(panel, fresh, file, clientId, body.code || STATUS[x.status] || (x.status >= 500 ? 'unavailable' : ''));
    }
    fresh.remove();
    const chat = state.chat;
    if (chat && chat.id === body.chat_id && addMessage(panel, fromWire(panel, body), false)) saveChat(panel);
  };
  x.onerror = () => failed(panel, fresh, file, clientId, 'network');
  const form = new FormData();
  form.append('site', conn.site);
  form.append('token', conn.store('') || '');
  form.append('client_id', clientId);
  form.append('file', file, name);
  x.send(form);
}

/** The upload was refused (or could not go): the row says why; Retry and Dismiss. */
function failed(panel, row, file, clientId, code) {
  const box = panel.dom.messageBox;
  const done = (retry) => {
    if (retry) send(panel, file, clientId, fresh);
    else fresh.remove();
    box.focus(); // the focused button is gone
  };
  const fresh = h('div', { class: 'fd-up fd-up-failed' },
    h('p', { class: 'fd-up-why', role: 'alert', text: (file.name || t('file')) + ': ' + why(panel, code) }),
    AGAIN[code] ? h('button', { type: 'button', class: 'fd-btn fd-ghost', text: t('retry'), onclick: () => done(true) }) : null,
    h('button', { type: 'button', class: 'fd-btn fd-ghost', text: t('dismiss'), onclick: () => done(false) }));
  row.replaceWith(fresh);
}
