// The "Archive" page (issue 15): every chat of my sites, newest first, with the filters
// "Site", "Agent", "From", "To", "State", "Tag", "Rating" and the box "Search chats".
// `GET /api/archive` gives a page and a cursor ("Load more" asks for the next one);
// `GET /api/archive/count` is asked for at the same time, apart, and its "1,234 chats" shows
// once the first page is on screen: the list never waits for the count. A newer search makes
// the answers of an older one be ignored. Opening a result shows the transcript dialog of
// Chat History, with its "Save" and "Email" actions.

import { h, text, replace, field, uniqueId } from '../dom.js';
import { archive as api } from '../api.js';
import { store } from '../state.js';
import { openTranscript } from './visitdetail.js';
import { resultItem, countText } from './archive-results.js';

const STATES = [['', 'Any state'], ['ended', 'Ended'], ['missed', 'Missed'], ['blocked', 'Blocked'], ['open', 'Open']];
const RATINGS = [['', 'Any rating'], ['5', 'Good (5)'], ['4', '4'], ['3', '3'], ['2', '2'], ['1', 'Bad (1)']];

function select(name, options) {
  return h('select', { name }, options.map(([value, label]) => h('option', { value }, label)));
}

/** Milliseconds of local midnight starting the date `yyyy-mm-dd` (+ `days`), or ''. */
function localMidnight(value, days = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || '');
  if (!m) return '';
  return String(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).getTime());
}

export function renderArchive() {
  const site = select('site', [['', 'All sites']]);
  const agent = select('agent', [['', 'Any agent']]);
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const state = select('state', STATES);
  const tag = h('input', { type: 'text', name: 'tag', autocomplete: 'off', spellcheck: 'false' });
  const rating = select('rating', RATINGS);
  const search = h('input', {
    type: 'search', name: 'q', autocomplete: 'off', spellcheck: 'false', maxlength: '200',
    placeholder: 'refund "order number" ship* -spam',
  });
  const searchId = uniqueId('archive-q');
  search.id = searchId;
  const go = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Search');
  const reset = h('button', { type: 'button', class: 'btn' }, 'Clear filters');
  const form = h('form', { class: 'archive-filters', role: 'search', 'aria-label': 'Archive filters' },
    h('div', { class: 'archive-search' },
      h('label', { for: searchId }, 'Search chats'), search, go),
    h('div', { class: 'archive-filter-row' },
      field('Site', site).wrap, field('Agent', agent).wrap,
      field('From', from).wrap, field('To', to).wrap,
      field('State', state).wrap, field('Tag', tag).wrap, field('Rating', rating).wrap,
      h('div', { class: 'field archive-reset' }, reset)));

  const count = h('p', { class: 'archive-count', role: 'status', 'aria-live': 'polite' });
  const status = h('p', { class: 'form-status', 'aria-live': 'polite' });
  const list = h('ol', { class: 'archive-results', 'aria-label': 'Archive results' });
  const empty = h('p', { class: 'empty', hidden: true }, 'No chats match.');
  const more = h('button', { type: 'button', class: 'btn archive-more', hidden: true }, 'Load more');
  const page = h('main', { class: 'page archive-page', hidden: true, 'aria-labelledby': 'archive-title' },
    h('section', { class: 'page-section' },
      h('div', { class: 'panel-head' }, h('h1', { id: 'archive-title' }, 'Archive'), count),
      form, status, list, empty, more));

  const fillSites = () => {
    const keep = site.value;
    const sites = [...store.sites.values()].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    replace(site, h('option', { value: '' }, 'All sites'),
      sites.map((s) => h('option', { value: String(s.site_id) }, s.name)));
    if ([...site.options].some((o) => o.value === keep)) site.value = keep;
  };
  const fillAgents = () => {
    const keep = agent.value;
    const agents = [...store.agents.values()].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    replace(agent, h('option', { value: '' }, 'Any agent'),
      agents.map((a) => h('option', { value: String(a.agent_id) }, a.name)));
    if ([...agent.options].some((o) => o.value === keep)) agent.value = keep;
  };

  const filters = () => ({
    site: site.value,
    agent: agent.value,
    from: localMidnight(from.value),
    to: localMidnight(to.value, 1), // "To" is the last day shown
    state: state.value,
    tag: tag.value.trim(),
    rating: rating.value,
    q: search.value.trim(),
  });

  let run = 0; // the current search; answers of older ones are dropped
  let cursor = null;
  let current = null;

  const onOpen = (hit) => openTranscript(hit.chat_id);
  const add = (chats) => {
    for (const hit of chats) list.append(resultItem(hit, onOpen));
  };
  const showMore = (next) => {
    cursor = next || null;
    more.hidden = !cursor;
  };

  const start = async () => {
    const mine = ++run;
    current = filters();
    cursor = null;
    list.replaceChildren();
    more.hidden = true;
    empty.hidden = true;
    text(count, '');
    text(status, 'Searching…');
    list.setAttribute('aria-busy', 'true');
    let counted = null;
    let listed = false;
    const showCount = () => { if (listed && counted && mine === run) text(count, countText(counted)); };
    api.count(current).then((c) => { counted = c; showCount(); }).catch(() => { /* the list still works */ });
    try {
      const res = await api.page(current);
      if (mine !== run) return;
      const chats = Array.isArray(res?.chats) ? res.chats : [];
      add(chats);
      showMore(res?.next_cursor);
      empty.hidden = chats.length > 0;
      text(status, '');
      listed = true;
      showCount();
    } catch (err) {
      if (mine !== run) return;
      text(status, err.message);
    } finally {
      if (mine === run) list.setAttribute('aria-busy', 'false');
    }
  };

  const loadMore = async () => {
    if (!cursor || !current) return;
    const mine = run;
    more.disabled = true;
    text(status, 'Loading…');
    try {
      const res = await api.page({ ...current, cursor });
      if (mine !== run) return;
      const first = list.children.length;
      add(Array.isArray(res?.chats) ? res.chats : []);
      showMore(res?.next_cursor);
      text(status, '');
      // Keep the keyboard where the reading goes on: the first new result.
      const next = list.children[first]?.querySelector('button.archive-open');
      if (next) next.focus();
    } catch (err) {
      if (mine === run) text(status, err.message);
    } finally {
      more.disabled = false;
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    start();
  });
  for (const control of [site, agent, from, to, state, rating]) control.addEventListener('change', start);
  reset.addEventListener('click', () => {
    for (const control of [site, agent, state, rating]) control.value = '';
    from.value = to.value = tag.value = search.value = '';
    start();
  });
  more.addEventListener('click', loadMore);

  store.on('sites', fillSites);
  store.on('agents', fillAgents);
  let shown = false;
  store.on('page', () => {
    page.hidden = store.page !== 'archive';
    if (!page.hidden && !shown) { // the first visit lists the newest chats
      shown = true;
      start();
    }
  });
  fillSites();
  fillAgents();
  return page;
}
