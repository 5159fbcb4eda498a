// What an agent learns about a visitor (pages, referrer, browser, GeoIP location), and a chat
// that survives navigation and a second tab. The browser reaches frontdesk through a reverse
// proxy (in the harness) that adds X-Forwarded-For: 81.2.69.142 to every request, the WebSocket
// upgrade included; the server trusts 127.0.0.1 as a proxy, and the test GeoIP database places
// that address in London.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, customerSite, browser, geoipDb, forwardingProxy } from './lib/harness.mjs';
import { shop, shopPage, widget, startChat, agentSays, logTexts } from './lib/widget.mjs';

const VISITOR_IP = '81.2.69.142';
let fd, chromium, proxy;
const closers = [];

before(async () => {
  fd = await Frontdesk.start({ extraArgs: ['--geoip-db', geoipDb, '--trusted-proxy', '127.0.0.1'] });
  proxy = await forwardingProxy(fd.base, VISITOR_IP);
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  for (const c of closers) await c();
  await proxy?.close();
  await fd?.stop();
});

/** A three-page shop; every page has the snippet and links onward. */
async function threePageShop(name) {
  const s = await shop(fd, (snippet) => ({
    '/': shopPage('Home', snippet, { '/shoes': 'Shoes' }),
    '/shoes': shopPage('Shoes', snippet, { '/shoes/trail': 'Trail shoes', '/': 'Home' }),
    '/shoes/trail': shopPage('Trail shoes', snippet, { '/': 'Home', '/shoes': 'Shoes' }),
  }), { name, base: proxy.base });
  closers.push(s.close);
  return s;
}

test('agent sees the pages, referrer, browser and location of a visitor who chats', async (t) => {
  const s = await threePageShop('Acme');
  const email = 'olive@acme.example';
  fd.agent({ email, name: 'Olive' });
  const agent = await fd.agentSocket(email);
  t.after(() => agent.close());
  // A search engine on a third origin links to the shop; its referrer policy sends the full URL.
  const search = await customerSite({
    '/results': '<!doctype html><html><head><meta name="referrer" content="unsafe-url"><title>Results</title></head>' +
      `<body><a href="${s.url('/')}">Acme shoes</a></body></html>`,
  });
  closers.push(search.close);
  const referrer = `${search.origin}/results?q=trail+shoes`;

  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const ua = await page.evaluate(() => navigator.userAgent);
  await page.goto(referrer);
  await page.getByRole('link', { name: 'Acme shoes' }).click();
  await page.waitForURL(s.url('/'));

  // Live: one visitor.update per page, in order, as the visitor moves.
  const seen = [];
  const arrive = async (path) => {
    const u = await agent.expect((f) => f.type === 'visitor.update' && f.page.url === s.url(path), `visitor.update ${path}`);
    seen.push(u);
    return u;
  };
  const first = await arrive('/');
  assert.equal(first.page.referrer, referrer);
  assert.equal(first.page.title, 'Home');
  await page.getByRole('link', { name: 'Shoes' }).click();
  await arrive('/shoes');
  await page.getByRole('link', { name: 'Trail shoes' }).click();
  const third = await arrive('/shoes/trail');
  assert.equal(third.page.title, 'Trail shoes');
  assert.equal(third.page.referrer, s.url('/shoes'));
  const visitorId = first.visitor_id;
  for (const u of seen) {
    assert.equal(u.visitor_id, visitorId, 'one visitor across pages');
    assert.equal(u.visit_id, first.visit_id, 'one visit across pages');
    assert.equal(u.location_text, 'London, England, United Kingdom');
  }
  const major = ua.match(/Chrom(?:e|ium)\/(\d+)/)[1];
  assert.match(third.browser, new RegExp(`^Chrom(e|ium) ${major}\\b`), `browser from ${ua}`);
  assert.equal(third.os, 'Linux');

  // The visitor chats.
  const w = widget(page);
  const chat = await startChat(page, agent);
  assert.equal(chat.visitor_id, visitorId);
  assert.equal(chat.page_url, s.url('/shoes/trail'));
  assert.equal(chat.site_name, 'Acme');
  await page.locator('frontdesk-widget .fd-title').getByText('Olive', { exact: true }).waitFor();
  await w.box.fill('Do you have these in size 44?');
  await w.box.press('Enter');
  const m = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message');
  assert.equal(m.body, 'Do you have these in size 44?');
  assert.equal(m.chat_id, chat.chat_id);
  await agentSays(agent, chat.chat_id, 'We do, in blue and grey.');
  await w.bubble('We do, in blue and grey.').waitFor();
  const withChat = await agent.expect((f) => f.type === 'visitor.update' && f.visitor_id === visitorId && f.chat_id === chat.chat_id, 'visitor.update with chat');
  assert.equal(withChat.page.url, s.url('/shoes/trail'));

  // Visit Detail over REST, as the console's Refresh reads it.
  const cookie = await fd.login(email);
  const d = await fd.api(cookie, `/api/sites/${s.site.site_id}/visitors/${encodeURIComponent(visitorId)}`);
  assert.equal(d.visitor.visitor_id, visitorId);
  const v = d.current_visit;
  assert.deepEqual(v.pages.map((p) => p.url), [s.url('/'), s.url('/shoes'), s.url('/shoes/trail')]);
  assert.deepEqual(v.pages.map((p) => p.title), ['Home', 'Shoes', 'Trail shoes']);
  for (let i = 1; i < v.pages.length; i++) assert.ok(v.pages[i].viewed_at >= v.pages[i - 1].viewed_at, 'pages in time order');
  assert.equal(v.referrer, referrer);
  assert.equal(v.ip, VISITOR_IP);
  assert.equal(v.user_agent, ua);
  assert.match(v.browser, new RegExp(`^Chrom(e|ium) ${major}\\b`));
  assert.equal(v.os, 'Linux');
  assert.equal(v.location_text, 'London, England, United Kingdom');
  assert.deepEqual(
    { city: v.location.city, region: v.location.region, country: v.location.country, code: v.location.country_code },
    { city: 'London', region: 'England', country: 'United Kingdom', code: 'GB' });
  assert.deepEqual(d.previous_visits, []);
  assert.deepEqual(d.chats.map((c) => [c.chat_id, c.state]), [[chat.chat_id, 'active']]);
  assert.equal(d.has_chat_history, false);
});

test('a chat survives navigation and a second tab: nothing lost, nothing doubled', async (t) => {
  const s = await threePageShop('Nav');
  const email = 'nina@nav.example';
  fd.agent({ email, name: 'Nina', sites: [s.site.key] });
  const agent = await fd.agentSocket(email);
  t.after(() => agent.close());
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/'));
  const w = widget(page);
  const chat = await startChat(page, agent);
  const say = (body) => agentSays(agent, chat.chat_id, body);

  await w.box.fill('Hello from page one');
  await w.box.press('Enter');
  await agent.expect((f) => f.type === 'message' && f.body === 'Hello from page one', 'visitor message');
  await say('Answer one');
  await w.bubble('Answer one').waitFor();

  // Navigate; while the next page is loading (its widget.js held back) the agent writes twice.
  let held;
  const holding = new Promise((r) => { held = r; });
  await page.route(`${proxy.base}/widget.js`, async (route) => {
    await say('While loading one');
    await say('While loading two');
    held();
    await route.continue();
  }, { times: 1 });
  await page.getByRole('link', { name: 'Shoes' }).click();
  await holding;
  await page.waitForURL(s.url('/shoes'));

  // The panel reopens by itself, at the chat, with the history and the missed messages.
  await w.panel.waitFor({ state: 'visible' });
  await w.bubble('While loading two').waitFor();
  await w.box.waitFor({ state: 'visible' });
  await say('After the move');
  await w.bubble('After the move').waitFor();
  const all = ['Hello from page one', 'Answer one', 'While loading one', 'While loading two', 'After the move'];
  assert.deepEqual(await logTexts(page), all, 'page two: every message once, in order');

  // A second tab on another page: the same chat, whole, and both tabs stay in step.
  const tab2 = await context.newPage();
  await tab2.goto(s.url('/shoes/trail'));
  const w2 = widget(tab2);
  await w2.panel.waitFor({ state: 'visible' });
  await w2.bubble('After the move').waitFor();
  await w2.box.fill('Written in tab two');
  await w2.box.press('Enter');
  const fromTab2 = await agent.expect((f) => f.type === 'message' && f.body === 'Written in tab two', 'tab two message');
  assert.equal(fromTab2.chat_id, chat.chat_id);
  await say('Seen in both tabs');
  await w.bubble('Seen in both tabs').waitFor();
  await w2.bubble('Seen in both tabs').waitFor();
  const everything = [...all, 'Written in tab two', 'Seen in both tabs'];
  assert.deepEqual(await logTexts(page), everything, 'tab one');
  assert.deepEqual(await logTexts(tab2), everything, 'tab two');
  assert.equal(await tab2.locator('frontdesk-widget .fd-sending, frontdesk-widget .fd-failed').count(), 0, 'nothing left unconfirmed');

  // And a reload of the first tab shows the same transcript again.
  await page.reload();
  await w.bubble('Seen in both tabs').waitFor();
  await say('After reload');
  await w.bubble('After reload').waitFor();
  assert.deepEqual(await logTexts(page), [...everything, 'After reload'], 'after reload');

  // The visitor ends the chat; the next page reopens the panel without asking for a new chat.
  await tab2.close();
  await page.getByRole('button', { name: 'End chat' }).click();
  const ended = await agent.expect((f) => f.type === 'chat.ended' && f.chat_id === chat.chat_id, 'chat.ended');
  assert.equal(ended.reason, 'visitor');
  await w.status.getByText('This chat has ended.', { exact: true }).waitFor();
  await page.goto(s.url('/'));
  await agent.expect((f) => f.type === 'visitor.update' && f.page.url === s.url('/') && f.chat_id === null, 'visitor.update without chat');
  await w.panel.waitFor({ state: 'visible' });
  await page.getByRole('button', { name: 'Start chat' }).waitFor();
  assert.equal(await page.getByText('Waiting for an agent…').count(), 0);
  assert.deepEqual(await logTexts(page), [], 'a fresh start');
  assert.equal(agent.frames.filter((f) => f.type === 'chat.requested').length, 0, 'no chat asked for by itself');
});

test('a message typed while the connection is down survives a navigation and is sent once', async (t) => {
  const link = await forwardingProxy(fd.base, VISITOR_IP); // an outage of our own
  closers.push(link.close);
  const s = await shop(fd, (snippet) => ({
    '/': shopPage('Home', snippet, { '/shoes': 'Shoes' }),
    '/shoes': shopPage('Shoes', snippet),
  }), { name: 'Outage', base: link.base });
  closers.push(s.close);
  fd.agent({ email: 'oscar@outage.example', name: 'Oscar', sites: [s.site.key] });
  const agent = await fd.agentSocket('oscar@outage.example');
  t.after(() => agent.close());
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/'));
  const w = widget(page);
  const chat = await startChat(page, agent);

  link.cutWebSockets();
  await page.locator('frontdesk-widget .fd-sub').getByText('Reconnecting…').waitFor();
  await w.box.fill('Typed during the outage');
  await w.box.press('Enter');
  await page.locator('frontdesk-widget .fd-sending').getByText('Typed during the outage').waitFor();
  await page.goto(s.url('/shoes'));
  // The next page shows it, still waiting to be sent.
  await page.locator('frontdesk-widget .fd-sending').getByText('Typed during the outage').waitFor();

  link.restoreWebSockets();
  const m = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'the message after the outage');
  assert.equal(m.body, 'Typed during the outage');
  assert.equal(m.chat_id, chat.chat_id);
  await agentSays(agent, chat.chat_id, 'Got it');
  await w.bubble('Got it').waitFor();
  assert.deepEqual(await logTexts(page), ['Typed during the outage', 'Got it']);
  assert.equal(await page.locator('frontdesk-widget .fd-sending, frontdesk-widget .fd-failed').count(), 0, 'confirmed');
  assert.equal(agent.frames.filter((f) => f.type === 'message' && f.from === 'visitor').length, 0, 'sent once');
});
