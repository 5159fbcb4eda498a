// The console's layout: at 1280 px the pop-ups no longer cover "Visitors on Site"; at tablet
// width (768×1024, touch) every main control is on screen, not covered and usable by touch,
// the page never scrolls sideways, and the Chatting Visitors menu opens from a visible button.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Fails unless `locator` is on screen (inside the viewport) and its centre is not covered. */
async function assertUsable(locator, what) {
  await locator.scrollIntoViewIfNeeded();
  const problem = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return 'has no size';
    if (r.left < -0.5 || r.right > window.innerWidth + 0.5) return `is outside the viewport horizontally (${r.left}…${r.right})`;
    if (r.top < -0.5 || r.bottom > window.innerHeight + 0.5) return `is outside the viewport vertically (${r.top}…${r.bottom})`;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !(el === hit || el.contains(hit) || hit.contains(el))) return `is covered by ${hit ? hit.outerHTML.slice(0, 120) : 'nothing'}`;
    return null;
  });
  assert.equal(problem, null, `${what} ${problem}`);
}

async function noSidewaysScroll(page, when) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${when}: the page is ${scroll} px wide in a ${width} px window`);
}

test('1280 px: a pop-up sits beside "Visitors on Site", never over it, and the list makes room', async () => {
  const shop = await customerShop(env, { name: 'Wide' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const page = alice.page;
  const region = alice.visitorsOnSite;
  const vera = await openVisitor(env, shop, '/pricing', { name: 'Vera' });
  const veraEntry = region.getByRole('listitem').filter({ hasText: 'Pricing' });
  await veraEntry.waitFor();
  const heading = region.getByRole('heading', { name: 'Visitors on Site' });
  await vera.requestChat();
  for (const name of ['Walt', 'Xena']) {
    const v = await openVisitor(env, shop, '/', { name });
    await v.requestChat();
    await alice.popup(name).waitFor();
  }
  await alice.popup('Vera').waitFor();
  await page.waitForFunction(() => {
    const pops = document.querySelector('.popups').getBoundingClientRect();
    const panel = document.querySelector('.visitors').getBoundingClientRect();
    return panel.top >= pops.bottom;
  });
  const panel = await region.boundingBox();
  const stack = await page.locator('.popups').boundingBox();
  assert.ok(!overlap(stack, panel), `the pop-ups (${JSON.stringify(stack)}) do not cover Visitors on Site (${JSON.stringify(panel)})`);
  for (const p of await alice.popup().all()) {
    await assertUsable(p.getByRole('button', { name: 'Start Chatting' }), 'Start Chatting');
  }
  await assertUsable(heading, 'the heading of Visitors on Site');
  await assertUsable(veraEntry.getByRole('button', { name: 'Invite' }), 'Invite');
  const windows = await page.getByRole('region', { name: 'Chat windows' }).boundingBox();
  assert.ok(!overlap(await alice.popup('Vera').boundingBox(), windows), 'nor the chat windows');

  // Once answered, the pop-up goes and the panel takes its place back.
  await alice.popup('Vera').getByRole('button', { name: 'Start Chatting' }).click();
  await alice.popup('Walt').getByRole('button', { name: 'Dismiss' }).click();
  await alice.popup('Xena').getByRole('button', { name: 'Dismiss' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[role="alertdialog"]').length === 0);
  await page.waitForFunction(() => {
    const panel = document.querySelector('.visitors').getBoundingClientRect();
    const windows = document.querySelector('.windows').getBoundingClientRect();
    return Math.abs(panel.top - windows.top) < 1;
  });
  alice.assertClean();
});

test('tablet, 768×1024 with touch: every main control is on screen and usable, no sideways scrolling', async () => {
  const shop = await customerShop(env, { name: 'Tablet Shop' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }), {
    contextOptions: { viewport: { width: 768, height: 1024 }, hasTouch: true },
  });
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const page = alice.page;
  await noSidewaysScroll(page, 'signed in');
  const bar = page.getByRole('banner');
  for (const [loc, what] of [
    [bar.getByRole('combobox', { name: 'Status' }), 'Status'],
    [bar.getByRole('checkbox', { name: 'Tablet Shop' }), 'the site to monitor'],
    [bar.getByRole('button', { name: 'Options' }), 'Options'],
    [bar.getByRole('checkbox', { name: 'Sounds' }), 'Sounds'],
    [bar.getByRole('button', { name: 'Enable desktop notifications' }), 'Enable desktop notifications'],
    [bar.getByRole('button', { name: 'Shortcuts' }), 'Shortcuts'],
    [bar.getByRole('button', { name: 'Sign out' }), 'Sign out'],
  ]) await assertUsable(loc, what);

  // A chat request: the pop-up covers neither Visitors on Site nor Chatting Visitors.
  const vera = await openVisitor(env, shop, '/pricing', { name: 'Vera' });
  await alice.visitorsOnSite.getByRole('listitem').filter({ hasText: 'Pricing' }).waitFor();
  await vera.requestChat();
  const popup = alice.popup('Vera');
  await popup.waitFor();
  await page.waitForFunction(() => {
    const pops = document.querySelector('.popups').getBoundingClientRect();
    const panel = document.querySelector('.visitors').getBoundingClientRect();
    return panel.bottom <= pops.top;
  });
  // The pop-up slides in (6 px, 0.18 s): measure where it comes to rest, not mid-slide.
  await popup.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
  for (const name of ['Visitors on Site', 'Chatting Visitors']) {
    assert.ok(!overlap(await popup.boundingBox(), await page.getByRole('region', { name }).boundingBox()), `the pop-up leaves ${name} free`);
  }
  await assertUsable(alice.chatEntry('Vera'), 'the Chatting Visitors entry');
  await assertUsable(alice.visitorsOnSite.getByRole('heading', { name: 'Visitors on Site' }), 'Visitors on Site');
  await noSidewaysScroll(page, 'with a pop-up');
  const start = popup.getByRole('button', { name: 'Start Chatting' });
  await assertUsable(start, 'Start Chatting');
  await start.tap();
  const win = alice.window('Vera');
  await win.waitFor();
  await vera.status.getByText('You are chatting with Alice.').waitFor();
  await popup.waitFor({ state: 'detached' });

  // The chat window: every control on screen.
  for (const name of ['Send', 'Canned Responses', 'Save', 'Email', 'Block', 'Close', 'End Chat', 'Send Link', 'Transfer', 'Refresh']) {
    await assertUsable(win.getByRole('button', { name, exact: true }), `"${name}"`);
  }
  await assertUsable(alice.messageBox('Vera'), 'the Message box');
  await assertUsable(win.getByRole('textbox', { name: 'Link' }), 'the Link box');
  await assertUsable(win.getByRole('combobox', { name: 'Transfer' }), 'the Transfer list');
  const detail = win.getByRole('complementary', { name: 'Visit Detail' });
  await detail.getByText('Pages viewed (1)').waitFor();
  await assertUsable(detail.getByRole('link', { name: 'Pricing' }), 'the page in Visit Detail');
  await noSidewaysScroll(page, 'with a chat window');

  // Messages both ways, sent with a tap on "Send".
  await vera.say('Hello from a phone-sized screen?');
  await alice.message('Vera', 'Hello from a phone-sized screen?').waitFor();
  await alice.messageBox('Vera').fill('Hello from a tablet!');
  await win.getByRole('button', { name: 'Send', exact: true }).tap();
  await vera.bubble('Hello from a tablet!').waitFor();
  await assertUsable(alice.message('Vera', 'Hello from a tablet!'), 'the message sent');

  // Canned Responses and Save open by touch, their items on screen.
  await win.getByRole('button', { name: 'Canned Responses' }).tap();
  const canned = page.getByRole('menu', { name: 'Canned Responses' });
  await assertUsable(canned.getByRole('menuitem', { name: 'Add Current Text' }), 'Add Current Text');
  await page.keyboard.press('Escape');
  await win.getByRole('button', { name: 'Save', exact: true }).tap();
  await assertUsable(win.getByRole('link', { name: 'Save as HTML' }), 'Save as HTML');
  await page.keyboard.press('Escape');

  // Bob takes a second visitor; Alice's Chatting Visitors entry menu opens from its "⋯" button.
  const walt = await openVisitor(env, shop, '/', { name: 'Walt' });
  await walt.requestChat();
  await alice.popup('Walt').getByRole('button', { name: 'Dismiss' }).tap();
  const entry = alice.chatEntry('Walt');
  const menuButton = entry.getByRole('button', { name: 'Menu' });
  await assertUsable(menuButton, 'the menu button of a Chatting Visitors entry');
  await menuButton.tap();
  const menu = page.getByRole('menu', { name: 'Chat with Walt' });
  const item = menu.getByRole('menuitem', { name: 'Start Chatting' });
  await assertUsable(item, 'Start Chatting in the entry menu');
  await item.tap();
  await alice.window('Walt').waitFor();
  await walt.status.getByText('You are chatting with Alice.').waitFor();
  await bob.chatEntry('Walt').getByText('Alice', { exact: true }).waitFor();
  const tabs = page.getByRole('tablist', { name: 'Open chats' });
  await assertUsable(tabs.getByRole('tab', { name: /^Vera/ }), 'the tab of the first chat');
  await tabs.getByRole('tab', { name: /^Vera/ }).tap();
  await alice.window('Vera').waitFor();
  await noSidewaysScroll(page, 'with two chat windows');

  // The Options and Admin-free pages fit too.
  await bar.getByRole('button', { name: 'Options' }).tap();
  await page.getByRole('main', { name: 'Options' }).waitFor();
  await noSidewaysScroll(page, 'Options');
  alice.assertClean();
  bob.assertClean();
});
