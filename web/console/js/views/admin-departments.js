// Admin → Departments, per site: "Add department" with a name; for each department its name
// (rename), URL prefixes (pages that ask for it), the agents who belong (any number, an
// agent may be in several) and Delete. Names come from admins but are still only set as text.

import { h, text, field } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { confirmDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { sitePicker, statusLine, lines } from './common.js';

const siteOf = (s) => Number(s.id ?? s.site_id);

/** The agents who belong to the site: one checkbox each, checked for the department's. */
function agentsField(agents, chosen) {
  const boxes = agents.map((a) => {
    const box = h('input', { type: 'checkbox', name: 'agent', value: String(a.agent_id), checked: chosen.includes(a.agent_id) });
    return { id: a.agent_id, box, label: h('label', { class: 'check' }, box, ` ${a.name}`) };
  });
  const el = h('fieldset', { class: 'sites-field' }, h('legend', null, 'Agents'),
    boxes.length ? h('div', { class: 'site-checks' }, boxes.map((b) => b.label)) : h('p', { class: 'hint' }, 'No agents on this site.'));
  return { el, value: () => boxes.filter((b) => b.box.checked).map((b) => b.id) };
}

function departmentCard(d, agents, { onChanged }) {
  const titleId = `dept-${d.id}`;
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '80', value: d.name });
  const prefixes = h('textarea', { name: 'url_prefixes', rows: '3', value: (d.url_prefixes || []).join('\n') });
  const members = agentsField(agents, d.agents || []);
  const status = statusLine();
  const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Save department');
  const remove = h('button', { type: 'button', class: 'btn btn-small' }, 'Delete');
  const title = h('h3', { id: titleId }, d.name);
  const form = h('form', { class: 'stack-form' },
    field('Name', name).wrap,
    field('URL prefixes', prefixes, 'Chats from pages whose address starts with one of these go to this department, one per line (e.g. https://shop.example/sales/).').wrap,
    members.el, status, h('div', { class: 'form-actions' }, save, remove));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      await adminApi.updateDepartment(d.id, {
        name: name.value, url_prefixes: lines(prefixes.value), agents: members.value(),
      });
      toast('Department saved.');
      await onChanged();
    } catch (err) {
      text(status, err.code === 'conflict' ? 'This site already has a department of that name.' : err.message);
      save.disabled = false;
    }
  });
  remove.addEventListener('click', async () => {
    if (!await confirmDialog({ title: `Delete ${d.name}?`, message: 'Its chats keep their history; new chats no longer go to it.', confirm: 'Delete', danger: true })) return;
    try {
      await adminApi.deleteDepartment(d.id);
      toast(`${d.name} deleted.`);
      await onChanged();
    } catch (err) {
      text(status, err.message);
    }
  });
  return h('article', { class: 'card', 'aria-labelledby': titleId }, title, form);
}

export function adminDepartments() {
  const status = statusLine();
  const list = h('div', { class: 'cards' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '80' });
  const add = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add department');
  const addStatus = statusLine();
  const addForm = h('form', { class: 'stack-form inline-form' },
    field('Department name', name).wrap, h('div', { class: 'form-actions' }, add), addStatus);
  let sites = [];
  let agents = [];
  const picker = sitePicker(() => load(), { sites: [] });

  const show = async () => {
    const site = picker.value();
    if (site == null) {
      list.replaceChildren();
      text(status, 'No sites yet.');
      return;
    }
    const departments = await adminApi.departments(site);
    const ofSite = agents.filter((a) => a.all_sites || (a.sites || []).map(Number).includes(site));
    list.replaceChildren(...(Array.isArray(departments) ? departments : []).map((d) => departmentCard(d, ofSite, { onChanged: show })));
    text(status, departments.length ? '' : 'No departments yet: chats go to every agent of the site.');
  };

  const load = async () => {
    try {
      if (!sites.length) {
        const [siteList, agentList] = await Promise.all([adminApi.sites(), adminApi.agents()]);
        sites = Array.isArray(siteList) ? siteList : [];
        agents = Array.isArray(agentList) ? agentList : [];
        picker.fill(sites.map((s) => ({ site_id: siteOf(s), name: s.name })));
      }
      await show();
    } catch (err) {
      text(status, err.message);
    }
  };

  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const site = picker.value();
    if (site == null) return;
    add.disabled = true;
    try {
      await adminApi.createDepartment(site, { name: name.value });
      toast('Department added.');
      name.value = '';
      text(addStatus, '');
      await show();
    } catch (err) {
      text(addStatus, err.code === 'conflict' ? 'This site already has a department of that name.' : err.message);
    } finally {
      add.disabled = false;
    }
  });

  const el = h('div', { class: 'admin-departments' }, picker.el, addForm, status, list);
  el.load = () => { sites = []; return load(); };
  return el;
}
