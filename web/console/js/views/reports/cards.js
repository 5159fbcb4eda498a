// The panels of the Reports page: a chart card (heading, "Download CSV", the SVG redrawn at
// its box's width, a legend, and the same numbers as a data table), the heat map card and
// the per-agent table. Each card keeps the report it shows; its CSV is built from that very
// JSON (model.js csvFor), so the download holds exactly the numbers on screen.

import { h, uniqueId } from '../../dom.js';
import {
  chartColumns, csvFor, csvFileName, formatValue, AGENT_COLUMNS, WEEKDAYS,
} from './model.js';
import { drawChart } from './chart.js';
import { drawHeatMap } from './heatmap.js';

/** Saves `textValue` as a file named `name` (a blob: link, clicked, then let go). */
export function saveFile(name, textValue, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([textValue], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function downloadButton(chartTitle, onClick) {
  return h('button', {
    type: 'button', class: 'btn btn-small', 'aria-label': `Download CSV: ${chartTitle}`, onclick: onClick,
  }, 'Download CSV');
}

function dataTable(caption, headers, rows) {
  return h('details', { class: 'chart-data' },
    h('summary', null, `Data table: ${caption}`),
    h('div', { class: 'table-scroll' },
      h('table', { class: 'table' },
        h('caption', { class: 'sr-only' }, caption),
        h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows.map(([head, ...cells]) => h('tr', null,
          h('th', { scope: 'row' }, head), cells.map((c) => h('td', null, c))))))));
}

/** A card whose picture is redrawn whenever its box changes width. */
function card(cardTitle, { chartName, draw, table, legend }) {
  const hid = uniqueId('rep');
  let report = null;
  let drawnWidth = 0;
  const box = h('div', { class: 'chart-box' });
  const tableSlot = h('div');
  const el = h('section', { class: 'report-card', 'aria-labelledby': hid, dataset: { chart: chartName } },
    h('div', { class: 'report-card-head' },
      h('h3', { id: hid }, cardTitle),
      downloadButton(cardTitle, () => {
        if (report) saveFile(csvFileName(cardTitle, report), csvFor(chartName, report));
      })),
    draw ? box : null,
    legend || null,
    tableSlot);
  const redraw = () => {
    if (!report || !draw) return;
    const width = box.clientWidth;
    if (!width) return;
    drawnWidth = width;
    box.replaceChildren(draw(report, width));
  };
  const observer = new ResizeObserver(() => { if (box.clientWidth !== drawnWidth) redraw(); });
  if (draw) observer.observe(box);
  el.update = (next) => {
    report = next;
    redraw();
    tableSlot.replaceChildren(table(next));
  };
  el.dispose = () => observer.disconnect();
  return el;
}

/** A chart card for `def` (model.js CHARTS). */
export function chartCard(def) {
  const cols = chartColumns(def);
  const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' },
    def.series.map((s, j) => h('li', null, h('span', { class: `swatch series-${j}` }), s.name)));
  return card(def.title, {
    chartName: def.chart,
    legend,
    draw: (report, width) => drawChart(def, report, width),
    table: (report) => dataTable(def.title, ['Period', ...cols.map((c) => c.name)],
      (report.series || []).map((b) => [b.label, ...cols.map((c) => formatValue(b[c.key], c.unit))])),
  });
}

/** The heat map card: weekday × hour. */
export function heatMapCard() {
  const name = 'Chats by weekday and hour';
  return card(name, {
    chartName: 'heat_map',
    draw: (report, width) => drawHeatMap(report, width),
    table: (report) => dataTable(name, ['Weekday', ...Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0'))],
      (report.heat_map || []).map((row, d) => [WEEKDAYS[d], ...row.map((v) => String(Number(v || 0)))])),
  });
}

/** The per-agent table (shown, not folded away) with its CSV. */
export function agentsCard() {
  const name = 'Agents';
  return card(name, {
    chartName: 'agents',
    table: (report) => {
      const agents = report.agents || [];
      if (!agents.length) return h('p', { class: 'empty' }, 'No agent activity in this period.');
      return h('div', { class: 'table-scroll' },
        h('table', { class: 'table agents-report' },
          h('caption', { class: 'sr-only' }, 'Agents'),
          h('thead', null, h('tr', null, AGENT_COLUMNS.map((c) => h('th', { scope: 'col' }, c.name)))),
          h('tbody', null, agents.map((a) => h('tr', null,
            h('th', { scope: 'row' }, a.name),
            AGENT_COLUMNS.slice(1).map((c) => h('td', null, formatValue(a[c.key], c.unit))))))));
    },
  });
}
