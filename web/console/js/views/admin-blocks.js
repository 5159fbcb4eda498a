// Admin → Blocks: the blocks of a site, with "Lift".

import { h, text } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { confirmDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { sitePicker, table, statusLine } from './common.js';
import { dateTime } from '../format.js';

export function adminBlocks() {
  const status = statusLine();
  const tbody = h('tbody');
  const tableEl = table(['Visitor', 'IP address', 'Blocked', 'Until', 'State', 'Actions'], []);
  tableEl.querySelector('tbody').replaceWith(tbody);
  const empty = h('p', { class: 'empty', hidden: true }, 'No blocks on this site.');
  const picker = sitePicker(() => load(), { sites: [] });

  const load = async () => {
    const site = picker.value();
    if (!site) return;
    try {
      const blocks = await adminApi.blocks(site);
      const list = (Array.isArray(blocks) ? blocks : []).sort((a, b) => b.created_at - a.created_at);
      tbody.replaceChildren(...list.map((b) => {
        const live = !b.lifted && b.until > Date.now();
        const lift = live ? h('button', { type: 'button', class: 'btn btn-small' }, 'Lift') : null;
        if (lift) {
          lift.addEventListener('click', async () => {
            if (!await confirmDialog({ title: 'Lift this block?', message: 'The visitor can chat again at once.', confirm: 'Lift' })) return;
            try {
              await adminApi.liftBlock(b.id);
              toast('Block lifted.');
              await load();
            } catch (err) {
              text(status, err.message);
            }
          });
        }
        return h('tr', null,
          h('th', { scope: 'row' }, String(b.visitor_id)), h('td', null, b.ip || '—'),
          h('td', null, dateTime(b.created_at)), h('td', null, dateTime(b.until)),
          h('td', null, b.lifted ? 'Lifted' : live ? 'Active' : 'Expired'), h('td', { class: 'actions' }, lift));
      }));
      empty.hidden = list.length > 0;
      text(status, '');
    } catch (err) {
      text(status, err.message);
    }
  };

  const el = h('div', { class: 'admin-blocks' }, picker.el, status, tableEl, empty);
  el.load = async () => {
    try {
      const sites = await adminApi.sites();
      const before = picker.value();
      picker.fill(Array.isArray(sites) ? sites : []);
      if (picker.value() !== before || before) await load();
    } catch (err) {
      text(status, err.message);
    }
  };
  return el;
}
