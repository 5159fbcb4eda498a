// The agent console end to end: two agents signed in through the real form, visitors using the
// real widget on a customer page (another origin). Pop-ups and who wins them, several chats at
// once, Close (back to the queue) and Transfer (unseen by the visitor).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, consoleContext, fillSignIn,
  waitConnected, AgentConsole,
} from './lib/console.mjs';
import { PASSWORD } from './lib/harness.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

test('sign-in form: a wrong password says so, the right one opens the console, Sign out leaves it', async () => {
  const shop = await customerShop(env, { name: 'Gate' });
  const agent = addAgent(env, { name: 'Gina', sites: [shop] });
  const { context, problems } = await consoleContext(env);
  env.defer(() => context.close());
  const page = await context.newPage();
  await page.goto(`${env.fd.base}/console`);
  await fillSignIn(page, agent.email, 'not the password');
  await page.getByRole('alert').getByText('Wrong email or password.').waitFor();
  await fillSignIn(page, agent.email, PASSWORD);
  await waitConnected(page);
  problems.signedIn = true; // from here on, a 401 from /api/me would be a real problem
  await page.getByRole('banner').getByText('Gina').waitFor();
  await page.getByRole('group', { name: 'Monitoring' }).getByRole('checkbox', { name: 'Gate' }).waitFor();
  assert.equal(await page.getByRole('combobox', { name: 'Status' }).inputValue(), 'online');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  new AgentConsole({ context, page, problems, agent }).assertClean();
});

test('a chat request pops up for both agents; the first "Start Chatting" wins, the other pop-up says who and goes', async () => {
  const shop = await customerShop(env, { name: 'Acme' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/pricing', { name: 'Vera' });
  await vera.requestChat();

  // Both pop-ups name the visitor, the site and the page, with "Start Chatting".
  for (const agent of [alice, bob]) {
    const popup = agent.popup('Vera');
    await popup.waitFor();
    await popup.getByText('Acme').waitFor();
    await popup.getByRole('link', { name: 'Pricing' }).waitFor();
    await popup.getByRole('button', { name: 'Start Chatting' }).waitFor();
    await agent.chatEntry('Vera').getByText('Waiting').waitFor();
  }
  assert.equal(await alice.page.title(), '(1) Frontdesk Console', 'the waiting chat counts in the title');

  // Both click at the same moment.
  const buttons = await Promise.all([alice, bob].map((a) => a.popup('Vera').getByRole('button', { name: 'Start Chatting' }).elementHandle()));
  await Promise.all(buttons.map((b) => b.evaluate((el) => el.click())));
  const winner = await Promise.race([alice, bob].map((a) => a.window('Vera').waitFor().then(() => a)));
  const loser = winner === alice ? bob : alice;
  const name = winner.agent.name;

  await loser.popup('Vera').getByText(`Taken by ${name}`).waitFor();
  await loser.popup('Vera').waitFor({ state: 'detached' });
  await winner.popup('Vera').waitFor({ state: 'detached' });
  await vera.status.getByText(`You are chatting with ${name}.`).waitFor();
  assert.equal(await loser.window('Vera').count(), 0, 'no window for the loser');
  await loser.chatEntry('Vera').getByText(name, { exact: true }).waitFor(); // the owner, in the list
  await winner.chatEntry('Vera').getByText(`${name} (you)`).waitFor();

  // The winner chats; the visitor's typing and messages arrive live, and the agent's typing.
  await vera.box.fill('Do you ship');
  await winner.window('Vera').getByText('Vera is typing…').waitFor();
  await winner.messageBox('Vera').fill('Let me');
  await vera.page.locator('frontdesk-widget').getByText('Agent is typing…').waitFor();
  await winner.messageBox('Vera').fill('');
  await vera.say('Do you ship to Norway?');
  await winner.window('Vera').getByText('Vera is typing…').waitFor({ state: 'detached' });
  await winner.message('Vera', 'Do you ship to Norway?').waitFor();
  await winner.say('Vera', 'We do, in three days.');
  await vera.bubble('We do, in three days.').waitFor();
  alice.assertClean();
  bob.assertClean();
});

test('one agent, two chats at once: a tab each, unread counts on the tab and in the title', async () => {
  const shop = await customerShop(env, { name: 'Bazaar' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  const walt = await openVisitor(env, shop, '/pricing', { name: 'Walt' });
  await vera.requestChat();
  await takeChat(alice, vera);
  await walt.requestChat();
  await takeChat(alice, walt);

  const tabs = alice.page.getByRole('tablist', { name: 'Open chats' }).getByRole('tab');
  assert.deepEqual(await tabs.allInnerTexts(), ['Vera', 'Walt']);
  assert.equal(await alice.tab('Walt').getAttribute('aria-selected'), 'true', 'the chat just taken is shown');

  // Vera writes while Walt's window is shown: Vera's tab counts it, so does the title.
  await vera.say('Is shipping free?');
  await alice.tab('Vera').getByLabel('1 unread').waitFor();
  await alice.page.waitForFunction(() => document.title === '(1) Frontdesk Console');
  await vera.say('Over 50 euros, I mean.');
  await alice.tab('Vera').getByLabel('2 unread').waitFor();
  await alice.page.waitForFunction(() => document.title === '(2) Frontdesk Console');

  // Walt writes into the window being looked at: nothing unread.
  await walt.say('Do you have size 44?');
  await alice.message('Walt', 'Do you have size 44?').waitFor();
  assert.equal(await alice.tab('Walt').getByLabel(/unread/).isVisible(), false);

  // Showing Vera's window reads her messages.
  await alice.tab('Vera').click();
  await alice.message('Vera', 'Over 50 euros, I mean.').waitFor();
  await alice.page.waitForFunction(() => document.title === 'Frontdesk Console');
  assert.equal(await alice.tab('Vera').getByLabel(/unread/).isVisible(), false);

  // Each answer goes to its own visitor only.
  await alice.say('Vera', 'Yes, it is free over 50 euros.');
  await vera.bubble('Yes, it is free over 50 euros.').waitFor();
  assert.equal(await alice.message('Vera', 'Is shipping free?').count(), 1, 'each message once');
  await alice.tab('Walt').click();
  await alice.say('Walt', 'We have 44 in black.');
  await walt.bubble('We have 44 in black.').waitFor();
  assert.equal(await vera.bubble('We have 44 in black.').count(), 0);
  assert.equal(await walt.bubble('Yes, it is free over 50 euros.').count(), 0);
  alice.assertClean();
});

test('"Close" returns the chat to the queue and the second agent takes it from Chatting Visitors', async () => {
  const shop = await customerShop(env, { name: 'Corner' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(alice, vera);
  await bob.popup('Vera').waitFor({ state: 'detached' });
  await vera.say('My order has not arrived.');
  await alice.say('Vera', 'Let me find someone who can help.');
  await vera.bubble('Let me find someone who can help.').waitFor();

  await alice.window('Vera').getByRole('button', { name: 'Close', exact: true }).click();
  await alice.window('Vera').waitFor({ state: 'detached' });

  // Back in the queue: a pop-up again, and "Waiting" in Chatting Visitors.
  await bob.popup('Vera').getByRole('button', { name: 'Start Chatting' }).waitFor();
  const entry = bob.chatEntry('Vera');
  await entry.getByText('Waiting').waitFor();
  await entry.getByText('No agent yet').waitFor();
  await vera.status.getByText('Waiting for an agent…').waitFor();
  // Vera is not given a queue number again: another agent is coming (issue 12).
  await vera.status.getByText('Connecting you to another agent…').waitFor();
  assert.equal(await vera.status.getByText(/in the queue/).count(), 0, 'no queue number after a requeue');
  // Alice, who closed it, sees it waiting but is not asked to take it again.
  await alice.chatEntry('Vera').getByText('No agent yet').waitFor();
  assert.equal(await alice.popup('Vera').count(), 0, 'no pop-up for the agent who closed the chat');
  assert.equal(await alice.page.title(), '(1) Frontdesk Console', 'the waiting chat still counts in her title');

  // The entry's menu: from the keyboard (Shift+F10; Esc closes it), then by right-click.
  const menu = bob.page.getByRole('menu', { name: 'Chat with Vera' });
  await entry.focus();
  await entry.press('Shift+F10');
  await menu.getByRole('menuitem', { name: 'Start Chatting' }).waitFor();
  await bob.page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  await entry.click({ button: 'right' });
  await menu.getByRole('menuitem', { name: 'Start Chatting' }).click();
  await bob.window('Vera').waitFor();
  await bob.message('Vera', 'My order has not arrived.').waitFor();
  await bob.message('Vera', 'Let me find someone who can help.').waitFor();
  await vera.status.getByText('You are chatting with Bob.').waitFor();
  await alice.popup('Vera').waitFor({ state: 'detached' });
  await alice.chatEntry('Vera').getByText('Bob', { exact: true }).waitFor();

  await bob.say('Vera', 'Bob here, I have your order.');
  await vera.bubble('Bob here, I have your order.').waitFor();
  await vera.say('Thanks Bob');
  await bob.message('Vera', 'Thanks Bob').waitFor();
  assert.equal(await bob.message('Vera', 'My order has not arrived.').count(), 1);
  alice.assertClean();
  bob.assertClean();
});

test('"Transfer" hands the chat to another agent, who gets a pop-up; the visitor notices nothing', async () => {
  const shop = await customerShop(env, { name: 'Depot' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  const frames = [];
  vera.page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await vera.requestChat();
  await takeChat(alice, vera);
  await vera.say('Can I return a gift?');
  await alice.say('Vera', 'Let me check.');
  await vera.bubble('Let me check.').waitFor();

  const win = alice.window('Vera');
  const select = win.getByRole('combobox', { name: 'Transfer' });
  await select.locator('option', { hasText: 'Bob' }).waitFor({ state: 'attached' });
  const options = await select.locator('option').allTextContents();
  assert.deepEqual(options.filter((o) => !o.startsWith('Choose')), ['Bob'], 'the other On-Line agent only');
  await select.selectOption({ label: 'Bob' });
  await win.getByRole('button', { name: 'Transfer', exact: true }).click();

  const popup = bob.popup('Alice transferred a chat to you');
  await popup.waitFor();
  await popup.getByText('Vera').waitFor();
  await bob.window('Vera').waitFor();
  await bob.message('Vera', 'Can I return a gift?').waitFor();
  await bob.message('Vera', 'Let me check.').waitFor();
  await alice.window('Vera').waitFor({ state: 'detached' });
  await popup.getByRole('button', { name: 'Open chat' }).click();
  await popup.waitFor({ state: 'detached' });

  await bob.say('Vera', 'Yes, within 30 days.');
  await vera.bubble('Yes, within 30 days.').waitFor();
  await vera.say('Great');
  await bob.message('Vera', 'Great').waitFor();
  assert.equal(await alice.window('Vera').count(), 0);

  const seen = await vera.panelText();
  assert.match(seen, /You are chatting with Alice\./);
  assert.doesNotMatch(seen, /Bob/);
  assert.doesNotMatch(seen, /transfer/i);
  assert.equal(frames.filter((f) => /Bob|transfer/i.test(f)).length, 0, 'no frame to the visitor names Bob or a transfer');
  alice.assertClean();
  bob.assertClean();
});
