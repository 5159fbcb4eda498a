// One chart of a report's series as inline SVG: bars (counts) or lines with dots
// (durations, messages per chat), a y axis with round ticks and its title, an x axis with the
// bucket labels (thinned to fit) and its title. Drawn for the pixel width it is given, so
// text stays readable from phone width up; every bar and dot has a `<title>` with its value.

import { svg, title, px } from './svg.js';
import {
  formatValue, ticksFor, shortLabel, xAxisTitle, chartLabel,
} from './model.js';

const HEIGHT = 220;
const M = { top: 12, right: 12, bottom: 44, left: 64 };

/**
 * The `<svg role="img">` of chart `def` (model.js CHARTS) over `report.series`, `width` px
 * wide.
 */
export function drawChart(def, report, width) {
  const w = Math.max(240, Math.floor(width));
  const series = report.series || [];
  const n = series.length;
  const plotW = w - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const values = series.flatMap((b) => def.series.map((s) => b[s.key])).filter((v) => v != null);
  const { ticks, top } = ticksFor(Math.max(0, ...values), def.unit);
  const y = (v) => M.top + plotH - (top ? (Number(v) / top) * plotH : 0);
  const band = n ? plotW / n : plotW;
  const xc = (i) => M.left + band * (i + 0.5);

  const root = svg('svg', {
    class: `chart chart-${def.kind}`, role: 'img', 'aria-label': chartLabel(def, report),
    width: w, height: HEIGHT, viewBox: `0 0 ${w} ${HEIGHT}`,
  });

  // Grid lines and y tick labels.
  const grid = svg('g', { class: 'axis axis-y', 'aria-hidden': 'true' });
  for (const t of ticks) {
    grid.append(
      svg('line', { class: 'grid', x1: M.left, x2: w - M.right, y1: px(y(t)), y2: px(y(t)) }),
      svg('text', { x: M.left - 6, y: px(y(t)), 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        def.unit === 'decimal' ? String(Number(t.toFixed(2))) : formatValue(t, def.unit)),
    );
  }
  grid.append(svg('text', {
    class: 'axis-title', transform: `translate(12 ${M.top + plotH / 2}) rotate(-90)`, 'text-anchor': 'middle',
  }, def.axis));
  root.append(grid);

  // x labels, thinned so that they do not touch (about 56 px each).
  const xAxis = svg('g', { class: 'axis axis-x', 'aria-hidden': 'true' },
    svg('line', { class: 'baseline', x1: M.left, x2: w - M.right, y1: M.top + plotH, y2: M.top + plotH }));
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 56))));
  series.forEach((b, i) => {
    if (i % every) return;
    xAxis.append(svg('text', { x: px(xc(i)), y: M.top + plotH + 16, 'text-anchor': 'middle' },
      shortLabel(b.label, report.granularity)));
  });
  xAxis.append(svg('text', { class: 'axis-title', x: M.left + plotW / 2, y: HEIGHT - 6, 'text-anchor': 'middle' },
    xAxisTitle(report.granularity, report.time_zone)));
  root.append(xAxis);

  const marks = svg('g', { class: 'marks' });
  const tip = (b, s) => `${b.label} · ${s.name}: ${formatValue(b[s.key], def.unit)}`;
  if (def.kind === 'bar') {
    const k = def.series.length;
    const barW = Math.max(1, (band * 0.8) / k);
    series.forEach((b, i) => {
      def.series.forEach((s, j) => {
        const v = b[s.key];
        if (v == null) return;
        const x = M.left + band * i + band * 0.1 + barW * j;
        const top0 = y(v);
        marks.append(svg('rect', {
          class: `series-${j}`, x: px(x), y: px(top0), width: px(barW), height: px(M.top + plotH - top0),
        }, title(tip(b, s))));
      });
    });
  } else {
    def.series.forEach((s, j) => {
      let d = '';
      let pen = false;
      series.forEach((b, i) => {
        const v = b[s.key];
        if (v == null) { pen = false; return; }
        d += `${pen ? 'L' : 'M'}${px(xc(i))} ${px(y(v))}`;
        pen = true;
      });
      if (d) marks.append(svg('path', { class: `line series-${j}`, d }));
      series.forEach((b, i) => {
        const v = b[s.key];
        if (v == null) return;
        marks.append(svg('circle', { class: `dot series-${j}`, cx: px(xc(i)), cy: px(y(v)), r: n > 60 ? 2 : 3.5 },
          title(tip(b, s))));
      });
    });
  }
  root.append(marks);
  if (!values.length) { // a median of nothing: say so rather than show an empty frame
    root.append(svg('text', {
      class: 'no-data', x: M.left + plotW / 2, y: M.top + plotH / 2, 'text-anchor': 'middle', 'aria-hidden': 'true',
    }, 'No data in this period'));
  }
  return root;
}
