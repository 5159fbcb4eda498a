// Every visitor-supplied string reaches the console as text: a visitor whose name, messages,
// page title and referrer are HTML and script shows up as those characters in the pop-ups, the
// lists, the chat window, Visit Detail, Chat History and the transfer pop-up, and nothing runs.
// The console's CSP would also block an injected inline handler: the test checks that no
// violation was even reported, that the console logged no error, and that `window.__xss` is
// still undefined.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, shopPage, escapeRe, confirmEndChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const NAME = '<img src=x onerror="window.__xss=1">';
const TITLE = '<img src=x onerror="window.__xss=2"> Deals';
const REFERRER = 'javascript:window.__xss=3//<img src=x onerror="window.__xss=4">';
const MESSAGES = [
  '<script>window.__xss=5</script><b>bold?</b>',
  'see https://evil.example/"><img src=x onerror="window.__xss=6"> and javascript:window.__xss=7',
  '<a href="javascript:window.__xss=8">click me</a> & &amp; &lt;',
];

/** Nothing ran, no images or scripts were injected, every link is http(s), mailto or ours. */
async function assertInert(agent) {
  const found = await agent.page.evaluate(() => ({
    xss: typeof window.__xss,
    imgs: document.querySelectorAll('img').length,
    scripts: [...document.scripts].map((s) => s.getAttribute('src')),
    badLinks: [...document.querySelectorAll('a[href]')].map((a) => a.href)
      .filter((h) => !/^(https?:|mailto:)/.test(h)),
    handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
  }));
  assert.deepEqual(found, { xss: 'undefined', imgs: 0, scripts: ['/console/js/main.js'], badLinks: [], handlers: 0 });
  agent.assertClean();
}

test('a hostile visitor\'s name, messages, page title and referrer show as text everywhere in the console', async () => {
  const shop = await customerShop(env, {
    name: 'Bazaar <b>',
    build: (s) => ({
      '/': shopPage('Home', s, { '/deals?q=<script>x</script>': 'Deals' }),
      '/deals': shopPage(TITLE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), s),
    }),
  });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));

  // The visitor (in their own browser, which they control) sends a hostile referrer.
  const context = await env.chromium.newContext();
  env.defer(() => context.close());
  await context.addInitScript((ref) => {
    Object.defineProperty(Document.prototype, 'referrer', { get: () => ref, configurable: true });
  }, REFERRER);
  const mallory = await openVisitor(env, shop, '/deals?q=<script>x</script>', { name: NAME, context });
  assert.equal(await mallory.page.title(), TITLE);
  await mallory.requestChat();

  // Pop-ups and both lists.
  for (const agent of [alice, bob]) {
    const popup = agent.popup(NAME);
    await popup.getByText(NAME, { exact: true }).waitFor();
    await popup.getByRole('link', { name: TITLE }).waitFor();
    await agent.chatEntry(NAME).getByText(NAME, { exact: true }).waitFor();
    const onSite = agent.visitorsOnSite.getByRole('listitem').filter({ hasText: TITLE });
    await onSite.getByRole('link', { name: TITLE }).waitFor();
  }
  await takeChat(alice, mallory, NAME);

  // The chat window: tab, title, messages.
  await alice.tab(NAME).waitFor();
  await alice.window(NAME).getByRole('heading', { name: NAME, exact: true }).waitFor();
  for (const text of MESSAGES) await mallory.say(text);
  for (const text of MESSAGES) await alice.message(NAME, text).waitFor();
  const link = alice.log(NAME).getByRole('link', { name: 'https://evil.example/"><img' });
  assert.equal(await link.getAttribute('href'), 'https://evil.example/%22%3E%3Cimg');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  await alice.log(NAME).getByText(NAME, { exact: true }).first().waitFor(); // the author line

  // Visit Detail: name, referrer (a javascript: URL stays text), the page's title.
  const detail = alice.window(NAME).getByRole('complementary', { name: 'Visit Detail' });
  const fact = (term) => detail.locator('dt', { hasText: new RegExp(`^${escapeRe(term)}$`) }).first().locator('xpath=following-sibling::dd[1]');
  await fact('Name').getByText(NAME, { exact: true }).waitFor();
  assert.equal(await fact('Referrer').innerText(), REFERRER);
  assert.equal(await fact('Referrer').getByRole('link').count(), 0, 'no link for a javascript: referrer');
  await detail.getByRole('link', { name: TITLE }).waitFor();
  await assertInert(alice);

  // Transferred: Bob's pop-up names the visitor as text too.
  const select = alice.window(NAME).getByRole('combobox', { name: 'Transfer' });
  await select.selectOption({ label: 'Bob' });
  await alice.window(NAME).getByRole('button', { name: 'Transfer', exact: true }).click();
  const transfer = bob.popup('Alice transferred a chat to you');
  await transfer.getByText(NAME, { exact: true }).waitFor();
  for (const text of MESSAGES) await bob.message(NAME, text).waitFor();

  // Chat History: the earlier transcript, as text.
  await confirmEndChat(bob, NAME);
  await mallory.status.getByText('This chat has ended.').waitFor();
  await bob.window(NAME).getByRole('button', { name: 'Close', exact: true }).click();
  const widgetRoot = mallory.page.locator('frontdesk-widget');
  await widgetRoot.getByRole('button', { name: 'Start a new chat' }).click();
  await widgetRoot.getByRole('button', { name: 'Start chat' }).click();
  await takeChat(bob, mallory, NAME);
  const bobDetail = bob.window(NAME).getByRole('complementary', { name: 'Visit Detail' });
  await bobDetail.getByRole('button', { name: 'Chat History' }).click();
  await bobDetail.getByRole('region', { name: 'Chat History' }).getByRole('button', { name: /with Bob/ }).click();
  const dialog = bob.page.getByRole('dialog', { name: 'Chat transcript' });
  for (const text of MESSAGES) await dialog.locator('.msg-body').filter({ hasText: text }).first().waitFor();
  await dialog.getByText(NAME, { exact: true }).first().waitFor();
  await assertInert(bob);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await assertInert(alice);
});
