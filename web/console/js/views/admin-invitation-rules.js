// Admin → Sites → a site's "Invitation rules" (issue 17): when the widget invites a visitor
// automatically. Each rule: "Rule name", "Enabled", "Greeting" and its conditions (all that are
// set must hold): "Page URL matches", "Seconds on page", "Pages viewed", "Returning visitor",
// "Referrer contains". "Save invitation rules" PUTs the whole settings object with the rules
// (`PUT /api/admin/sites/{id}/settings`); the server checks them (crates/core/src/
// invitation_rules.rs) and its 400 message is shown as it is, in a role=alert line.

import { h, text, field, uniqueId } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { toast } from '../ui/toast.js';

/** A number box's value: empty is "not set" (`undefined`, left out of the JSON). */
function numberOrNone(input) {
  const v = input.value.trim();
  return v === '' ? undefined : Number(v);
}

function textOrNone(input) {
  const v = input.value.trim();
  return v === '' ? undefined : v;
}

function checkbox(label, checked) {
  const input = h('input', { type: 'checkbox', checked: !!checked });
  const f = field(label, input);
  f.wrap.classList.add('field-inline');
  return f;
}

/** One rule's fieldset; `el.value()` is the rule as the server wants it. */
function ruleEditor(rule, onDelete) {
  const name = h('input', { type: 'text', maxlength: '100', value: rule.name || '' });
  const greeting = h('textarea', { rows: '2', maxlength: '500', value: rule.greeting || '' });
  const url = h('input', { type: 'text', maxlength: '500', placeholder: '/checkout*', value: rule.url || '' });
  const seconds = h('input', { type: 'number', min: '0', max: '3600', step: '1', value: rule.seconds == null ? '' : String(rule.seconds) });
  const pages = h('input', { type: 'number', min: '1', max: '1000', step: '1', value: rule.pages == null ? '' : String(rule.pages) });
  const referrer = h('input', { type: 'text', maxlength: '200', placeholder: 'google.', value: rule.referrer || '' });
  const enabled = checkbox('Enabled', rule.enabled !== false);
  const returning = checkbox('Returning visitor', rule.returning);
  const del = h('button', { type: 'button', class: 'btn btn-small' }, 'Delete rule');
  const legend = h('legend', { id: uniqueId('rule') });
  const el = h('fieldset', { class: 'invitation-rule', 'aria-labelledby': legend.id },
    legend,
    field('Rule name', name, 'Agents see "Invited automatically (rule name)".').wrap,
    enabled.wrap,
    field('Greeting', greeting, 'The invitation\u2019s text.').wrap,
    field('Page URL matches', url, 'Empty: any page. Without *: the URL starts with it; with *: the whole URL (* is any text). Starting with /: the path, e.g. /checkout*.').wrap,
    field('Seconds on page', seconds, 'Empty or 0: at once (0\u20133600).').wrap,
    field('Pages viewed', pages, 'At least this many pages in this visit (1\u20131000). Empty: any.').wrap,
    returning.wrap,
    field('Referrer contains', referrer, 'The page the visitor came from contains this text (case-sensitive). Empty: any.').wrap,
    del);
  del.addEventListener('click', () => {
    el.remove();
    onDelete();
  });
  el.ruleId = rule.id;
  el.setNumber = (n) => text(legend, `Rule ${n}`);
  el.value = () => ({
    id: el.ruleId,
    name: name.value.trim(),
    enabled: enabled.input.checked,
    greeting: greeting.value.trim(),
    url: textOrNone(url),
    seconds: numberOrNone(seconds),
    pages: numberOrNone(pages),
    returning: returning.input.checked,
    referrer: textOrNone(referrer),
  });
  el.focusFirst = () => name.focus();
  return el;
}

/** The "Invitation rules" section of a site's card (its `settings` are updated in place when saved). */
export function invitationRulesSection(site) {
  const list = h('div', { class: 'invitation-rules' });
  const none = h('p', { class: 'hint' }, 'No rules: the widget invites only when an agent clicks "Invite".');
  const alert = h('p', { class: 'form-status', role: 'alert' });
  const renumber = () => {
    [...list.children].forEach((r, i) => r.setNumber(i + 1));
    none.hidden = list.children.length > 0;
  };
  const add = (rule) => list.append(ruleEditor(rule, renumber));
  for (const r of site.settings?.invitation_rules?.rules || []) add(r);
  renumber();
  const addButton = h('button', { type: 'button', class: 'btn btn-small' }, 'Add rule');
  addButton.addEventListener('click', () => {
    const ids = [...list.children].map((r) => r.ruleId || 0);
    add({ id: Math.max(0, ...ids) + 1, enabled: true });
    renumber();
    list.lastElementChild.focusFirst();
  });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save invitation rules');
  const headingId = uniqueId('rules');
  const form = h('form', { class: 'stack-form invitation-rules-form', 'aria-labelledby': headingId, novalidate: true },
    h('h4', { id: headingId }, 'Invitation rules'),
    h('p', { class: 'hint' }, 'The widget invites a visitor automatically when all the conditions a rule sets hold: at most once per visit, never while a chat is open or no agent is available, and not again after the visitor dismissed an invitation. The soonest rule fires; on a tie, the earlier one.'),
    none, list, h('div', { class: 'form-actions' }, addButton), alert,
    h('div', { class: 'form-actions' }, save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    text(alert, '');
    save.disabled = true;
    try {
      const rules = [...list.children].map((r) => r.value());
      const saved = await adminApi.siteSettings(site.id ?? site.site_id,
        { ...(site.settings || {}), invitation_rules: { rules } });
      if (saved && saved.settings) site.settings = saved.settings;
      toast('Invitation rules saved.');
    } catch (err) {
      text(alert, err.message);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
