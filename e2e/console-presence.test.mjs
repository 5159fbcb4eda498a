// Being available: the "Status" control (On-Line / Away) and the monitored sites decide whether
// visitors can ask for a chat at all; "Visitors on Site" with "Invite"; Alt+A takes the chat.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, waitConnected,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

test('"Status" Away and unticking a monitored site make the widget offer "Leave a message"; On-Line brings chat back', async () => {
  const shop = await customerShop(env, { name: 'Solo' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.launcher.waitFor();
  const leave = vera.page.getByRole('button', { name: 'Leave a message', exact: true });
  const status = alice.page.getByRole('combobox', { name: 'Status' });

  await status.selectOption({ label: 'Away' });
  await leave.waitFor();
  await alice.page.reload();
  await waitConnected(alice.page);
  assert.equal(await status.inputValue(), 'away', 'the status is kept by the server');
  await status.selectOption({ label: 'On-Line' });
  await vera.launcher.waitFor();

  const monitor = alice.page.getByRole('group', { name: 'Monitoring' }).getByRole('checkbox', { name: 'Solo' });
  await monitor.uncheck();
  await leave.waitFor();
  await monitor.check();
  await vera.launcher.waitFor();

  await vera.requestChat();
  await alice.popup('Vera').getByRole('button', { name: 'Start Chatting' }).waitFor();
  alice.assertClean();
});

test('a dismissed invitation shows as "Invitation dismissed" on the visitor, until the next "Invite"', async () => {
  const shop = await customerShop(env, { name: 'Dismissing' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/pricing', { name: 'Vera' });
  const entry = alice.visitorsOnSite.getByRole('listitem').filter({ has: alice.page.getByRole('link', { name: 'Pricing' }) });
  const invite = async (greeting) => {
    await entry.getByRole('button', { name: 'Invite' }).click();
    const dialog = alice.page.getByRole('dialog', { name: /^Invite .* to chat$/ });
    await dialog.getByRole('textbox', { name: 'Greeting' }).fill(greeting);
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await dialog.waitFor({ state: 'detached' });
  };
  await entry.waitFor();
  assert.equal(await entry.getByText('Invitation dismissed').isVisible(), false);
  await invite('Need help choosing a plan?');
  const invitation = vera.page.locator('frontdesk-widget').getByRole('dialog', { name: 'Alice' });
  await invitation.getByText('Need help choosing a plan?').waitFor();
  await invitation.getByRole('button', { name: 'Dismiss' }).click();
  await entry.getByText('Invitation dismissed').waitFor();
  // Still there after the visitor moves on; gone when Alice invites again.
  await vera.page.getByRole('link', { name: 'Home' }).click();
  const moved = alice.visitorsOnSite.getByRole('listitem').filter({ has: alice.page.getByRole('link', { name: 'Home' }) });
  await moved.getByText('Invitation dismissed').waitFor();
  await moved.getByRole('button', { name: 'Invite' }).click();
  const dialog = alice.page.getByRole('dialog', { name: /^Invite .* to chat$/ });
  await dialog.getByRole('textbox', { name: 'Greeting' }).fill('Any questions?');
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await dialog.waitFor({ state: 'detached' });
  await moved.getByText('Invitation dismissed').waitFor({ state: 'hidden' });
  alice.assertClean();
});

test('"Visitors on Site" shows who browses; "Invite" sends a greeting; the visitor accepts and Alt+A takes the chat', async () => {
  const shop = await customerShop(env, { name: 'Inviting' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/pricing', { name: 'Vera' });

  const entry = alice.visitorsOnSite.getByRole('listitem').filter({ has: alice.page.getByRole('link', { name: 'Pricing' }) });
  await entry.waitFor();
  await entry.getByText(/Chrome/).waitFor();
  await entry.getByRole('button', { name: 'Invite' }).click();
  const dialog = alice.page.getByRole('dialog', { name: /^Invite .* to chat$/ });
  await dialog.getByRole('textbox', { name: 'Greeting' }).fill('Need help choosing a plan?');
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await dialog.waitFor({ state: 'detached' });
  await alice.page.getByRole('status').getByText('Invitation sent.').waitFor();

  const invitation = vera.page.locator('frontdesk-widget').getByRole('dialog', { name: 'Alice' });
  await invitation.getByText('Need help choosing a plan?').waitFor();
  await invitation.getByRole('button', { name: 'Accept' }).click();
  await alice.popup('Vera').waitFor();
  await entry.getByText('In chat').waitFor();
  assert.equal(await entry.getByRole('button', { name: 'Invite' }).isDisabled(), true, 'no invitation while in a chat');

  await alice.page.keyboard.press('Alt+KeyA');
  await alice.window('Vera').waitFor();
  await alice.popup('Vera').waitFor({ state: 'detached' });
  await vera.status.getByText('You are chatting with Alice.').waitFor();
  await alice.page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'message'); // focus went there
  await alice.page.keyboard.type('Hello from the keyboard');
  await alice.page.keyboard.press('Enter');
  await vera.bubble('Hello from the keyboard').waitFor();
  alice.assertClean();
});
