// "Routing modes" and "Capacity" (issue 12) in the console, end to end: under "Assign
// automatically" the pop-up with its countdown goes to the offered agent only and moves on when
// the "Seconds to answer" run out; "At capacity" shows in the agent's own top bar and beside
// them for colleagues (Transfer list, Admin → Agents), who may still take a chat on purpose;
// the admin's "Most chats at once" field saves and refuses 0 with the server's message.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, endChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

/** Site settings over the admin REST API (the whole settings object; the rest are defaults). */
async function siteSettings(admin, shop, settings) {
  const cookie = await env.fd.login(admin.email);
  await env.fd.api(cookie, `/api/admin/sites/${shop.site.site_id}/settings`, { method: 'PUT', body: settings });
}

/** The countdown of `agent`'s offer pop-up for `name`: its seconds left (role="timer", "N s"). */
async function secondsLeft(agent, name) {
  const timer = agent.popup(name).getByRole('timer');
  const text = await timer.innerText();
  assert.match(text, /^\d+ s$/, `countdown text: ${text}`);
  return Number.parseInt(text, 10);
}

test('"Assign automatically": the countdown pop-up goes to the offered agent only, moves on when time runs out, then to everyone', async () => {
  const shop = await customerShop(env, { name: 'Relay' });
  const ada = addAgent(env, { name: 'Ada', admin: true });
  await siteSettings(ada, shop, { routing: 'assign', offer_seconds: 5 });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();

  // One of the two gets the offer: "Offered to you", a countdown from at most 5 s.
  const first = await Promise.race([alice, bob].map((a) => a.popup('Vera').waitFor().then(() => a)));
  const second = first === alice ? bob : alice;
  const offer = first.popup('Vera');
  await offer.getByText('Offered to you').waitFor();
  await offer.getByRole('button', { name: 'Start Chatting' }).waitFor();
  assert.equal(await offer.getByRole('timer').getAttribute('aria-label'), 'Time left to answer');
  const start = await secondsLeft(first, 'Vera');
  assert.ok(start >= 1 && start <= 5, `starts at most at "Seconds to answer": ${start} s`);
  assert.equal(await second.popup('Vera').count(), 0, 'no pop-up for the agent not offered the chat');

  // It counts down (the ticker runs each second) …
  await first.page.waitForFunction((s) => {
    const t = document.querySelector('[role="alertdialog"] [role="timer"]');
    return t && Number.parseInt(t.textContent, 10) < s;
  }, start, { timeout: 5000 });

  // … and when it runs out, the pop-up leaves the first agent and the offer goes to the other.
  await first.popup('Vera').waitFor({ state: 'detached', timeout: 15_000 });
  const moved = second.popup('Vera');
  await moved.getByText('Offered to you').waitFor({ timeout: 15_000 });
  assert.equal(await first.popup('Vera').count(), 0, 'the first agent has let it pass');
  assert.ok(await secondsLeft(second, 'Vera') <= 5);

  // Nobody answers the second offer either: the pop-up for everyone, without a countdown.
  await moved.getByText('Offered to you').waitFor({ state: 'detached', timeout: 15_000 });
  for (const agent of [alice, bob]) {
    const popup = agent.popup('Vera');
    await popup.getByRole('button', { name: 'Start Chatting' }).waitFor({ timeout: 15_000 });
    assert.equal(await popup.getByRole('timer').count(), 0, `${agent.agent.name}: a plain pop-up`);
    assert.equal(await popup.getByText('Offered to you').count(), 0);
  }
  await takeChat(first, vera);
  await vera.say('Hello?');
  await first.message('Vera', 'Hello?').waitFor();
  alice.assertClean();
  bob.assertClean();
});

test('"Assign automatically": the offered agent answers with "Start Chatting" before the time runs out', async () => {
  const shop = await customerShop(env, { name: 'Quick' });
  const ada = addAgent(env, { name: 'Ada', admin: true });
  await siteSettings(ada, shop, { routing: 'assign', offer_seconds: 30 });
  const carl = await signIn(env, addAgent(env, { name: 'Carl', sites: [shop] }));
  const walt = await openVisitor(env, shop, '/', { name: 'Walt' });
  await walt.requestChat();
  await carl.popup('Walt').getByText('Offered to you').waitFor();
  assert.ok(await secondsLeft(carl, 'Walt') > 20, 'about 30 s to answer');
  await takeChat(carl, walt);
  await carl.popup('Walt').waitFor({ state: 'detached' });
  carl.assertClean();
});

test('"At capacity": in the own top bar and beside the agent for colleagues; a chat can still be taken from the list', async () => {
  const shop = await customerShop(env, { name: 'Busy' });
  const alice = addAgent(env, { name: 'Alice', sites: [shop] });
  const bob = addAgent(env, { name: 'Bob', admin: true, sites: [shop] });
  const cookie = await env.fd.login(bob.email);
  await env.fd.api(cookie, `/api/admin/agents/${alice.id}`, { method: 'PUT', body: { max_chats: 1 } });
  const aliceConsole = await signIn(env, alice);
  const bobConsole = await signIn(env, bob);
  const capacityBadge = (agent) => agent.page.getByRole('banner').getByText('At capacity', { exact: true });
  assert.equal(await capacityBadge(aliceConsole).isVisible(), false, 'no chats yet: not at capacity');

  // Alice takes her one chat: "At capacity" in her top bar.
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await bobConsole.popup('Vera').waitFor();
  await takeChat(aliceConsole, vera);
  await capacityBadge(aliceConsole).waitFor();
  assert.equal(await capacityBadge(bobConsole).isVisible(), false, 'Bob has no cap');

  // Bob sees it beside her name: in the Transfer list of his chat …
  const walt = await openVisitor(env, shop, '/', { name: 'Walt' });
  await walt.requestChat();
  await bobConsole.popup('Walt').waitFor();
  await takeChat(bobConsole, walt);
  const select = bobConsole.window('Walt').getByRole('combobox', { name: 'Transfer' });
  await select.locator('option', { hasText: 'Alice (At capacity)' }).waitFor({ state: 'attached' });

  // … and in Admin → Agents.
  await bobConsole.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = bobConsole.page.getByRole('main', { name: 'Admin' });
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Agents' }).click();
  const rowOf = (agent) => adminPage.getByRole('row').filter({ hasText: agent.email }); // other tests' Alices too
  const aliceRow = rowOf(alice);
  await aliceRow.getByText('At capacity').waitFor();
  assert.match(await aliceRow.innerText(), /Busy\s+1\b/, '"Most chats at once" is 1');
  assert.equal(await rowOf(bob).getByText('At capacity').isVisible(), false);
  await bobConsole.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Console' }).click();

  // A new chat: no pop-up for Alice (she is at capacity), but she takes it from the list on purpose.
  const yara = await openVisitor(env, shop, '/', { name: 'Yara' });
  await yara.requestChat();
  await bobConsole.popup('Yara').waitFor();
  const entry = aliceConsole.chatEntry('Yara');
  await entry.getByText('No agent yet').waitFor();
  assert.equal(await aliceConsole.popup('Yara').count(), 0, 'no pop-up while at capacity');
  await entry.click({ button: 'right' });
  await aliceConsole.page.getByRole('menu', { name: 'Chat with Yara' }).getByRole('menuitem', { name: 'Start Chatting' }).click();
  await aliceConsole.window('Yara').waitFor();
  await yara.status.getByText('You are chatting with Alice.').waitFor();
  await capacityBadge(aliceConsole).waitFor();

  // Both her chats end: no longer at capacity, for her and for Bob.
  await endChat(aliceConsole, yara);
  await capacityBadge(aliceConsole).waitFor(); // still one chat: at capacity
  await aliceConsole.tab('Vera').click();
  await endChat(aliceConsole, vera);
  await capacityBadge(aliceConsole).waitFor({ state: 'hidden' });
  await select.locator('option', { hasText: /^Alice$/ }).waitFor({ state: 'attached' });
  aliceConsole.assertClean();
  bobConsole.assertClean();
});

test('Admin → Agents: "Most chats at once" saves, shows in the list, empty is unlimited, 0 is refused with the server\'s message', async () => {
  const shop = await customerShop(env, { name: 'Caps' });
  addAgent(env, { name: 'Dora', sites: [shop] });
  const admin = await signIn(env, addAgent(env, { name: 'Ada', admin: true }));
  const page = admin.page;
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Agents' }).click();
  const row = () => adminPage.getByRole('row', { name: /Dora/ });
  await row().waitFor();
  assert.match(await row().innerText(), /Caps\s+Unlimited/);

  const editForm = adminPage.locator('form').filter({ has: page.getByRole('heading', { name: 'Edit Dora' }) });
  const capacity = editForm.getByRole('spinbutton', { name: 'Most chats at once' });
  const edit = async () => {
    await row().getByRole('button', { name: 'Edit' }).click();
    await capacity.waitFor();
  };

  // 0 is refused by the server, and its message is shown; nothing is saved. (The browser logs
  // the 400: expected here.)
  admin.problems.allowed.push(/status of 400 \(Bad Request\)/);
  await edit();
  assert.equal(await capacity.inputValue(), '', 'unlimited: empty');
  await capacity.fill('0');
  await editForm.getByRole('button', { name: 'Save agent' }).click();
  await editForm.getByText(/Most chats at once.*at least 1/).waitFor();
  await editForm.getByRole('button', { name: 'Cancel' }).click();
  assert.match(await row().innerText(), /Caps\s+Unlimited/, 'nothing saved');

  // 3 saves, shows in the list and in the form; the REST list says so too.
  await edit();
  await capacity.fill('3');
  await editForm.getByRole('button', { name: 'Save agent' }).click();
  await editForm.waitFor({ state: 'detached' });
  await row().getByRole('cell', { name: '3', exact: true }).waitFor();
  const cookie = await env.fd.login(admin.agent.email);
  const listed = (await env.fd.api(cookie, '/api/admin/agents')).find((a) => a.name === 'Dora');
  assert.equal(listed.max_chats, 3);
  await edit();
  assert.equal(await capacity.inputValue(), '3');

  // Emptied: unlimited again.
  await capacity.fill('');
  await editForm.getByRole('button', { name: 'Save agent' }).click();
  await editForm.waitFor({ state: 'detached' });
  await row().getByRole('cell', { name: 'Unlimited' }).waitFor();
  const again = (await env.fd.api(cookie, '/api/admin/agents')).find((a) => a.name === 'Dora');
  assert.equal(again.max_chats, null);

  // A new agent with a cap of 2.
  await adminPage.getByRole('button', { name: 'New agent' }).click();
  const form = adminPage.locator('form').filter({ has: page.getByRole('heading', { name: 'New agent' }) });
  await form.getByRole('textbox', { name: 'Email' }).fill('eve@caps.example');
  await form.getByRole('textbox', { name: 'Name' }).fill('Eve');
  await form.getByLabel('Password').fill('caps-pass-123');
  await form.getByRole('spinbutton', { name: 'Most chats at once' }).fill('2');
  await form.getByRole('button', { name: 'Create agent' }).click();
  await adminPage.getByRole('row', { name: /Eve/ }).getByRole('cell', { name: '2', exact: true }).waitFor();
  admin.assertClean();
});
