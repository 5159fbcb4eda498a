// Admin → Sites: name, base URL, time zone, allowed origins, email; the embed snippet with a
// "Copy" button; each site's "Team settings" (admin-team-settings.js), "Appearance"
// (admin-appearance.js) and "Identity secret"
// (admin-identity.js).

import { h, text, field, uniqueId } from '../dom.js';
import { admin as adminApi, auth, writesDone } from '../api.js';
import { store } from '../state.js';
import { toast } from '../ui/toast.js';
import { statusLine, lines, copyText } from './common.js';
import { teamSettings } from './admin-team-settings.js';
import { appearanceSettings } from './admin-appearance.js';
import { invitationRulesSection } from './admin-invitation-rules.js';
import { identitySection } from './admin-identity.js';

function embedSnippet(site) {
  const given = site.embed_snippet || site.snippet || site.embed;
  if (typeof given === 'string' && given) return given;
  const key = site.key || site.site_key || '';
  return `<script src="${window.location.origin}/widget.js" data-site="${key}" async></script>`;
}

let zones = null;
function timeZoneList() {
  if (!zones) {
    zones = h('datalist', { id: uniqueId('tz') });
    const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
    zones.append(...list.map((z) => h('option', { value: z })));
  }
  return zones;
}

function siteForm(site, { onDone }) {
  const name = h('input', { type: 'text', name: 'name', required: true, value: site?.name || '' });
  const base = h('input', { type: 'url', name: 'base_url', required: true, placeholder: 'https://shop.example', value: site?.base_url || '' });
  const dl = timeZoneList();
  const tz = h('input', {
    type: 'text', name: 'timezone', list: dl.id, required: true,
    value: site?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  });
  const origins = h('textarea', { name: 'allowed_origins', rows: '3', value: (site?.allowed_origins || []).join('\n') });
  const email = h('input', { type: 'email', name: 'email', value: site?.email || '' });
  const status = statusLine();
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, site ? 'Save site' : 'Add site');
  const cancel = h('button', { type: 'button', class: 'btn', onclick: () => onDone(false) }, 'Cancel');
  const form = h('form', { class: 'stack-form' },
    h('h3', null, site ? `Edit ${site.name}` : 'New site'),
    field('Name', name).wrap,
    field('Base URL', base, 'The site’s address. Its origin may embed the widget; relative links resolve against it.').wrap,
    field('Time zone', tz, 'Blocks last until the end of the day in this time zone.').wrap, dl,
    field('Allowed origins', origins, 'Other origins that may use the widget, one per line (e.g. https://www.shop.example).').wrap,
    field('Email', email, 'Offline messages are emailed here (optional).').wrap,
    status, h('div', { class: 'form-actions' }, save, cancel));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      name: name.value.trim(), base_url: base.value.trim(), timezone: tz.value.trim(),
      allowed_origins: lines(origins.value), email: email.value.trim() || null,
    };
    if (!body.name || !body.base_url || !body.timezone) {
      text(status, 'Name, base URL and time zone are required.');
      return;
    }
    save.disabled = true;
    try {
      if (site) await adminApi.updateSite(site.id ?? site.site_id, body);
      else await adminApi.createSite(body);
      onDone(true);
    } catch (err) {
      text(status, err.message);
      save.disabled = false;
    }
  });
  return form;
}

export function adminSites() {
  const status = statusLine();
  const list = h('div', { class: 'cards' });
  const formSlot = h('div');
  const addBtn = h('button', { type: 'button', class: 'btn btn-primary' }, 'New site');

  const done = async (changed) => {
    formSlot.replaceChildren();
    addBtn.hidden = false;
    if (changed) {
      toast('Site saved.');
      await load();
      auth.me().then((me) => { if (me && Array.isArray(me.sites)) store.setSites(me.sites); }).catch(() => {});
    }
  };
  addBtn.addEventListener('click', () => {
    addBtn.hidden = true;
    formSlot.replaceChildren(siteForm(null, { onDone: done }));
    formSlot.querySelector('input').focus();
  });

  const card = (s) => {
    const snippet = embedSnippet(s);
    const code = h('code', null, snippet);
    const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
    copy.addEventListener('click', async () => {
      const ok = await copyText(snippet, code);
      toast(ok ? 'Embed snippet copied.' : 'Could not copy: select the snippet and copy it by hand.');
    });
    const edit = h('button', { type: 'button', class: 'btn btn-small' }, 'Edit');
    const team = teamSettings(s, { onSaved: (saved) => { if (saved && saved.settings) s.settings = saved.settings; } });
    const look = appearanceSettings(s);
    const el = h('article', { class: 'card' },
      h('h3', null, s.name),
      h('dl', { class: 'facts' },
        h('dt', null, 'Base URL'), h('dd', null, s.base_url),
        h('dt', null, 'Time zone'), h('dd', null, s.timezone),
        h('dt', null, 'Allowed origins'), h('dd', null, (s.allowed_origins || []).join(', ') || '—'),
        h('dt', null, 'Email'), h('dd', null, s.email || '—'),
        h('dt', null, 'Site key'), h('dd', null, s.key || '—')),
      h('p', { class: 'snippet-label' }, 'Embed snippet (paste before </body> on every page):'),
      h('pre', { class: 'snippet' }, code),
      h('div', { class: 'form-actions' }, copy, edit, team.toggle, look.toggle),
      team.form,
      look.form,
      identitySection(s),
      invitationRulesSection(s));
    edit.addEventListener('click', () => {
      el.replaceWith(siteForm(s, { onDone: done }));
    });
    return el;
  };

  const load = async () => {
    try {
      // A setting saved while the list was on its way (a card of the previous visit is still
      // on screen and usable): the list may predate the save, and forms built from it would
      // send the old value back. Fetch again then (a few times at most).
      let sites;
      for (let tries = 0; tries < 3; tries++) {
        const before = writesDone();
        sites = await adminApi.sites();
        if (writesDone() === before) break;
      }
      list.replaceChildren(...(Array.isArray(sites) ? sites : []).map(card));
      text(status, Array.isArray(sites) && sites.length === 0 ? 'No sites yet.' : '');
    } catch (err) {
      text(status, err.message);
    }
  };

  const el = h('div', { class: 'admin-sites' }, h('div', { class: 'toolbar-row' }, addBtn), formSlot, status, list);
  el.load = load;
  return el;
}
