// Admin → Webhooks, per site (issue 18): "New webhook" with a URL and the events to send; its
// signing secret shown once with "Copy secret"; per webhook "Enabled", "Send test event",
// "Delete" and the deliveries log (status, attempts, response code, latency, last error).
// URLs and errors come from admins and receivers: set as text only.

import { h, text, field, uniqueId } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { confirmDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { sitePicker, statusLine, table, copyText } from './common.js';
import { dateTime } from '../format.js';

export const EVENTS = [
  ['chat.started', 'A visitor asked for a chat'],
  ['chat.accepted', 'An agent took a waiting chat'],
  ['chat.transferred', 'A chat went to another agent'],
  ['chat.ended', 'A chat ended'],
  ['message.created', 'A message in a chat (internal notes too)'],
  ['offline_message.created', 'A visitor left a message'],
  ['chat.rated', 'A visitor rated a chat'],
  ['visitor.identified', 'A visitor was identified by your site'],
];

const STATUS = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' };

/** The new secret, once, with "Copy secret". */
function shownOnce(created) {
  const code = h('code', { class: 'token-secret' }, created.secret);
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy secret');
  copy.addEventListener('click', async () => {
    const ok = await copyText(created.secret, code);
    toast(ok ? 'Secret copied.' : 'Could not copy: select the secret and copy it by hand.');
  });
  const id = uniqueId('h');
  return h('section', { class: 'card token-created', role: 'status', 'aria-labelledby': id },
    h('h3', { id }, 'Webhook secret'),
    h('p', null, `Copy it now: it is not shown again. It signs every delivery to ${created.url} (header Frontdesk-Signature).`),
    h('pre', { class: 'snippet' }, code),
    h('div', { class: 'form-actions' }, copy));
}

function eventsField(chosen = ['chat.ended']) {
  const boxes = EVENTS.map(([name, hint]) => {
    const box = h('input', { type: 'checkbox', name: 'event', value: name, checked: chosen.includes(name) });
    return { box, row: h('label', { class: 'check', title: hint }, box, ` ${name}`) };
  });
  const el = h('fieldset', { class: 'sites-field' }, h('legend', null, 'Events'),
    h('div', { class: 'site-checks' }, boxes.map((b) => b.row)));
  return { el, value: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
}

function deliveriesTable(hook) {
  const tableEl = table(['Event', 'Created', 'Status', 'Attempts', 'Response', 'Latency', 'Last error'], [],
    { caption: `Deliveries to ${hook.url}`, className: 'deliveries-table' });
  const tbody = tableEl.querySelector('tbody');
  const load = async () => {
    const rows = await adminApi.webhookDeliveries(hook.id);
    tbody.replaceChildren(...(Array.isArray(rows) ? rows : []).map((d) => h('tr', null,
      h('th', { scope: 'row' }, d.event),
      h('td', null, dateTime(d.created_at)),
      h('td', null, STATUS[d.status] || d.status),
      h('td', null, String(d.attempts)),
      h('td', null, d.response_code == null ? '—' : String(d.response_code)),
      h('td', null, d.latency_ms == null ? '—' : `${d.latency_ms} ms`),
      h('td', null, d.last_error || ''))));
  };
  return { el: tableEl, load };
}

function webhookCard(hook, { onChanged, status }) {
  const titleId = uniqueId('hook');
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: hook.enabled });
  enabled.setAttribute('aria-label', `Enabled: ${hook.url}`);
  const test = h('button', { type: 'button', class: 'btn btn-small' }, 'Send test event');
  const refresh = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh deliveries');
  const remove = h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Delete');
  remove.setAttribute('aria-label', `Delete ${hook.url}`);
  const log = deliveriesTable(hook);
  const fail = (err) => text(status, err.message);
  enabled.addEventListener('change', async () => {
    try {
      await adminApi.updateWebhook(hook.id, { enabled: enabled.checked });
      toast(enabled.checked ? 'Webhook enabled.' : 'Webhook disabled.');
    } catch (err) { fail(err); }
  });
  test.addEventListener('click', async () => {
    try {
      await adminApi.testWebhook(hook.id);
      toast('Test event queued.');
      await log.load();
    } catch (err) { fail(err); }
  });
  refresh.addEventListener('click', () => log.load().catch(fail));
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Delete this webhook?', message: `Nothing more is sent to ${hook.url}; its deliveries log goes too.`, confirm: 'Delete', danger: true,
    });
    if (!ok) return;
    try {
      await adminApi.deleteWebhook(hook.id);
      toast('Webhook deleted.');
      await onChanged();
    } catch (err) { fail(err); }
  });
  log.load().catch(fail);
  return h('article', { class: 'card webhook-card', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, hook.url),
    h('p', { class: 'hint' }, `Events: ${(hook.events || []).join(', ')}`),
    h('label', { class: 'check' }, enabled, ' Enabled'),
    h('div', { class: 'form-actions' }, test, refresh, remove),
    log.el);
}

export function adminWebhooks() {
  const status = statusLine();
  const list = h('div', { class: 'cards' });
  const createdSlot = h('div');
  const url = h('input', { type: 'url', name: 'url', required: true, maxlength: '2000', placeholder: 'https://crm.example.com/hooks/frontdesk' });
  const events = eventsField();
  const create = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create webhook');
  const formStatus = statusLine();
  const titleId = uniqueId('h');
  const form = h('form', { class: 'stack-form', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, 'New webhook'),
    field('URL', url, 'Frontdesk POSTs each event here as JSON. See docs/integrations.md for checking the signature.').wrap,
    events.el, formStatus, h('div', { class: 'form-actions' }, create));
  let sites = [];
  const picker = sitePicker(() => { createdSlot.replaceChildren(); show(); }, { sites: [] });

  const show = async () => {
    const site = picker.value();
    if (site == null) {
      list.replaceChildren();
      text(status, 'No sites yet.');
      return;
    }
    try {
      const hooks = await adminApi.webhooks(site);
      const all = Array.isArray(hooks) ? hooks : [];
      list.replaceChildren(...all.map((hk) => webhookCard(hk, { onChanged: show, status })));
      text(status, all.length ? '' : 'No webhooks for this site yet.');
    } catch (err) {
      text(status, err.message);
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const site = picker.value();
    if (site == null) return;
    create.disabled = true;
    try {
      const created = await adminApi.createWebhook(site, { url: url.value.trim(), events: events.value() });
      url.value = '';
      text(formStatus, '');
      createdSlot.replaceChildren(shownOnce(created));
      await show();
    } catch (err) {
      text(formStatus, err.message);
    } finally {
      create.disabled = false;
    }
  });

  const el = h('div', { class: 'admin-webhooks' }, picker.el, form, createdSlot, status, list);
  el.load = async () => {
    createdSlot.replaceChildren(); // shown once: gone when the page is left
    try {
      if (!sites.length) {
        const siteList = await adminApi.sites();
        sites = Array.isArray(siteList) ? siteList : [];
        picker.fill(sites.map((s) => ({ site_id: Number(s.id ?? s.site_id), name: s.name })));
      }
      await show();
    } catch (err) {
      text(status, err.message);
    }
  };
  return el;
}
