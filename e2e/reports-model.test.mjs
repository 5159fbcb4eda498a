// The Reports page's pure parts (web/console/js/views/reports/model.js): durations as people
// read them, axis ticks, the CSV of each chart built from a Report, the query of the
// controls. No browser, no server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repo } from './lib/harness.mjs';

const {
  CHARTS, formatDuration, formatValue, csvFor, csvField, ticksFor, shortLabel, reportQuery, chartLabel,
} = await import(pathToFileURL(join(repo, 'web', 'console', 'js', 'views', 'reports', 'model.js')).href);

const bucket = (label, f) => ({
  start: 0, label, chats: 0, missed: 0, offline_messages: 0, wait_median_secs: null, wait_p90_secs: null,
  first_response_median_secs: null, duration_median_secs: null, messages_per_chat: null,
  ratings: 0, ratings_good: 0, good_share: null, ...f,
});

const report = {
  from: 0, to: 0, granularity: 'day', time_zone: 'Europe/Berlin',
  totals: bucket('', { chats: 3 }),
  series: [
    bucket('2026-03-28', { chats: 2, missed: 1, wait_median_secs: 65, wait_p90_secs: 3700, ratings: 2, ratings_good: 1, good_share: 0.5 }),
    bucket('2026-03-29', { chats: 1, messages_per_chat: 7.5 }),
  ],
  agents: [{ agent_id: 7, name: 'Ann, "the fast"', chats: 2, first_response_median_secs: 12, ratings: 1, ratings_good: 1, online_secs: 5400 }],
  heat_map: Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, hr) => (d === 5 && hr === 14 ? 2 : 0))),
};

test('durations read as people say them; no data is a dash', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(60), '1 min');
  assert.equal(formatDuration(65), '1 min 5 s');
  assert.equal(formatDuration(3600), '1 h');
  assert.equal(formatDuration(3700), '1 h 2 min');
  assert.equal(formatDuration(90000), '1 d 1 h');
  assert.equal(formatDuration(null), '—');
  assert.equal(formatValue(0.5, 'share'), '50%');
  assert.equal(formatValue(7.5, 'decimal'), '7.50');
  assert.equal(formatValue(null, 'count'), '—');
  assert.equal(formatValue(3, 'count'), '3');
});

test('ticks start at 0, reach the largest value and use round steps', () => {
  assert.deepEqual(ticksFor(0, 'count'), { ticks: [0, 1], top: 1 });
  assert.deepEqual(ticksFor(7, 'count').ticks, [0, 2, 4, 6, 8]);
  const d = ticksFor(3700, 'duration');
  assert.ok(d.top >= 3700 && d.ticks.every((t) => t % 60 === 0), JSON.stringify(d));
  assert.deepEqual(ticksFor(0.3, 'share').ticks, [0, 0.25, 0.5, 0.75, 1]);
  const m = ticksFor(7.5, 'decimal');
  assert.ok(m.top >= 7.5 && m.ticks.length <= 6, JSON.stringify(m));
});

test('each chart\'s CSV has one row per bucket with exactly the JSON numbers (empty for no data)', () => {
  assert.equal(csvFor('volume', report), 'bucket,chats,missed,offline_messages\r\n2026-03-28,2,1,0\r\n2026-03-29,1,0,0\r\n');
  assert.equal(csvFor('wait', report), 'bucket,wait_median_secs,wait_p90_secs\r\n2026-03-28,65,3700\r\n2026-03-29,,\r\n');
  assert.equal(csvFor('ratings', report), 'bucket,ratings,ratings_good,good_share\r\n2026-03-28,2,1,0.5\r\n2026-03-29,0,0,\r\n');
  assert.equal(csvFor('messages', report), 'bucket,messages_per_chat\r\n2026-03-28,\r\n2026-03-29,7.5\r\n');
  // Fractions as serde_json writes them (the server's CSV does too): 2.0, not 2.
  const whole = { ...report, series: [bucket('2026-03-30', { messages_per_chat: 2, ratings: 1, ratings_good: 1, good_share: 1 })] };
  assert.equal(csvFor('messages', whole), 'bucket,messages_per_chat\r\n2026-03-30,2.0\r\n');
  assert.equal(csvFor('ratings', whole), 'bucket,ratings,ratings_good,good_share\r\n2026-03-30,1,1,1.0\r\n');
  assert.equal(csvFor('agents', report),
    'agent_id,name,chats,first_response_median_secs,ratings,ratings_good,online_secs\r\n7,"Ann, ""the fast""",2,12,1,1,5400\r\n');
  const heat = csvFor('heat_map', report).split('\r\n');
  assert.equal(heat[0], `weekday,${Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0')).join(',')}`);
  assert.equal(heat.length, 9); // header, 7 weekdays, the empty string after the last CRLF
  assert.match(heat[6], /^Saturday,(0,){14}2,(0,){8}0$/);
  for (const c of CHARTS) assert.match(csvFor(c.chart, report), /^bucket,/);
  assert.throws(() => csvFor('nope', report));
  // As the server's cell(): a formula is defused with a quote, and then quoted.
  assert.equal(csvField('=1+1'), `"'=1+1"`);
  assert.equal(csvField('-1'), `"'-1"`);
  assert.equal(csvField('=HYPERLINK("x"), Ann'), `"'=HYPERLINK(""x""), Ann"`);
  assert.equal(csvField('a\nb'), '"a\nb"');
  assert.equal(csvField('plain'), 'plain');
});

test('axis labels, the chart\'s accessible name and the query of the controls', () => {
  assert.equal(shortLabel('2026-03-29 14:00', 'hour'), '14:00');
  assert.equal(shortLabel('2026-03-29', 'day'), '29 Mar');
  assert.equal(chartLabel(CHARTS[0], report), 'Chats: Chats, Missed and Offline messages per day, 2026-03-28 to 2026-03-29');
  assert.equal(reportQuery({ site: 3, period: '7d', granularity: 'day' }), 'site=3&period=7d&granularity=day');
  assert.equal(reportQuery({ site: '', period: 'custom', from: '2026-03-01', to: '2026-03-31', granularity: 'week' }),
    'from=2026-03-01&to=2026-03-31&granularity=week');
});
