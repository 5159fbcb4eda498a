// The "Reports" page (admins, and supervisors of at least one site): how the team is doing
// over a period. Controls "Site" (one site or "All sites"), "Period" (Today, 7 days, 30 days,
// Custom with "From" / "To") and "Granularity" (Hour, Day, Week); `GET /api/reports` answers
// one Report (crates/core/src/reports.rs), drawn as totals, charts over the series
// (reports/chart.js), the per-agent table and the weekday × hour heat map. Every chart has a
// "Download CSV" of exactly its numbers (reports/cards.js).

import { h, text, uniqueId } from '../dom.js';
import { store } from '../state.js';
import { reports as api } from '../api.js';
import { statusLine } from './common.js';
import {
  CHARTS, TOTALS, PERIODS, GRANULARITIES, formatValue, reportQuery,
} from './reports/model.js';
import { chartCard, heatMapCard, agentsCard } from './reports/cards.js';

/** May I see Reports? Admins, and agents who supervise a site. */
export function mayReport() {
  return !!store.me?.is_admin || store.isSupervisor();
}

function select(label, options, attrs = {}) {
  const id = uniqueId('rsel');
  const el = h('select', { id, ...attrs }, options.map((o) => h('option', { value: o.value }, o.name)));
  return { el, wrap: h('div', { class: 'field field-inline' }, h('label', { for: id }, label), el) };
}

function dateField(label) {
  const id = uniqueId('rdate');
  const el = h('input', { id, type: 'date' });
  return { el, wrap: h('div', { class: 'field field-inline' }, h('label', { for: id }, label), el) };
}

const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function renderReports() {
  const site = select('Site', [], { name: 'site' });
  const period = select('Period', PERIODS, { name: 'period' });
  const granularity = select('Granularity', GRANULARITIES, { name: 'granularity' });
  const from = dateField('From');
  const to = dateField('To');
  const custom = h('div', { class: 'report-custom', hidden: true }, from.wrap, to.wrap);
  const refresh = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh');
  const status = statusLine();
  status.setAttribute('role', 'status');
  const summary = h('p', { class: 'hint report-summary' });

  const totalsList = h('dl', { class: 'report-totals' });
  const totalsId = uniqueId('rtot');
  const totals = h('section', { class: 'report-section', 'aria-labelledby': totalsId },
    h('h2', { id: totalsId }, 'Totals'), totalsList);
  const cards = CHARTS.map((def) => chartCard(def));
  const agents = agentsCard();
  const heat = heatMapCard();
  const chartsId = uniqueId('rch');
  const body = h('div', { class: 'report-body', hidden: true },
    totals,
    h('section', { class: 'report-section', 'aria-labelledby': chartsId },
      h('h2', { id: chartsId }, 'Over time'), h('div', { class: 'report-grid' }, cards)),
    h('div', { class: 'report-grid report-grid-wide' }, agents, heat));

  const page = h('main', { class: 'page reports-page', hidden: true, 'aria-labelledby': 'reports-title' },
    h('section', { class: 'page-section' },
      h('div', { class: 'panel-head' }, h('h1', { id: 'reports-title' }, 'Reports'), refresh),
      h('form', { class: 'report-controls', 'aria-label': 'Report', novalidate: true },
        site.wrap, period.wrap, custom, granularity.wrap),
      status, summary),
    body);
  page.querySelector('form').addEventListener('submit', (e) => e.preventDefault());

  // "Site": the sites I may report on (admins: all of theirs), and "All sites".
  const fillSites = () => {
    const keep = site.el.value;
    const list = [...store.sites.values()]
      .filter((s) => s.supervisor || store.me?.is_admin)
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    site.el.replaceChildren(h('option', { value: '' }, 'All sites'),
      ...list.map((s) => h('option', { value: String(s.site_id) }, s.name)));
    site.el.value = list.some((s) => String(s.site_id) === keep) ? keep : '';
  };

  let seq = 0;
  const load = async () => {
    if (page.hidden) return;
    const q = {
      site: site.el.value, period: period.el.value, from: from.el.value, to: to.el.value, granularity: granularity.el.value,
    };
    const mine = ++seq; // an answer to an older question is dropped
    const wrong = q.period !== 'custom' ? null
      : (!q.from || !q.to) ? 'Choose the first and the last day of the period.'
        : q.from > q.to ? '“From” is after “To”.' : null; // YYYY-MM-DD strings compare as dates
    if (wrong) { // not worth a request (and a 400) while the dates are being changed
      body.hidden = true;
      page.removeAttribute('aria-busy');
      text(status, wrong);
      return;
    }
    page.setAttribute('aria-busy', 'true');
    text(status, 'Loading…');
    try {
      const report = await api.get(reportQuery(q));
      if (mine !== seq) return;
      render(report);
      page.dataset.query = reportQuery(q); // the question this answer is to (tests ask the CSV with it)
      text(status, '');
    } catch (err) {
      if (mine !== seq) return;
      body.hidden = true; // the figures on screen answered another question
      text(status, err.message);
    } finally {
      if (mine === seq) page.removeAttribute('aria-busy');
    }
  };

  const render = (report) => {
    const t = report.totals || {};
    totalsList.replaceChildren(...TOTALS.map((f) => h('div', { class: 'report-total', dataset: { key: f.key } },
      h('dt', null, f.name),
      h('dd', null, formatValue(t[f.key], f.unit),
        f.key === 'good_share' && t.ratings ? h('span', { class: 'hint' }, ` (${t.ratings_good} of ${t.ratings})`) : null))));
    const n = report.series?.length || 0;
    text(summary, n
      ? `${report.series[0].label} to ${report.series[n - 1].label} (${report.time_zone})`
      : `No data for this period (${report.time_zone || 'UTC'})`);
    body.hidden = false;
    for (const c of [...cards, agents, heat]) c.update(report);
  };

  period.el.addEventListener('change', () => {
    const p = PERIODS.find((x) => x.value === period.el.value);
    custom.hidden = period.el.value !== 'custom';
    if (!custom.hidden && !from.el.value) {
      const today = new Date();
      to.el.value = isoDay(today);
      from.el.value = isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 13));
    }
    if (p) granularity.el.value = p.granularity;
    load();
  });
  for (const c of [site.el, granularity.el, from.el, to.el]) c.addEventListener('change', load);
  refresh.addEventListener('click', load);

  const show = () => {
    const visible = store.page === 'reports' && mayReport();
    const wasHidden = page.hidden;
    page.hidden = !visible;
    if (visible && wasHidden) load();
  };
  store.on('sites', () => {
    fillSites();
    if (store.page === 'reports' && !mayReport()) store.setPage('console');
  });
  store.on('me', show);
  store.on('page', show);
  fillSites();
  period.el.value = 'today';
  granularity.el.value = 'hour';
  show();
  return page;
}
