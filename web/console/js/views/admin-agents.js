// Admin → Agents: create (email, name, password, admin, sites, "Most chats at once"), edit
// name/admin/sites/capacity, reset password, delete. "At capacity" beside agents whose presence
// says so.

import { h, text, field, uniqueId } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { store } from '../state.js';
import { openDialog, confirmDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { table, statusLine } from './common.js';

/** "All sites" + one checkbox per site, and beside each its "Supervisor" role ("All Chats",
 * "Watch", "Take over" on that site; only for a site the agent belongs to). value(): null
 * (all) or [site ids]; supervises(): [site ids]. */
function sitesField(sites, chosen, supervised = []) {
  const all = h('input', { type: 'checkbox', name: 'all_sites', checked: chosen == null });
  const boxes = sites.map((s) => {
    const id = Number(s.id ?? s.site_id);
    const box = h('input', { type: 'checkbox', name: 'site', value: String(id), checked: chosen != null && chosen.map(Number).includes(id) });
    const sup = h('input', {
      type: 'checkbox', name: 'supervisor', value: String(id), checked: supervised.map(Number).includes(id),
    });
    // One group per site, named after it: the site's box and its "Supervisor" box.
    const label = h('span', { class: 'site-role', role: 'group', 'aria-label': s.name },
      h('label', { class: 'check' }, box, ` ${s.name}`),
      h('label', { class: 'check supervisor-check' }, sup, ' Supervisor'));
    return { id, box, sup, label };
  });
  const sync = () => boxes.forEach((b) => {
    b.box.disabled = all.checked;
    const member = all.checked || b.box.checked;
    b.sup.disabled = !member;
    if (!member) b.sup.checked = false;
  });
  boxes.forEach((b) => b.box.addEventListener('change', sync));
  all.addEventListener('change', sync);
  sync();
  const el = h('fieldset', { class: 'sites-field' }, h('legend', null, 'Sites'),
    h('label', { class: 'check' }, all, ' All sites (present and future)'),
    h('div', { class: 'site-checks' }, boxes.map((b) => b.label)),
    h('p', { class: 'hint' }, 'A “Supervisor” of a site sees “All Chats” there and may watch, join and take over its chats. Administrators supervise every site they belong to.'));
  return {
    el,
    value: () => (all.checked ? null : boxes.filter((b) => b.box.checked).map((b) => b.id)),
    supervises: () => boxes.filter((b) => b.sup.checked && !b.sup.disabled).map((b) => b.id),
  };
}

/**
 * "Most chats at once": empty = unlimited (null). A whole number goes to the server as it is,
 * 0 included: the server refuses it, and its message is what the form shows.
 */
function capacityField(agent) {
  const input = h('input', {
    type: 'number', name: 'max_chats', inputmode: 'numeric', step: '1',
    value: agent?.max_chats == null ? '' : String(agent.max_chats),
  });
  const { wrap } = field('Most chats at once', input, 'Empty: unlimited. No new pop-ups or offers for this agent while they have this many chats.');
  const value = () => {
    const raw = input.value.trim();
    if (raw === '' && !input.validity.badInput) return { ok: true, value: null };
    return /^\d+$/.test(raw) ? { ok: true, value: Number(raw) } : { ok: false };
  };
  return { el: wrap, input, value };
}

function agentForm(agent, sites, { onDone }) {
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off' });
  const name = h('input', { type: 'text', name: 'name', required: true, value: agent?.name || '' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: '8' });
  const isAdmin = h('input', { type: 'checkbox', name: 'is_admin', checked: !!agent?.is_admin });
  const siteSel = sitesField(sites, agent ? (agent.all_sites ? null : agent.sites || []) : null, agent?.supervises || []);
  const capacity = capacityField(agent);
  const status = statusLine();
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, agent ? 'Save agent' : 'Create agent');
  const cancel = h('button', { type: 'button', class: 'btn', onclick: () => onDone(false) }, 'Cancel');
  const form = h('form', { class: 'stack-form' },
    h('h3', null, agent ? `Edit ${agent.name}` : 'New agent'),
    agent ? h('p', null, agent.email) : field('Email', email).wrap,
    field('Name', name).wrap,
    agent ? null : field('Password', password, 'At least 8 characters. The agent can change it under Options.').wrap,
    h('label', { class: 'check' }, isAdmin, ' Administrator'),
    capacity.el, siteSel.el, status, h('div', { class: 'form-actions' }, save, cancel));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const sitesValue = siteSel.value();
    if (!name.value.trim() || (!agent && (!email.value.trim() || password.value.length < 8))) {
      text(status, agent ? 'Please enter a name.' : 'Email, name and a password of at least 8 characters are required.');
      return;
    }
    const cap = capacity.value();
    if (!cap.ok) {
      text(status, '“Most chats at once” must be a whole number (leave it empty for unlimited).');
      capacity.input.focus();
      return;
    }
    save.disabled = true;
    try {
      if (agent) {
        await adminApi.updateAgent(agent.agent_id, {
          name: name.value.trim(), is_admin: isAdmin.checked, sites: sitesValue, max_chats: cap.value,
          supervises: siteSel.supervises(),
        });
      } else {
        await adminApi.createAgent({
          email: email.value.trim(), name: name.value.trim(), password: password.value,
          is_admin: isAdmin.checked, sites: sitesValue, max_chats: cap.value,
          supervises: siteSel.supervises(),
        });
      }
      onDone(true);
    } catch (err) {
      text(status, err.code === 'conflict' ? 'An agent with that email already exists.' : err.message);
      save.disabled = false;
    }
  });
  return form;
}

function resetPassword(agent) {
  const pw = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', minlength: '8' });
  const status = statusLine();
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Reset password');
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const form = h('form', { class: 'stack-form' }, field('New password', pw, 'The agent’s sessions end; tell them the new password.').wrap, status,
    h('div', { class: 'dialog-actions' }, save, cancel));
  const dlg = openDialog({ title: `Reset password of ${agent.name}`, body: form, initialFocus: pw });
  cancel.addEventListener('click', () => dlg.close(null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (pw.value.length < 8) {
      text(status, 'Please use at least 8 characters.');
      return;
    }
    save.disabled = true;
    try {
      await adminApi.updateAgent(agent.agent_id, { password: pw.value });
      dlg.close(true);
      toast(`Password of ${agent.name} reset.`);
    } catch (err) {
      text(status, err.message);
      save.disabled = false;
    }
  });
}

export function adminAgents() {
  const status = statusLine();
  const formSlot = h('div');
  const tbody = h('tbody');
  const tableEl = table(['Name', 'Email', 'Admin', 'Sites', 'Most chats at once', 'Actions'], []);
  tableEl.querySelector('tbody').replaceWith(tbody);
  const addBtn = h('button', { type: 'button', class: 'btn btn-primary' }, 'New agent');
  let sites = [];

  const done = async (changed) => {
    formSlot.replaceChildren();
    addBtn.hidden = false;
    if (changed) {
      toast('Agent saved.');
      await load();
    }
  };
  // The latest fetch of the list: "New agent" waits for it, so that its "Sites" show every
  // site even when the button is pressed before the list has come (a slow network).
  let loaded = null;
  addBtn.addEventListener('click', async () => {
    addBtn.hidden = true;
    await loaded;
    formSlot.replaceChildren(agentForm(null, sites, { onDone: done }));
    formSlot.querySelector('input').focus();
  });

  const siteName = (id) => sites.find((s) => Number(s.id ?? s.site_id) === Number(id))?.name || `Site ${id}`;
  const siteNames = (a) => {
    const list = a.all_sites ? 'All sites' : (a.sites || []).map(siteName).join(', ') || 'None';
    const sup = (a.supervises || []).map(siteName);
    return sup.length ? `${list} · Supervisor: ${sup.join(', ')}` : list;
  };

  // "At capacity" beside each agent, live from presence (agents sharing a site with me).
  const badges = new Map(); // agent_id -> badge
  const renderBadges = () => {
    for (const [id, badge] of badges) badge.hidden = !store.agents.get(id)?.at_capacity;
  };
  store.on('agents', renderBadges);

  const fetchList = async () => {
    try {
      const [agents, siteList] = await Promise.all([adminApi.agents(), adminApi.sites()]);
      sites = Array.isArray(siteList) ? siteList : [];
      badges.clear();
      tbody.replaceChildren(...(Array.isArray(agents) ? agents : []).map((a) => {
        const edit = h('button', { type: 'button', class: 'btn btn-small' }, 'Edit');
        const reset = h('button', { type: 'button', class: 'btn btn-small', onclick: () => resetPassword(a) }, 'Reset password');
        const remove = h('button', { type: 'button', class: 'btn btn-small', disabled: store.isMe(a.agent_id) }, 'Delete');
        edit.addEventListener('click', () => {
          addBtn.hidden = true;
          formSlot.replaceChildren(agentForm(a, sites, { onDone: done }));
          formSlot.querySelector('input').focus();
        });
        remove.addEventListener('click', async () => {
          if (!await confirmDialog({ title: `Delete ${a.name}?`, message: 'Their chats go back to the queue and they can no longer sign in.', confirm: 'Delete', danger: true })) return;
          try {
            await adminApi.deleteAgent(a.agent_id);
            toast(`${a.name} deleted.`);
            await load();
          } catch (err) {
            text(status, err.message);
          }
        });
        const atCapacity = h('span', { class: 'badge capacity-badge', hidden: true }, 'At capacity');
        badges.set(Number(a.agent_id), atCapacity);
        return h('tr', null,
          h('th', { scope: 'row' }, a.name, ' ', atCapacity), h('td', null, a.email), h('td', null, a.is_admin ? 'Yes' : 'No'),
          h('td', null, siteNames(a)), h('td', null, a.max_chats == null ? 'Unlimited' : String(a.max_chats)),
          h('td', { class: 'actions' }, edit, ' ', reset, ' ', remove));
      }));
      renderBadges();
      text(status, '');
    } catch (err) {
      text(status, err.message);
    }
  };

  const load = () => (loaded = fetchList());

  const el = h('div', { class: 'admin-agents', id: uniqueId('agents') }, h('div', { class: 'toolbar-row' }, addBtn), formSlot, status, tableEl);
  el.load = load;
  return el;
}
