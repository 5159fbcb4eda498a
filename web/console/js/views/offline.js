// Offline messages (left while no agent was On-Line): GET /api/sites/{site}/offline-messages,
// plus those that arrive live as `offline_message` frames.

import { h, text, externalLink } from '../dom.js';
import { offline as offlineApi } from '../api.js';
import { store } from '../state.js';
import { sitePicker, statusLine } from './common.js';
import { dateTime } from '../format.js';

export function offlineMessages() {
  const status = statusLine();
  const list = h('ol', { class: 'offline-list' });
  const empty = h('p', { class: 'empty', hidden: true }, 'No offline messages.');
  let fetched = [];
  const picker = sitePicker(() => load());
  const refresh = h('button', { type: 'button', class: 'btn btn-small', onclick: () => load() }, 'Reload');

  const render = () => {
    const site = picker.value();
    const live = store.offline.filter((m) => Number(m.site_id) === site);
    const seen = new Set();
    const all = [...live, ...fetched].filter((m) => {
      if (seen.has(m.id)) return false;
      seen.add(m.id);
      return true;
    }).sort((a, b) => b.created_at - a.created_at);
    list.replaceChildren(...all.map((m) => h('li', { class: 'offline-item' },
      h('p', { class: 'offline-head' },
        h('strong', null, m.name || 'No name'), ' · ',
        m.email ? h('a', { href: `mailto:${encodeURIComponent(m.email)}` }, m.email) : 'no email', ' · ',
        h('time', null, dateTime(m.created_at))),
      m.page_url ? h('p', { class: 'hint' }, 'From ', externalLink(m.page_url)) : null,
      h('p', { class: 'pre' }, m.body))));
    empty.hidden = all.length > 0;
  };

  const load = async () => {
    const site = picker.value();
    if (!site) return render();
    text(status, '');
    try {
      const res = await offlineApi.list(site);
      fetched = Array.isArray(res) ? res : [];
    } catch (err) {
      fetched = [];
      text(status, err.message);
    }
    return render();
  };

  store.on('offline', render);
  store.on('sites', () => {
    const before = picker.value();
    picker.fill([...store.sites.values()]);
    if (picker.value() !== before) load();
  });
  const el = h('div', { class: 'offline-messages' }, h('div', { class: 'toolbar-row' }, picker.el, refresh), status, list, empty);
  el.load = load; // the page showing it calls load()
  return el;
}
