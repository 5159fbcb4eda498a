// The heat map of chats by weekday (rows, Monday first) and hour (columns, 0–23) in the
// report's time zone, as inline SVG: the darker a cell, the more chats; each cell has a
// `<title>` ("Monday 14:00–15:00: 3 chats"). Drawn for the pixel width it is given.

import { svg, title, px } from './svg.js';
import { WEEKDAYS } from './model.js';

const LEFT = 40;
const TOP = 8;
const BOTTOM = 40;

const hh = (hour) => `${String(hour).padStart(2, '0')}:00`;

export function heatLabel(report) {
  const total = (report.heat_map || []).flat().reduce((a, b) => a + Number(b || 0), 0);
  return `Chats by weekday and hour (${report.time_zone || 'UTC'}): ${total} ${total === 1 ? 'chat' : 'chats'}`;
}

export function drawHeatMap(report, width) {
  const w = Math.max(240, Math.floor(width));
  const cell = (w - LEFT - 4) / 24;
  const ch = Math.min(28, Math.max(14, cell));
  const height = TOP + ch * 7 + BOTTOM;
  const rows = report.heat_map || [];
  const max = Math.max(0, ...rows.flat().map(Number));
  const root = svg('svg', {
    class: 'chart heatmap', role: 'img', 'aria-label': heatLabel(report),
    width: w, height, viewBox: `0 0 ${w} ${px(height)}`,
  });
  const labels = svg('g', { class: 'axis', 'aria-hidden': 'true' });
  WEEKDAYS.forEach((d, i) => {
    labels.append(svg('text', { x: LEFT - 6, y: px(TOP + ch * (i + 0.5)), 'text-anchor': 'end', 'dominant-baseline': 'middle' },
      d.slice(0, 3)));
  });
  const step = cell < 18 ? 6 : 3;
  for (let hour = 0; hour < 24; hour += step) {
    labels.append(svg('text', { x: px(LEFT + cell * hour + cell / 2), y: px(TOP + ch * 7 + 14), 'text-anchor': 'middle' },
      String(hour)));
  }
  labels.append(svg('text', { class: 'axis-title', x: px(LEFT + cell * 12), y: px(height - 6), 'text-anchor': 'middle' },
    `Hour of day, ${report.time_zone || 'UTC'}`));
  root.append(labels);
  const cells = svg('g', { class: 'cells' });
  rows.forEach((row, d) => {
    row.forEach((v, hour) => {
      const count = Number(v || 0);
      const shade = max && count ? 0.15 + 0.85 * (count / max) : 0;
      cells.append(svg('rect', {
        class: count ? 'cell' : 'cell zero',
        x: px(LEFT + cell * hour + 0.5), y: px(TOP + ch * d + 0.5), width: px(cell - 1), height: px(ch - 1),
        'fill-opacity': count ? shade.toFixed(2) : null,
      }, title(`${WEEKDAYS[d]} ${hh(hour)}–${hh((hour + 1) % 24)}: ${count} ${count === 1 ? 'chat' : 'chats'}`)));
    });
  });
  root.append(cells);
  return root;
}
