// "Tags" of a chat (issue 13): the chat's tags as chips, each with a remove button, and a
// text box with the site's tags as suggestions (<input list> + <datalist>, most used first).
// Every change is saved at once (PUT /api/chats/{id}/tags); the server's answer, and any
// `chat.updated` after, is what is shown. Also the "Wrap-up note" dialog of "End Chat".

import { h, uniqueId, replace, text } from '../dom.js';
import { tags as tagsApi } from '../api.js';
import { openDialog } from '../ui/dialog.js';
import { store } from '../state.js';

/** Tags that differ only in case are one (the server keeps the first spelling). */
const same = (a, b) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

/**
 * The "Tags" field of chat `chatId` on site `siteId`. `initial`: its tags now; `onSaved(chat)`
 * gets the server's summary after each save. Returns {el, set(tags), setEnabled(on)}.
 */
export function tagsField(chatId, { siteId, initial = [], onSaved = null }) {
  const inputId = uniqueId('tags');
  const listId = uniqueId('tag-suggestions');
  const input = h('input', {
    id: inputId, type: 'text', name: 'tag', list: listId, autocomplete: 'off', spellcheck: 'false',
    enterkeyhint: 'done', placeholder: 'Add a tag',
  });
  const datalist = h('datalist', { id: listId });
  const add = h('button', { type: 'submit', class: 'btn btn-small' }, 'Add tag');
  const chips = h('ul', { class: 'tag-chips', 'aria-label': 'Tags of this chat' });
  const status = h('p', { class: 'form-status', 'aria-live': 'polite' });
  const form = h('form', { class: 'row-form tags-field' },
    h('div', { class: 'field' }, h('label', { for: inputId }, 'Tags'), input, datalist), add);
  const el = h('div', { class: 'tags-box' }, form, chips, status);

  let current = Array.isArray(initial) ? [...initial] : [];
  let enabled = true;
  let saving = false;

  const render = () => {
    replace(chips, ...current.map((t) => h('li', { class: 'tag-chip' },
      h('span', { class: 'tag-text' }, t),
      h('button', {
        type: 'button', class: 'tag-remove', 'aria-label': `Remove tag ${t}`, title: `Remove tag ${t}`,
        disabled: !enabled || saving, onclick: () => save(current.filter((x) => x !== t)),
      }, '×'))));
    input.disabled = !enabled;
    add.disabled = !enabled || saving;
  };

  const suggest = async () => {
    if (siteId == null) return;
    try {
      const list = await tagsApi.ofSite(siteId);
      replace(datalist, ...(Array.isArray(list) ? list : [])
        .map((s) => h('option', { value: s.tag }, `${s.tag} (${s.chats})`)));
    } catch {
      // Suggestions are a help only: free text still works.
    }
  };

  const save = async (next) => {
    saving = true;
    render();
    text(status, '');
    try {
      const chat = await tagsApi.set(chatId, next);
      // The server's answer (a summary leaves out tags when there are none).
      current = chat ? (Array.isArray(chat.tags) ? chat.tags : []) : next;
      if (store.chat(chatId)) store.patchChat(chatId, { tags: current });
      if (onSaved) onSaved(chat);
      saving = false;
      render();
      return true;
    } catch (err) {
      text(status, err.message);
      status.classList.add('form-error');
      saving = false;
      render();
      return false;
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const tag = input.value.trim();
    if (!tag) {
      input.focus();
      return;
    }
    if (current.some((t) => same(t, tag))) {
      input.value = '';
      return;
    }
    status.classList.remove('form-error');
    if (await save([...current, tag])) {
      input.value = '';
      suggest();
    }
    input.focus();
  });
  input.addEventListener('focus', () => { if (!datalist.childElementCount) suggest(); }, { once: true });

  render();
  suggest();
  return {
    el,
    set(list) {
      const next = Array.isArray(list) ? list : [];
      if (next.length === current.length && next.every((t, i) => t === current[i])) return;
      current = [...next];
      render();
    },
    setEnabled(on) { enabled = !!on; render(); },
  };
}

/**
 * "End Chat" asks for an optional "Wrap-up note". Resolves to {note} when the agent confirms
 * (the note may be empty), null when they cancel.
 */
export async function askWrapUp() {
  const noteId = uniqueId('wrap-up');
  const hintId = uniqueId('wrap-up-hint');
  const note = h('textarea', { id: noteId, name: 'wrap_up', rows: '4', 'aria-describedby': hintId });
  let submitted = false;
  const form = h('form', { class: 'wrap-up-form' },
    h('div', { class: 'field' }, h('label', { for: noteId }, 'Wrap-up note'), note),
    h('p', { id: hintId, class: 'hint' }, 'Optional. For agents only: the visitor never sees it.'));
  const dlg = openDialog({
    title: 'End this chat?',
    body: form,
    actions: [
      { label: 'End Chat', danger: true, onClick: (close) => { submitted = true; close({ note: note.value }); } },
      { label: 'Cancel', onClick: (close) => close(null) },
    ],
    initialFocus: note,
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!submitted) {
      submitted = true;
      dlg.close({ note: note.value });
    }
  });
  return dlg.result;
}
