// "A colleague in the chat" (issue 13) in the console, end to end (Chromium): the owner uses
// "Invite Agent" to ask an On-Line colleague in, the colleague answers the pop-up with
// "Join chat" and the chat opens as a window where they write; both replies reach the visitor's
// widget; the windows say who else is in the chat ("With: …"); the colleague uses "Leave chat";
// then the owner, with a colleague in, hands the chat over with "Leave chat".

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, exactly, confirmEndChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

/** `owner` invites `colleague` into `name`'s chat and the colleague joins it. */
async function inviteAndJoin(owner, colleague, name) {
  const win = owner.window(name);
  await win.getByRole('button', { name: 'Invite Agent' }).click();
  const menu = owner.page.getByRole('menu', { name: 'Invite Agent' });
  await menu.getByRole('menuitem', { name: colleague.agent.name }).click();
  const popup = colleague.popup(`${owner.agent.name} invites you to a chat`);
  await popup.getByText(name).waitFor();
  await popup.getByRole('button', { name: 'Join chat' }).click();
  await colleague.window(name).waitFor();
  await popup.waitFor({ state: 'detached' });
}

test('"Invite Agent" → "Join chat": both agents write, the visitor sees both replies, "Leave chat"', async () => {
  const shop = await customerShop(env, { name: 'Duo' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(alice, vera);
  // Alone in the chat: no "Leave chat" for the owner, nobody to be "With".
  const aw = alice.window('Vera');
  assert.equal(await aw.getByRole('button', { name: 'Leave chat' }).isVisible(), false);

  await inviteAndJoin(alice, bob, 'Vera');
  const bw = bob.window('Vera');
  await bw.getByText('With: Alice').waitFor();
  await aw.getByText('With: Bob').waitFor();
  // The colleague writes like the owner; the owner's actions stay the owner's.
  assert.equal(await bw.getByRole('button', { name: 'End Chat' }).isDisabled(), true);
  assert.equal(await bw.getByRole('button', { name: 'Invite Agent' }).isVisible(), false);

  await alice.say('Vera', 'Let me ask my colleague.');
  await bob.say('Vera', 'Hi Vera, Bob from billing here.');
  for (const text of ['Let me ask my colleague.', 'Hi Vera, Bob from billing here.']) {
    await vera.bubble(text).waitFor();
    await alice.message('Vera', text).waitFor();
    await bob.message('Vera', text).waitFor();
  }
  // Each reply under its author's name ("Show all agents' names" is on by default).
  const who = (text) => vera.log.locator('.fd-msg')
    .filter({ has: vera.page.locator('.fd-text', { hasText: exactly(text) }) }).locator('.fd-who');
  assert.equal(await who('Let me ask my colleague.').innerText(), 'Alice');
  assert.equal(await who('Hi Vera, Bob from billing here.').innerText(), 'Bob');
  await vera.say('Thank you both!');
  await alice.message('Vera', 'Thank you both!').waitFor();
  await bob.message('Vera', 'Thank you both!').waitFor();

  // The colleague leaves: their window goes, the owner is alone again.
  await bw.getByRole('button', { name: 'Leave chat' }).click();
  await bw.waitFor({ state: 'detached' });
  await aw.getByText('With: Bob').waitFor({ state: 'detached' });
  await alice.say('Vera', 'Still here.');
  await vera.bubble('Still here.').waitFor();
  alice.assertClean();
  bob.assertClean();
});

test('the owner\'s "Leave chat" hands the chat to the colleague, who can end it', async () => {
  const shop = await customerShop(env, { name: 'Handover' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const otto = await openVisitor(env, shop, '/', { name: 'Otto' });
  await otto.requestChat();
  await takeChat(alice, otto);
  await inviteAndJoin(alice, bob, 'Otto');
  const aw = alice.window('Otto');
  await aw.getByRole('button', { name: 'Leave chat' }).click();
  await aw.waitFor({ state: 'detached' });
  // Bob holds the chat now: the visitor is told, and Bob has the owner's buttons.
  await otto.status.getByText('You are chatting with Bob.').waitFor();
  const bw = bob.window('Otto');
  const end = bw.getByRole('button', { name: 'End Chat' });
  await bw.getByRole('button', { name: 'Invite Agent' }).waitFor();
  assert.equal(await end.isDisabled(), false);
  await bob.say('Otto', 'Bob here, I will finish up.');
  await otto.bubble('Bob here, I will finish up.').waitFor();
  await confirmEndChat(bob, 'Otto');
  await otto.status.getByText('This chat has ended.').waitFor();
  alice.assertClean();
  bob.assertClean();
});
