// The Admin page (admins only): Sites, Agents, Departments, site-wide Canned Responses, Blocks,
// Offline Messages, API tokens, Webhooks and the Audit log, as tabs.

import { h, uniqueId, arrowNav } from '../dom.js';
import { store } from '../state.js';
import { adminSites } from './admin-sites.js';
import { adminAgents } from './admin-agents.js';
import { adminDepartments } from './admin-departments.js';
import { adminBlocks } from './admin-blocks.js';
import { cannedEditor } from './cannededitor.js';
import { offlineMessages } from './offline.js';
import { adminTokens } from './admin-tokens.js';
import { adminAudit } from './admin-audit.js';
import { adminWebhooks } from './admin-webhooks.js';

const SECTIONS = [
  ['Sites', adminSites],
  ['Agents', adminAgents],
  ['Departments', adminDepartments],
  ['Site-wide Canned Responses', () => cannedEditor({ mode: 'site' })],
  ['Blocks', adminBlocks],
  ['Offline Messages', offlineMessages],
  ['API tokens', adminTokens],
  ['Webhooks', adminWebhooks],
  ['Audit log', adminAudit],
];

export function renderAdmin() {
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Admin sections', class: 'tabs admin-tabs' });
  const panels = h('div', { class: 'admin-panels' });
  const page = h('main', { class: 'page admin-page', hidden: true, 'aria-labelledby': 'admin-title' },
    h('h1', { id: 'admin-title' }, 'Admin'), tablist, panels);
  const entries = SECTIONS.map(([label, make]) => {
    const tabId = uniqueId('atab');
    const panelId = uniqueId('apanel');
    const tab = h('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, class: 'tab' }, label);
    const panel = h('section', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, class: 'admin-panel', hidden: true });
    tablist.append(tab);
    panels.append(panel);
    return { tab, panel, make, view: null };
  });
  let current = 0;
  const select = (i, focus = false) => {
    current = i;
    entries.forEach((e, j) => {
      const on = i === j;
      e.tab.setAttribute('aria-selected', String(on));
      e.tab.tabIndex = on ? 0 : -1;
      e.panel.hidden = !on;
      if (on) {
        if (!e.view) {
          e.view = e.make();
          e.panel.append(e.view);
        }
        if (typeof e.view.load === 'function') e.view.load(); // fresh data on every visit
      }
    });
    if (focus) entries[i].tab.focus();
  };
  entries.forEach((e, i) => {
    e.tab.addEventListener('click', () => select(i));
    e.tab.addEventListener('keydown', (ev) => {
      const next = arrowNav(ev, entries.map((x) => x.tab), e.tab, { horizontal: true });
      if (next) select(entries.findIndex((x) => x.tab === next));
    });
  });

  const show = () => {
    const visible = store.page === 'admin' && !!store.me?.is_admin;
    const wasHidden = page.hidden;
    page.hidden = !visible;
    if (visible && wasHidden) select(current);
  };
  store.on('page', show);
  store.on('me', () => {
    if (store.page === 'admin' && !store.me?.is_admin) store.setPage('console');
    show();
  });
  show();
  return page;
}
