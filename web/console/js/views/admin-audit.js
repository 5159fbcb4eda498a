// Admin → Audit log: who did what, when, from which address (GET /api/admin/audit), newest
// first; filters "Action", "Actor" and "From" / "To" (days in the browser's time zone); "Load
// more" asks for the next page with the cursor. Every value goes in as text.

import { h, text, field } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { statusLine, table } from './common.js';
import { dateTime } from '../format.js';

export const ACTIONS = {
  sign_in: 'Signed in',
  sign_in_failed: 'Sign-in failed',
  password_changed: 'Password changed',
  agent_created: 'Agent created',
  agent_updated: 'Agent changed',
  agent_deleted: 'Agent deleted',
  site_created: 'Site created',
  site_updated: 'Site changed',
  site_settings_updated: 'Site settings changed',
  department_created: 'Department created',
  department_updated: 'Department changed',
  department_deleted: 'Department deleted',
  token_created: 'API token created',
  token_revoked: 'API token revoked',
  webhook_created: 'Webhook created',
  webhook_updated: 'Webhook changed',
  webhook_deleted: 'Webhook deleted',
  visitor_blocked: 'Visitor blocked',
  block_lifted: 'Block lifted',
  identity_secret_rotated: 'Identity secret rotated',
  visitor_exported: 'Visitor data exported',
  visitor_erased: 'Visitor erased',
  retention_run: 'Retention run',
  sign_out: 'Signed out',
  canned_created: 'Canned response added',
  canned_updated: 'Canned response changed',
  canned_deleted: 'Canned response removed',
};

function who(e) {
  if (e.action === 'retention_run') return 'Retention task';
  if (e.actor_kind === 'anonymous') return 'Nobody (not signed in)';
  const name = e.actor_name || `#${e.actor_id}`;
  return e.actor_kind === 'token' ? `API token “${name}”` : name;
}

function detailText(d) {
  if (!d || typeof d !== 'object') return '';
  return Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join('; ');
}

export function adminAudit() {
  const status = statusLine();
  const action = h('select', { name: 'action' }, h('option', { value: '' }, 'All actions'),
    Object.entries(ACTIONS).map(([v, label]) => h('option', { value: v }, label)));
  const actor = h('select', { name: 'actor_kind' }, h('option', { value: '' }, 'Anyone'),
    h('option', { value: 'agent' }, 'Agents'), h('option', { value: 'token' }, 'API tokens'),
    h('option', { value: 'anonymous' }, 'Nobody (failed sign-ins)'));
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const filters = h('div', { class: 'filters' },
    field('Action', action).wrap, field('Actor', actor).wrap, field('From', from).wrap, field('To', to).wrap);
  const tableEl = table(['When', 'Who', 'Action', 'Target', 'Site', 'IP address', 'Detail'], [],
    { caption: 'Audit log', className: 'audit-table' });
  const tbody = tableEl.querySelector('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No entries.');
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, 'Load more');
  let siteNames = new Map();
  let cursor = null;
  let asked = 0; // an answer to an older question is dropped

  const query = () => {
    const q = {};
    if (action.value) q.action = action.value;
    if (actor.value) q.actor_kind = actor.value;
    if (from.value) q.since = String(new Date(`${from.value}T00:00:00`).getTime());
    if (to.value) q.until = String(new Date(`${to.value}T00:00:00`).getTime() + 86_400_000);
    return q;
  };
  const row = (e) => h('tr', null,
    h('td', null, h('time', { datetime: new Date(e.at).toISOString() }, dateTime(e.at))),
    h('td', null, who(e)), h('td', null, ACTIONS[e.action] || e.action), h('td', null, e.target || '—'),
    h('td', null, e.site_id == null ? '—' : siteNames.get(e.site_id) || `#${e.site_id}`), h('td', null, e.ip || '—'),
    h('td', null, detailText(e.detail)));

  const load = async (next = false) => {
    const mine = ++asked;
    const q = query();
    if (next && cursor != null) q.before = String(cursor);
    try {
      const page = await adminApi.audit(q);
      if (mine !== asked) return;
      const entries = Array.isArray(page?.entries) ? page.entries : [];
      if (next) tbody.append(...entries.map(row));
      else tbody.replaceChildren(...entries.map(row));
      cursor = page?.next_before ?? null;
      more.hidden = cursor == null;
      empty.hidden = tbody.childElementCount > 0;
      text(status, '');
    } catch (err) {
      if (mine === asked) text(status, err.message);
    }
  };
  for (const control of [action, actor, from, to]) control.addEventListener('change', () => load());
  more.addEventListener('click', () => load(true));

  const el = h('div', { class: 'admin-audit' }, filters, status, tableEl, empty, more);
  el.load = async () => {
    try {
      const sites = await adminApi.sites();
      siteNames = new Map((Array.isArray(sites) ? sites : []).map((s) => [s.id, s.name]));
    } catch {
      // names stay ids ("#3"); the entries still load
    }
    await load();
  };
  return el;
}
