// "Reports" in the console (issue 15), end to end through the real server: after two chats
// made with the real widget, an admin opens Reports and sees the totals; a change of period
// redraws the page; every chart's "Download CSV" holds exactly the numbers its data table
// shows, byte for byte the server's CSV of the same report; a plain agent has no "Reports",
// a supervisor has it for the sites they supervise;
// at tablet width (768 px) and at phone width the page never scrolls sideways.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, endChat, exactly,
} from './lib/console.mjs';
import { repo } from './lib/harness.mjs';

const { CHARTS, formatValue } = await import(pathToFileURL(join(repo, 'web', 'console', 'js', 'views', 'reports', 'model.js')).href);

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const nav = (a, name) => a.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true });
const reports = (a) => a.page.getByRole('main', { name: 'Reports' });
/** The figure shown under the total called `name`. */
const total = (a, name) => reports(a).locator('.report-total')
  .filter({ has: a.page.getByRole('term').filter({ hasText: exactly(name) }) }).getByRole('definition');
const card = (a, name) => reports(a).getByRole('region', { name, exact: true });
const utcDay = () => new Date().toISOString().slice(0, 10);

/** The rows of a card's data table: [header, ...cells] texts. */
async function tableRows(cardLocator) {
  const details = cardLocator.locator('details');
  if (await details.count()) await details.evaluate((d) => { d.open = true; });
  return cardLocator.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
}

/** Minimal RFC 4180 reader (the CSVs here have no line breaks inside fields). */
function parseCsv(textValue) {
  assert.ok(textValue.endsWith('\r\n'), 'CSV lines end with CRLF');
  return textValue.slice(0, -2).split('\r\n').map((line) => {
    const out = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (ch === '"') quoted = false; else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
    }
    out.push(cur);
    return out;
  });
}

async function download(a, name) {
  const [d] = await Promise.all([
    a.page.waitForEvent('download'),
    card(a, name).getByRole('button', { name: `Download CSV: ${name}`, exact: true }).click(),
  ]);
  return { file: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8') };
}

async function choosePeriod(a, label) {
  await reports(a).getByLabel('Period', { exact: true }).selectOption({ label });
}

test('an admin sees the totals of the chats made, changes the period, and each CSV equals its chart', async () => {
  const shop = await customerShop(env, { name: 'Ledger' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const madeOn = utcDay();
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(alice, vera);
  await vera.say('Where is my parcel?');
  await alice.say('Vera', 'It left this morning.');
  await vera.bubble('It left this morning.').waitFor();
  await endChat(alice, vera);
  const walt = await openVisitor(env, shop, '/pricing', { name: 'Walt' });
  await walt.requestChat();
  await takeChat(alice, walt);
  await alice.say('Walt', 'Hello Walt.');
  await walt.bubble('Hello Walt.').waitFor();
  await walt.say('Hi!'); // 4 messages in 2 chats: 2 per chat, which JSON writes "2.0" (and so must the CSV)

  // A plain agent has no "Reports".
  await nav(alice, 'Console').waitFor();
  assert.equal(await nav(alice, 'Reports').isVisible(), false, 'no "Reports" for a plain agent');

  const ada = await signIn(env, addAgent(env, { name: 'Ada', admin: true, sites: [shop] }));
  // Both Away before the report is read: an On-Line agent's time grows with every heartbeat
  // (10 s), so the Agents CSV downloaded from the report shown could differ from the server's
  // CSV fetched seconds later; Away agents' times stand still.
  // A visitor's widget shows "Leave a message" once the server has both Away.
  const browsing = await openVisitor(env, shop, '/');
  await browsing.launcher.waitFor();
  for (const agent of [alice, ada]) {
    await agent.page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Away' });
  }
  await browsing.page.getByRole('button', { name: 'Leave a message', exact: true }).waitFor();
  await nav(ada, 'Reports').click();
  const page = reports(ada);
  await page.getByRole('heading', { name: 'Totals' }).waitFor();
  await page.getByLabel('Site', { exact: true }).selectOption({ label: 'Ledger' });
  // Today: the report says which day it covers (the site's time zone is UTC); on the day
  // the chats were made it has both (a run across midnight sees the next day's: none).
  const summary = page.locator('.report-summary');
  await summary.filter({ hasText: /^\d{4}-\d\d-\d\d 00:00 to / }).waitFor();
  const today = (await summary.innerText()).slice(0, 10);
  await total(ada, 'Chats').filter({ hasText: exactly(today === madeOn ? '2' : '0') }).waitFor();
  await total(ada, 'Missed chats').filter({ hasText: exactly('0') }).waitFor();

  // Custom: a week long past has nothing, one bucket a day.
  await choosePeriod(ada, 'Custom');
  await page.getByLabel('To', { exact: true }).fill('2020-01-07');
  await page.getByRole('status').filter({ hasText: '“From” is after “To”.' }).waitFor();
  await page.getByLabel('From', { exact: true }).fill('2020-01-01');
  await total(ada, 'Chats').filter({ hasText: exactly('0') }).waitFor();
  await card(ada, 'Chats').locator('svg[role="img"][aria-label*="2020-01-01 to 2020-01-07"]').waitFor();
  const empty = await tableRows(card(ada, 'Chats'));
  assert.deepEqual(empty.map((r) => r[0]), ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04', '2020-01-05', '2020-01-06', '2020-01-07']);
  assert.ok(empty.every((r) => r[1] === '0'), JSON.stringify(empty));
  assert.equal(await total(ada, 'Median wait').innerText(), '—', 'no wait without chats');

  // 7 days: the two chats are back, with real times, as people read them.
  await choosePeriod(ada, '7 days');
  await total(ada, 'Chats').filter({ hasText: exactly('2') }).waitFor();
  const query = await page.getAttribute('data-query'); // what the report shown was asked with
  assert.match(await total(ada, 'Median wait').innerText(), /^\d+ s$|^\d+ min( \d+ s)?$/);
  assert.match(await total(ada, 'Median first response').innerText(), /^\d+ s$|^\d+ min( \d+ s)?$/);
  assert.equal(await total(ada, 'Messages per chat').innerText(), '2.00');
  const agents = await tableRows(card(ada, 'Agents'));
  assert.deepEqual(agents.filter((r) => r[0] === 'Alice').map((r) => r.slice(0, 2)), [['Alice', '2']]);
  const volume = await tableRows(card(ada, 'Chats'));
  assert.equal(volume.reduce((s, r) => s + Number(r[1]), 0), 2, 'the chats of the series add up');
  assert.ok([madeOn, utcDay()].includes(volume[volume.length - 1][0]), 'the last bucket is today');

  // Every chart's CSV: the numbers of its data table, and the server's CSV byte for byte.
  const charts = [...CHARTS.map((c) => [c.title, c.chart]), ['Agents', 'agents'], ['Chats by weekday and hour', 'heat_map']];
  for (const [name, chart] of charts) {
    const { file, text } = await download(ada, name);
    assert.match(file, /\.csv$/);
    const rows = parseCsv(text);
    const shown = await tableRows(card(ada, name));
    const def = CHARTS.find((c) => c.chart === chart);
    if (def) {
      const units = [...def.series.map(() => def.unit), ...(def.extra || []).map((x) => x.unit)];
      assert.deepEqual(rows.slice(1).map((r) => [r[0], ...r.slice(1).map((v, i) => formatValue(v === '' ? null : Number(v), units[i]))]), shown,
        `${name}: the CSV holds the numbers the chart shows`);
    } else if (chart === 'agents') {
      assert.deepEqual(rows.slice(1).map((r) => [r[1], r[2]]), shown.map((r) => r.slice(0, 2)));
    } else {
      assert.deepEqual(rows.slice(1), shown, 'heat map: weekday rows of 24 hours');
      assert.equal(rows.slice(1).flat().slice(1).reduce((s, v) => s + (Number(v) || 0), 0), 2);
    }
    const server = await ada.page.request.get(`${env.fd.base}/api/reports.csv?${query}&chart=${chart}`);
    assert.equal(server.status(), 200, `server CSV of ${chart}`);
    assert.equal(text, await server.text(), `${name}: the download equals the server's CSV`);
  }
  ada.assertClean();
  alice.assertClean();
});

test('a supervisor who is no admin gets "Reports" for the sites they supervise, and only those', async () => {
  const shop = await customerShop(env, { name: 'Overlook' });
  const other = await customerShop(env, { name: 'Elsewhere' });
  const admin = addAgent(env, { name: 'Ada', admin: true, sites: [shop] });
  const sam = addAgent(env, { name: 'Sam', sites: [shop, other] });
  const cookie = await env.fd.login(admin.email);
  await env.fd.api(cookie, `/api/admin/agents/${sam.id}`, { method: 'PUT', body: { supervises: [shop.site.site_id] } });
  const s = await signIn(env, sam);
  await nav(s, 'Reports').click();
  await reports(s).getByRole('heading', { name: 'Totals' }).waitFor();
  const options = await reports(s).getByLabel('Site', { exact: true }).locator('option').allTextContents();
  assert.deepEqual(options, ['All sites', 'Overlook']);
  await reports(s).getByLabel('Site', { exact: true }).selectOption({ label: 'Overlook' });
  await total(s, 'Chats').filter({ hasText: exactly('0') }).waitFor();
  s.assertClean();
});

test('Reports at 768 px and at phone width: no sideways scrolling, charts inside the window', async () => {
  const shop = await customerShop(env, { name: 'Narrow' });
  const agent = addAgent(env, { name: 'Nora', admin: true, sites: [shop] });
  for (const viewport of [{ width: 768, height: 1024 }, { width: 390, height: 844 }]) {
    const nora = await signIn(env, agent, { contextOptions: { viewport, hasTouch: true } });
    await nav(nora, 'Reports').click();
    await reports(nora).getByRole('heading', { name: 'Totals' }).waitFor();
    await card(nora, 'Chats').locator('svg[role="img"]').waitFor();
    const { scroll, width, widest } = await nora.page.evaluate(() => ({
      scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth,
        document.querySelector('.reports-page').scrollWidth),
      width: window.innerWidth,
      widest: Math.max(...[...document.querySelectorAll('.reports-page svg')].map((s) => s.getBoundingClientRect().right)),
    }));
    assert.ok(scroll <= width, `${width} px: the page is ${scroll} px wide`);
    assert.ok(widest <= width, `${width} px: a chart reaches ${widest} px`);
    nora.assertClean();
    await nora.close();
  }
});
