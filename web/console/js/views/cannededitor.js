// Managing canned responses: add, edit and delete. mode 'own' (an agent's own), 'site'
// (site-wide, admins) or 'both' (admins on the Options page). Each has a "Title", a "Text"
// (with placeholders: an unknown one is flagged under it, "Unknown placeholder: {foo}") and
// an optional "Shortcut" (`/hours` in the Message box).

import { h, text, field } from '../dom.js';
import { canned as cannedApi } from '../api.js';
import { store } from '../state.js';
import { confirmDialog } from '../ui/dialog.js';
import { sitePicker, table, statusLine } from './common.js';
import { invalidateCanned } from './canned.js';
import { truncate } from '../format.js';
import { PLACEHOLDERS, unknownPlaceholderWarning } from '../placeholders.js';

const PLACEHOLDER_HINT = `Placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`;
const SHORTCUT_HINT = 'Optional: letters, digits, - or _. Type /shortcut in the Message box.';

/** A "Text" textarea's field with its placeholder hint and the unknown-placeholder warning. */
function textField(textarea) {
  const warning = h('p', { class: 'canned-warning', role: 'status' });
  const check = () => text(warning, unknownPlaceholderWarning(textarea.value));
  textarea.addEventListener('input', check);
  check();
  const { wrap } = field('Text', textarea, PLACEHOLDER_HINT);
  wrap.append(warning);
  return { wrap, check };
}

const shortcutInput = (value = '') => h('input', {
  type: 'text', name: 'shortcut', maxlength: '33', autocomplete: 'off', spellcheck: 'false', value,
});

export function cannedEditor({ mode = 'own' } = {}) {
  const status = statusLine();
  const tbody = h('tbody');
  const picker = sitePicker(() => load());
  const scopeLabel = (c) => (c.agent_id == null ? 'Site-wide' : 'Mine');
  const showScope = mode === 'both';
  const headers = ['Title', 'Shortcut', 'Text', ...(showScope ? ['Scope'] : []), 'Actions'];
  const tableEl = table(headers, []);
  tableEl.querySelector('tbody').replaceWith(tbody);
  const empty = h('p', { class: 'empty', hidden: true }, 'No canned responses yet.');

  // ── add form ──
  const title = h('input', { type: 'text', name: 'title', maxlength: '200' });
  const body = h('textarea', { name: 'body', rows: '3' });
  const bodyField = textField(body);
  const shortcut = shortcutInput();
  const scope = h('select', { name: 'scope' }, h('option', { value: 'own' }, 'Mine'), h('option', { value: 'site' }, 'Site-wide'));
  const addBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add response');
  const addForm = h('form', { class: 'stack-form' },
    h('h3', null, mode === 'site' ? 'New site-wide response' : 'New response'),
    field('Title', title).wrap, bodyField.wrap, field('Shortcut', shortcut, SHORTCUT_HINT).wrap,
    showScope ? field('Scope', scope).wrap : null,
    addBtn);
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const site = picker.value();
    if (!site) return;
    if (!body.value.trim()) {
      text(status, 'Please type the text of the response.');
      body.focus();
      return;
    }
    const t = title.value.trim() || truncate(body.value.trim().replace(/\s+/g, ' '), 40);
    const sc = mode === 'site' ? 'site' : mode === 'own' ? 'own' : scope.value;
    addBtn.disabled = true;
    try {
      await cannedApi.create(site, t, body.value, sc, shortcut.value.trim() || null);
      title.value = '';
      body.value = '';
      shortcut.value = '';
      bodyField.check();
      text(status, `Added “${t}”.`);
      invalidateCanned(site);
      await load();
    } catch (err) {
      text(status, err.message);
    } finally {
      addBtn.disabled = false;
    }
  });

  const mayEdit = (c) => c.agent_id != null ? store.isMe(c.agent_id) : !!store.me?.is_admin;

  const editRow = (tr, c) => {
    const t = h('input', { type: 'text', name: 'title', value: c.title, maxlength: '200' });
    const b = h('textarea', { name: 'body', rows: '3', value: c.body });
    const sh = shortcutInput(c.shortcut || '');
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => load() }, 'Cancel');
    const form = h('form', { class: 'stack-form' }, field('Title', t).wrap, textField(b).wrap,
      field('Shortcut', sh, SHORTCUT_HINT).wrap, h('div', { class: 'form-actions' }, save, cancel));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      save.disabled = true;
      try {
        await cannedApi.update(c.id, t.value.trim() || truncate(b.value.trim(), 40), b.value, sh.value.trim() || null);
        invalidateCanned(c.site_id);
        text(status, 'Saved.');
        await load();
      } catch (err) {
        text(status, err.message);
        save.disabled = false;
      }
    });
    tr.replaceChildren(h('td', { colspan: String(headers.length) }, form));
    t.focus();
  };

  const remove = async (c) => {
    const yes = await confirmDialog({ title: `Delete “${c.title}”?`, message: 'This canned response will be gone for good.', confirm: 'Delete', danger: true });
    if (!yes) return;
    try {
      await cannedApi.remove(c.id);
      invalidateCanned(c.site_id);
      text(status, `Deleted “${c.title}”.`);
      await load();
    } catch (err) {
      text(status, err.message);
    }
  };

  const load = async () => {
    const site = picker.value();
    if (!site) {
      tbody.replaceChildren();
      empty.hidden = false;
      return;
    }
    let list;
    try {
      list = await cannedApi.list(site);
    } catch (err) {
      text(status, err.message);
      return;
    }
    const shown = (Array.isArray(list) ? list : []).filter((c) => (mode === 'site' ? c.agent_id == null
      : mode === 'own' ? c.agent_id != null : true))
      .sort((a, b) => scopeLabel(a).localeCompare(scopeLabel(b)) || a.title.localeCompare(b.title));
    tbody.replaceChildren(...shown.map((c) => {
      const tr = h('tr');
      const actions = mayEdit(c) ? [
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => editRow(tr, c) }, 'Edit'), ' ',
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => remove(c) }, 'Delete'),
      ] : h('span', { class: 'hint' }, 'Admins edit this');
      tr.append(h('th', { scope: 'row' }, c.title), h('td', null, c.shortcut ? `/${c.shortcut}` : ''),
        h('td', { class: 'pre' }, truncate(c.body, 200)),
        showScope ? h('td', null, scopeLabel(c)) : null, h('td', { class: 'actions' }, actions));
      return tr;
    }));
    empty.hidden = shown.length > 0;
  };

  store.on('sites', () => {
    const before = picker.value();
    picker.fill([...store.sites.values()]);
    if (picker.value() !== before) load();
  });
  load();
  return h('div', { class: 'canned-editor' }, picker.el, tableEl, empty, status, addForm);
}
