// Supervisors (issue 13) in the console, end to end: an admin opens "All Chats" (every live
// chat of their sites with its agent, waiting time and last message), "Watch"es a chat live
// and read-only while an agent and a visitor talk (the visitor is not told), "Stop watching",
// then "Take over": the chat is theirs, the agent's window says so. The admin's per-site
// "Supervisor" checkbox gives the role to an agent, who then sees "All Chats" too.
// "Join" from "All Chats" makes the supervisor a colleague in the chat: they write, the
// visitor sees it under their name.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const allChatsNav = (a) => a.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'All Chats' });
const allChats = (a) => a.page.getByRole('main', { name: 'All Chats' });
const row = (a, name) => allChats(a).getByRole('row').filter({ has: a.page.getByRole('rowheader', { name, exact: true }) });

test('an admin opens "All Chats", watches a chat live while agent and visitor talk, and takes it over', async () => {
  const shop = await customerShop(env, { name: 'Watchtower' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const ada = await signIn(env, addAgent(env, { name: 'Ada', admin: true, sites: [shop] }));
  assert.equal(await allChatsNav(alice).isVisible(), false, 'no "All Chats" for an agent who supervises nothing');

  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(alice, vera);
  await vera.say('Where is my parcel?');

  // "All Chats": the chat, its agent, how long it has been going, the last message.
  await allChatsNav(ada).click();
  const r = row(ada, 'Vera');
  await r.waitFor();
  await r.getByRole('cell', { name: 'Alice', exact: true }).waitFor();
  await r.getByText('Where is my parcel?').waitFor();
  assert.match(await r.locator('.ac-waiting').innerText(), /^\d+:\d\d$/);
  // Kept current: Alice answers, the row shows it within a few seconds.
  await alice.say('Vera', 'Let me check.');
  await r.getByText('Let me check.').waitFor({ timeout: 10_000 });

  // "Watch": the chat opens read-only and live, labelled "Watching".
  await r.getByRole('button', { name: 'Watch' }).click();
  const w = ada.window('Vera');
  await w.getByText('Watching', { exact: true }).waitFor();
  await w.getByRole('button', { name: 'Stop watching' }).waitFor();
  await ada.message('Vera', 'Where is my parcel?').waitFor();
  assert.equal(await ada.messageBox('Vera').isVisible(), false, 'no composer while watching');
  await vera.say('It was due yesterday.');
  await ada.message('Vera', 'It was due yesterday.').waitFor();
  await alice.say('Vera', 'It is on its way.');
  await ada.message('Vera', 'It is on its way.').waitFor();
  await vera.bubble('It is on its way.').waitFor();
  assert.doesNotMatch(await vera.panelText(), /Ada|watch/i, 'the visitor is not told');

  // "Stop watching" closes the window; watching again opens it again.
  await w.getByRole('button', { name: 'Stop watching' }).click();
  await w.waitFor({ state: 'detached' });
  await allChatsNav(ada).click();
  await row(ada, 'Vera').getByRole('button', { name: 'Watch' }).click();
  await ada.window('Vera').getByText('Watching', { exact: true }).waitFor();

  // "Take over": the chat is Ada's, the composer is back; Alice's window says so.
  await allChatsNav(ada).click();
  await row(ada, 'Vera').getByRole('button', { name: 'Take over' }).click();
  await ada.messageBox('Vera').waitFor();
  assert.equal(await ada.window('Vera').getByText('Watching', { exact: true }).isVisible(), false);
  await alice.window('Vera').getByText('Ada has this chat now.').waitFor();
  assert.equal(await ada.popup('transferred').count(), 0, 'no "transferred to you" pop-up for one\'s own take-over');
  await ada.say('Vera', 'Hello Vera, Ada here.');
  await vera.bubble('Hello Vera, Ada here.').waitFor();
  await allChatsNav(ada).click();
  await row(ada, 'Vera').getByRole('cell', { name: 'Ada', exact: true }).waitFor();
  alice.assertClean();
  ada.assertClean();
});

test('the admin\'s per-site "Supervisor" checkbox gives an agent "All Chats"', async () => {
  const shop = await customerShop(env, { name: 'Lookout' });
  const ada = await signIn(env, addAgent(env, { name: 'Ada', admin: true, sites: [shop] }));
  const sam = addAgent(env, { name: 'Sam', sites: [shop] });
  await ada.page.getByRole('button', { name: 'Admin' }).click();
  await ada.page.getByRole('tab', { name: 'Agents' }).click();
  const samRow = ada.page.getByRole('row').filter({ has: ada.page.getByRole('rowheader', { name: /^Sam/ }) });
  await samRow.getByRole('button', { name: 'Edit' }).click();
  const box = ada.page.getByRole('group', { name: 'Lookout', exact: true })
    .getByRole('checkbox', { name: 'Supervisor', exact: true });
  assert.equal(await box.isChecked(), false);
  await box.check();
  await ada.page.getByRole('button', { name: 'Save agent' }).click();
  await samRow.getByText('Supervisor: Lookout').waitFor();

  const samConsole = await signIn(env, sam);
  await allChatsNav(samConsole).click();
  await allChats(samConsole).getByText('No live chats on your sites right now.').waitFor();
  samConsole.assertClean();
  ada.assertClean();
});

test('"Join" from "All Chats": the supervisor writes in the chat and the visitor sees their name', async () => {
  const shop = await customerShop(env, { name: 'Joinery' });
  const nils = await signIn(env, addAgent(env, { name: 'Nils', sites: [shop] }));
  const sam = await signIn(env, addAgent(env, { name: 'Sam', admin: true, sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(nils, vera);
  await vera.say('Could someone senior help?');

  await allChatsNav(sam).click();
  const r = row(sam, 'Vera');
  await r.getByText('Could someone senior help?').waitFor();
  await r.getByRole('button', { name: 'Join' }).click();
  await sam.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Console' }).click();
  await sam.message('Vera', 'Could someone senior help?').waitFor();
  await sam.say('Vera', 'Hi Vera, I lead the team here.');
  await vera.bubble('Hi Vera, I lead the team here.').waitFor();
  assert.match(await vera.panelText(), /Sam/, 'the visitor sees the supervisor under their own name');
  await nils.message('Vera', 'Hi Vera, I lead the team here.').waitFor();
  await nils.window('Vera').getByText(/With: Sam/).waitFor();
});
