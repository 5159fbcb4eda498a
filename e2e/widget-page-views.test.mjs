// Real-browser page life (issue 17): a visitor who leaves pages before the widget's socket
// opened still has every page in Visit Detail (the widget reports them by beacon on pagehide),
// and a page restored from the back/forward cache reconnects and catches up. The sockets of
// the first pages are held at a reverse proxy (they never open), as on a slow network.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, customerSite, browser, forwardingProxy, WAIT } from './lib/harness.mjs';
import { shop, shopPage, widget, startChat, agentSays, logTexts } from './lib/widget.mjs';

let fd, proxy;
const closers = [];

before(async () => {
  fd = await Frontdesk.start();
  proxy = await forwardingProxy(fd.base, '127.0.0.1');
});

after(async () => {
  for (const c of closers.reverse()) await c();
  await proxy?.close();
  await fd?.stop();
});

const PATHS = ['/one', '/two', '/three', '/four', '/five'];

async function fiveUrlShop(name) {
  const s = await shop(fd, (snippet) => Object.fromEntries(PATHS.map((p, i) =>
    [p, shopPage(`Page ${i + 1}`, snippet, { [PATHS[(i + 1) % 5]]: 'Next' })])), { name, base: proxy.base });
  closers.push(s.close);
  const email = `agent@${name.toLowerCase()}.example`;
  fd.agent({ email, name: 'Olive', sites: [s.site.key] });
  const agent = await fd.agentSocket(email);
  closers.push(async () => agent.close());
  return { s, agent, cookie: await fd.login(email) };
}

/** Polls Visit Detail (REST) until `done(detail)`; a deadline, not a sleep. */
async function visitDetail(cookie, s, visitorId, done) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const d = await fd.api(cookie, `/api/sites/${s.site.site_id}/visitors/${encodeURIComponent(visitorId)}`);
    if (done(d) || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('pages left before the socket opened are still in Visit Detail, for a new visitor and for a known one', async () => {
  const { s, agent, cookie } = await fiveUrlShop('Quick');
  const chromium = await browser();
  closers.push(() => chromium.close());
  const context = await chromium.newContext();
  const page = await context.newPage();

  // A first visit: two pages whose sockets never open, then one whose socket does.
  for (const path of ['/one', '/two']) {
    const held = proxy.holdNextWebSocket();
    await page.goto(s.url(path));
    await held.arrived; // the widget ran and its socket is waiting
  }
  await page.goto(s.url('/three'));
  const third = await agent.expect((f) => f.type === 'visitor.update' && f.page.url === s.url('/three'), 'visitor.update /three');
  let d = await visitDetail(cookie, s, third.visitor_id, (x) => x.current_visit?.pages.length >= 3);
  assert.equal(d.visitor.visitor_id, third.visitor_id);
  assert.deepEqual(d.current_visit.pages.map((p) => p.url).sort(), ['/one', '/three', '/two'].map((p) => s.url(p)).sort(),
    'the two pages reported by beacon and the page whose socket said hello: one visitor, one visit');
  assert.deepEqual(d.current_visit.pages.map((p) => p.title).sort(), ['Page 1', 'Page 2', 'Page 3']);
  assert.deepEqual(d.previous_visits, []);

  // Known now (it has a token): a page left before its socket opened, then the next.
  const held = proxy.holdNextWebSocket();
  await page.goto(s.url('/four'));
  await held.arrived;
  await page.goto(s.url('/five'));
  await agent.expect((f) => f.type === 'visitor.update' && f.page.url === s.url('/five'), 'visitor.update /five');
  d = await visitDetail(cookie, s, third.visitor_id, (x) => x.current_visit?.pages.length >= 5);
  assert.deepEqual(d.current_visit.pages.map((p) => p.url).sort(), PATHS.map((p) => s.url(p)).sort());
  assert.equal(d.current_visit.pages.length, 5, 'each page once: a page whose socket said hello sends no beacon');
  await context.close();
});

test('a page restored from the back/forward cache reconnects and shows what the agent sent meanwhile', async () => {
  const { s, agent } = await fiveUrlShop('Cache');
  const elsewhere = await customerSite({ '/news': '<!doctype html><html lang="en"><title>News</title><h1>News</h1></html>' });
  closers.push(elsewhere.close);
  // Playwright switches the back/forward cache off unless told not to; visitors have it on.
  const chromium = await browser({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  closers.push(() => chromium.close());
  const context = await chromium.newContext();
  await context.addInitScript(() => {
    window.__fdRestored = 0;
    addEventListener('pageshow', (e) => { if (e.persisted) window.__fdRestored++; });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(s.url('/one'));
  const w = widget(page);
  const chat = await startChat(page, agent);
  await agentSays(agent, chat.chat_id, 'Hello from Olive');
  await w.bubble('Hello from Olive').waitFor();

  // Away to another site; the page's socket closes as it enters the cache.
  await page.goto(`${elsewhere.origin}/news`);
  await agentSays(agent, chat.chat_id, 'While you were away');

  await page.goBack({ waitUntil: 'commit' }); // a restore fires no load event
  await page.waitForFunction(() => window.__fdRestored === 1, null, { timeout: WAIT });
  await w.bubble('While you were away').waitFor();
  assert.deepEqual(await logTexts(page), ['Hello from Olive', 'While you were away'], 'caught up, nothing twice');
  await w.box.fill('Back again');
  await w.box.press('Enter');
  await agent.expect((f) => f.type === 'message' && f.body === 'Back again', 'the visitor\'s message after the restore');
  assert.deepEqual(errors, []);
  await context.close();
});
