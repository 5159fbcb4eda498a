// Send Link as visitors have their browsers: with the pop-up blocker on (every visitor's
// default), a link the agent sends cannot open a tab by itself (no click), so it must reach the
// visitor as an "Open page" button that opens the page in a new tab on a click or a key press;
// with the blocker off the page also opens at once. Both configurations, in Chromium
// (playwright-core switches the blocker off unless told not to) and Firefox (puppeteer sets
// dom.disable_open_during_load to false unless told otherwise).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, browser } from './lib/harness.mjs';
import { shop, shopPage, widget, startChat, agentSays } from './lib/widget.mjs';
import { firefox } from './lib/firefox.mjs';
import { FirefoxVisitor, startChatFirefox } from './lib/firefox-widget.mjs';

let fd;
const closers = [];
let nAgent = 0;

before(async () => {
  fd = await Frontdesk.start();
});

after(async () => {
  for (const c of closers.reverse()) await c();
  await fd?.stop();
});

/** A shop with a guide page and its own agent (On-Line, an agent socket). */
async function shopWithAgent(t, name) {
  const s = await shop(fd, (snippet) => ({
    '/': shopPage('Home', snippet),
    '/guide': '<!doctype html><html lang="en"><title>Size guide</title><h1>Size guide</h1></html>',
  }), { name });
  closers.push(s.close);
  const email = `agent${++nAgent}@${name.toLowerCase()}.example`;
  fd.agent({ email, name: 'Olive', sites: [s.site.key] });
  const agent = await fd.agentSocket(email);
  t.after(() => agent.close());
  return { s, agent };
}

/** The agent sends the link; resolves with the stored link message's URL. */
async function sendLink(agent, chatId, url, clientId) {
  const ack = await agent.request({ type: 'link', chat_id: chatId, client_id: clientId, url });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  const own = await agent.expect((f) => f.type === 'message' && f.kind === 'link', 'link message');
  return own.body;
}

for (const blocker of [true, false]) {
  const label = blocker ? 'on' : 'off';

  test(`Chromium, pop-up blocker ${label}: the link is an "Open page" button that opens the page in a new tab by click and by key${blocker ? '' : ', and the page opened at once'}`, async (t) => {
    const chromium = await browser(blocker ? { ignoreDefaultArgs: ['--disable-popup-blocking'] } : {});
    t.after(() => chromium.close());
    const { s, agent } = await shopWithAgent(t, `Chrome${label}`);
    const context = await chromium.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const tabs = [];
    context.on('page', (p) => tabs.push(p));
    await page.goto(s.url('/'));
    const w = widget(page);
    const chat = await startChat(page, agent);

    // The visitor's click on the launcher lets the page open a tab for 5 s (transient user
    // activation); the link comes later, as it does when the visitor reads before the agent
    // sends it.
    if (blocker) await page.waitForFunction(() => !navigator.userActivation.isActive);
    const atOnce = blocker ? null : context.waitForEvent('page');
    const guide = await sendLink(agent, chat.chat_id, '/guide', 'l1');
    assert.equal(guide, s.url('/guide'));
    const button = w.log.getByRole('button', { name: 'Open page' });
    await button.waitFor();
    assert.equal(await button.getAttribute('href'), guide);
    assert.match(await button.getByText(guide, { exact: true }).textContent(), /guide/);
    if (atOnce) {
      const opened = await atOnce;
      await opened.waitForURL(guide);
      assert.equal(await opened.title(), 'Size guide');
      await opened.close();
    }
    // A message after the link: everything the widget did with the link frame is done.
    await agentSays(agent, chat.chat_id, 'Anything else?');
    await w.bubble('Anything else?').waitFor();
    // With the blocker on, whether the browser still let the page open the tab (a recent user
    // action counts) is the browser's call; what matters is the button below.
    if (!blocker) assert.equal(tabs.length, 1, 'opened at once');
    for (const p of tabs.splice(0)) await p.close();
    assert.equal(await w.log.getByRole('button', { name: 'Open page' }).count(), 1, 'one button for the link');

    // A click opens the page, with no opener, whatever the blocker says.
    let tab = context.waitForEvent('page');
    await button.click();
    const clicked = await tab;
    await clicked.waitForURL(guide);
    assert.equal(await clicked.title(), 'Size guide');
    assert.equal(await clicked.evaluate(() => window.opener), null, 'no opener');
    await clicked.close();

    // So does the keyboard: Space presses the button, Enter follows the link.
    for (const key of ['Space', 'Enter']) {
      tab = context.waitForEvent('page');
      await button.focus();
      await page.keyboard.press(key);
      const keyed = await tab;
      await keyed.waitForURL(guide);
      await keyed.close();
    }
    assert.equal(page.url(), s.url('/'), 'the visitor stays on the shop page');
    assert.deepEqual(errors, [], 'no uncaught error when the blocker refuses window.open');
    await context.close();
  });

  test(`Firefox, pop-up blocker ${label}: the "Open page" button opens the page in a new tab${blocker ? '' : ', and the page opened at once'}`, async (t) => {
    const ff = await firefox({ 'dom.disable_open_during_load': blocker });
    t.after(() => ff.close());
    const { s, agent } = await shopWithAgent(t, `Fox${label}`);
    const v = await FirefoxVisitor.open(ff, s.url('/'));
    t.after(() => v.close());
    const chat = await startChatFirefox(v, agent);
    const guide = s.url('/guide');
    const opensGuide = () => ff.waitForTarget((target) => target.url() === guide, { timeout: 10_000 });

    // Every page call of the test driver counts as a user action (WebDriver BiDi
    // userActivation), which lets the page open tabs for 5 s after it. So one page call waits,
    // in the page, until that has passed (as for a visitor who reads before the agent sends the
    // link), says so on the console, and goes on watching until the link's button is there.
    const quiet = new Promise((resolve) => v.page.on('console', (m) => m.text() === 'fd-quiet' && resolve()));
    const watched = v.page.evaluate(() => new Promise((resolve) => {
      let said = false;
      const tick = setInterval(() => {
        if (!said && !navigator.userActivation.isActive) { said = true; console.log('fd-quiet'); }
        const root = document.querySelector('frontdesk-widget').shadowRoot;
        const card = said && root.querySelector('a.fd-card[role="button"]');
        if (card) { clearInterval(tick); resolve({ href: card.href, active: navigator.userActivation.isActive }); }
      }, 50);
    }));
    await quiet;
    const atOnce = blocker ? null : opensGuide();
    assert.equal(await sendLink(agent, chat.chat_id, '/guide', 'l1'), guide);
    const seen = await watched;
    assert.deepEqual(seen, { href: guide, active: false }, 'the link came while the page had no user action');
    const card = await v.find('a.fd-card[role="button"]');
    await v.waitText('.fd-card-go', 'Open page');
    if (atOnce) await (await (await atOnce).page())?.close();
    await agentSays(agent, chat.chat_id, 'Anything else?');
    await v.waitBubble('Anything else?');
    const shopPages = async () => (await v.context.pages()).filter((p) => p.url() === guide).length;
    assert.equal(await shopPages(), 0, blocker ? 'the blocker refused the tab nobody clicked for' : 'the tab opened at once was closed');

    const clicked = opensGuide();
    await card.click();
    const tab = await (await clicked).page();
    assert.ok(tab, 'a new tab');
    await tab.waitForFunction(() => document.title === 'Size guide');
    assert.equal(await tab.evaluate(() => window.opener), null, 'no opener');
    await tab.close();
    assert.equal(v.page.url(), s.url('/'), 'the visitor stays on the shop page');
    await v.assertClean();
  });
}
