// The "Reports" page without the DOM (tested from node in e2e/reports-model.test.mjs): what
// each chart shows (CHARTS), how numbers read (durations "1 min 5 s", shares "75%"), the CSV
// of a chart (built from the same JSON the chart drew, so it holds exactly its numbers), axis
// ticks, and the query of the page's controls.
//
// The JSON is `Report` of crates/core/src/reports.rs: `totals`, `series` (buckets with
// `label` and the figures flattened in), `agents`, `heat_map` (7 × 24, Monday first).

/** The charts over the series, in page order. `chart` is the CSV name the server uses too. */
export const CHARTS = [
  {
    chart: 'volume', title: 'Chats', kind: 'bar', unit: 'count', axis: 'Chats',
    series: [{ key: 'chats', name: 'Chats' }, { key: 'missed', name: 'Missed' }, { key: 'offline_messages', name: 'Offline messages' }],
  },
  {
    chart: 'wait', title: 'Wait until accepted', kind: 'line', unit: 'duration', axis: 'Wait',
    series: [{ key: 'wait_median_secs', name: 'Median' }, { key: 'wait_p90_secs', name: '90th percentile' }],
  },
  {
    chart: 'first_response', title: 'First response', kind: 'line', unit: 'duration', axis: 'Time',
    series: [{ key: 'first_response_median_secs', name: 'Median first response' }],
  },
  {
    chart: 'duration', title: 'Chat duration', kind: 'line', unit: 'duration', axis: 'Duration',
    series: [{ key: 'duration_median_secs', name: 'Median duration' }],
  },
  {
    chart: 'messages', title: 'Messages per chat', kind: 'line', unit: 'decimal', axis: 'Messages',
    series: [{ key: 'messages_per_chat', name: 'Messages per chat' }],
  },
  {
    chart: 'ratings', title: 'Ratings', kind: 'bar', unit: 'count', axis: 'Ratings',
    series: [{ key: 'ratings', name: 'Ratings' }, { key: 'ratings_good', name: 'Good' }],
    extra: [{ key: 'good_share', name: 'Good share', unit: 'share' }],
  },
];

/** The per-agent table (also a CSV). */
export const AGENT_COLUMNS = [
  { key: 'name', name: 'Agent', unit: 'text' },
  { key: 'chats', name: 'Chats', unit: 'count' },
  { key: 'first_response_median_secs', name: 'Median first response', unit: 'duration' },
  { key: 'ratings', name: 'Ratings', unit: 'count' },
  { key: 'ratings_good', name: 'Good ratings', unit: 'count' },
  { key: 'online_secs', name: 'Time On-Line', unit: 'duration' },
];

/** The totals, in page order. */
export const TOTALS = [
  { key: 'chats', name: 'Chats', unit: 'count' },
  { key: 'missed', name: 'Missed chats', unit: 'count' },
  { key: 'wait_median_secs', name: 'Median wait', unit: 'duration' },
  { key: 'wait_p90_secs', name: '90th percentile wait', unit: 'duration' },
  { key: 'first_response_median_secs', name: 'Median first response', unit: 'duration' },
  { key: 'duration_median_secs', name: 'Median duration', unit: 'duration' },
  { key: 'messages_per_chat', name: 'Messages per chat', unit: 'decimal' },
  { key: 'good_share', name: 'Good ratings', unit: 'share' },
  { key: 'offline_messages', name: 'Offline messages', unit: 'count' },
];

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const NO_DATA = '—';

/** Seconds as people read them: "45 s", "1 min 5 s", "2 h 3 min", "3 d 4 h"; null → "—". */
export function formatDuration(secs) {
  if (secs == null || !Number.isFinite(Number(secs))) return NO_DATA;
  let s = Math.max(0, Math.round(Number(secs)));
  if (s < 60) return `${s} s`;
  const parts = (a, ua, b, ub) => (b ? `${a} ${ua} ${b} ${ub}` : `${a} ${ua}`);
  if (s < 3600) return parts(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86400) {
    s = Math.round(s / 60); // minutes
    return parts(Math.floor(s / 60), 'h', s % 60, 'min');
  }
  s = Math.round(s / 3600); // hours
  return parts(Math.floor(s / 24), 'd', s % 24, 'h');
}

/** A value of `unit` as the page shows it. */
export function formatValue(value, unit) {
  if (unit === 'text') return value == null ? '' : String(value);
  if (value == null || (unit !== 'text' && !Number.isFinite(Number(value)))) return NO_DATA;
  const n = Number(value);
  switch (unit) {
    case 'duration': return formatDuration(n);
    case 'decimal': return n.toFixed(2);
    case 'share': return `${Math.round(n * 100)}%`;
    default: return String(n);
  }
}

/**
 * One CSV field, as the server writes it (crates/core/src/reports/csv.rs `cell`): a text a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab, CR) gets a leading `'`;
 * quoted when it holds a comma, quote or line break, or starts with `'` (RFC 4180).
 */
export function csvField(value) {
  if (value == null) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s.startsWith("'") ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvLines = (rows) => rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';

/**
 * The CSV of chart `name` (a CHARTS `chart`, `agents` or `heat_map`): a header row of the
 * JSON field names and one row per bucket (agent, weekday) with the raw numbers (seconds,
 * shares 0–1), empty where the chart shows "no data".
 */
export function csvFor(name, report) {
  if (name === 'agents') {
    return csvLines([
      ['agent_id', ...AGENT_COLUMNS.map((c) => c.key)],
      ...(report.agents || []).map((a) => [a.agent_id, ...AGENT_COLUMNS.map((c) => a[c.key])]),
    ]);
  }
  if (name === 'heat_map') {
    const hours = Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0'));
    return csvLines([
      ['weekday', ...hours],
      ...(report.heat_map || []).map((row, d) => [WEEKDAYS[d], ...row]),
    ]);
  }
  const def = CHARTS.find((c) => c.chart === name);
  if (!def) throw new Error(`unknown chart ${name}`);
  const cols = chartColumns(def);
  const raw = (c, v) => (c.unit === 'decimal' || c.unit === 'share' ? jsonFraction(v) : v);
  return csvLines([
    ['bucket', ...cols.map((c) => c.key)],
    ...(report.series || []).map((b) => [b.label, ...cols.map((c) => raw(c, b[c.key]))]),
  ]);
}

/**
 * A fraction as the server's JSON wrote it (serde_json: `2.0`, `0.6667`), which JSON.parse
 * turned into the number 2: the server's CSV writes fractions that way too.
 */
export function jsonFraction(v) {
  if (v == null) return null;
  const n = Number(v);
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** The columns of a chart's table and CSV: its series, then any extra figures. */
export function chartColumns(def) {
  return [...def.series.map((s) => ({ ...s, unit: def.unit })), ...(def.extra || [])];
}

/** The file name of a chart's CSV: "chats-2026-11-25-to-2026-12-01.csv". */
export function csvFileName(def, report) {
  const slug = String(def.title || def).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const first = report.series?.[0]?.label?.slice(0, 10);
  const last = report.series?.[report.series.length - 1]?.label?.slice(0, 10);
  return first ? `${slug}-${first}-to-${last}.csv` : `${slug}.csv`;
}

const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
  21600, 43200, 86400, 172800, 604800];

/**
 * Axis ticks from 0 for values up to `max`: about `count` steps of a round size (seconds
 * steps for durations, whole numbers for counts). Returns {ticks, top}.
 */
export function ticksFor(max, unit, count = 4) {
  if (unit === 'share') return { ticks: [0, 0.25, 0.5, 0.75, 1], top: 1 };
  const m = Math.max(Number(max) || 0, 0);
  let step;
  if (unit === 'duration') {
    step = DURATION_STEPS.find((s) => s * count >= m) || Math.ceil(m / count / 86400) * 86400;
  } else {
    const raw = Math.max(m / count, unit === 'count' ? 1 : 0.1);
    const mag = 10 ** Math.floor(Math.log10(raw));
    step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw - 1e-9);
    if (unit === 'count') step = Math.max(1, Math.round(step));
  }
  const n = Math.max(1, Math.ceil(m / step - 1e-9));
  const ticks = Array.from({ length: n + 1 }, (_, i) => Number((i * step).toFixed(6)));
  return { ticks, top: ticks[ticks.length - 1] };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A bucket label made short for an axis: "14:00" (hour), "29 Mar" (day, week). */
export function shortLabel(label, granularity) {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?: (\d\d:\d\d))?/.exec(String(label));
  if (!m) return String(label);
  if (granularity === 'hour' && m[4]) return m[4];
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] || m[2]}`;
}

/** The x axis title of a granularity. */
export function xAxisTitle(granularity, timeZone) {
  const what = { hour: 'Hour', day: 'Day', week: 'Week (from Monday)' }[granularity] || 'Period';
  return timeZone ? `${what}, ${timeZone}` : what;
}

export const PERIODS = [
  { value: 'today', name: 'Today', granularity: 'hour' },
  { value: '7d', name: '7 days', granularity: 'day' },
  { value: '30d', name: '30 days', granularity: 'day' },
  { value: 'custom', name: 'Custom', granularity: 'day' },
];

export const GRANULARITIES = [
  { value: 'hour', name: 'Hour' },
  { value: 'day', name: 'Day' },
  { value: 'week', name: 'Week' },
];

/**
 * The query string of `GET /api/reports` for the page's controls: {site (id or ''), period,
 * from, to (YYYY-MM-DD, custom only), granularity}.
 */
export function reportQuery({ site, period, from, to, granularity }) {
  const q = new URLSearchParams();
  if (site) q.set('site', String(site));
  if (period === 'custom') {
    if (from) q.set('from', from);
    if (to) q.set('to', to);
  } else q.set('period', period);
  q.set('granularity', granularity);
  return q.toString();
}

/** What a chart's picture says, for its accessible name. */
export function chartLabel(def, report) {
  const n = report.series?.length || 0;
  const per = { hour: 'per hour', day: 'per day', week: 'per week' }[report.granularity] || '';
  const all = def.series.map((s) => s.name);
  const names = all.length > 1 ? `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}` : all[0];
  if (!n) return `${def.title}: no data`;
  const first = report.series[0].label;
  const last = report.series[n - 1].label;
  return `${def.title}: ${names} ${per}, ${first} to ${last}`;
}
