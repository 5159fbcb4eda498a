// Admin → API tokens: create one (name, scopes, sites, optional expiry), shown once with a
// "Copy token" button; the list with last use and "Revoke". The token itself is never stored
// by the server (only its SHA-256) and never kept here after the page is left.

import { h, text, field, uniqueId } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { confirmDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { statusLine, table, copyText } from './common.js';
import { dateTime } from '../format.js';

const SCOPES = [
  ['read', 'Read', 'GET of chats, visitors, canned responses, reports, the Archive of its sites.'],
  ['write', 'Write', 'Every other request to those (send, change, delete).'],
  ['admin', 'Admin', 'Sites, agents, departments, blocks and the audit log (every site).'],
];

/** "All sites" + a checkbox per site. value(): null (every site) or the chosen ids. */
function sitesField(sites) {
  const all = h('input', { type: 'checkbox', name: 'all_sites', checked: true });
  const boxes = sites.map((s) => {
    const box = h('input', { type: 'checkbox', name: 'site', value: String(s.id), disabled: true });
    return { box, row: h('label', { class: 'check' }, box, ` ${s.name}`) };
  });
  all.addEventListener('change', () => boxes.forEach((b) => { b.box.disabled = all.checked; }));
  const el = h('fieldset', { class: 'sites-field' }, h('legend', null, 'Sites'),
    h('label', { class: 'check' }, all, ' All sites'), boxes.map((b) => b.row));
  return {
    el,
    value: () => (all.checked ? null : boxes.filter((b) => b.box.checked).map((b) => Number(b.box.value))),
  };
}

/** Shows a new token once, with "Copy token". */
function shownOnce(created) {
  const code = h('code', { class: 'token-secret' }, created.token);
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy token');
  copy.addEventListener('click', async () => {
    const ok = await copyText(created.token, code);
    toast(ok ? 'Token copied.' : 'Could not copy: select the token and copy it by hand.');
  });
  const id = uniqueId('h');
  return h('section', { class: 'card token-created', role: 'status', 'aria-labelledby': id },
    h('h3', { id }, `Token “${created.name}” created`),
    h('p', null, 'Copy it now: it is not shown again. Send it as “Authorization: Bearer …”.'),
    h('pre', { class: 'snippet' }, code),
    h('div', { class: 'form-actions' }, copy));
}

function tokenForm(sites, onCreated) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '100' });
  const scopeBoxes = SCOPES.map(([value, label, hint]) => {
    const hintId = uniqueId('hint');
    const box = h('input', { type: 'checkbox', name: 'scope', value, checked: value === 'read', 'aria-describedby': hintId });
    return { box, row: h('div', { class: 'scope-choice' }, h('label', { class: 'check' }, box, ` ${label}`), h('span', { class: 'hint', id: hintId }, hint)) };
  });
  const scopes = h('fieldset', null, h('legend', null, 'Scopes'), scopeBoxes.map((s) => s.row));
  const siteChoice = sitesField(sites);
  const expires = h('input', { type: 'date', name: 'expires' });
  const status = statusLine();
  const create = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create token');
  const titleId = uniqueId('h');
  const form = h('form', { class: 'stack-form', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, 'New API token'),
    field('Name', name, 'What it is for, e.g. “CRM sync”.').wrap,
    scopes, siteChoice.el,
    field('Expires', expires, 'Optional: the token stops working at the end of this day.').wrap,
    status, h('div', { class: 'form-actions' }, create));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      name: name.value.trim(),
      scopes: scopeBoxes.filter((s) => s.box.checked).map((s) => s.box.value),
      sites: siteChoice.value(),
      expires_at: expires.value ? new Date(`${expires.value}T23:59:59.999`).getTime() : null,
    };
    create.disabled = true;
    try {
      const created = await adminApi.createToken(body);
      name.value = '';
      text(status, '');
      onCreated(created);
    } catch (err) {
      text(status, err.message);
    } finally {
      create.disabled = false;
    }
  });
  return form;
}

export function adminTokens() {
  const status = statusLine();
  const formSlot = h('div');
  const createdSlot = h('div');
  const tableEl = table(['Name', 'Scopes', 'Sites', 'Created', 'Expires', 'Last used', 'State', 'Actions'], [],
    { caption: 'API tokens', className: 'tokens-table' });
  const tbody = tableEl.querySelector('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No API tokens yet.');
  let siteNames = new Map();

  const row = (t) => {
    const now = Date.now();
    const state = t.revoked_at ? 'Revoked' : t.expires_at && t.expires_at <= now ? 'Expired' : 'Active';
    const revoke = state === 'Active' ? h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Revoke') : null;
    if (revoke) {
      revoke.setAttribute('aria-label', `Revoke ${t.name}`);
      revoke.addEventListener('click', async () => {
        const ok = await confirmDialog({
          title: 'Revoke this token?', message: `“${t.name}” stops working at its next request.`, confirm: 'Revoke', danger: true,
        });
        if (!ok) return;
        try {
          await adminApi.revokeToken(t.id);
          toast('Token revoked.');
          await load();
        } catch (err) {
          text(status, err.message);
        }
      });
    }
    const sites = t.sites == null ? 'All sites' : t.sites.map((id) => siteNames.get(id) || `#${id}`).join(', ');
    return h('tr', null,
      h('th', { scope: 'row' }, t.name), h('td', null, (t.scopes || []).join(', ')), h('td', null, sites),
      h('td', null, dateTime(t.created_at)), h('td', null, t.expires_at ? dateTime(t.expires_at) : 'Never'),
      h('td', null, t.last_used_at ? dateTime(t.last_used_at) : 'Never'), h('td', null, state),
      h('td', { class: 'actions' }, revoke));
  };

  // The newest load wins: an older one answering later (the load after a token was created,
  // still in flight when the tab was left and opened again) must not show its older list.
  let loads = 0;
  const load = async () => {
    const mine = ++loads;
    tableEl.setAttribute('aria-busy', 'true');
    try {
      const [tokens, sites] = await Promise.all([adminApi.tokens(), adminApi.sites()]);
      if (mine !== loads) return;
      const siteList = Array.isArray(sites) ? sites : [];
      siteNames = new Map(siteList.map((s) => [s.id, s.name]));
      if (!formSlot.firstChild) {
        formSlot.append(tokenForm(siteList, (created) => {
          createdSlot.replaceChildren(shownOnce(created));
          load();
        }));
      }
      const list = Array.isArray(tokens) ? tokens : [];
      tbody.replaceChildren(...list.map(row));
      empty.hidden = list.length > 0;
      text(status, '');
    } catch (err) {
      if (mine === loads) text(status, err.message);
    } finally {
      if (mine === loads) tableEl.removeAttribute('aria-busy');
    }
  };

  const el = h('div', { class: 'admin-tokens' }, formSlot, createdSlot, status, tableEl, empty);
  el.load = () => {
    createdSlot.replaceChildren(); // shown once: gone when the page is left
    return load();
  };
  return el;
}
