// "Chat History" in Visit Detail shows exactly when the visitor has a chat other than the one in
// the window, whether that chat is open or has ended, and then lists it (never "No earlier
// chats.").

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, endChat, closeEndedChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

/** Clicks "Refresh" in Visit Detail and waits until the new answer is shown. */
async function refresh(detail) {
  await detail.getByRole('button', { name: 'Refresh' }).click();
  await detail.locator('.detail-content[aria-busy="false"]').waitFor();
}

/** Opens "Chat History" (if closed) and returns the earlier chats it lists. */
async function historyEntries(detail) {
  const button = detail.getByRole('button', { name: 'Chat History' });
  if (await button.getAttribute('aria-expanded') !== 'true') await button.click();
  const history = detail.getByRole('region', { name: 'Chat History' });
  assert.equal(await history.getByText('No earlier chats.').count(), 0, 'never an empty list');
  return history.getByRole('button', { name: /with Alice/ });
}

test('"Chat History": hidden with no earlier chat, shown and listing it with one, before and after the chat in the window ends', async () => {
  const shop = await customerShop(env, { name: 'Again' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const rita = await openVisitor(env, shop, '/', { name: 'Rita' });

  // The first chat: nothing earlier, open or ended.
  await rita.requestChat();
  await takeChat(alice, rita);
  let detail = alice.window('Rita').getByRole('complementary', { name: 'Visit Detail' });
  await detail.getByRole('heading', { name: 'Pages viewed (1)' }).waitFor();
  const histButton = () => detail.getByRole('button', { name: 'Chat History' });
  assert.equal(await histButton().count(), 0, 'open first chat: no Chat History');
  await rita.say('Is the blue one in stock?');
  await alice.message('Rita', 'Is the blue one in stock?').waitFor();
  await endChat(alice, rita);
  await refresh(detail);
  assert.equal(await histButton().count(), 0, 'ended first chat: still no Chat History');
  await closeEndedChat(alice, rita);

  // She asks again: from the second chat's window the first one is history, open or ended.
  await rita.page.getByRole('link', { name: 'Pricing' }).click();
  await rita.page.waitForURL(shop.url('/pricing'));
  await rita.requestChat();
  await takeChat(alice, rita);
  detail = alice.window('Rita').getByRole('complementary', { name: 'Visit Detail' });
  await histButton().waitFor();
  assert.equal(await (await historyEntries(detail)).count(), 1, 'open second chat: the first one listed');
  await endChat(alice, rita);
  await refresh(detail);
  await histButton().waitFor();
  const entries = await historyEntries(detail);
  assert.equal(await entries.count(), 1, 'ended second chat: still the first one, not itself');
  await entries.click();
  const dialog = alice.page.getByRole('dialog', { name: 'Chat transcript' });
  await dialog.getByText('Is the blue one in stock?').waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  alice.assertClean();
});
