// Visit Detail in the chat window: location, browser, OS, referrer, the pages viewed (and
// "Refresh" after the visitor moves on), "Previous Visits" and "Chat History" of a returning
// visitor.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { customerSite } from './lib/harness.mjs';
import {
  consoleEnv, customerShop, shopPage, addAgent, signIn, openVisitor, takeChat, endChat, closeEndedChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

test('Visit Detail shows by itself: browser, OS, referrer and the pages viewed; "Refresh" after the visitor navigates', async () => {
  const shop = await customerShop(env, {
    name: 'Vista',
    build: (s) => ({
      '/': shopPage('Home', s, { '/pricing': 'Pricing' }),
      '/pricing': shopPage('Pricing', s, { '/checkout': 'Checkout' }),
      '/checkout': shopPage('Checkout', s),
    }),
  });
  const search = await customerSite({ '/': `<!doctype html><title>Search</title><a href="${shop.url('/')}">Vista shop</a>` });
  env.defer(search.close);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));

  // Vera comes from a search page, reads two pages and asks for a chat.
  const context = await env.chromium.newContext();
  env.defer(() => context.close());
  await context.addInitScript(([k]) => localStorage.setItem(k, 'Vera'), [`frontdesk:${shop.site.key}:name`]);
  const page = await context.newPage();
  await page.goto(search.origin + '/');
  await page.getByRole('link', { name: 'Vista shop' }).click();
  await page.waitForURL(shop.url('/'));
  await alice.visitorsOnSite.getByRole('link', { name: 'Home' }).waitFor();
  await page.getByRole('link', { name: 'Pricing' }).click();
  await page.waitForURL(shop.url('/pricing'));
  await alice.visitorsOnSite.getByRole('link', { name: 'Pricing' }).waitFor();
  const vera = await openVisitor(env, shop, null, { context, page, name: 'Vera' });
  await vera.requestChat();
  await takeChat(alice, vera);

  const detail = alice.window('Vera').getByRole('complementary', { name: 'Visit Detail' });
  await detail.getByRole('heading', { name: 'Pages viewed (2)' }).waitFor();
  const fact = (term) => detail.locator('dt', { hasText: term }).first().locator('xpath=following-sibling::dd[1]');
  assert.match(await fact('Browser').innerText(), /^Chrome/);
  assert.equal(await fact('OS').innerText(), 'Linux');
  assert.equal(await fact('Location').innerText(), 'Unknown');
  assert.equal(await fact('IP address').innerText(), '127.0.0.1');
  assert.equal(await fact('Referrer').innerText(), `${search.origin}/`);
  await fact('Referrer').getByRole('link', { name: `${search.origin}/` }).waitFor();
  const pages = detail.getByRole('list').first().getByRole('listitem');
  assert.equal(await pages.count(), 2);
  await pages.nth(0).getByRole('link', { name: 'Home' }).waitFor();
  await pages.nth(1).getByRole('link', { name: 'Pricing' }).waitFor();
  for (const li of await pages.all()) assert.match(await li.locator('time').innerText(), /\d{1,2}:\d{2}/, 'each page with its time');
  assert.equal(await detail.getByRole('button', { name: 'Chat History' }).count(), 0, 'no Chat History on a first chat');

  // Vera moves on while chatting; the detail shows it after "Refresh".
  await vera.say('Where do I enter my coupon?');
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.waitForURL(shop.url('/checkout'));
  await vera.bubble('Where do I enter my coupon?').waitFor(); // the chat followed her
  await alice.visitorsOnSite.getByRole('link', { name: 'Checkout' }).waitFor();
  assert.equal(await pages.count(), 2, 'no change until Refresh');
  await detail.getByRole('button', { name: 'Refresh' }).click();
  await detail.getByRole('heading', { name: 'Pages viewed (3)' }).waitFor();
  await pages.nth(2).getByRole('link', { name: 'Checkout' }).waitFor();
  await alice.say('Vera', 'Below the basket.');
  await vera.bubble('Below the basket.').waitFor();
  alice.assertClean();
});

test('a returning visitor: "Previous Visits" lists the earlier visit, "Chat History" opens the earlier transcript', async () => {
  // Every page view after the visit timeout starts a new visit: 0 minutes makes each one new.
  const env0 = await consoleEnv({ extraArgs: ['--visit-timeout-mins', '0'] });
  try {
    const shop = await customerShop(env0, { name: 'Return' });
    const alice = await signIn(env0, addAgent(env0, { name: 'Alice', sites: [shop] }));
    const rita = await openVisitor(env0, shop, '/', { name: 'Rita' });

    // The first visit and chat.
    await rita.requestChat();
    await takeChat(alice, rita);
    let detail = alice.window('Rita').getByRole('complementary', { name: 'Visit Detail' });
    await detail.getByRole('heading', { name: 'Pages viewed (1)' }).waitFor();
    assert.equal(await detail.getByRole('button', { name: 'Chat History' }).count(), 0);
    await detail.getByRole('button', { name: /^Previous Visits/ }).click();
    await detail.getByRole('region', { name: 'Previous Visits' }).getByText('This is the first visit.').waitFor();
    await rita.say('I need a gift for my father.');
    await alice.say('Rita', 'How about a good book?');
    await rita.bubble('How about a good book?').waitFor();
    await endChat(alice, rita);
    await closeEndedChat(alice, rita);

    // She comes back (a new visit) and asks again.
    await rita.page.getByRole('link', { name: 'Pricing' }).click();
    await rita.page.waitForURL(shop.url('/pricing'));
    await rita.requestChat();
    await takeChat(alice, rita);
    detail = alice.window('Rita').getByRole('complementary', { name: 'Visit Detail' });
    await detail.getByRole('heading', { name: 'Pages viewed (1)' }).waitFor();
    await detail.getByRole('list').first().getByRole('link', { name: 'Pricing' }).waitFor();

    const prevButton = detail.getByRole('button', { name: /^Previous Visits/ });
    await prevButton.click();
    assert.equal(await prevButton.getAttribute('aria-expanded'), 'true');
    const previous = detail.getByRole('region', { name: 'Previous Visits' });
    const visit = previous.getByRole('listitem').first();
    await visit.locator('summary').click();
    await visit.getByRole('link', { name: 'Home' }).waitFor();
    assert.match(await visit.locator('summary').innerText(), /1 page/);

    const histButton = detail.getByRole('button', { name: 'Chat History' });
    await histButton.click();
    const history = detail.getByRole('region', { name: 'Chat History' });
    const earlier = history.getByRole('button', { name: /with Alice/ });
    assert.equal(await earlier.count(), 1, 'the earlier chat only, not this one');
    await earlier.click();
    const dialog = alice.page.getByRole('dialog', { name: 'Chat transcript' });
    await dialog.getByText('I need a gift for my father.').waitFor();
    await dialog.getByText('How about a good book?').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    alice.assertClean();
  } finally {
    await env0.close();
  }
});
