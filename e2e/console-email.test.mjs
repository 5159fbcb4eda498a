// The chat window's "Email" dialog is pre-filled with the address the visitor gave (here in
// the widget's "Leave a message" form, before any agent was On-Line) and stays editable.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

test('"Email" is pre-filled with the address the visitor gave, and editable', async () => {
  const shop = await customerShop(env, { name: 'Mailer' });
  const agent = addAgent(env, { name: 'Alice', sites: [shop] });

  // Nobody On-Line: Rita leaves a message with her address.
  const rita = await openVisitor(env, shop, '/', { name: 'Rita' });
  await rita.page.getByRole('button', { name: 'Leave a message', exact: true }).click();
  const form = rita.page.locator('frontdesk-widget form.fd-offline');
  await form.getByLabel('Your name').fill('Rita');
  await form.getByLabel('Email').fill('rita@example.org');
  await form.getByLabel('Message').fill('Do you ship to Iceland?');
  await form.getByRole('button', { name: 'Send' }).click();
  await rita.page.getByText('Thank you — we will reply by email.').waitFor();

  // Later Alice is On-Line and Rita asks for a chat.
  await rita.page.locator('frontdesk-widget').getByRole('button', { name: 'Minimise chat' }).click();
  const alice = await signIn(env, agent);
  await rita.requestChat();
  await takeChat(alice, rita);
  const win = alice.window('Rita');
  await win.getByRole('button', { name: 'Email', exact: true }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Email transcript' });
  const to = dialog.getByRole('textbox', { name: 'To' });
  assert.equal(await to.inputValue(), 'rita@example.org');
  assert.equal(await to.isEditable(), true);
  await to.fill('boss@mailer.example');
  assert.equal(await to.inputValue(), 'boss@mailer.example');
  await dialog.getByRole('link', { name: 'Open in mail app' })
    .and(alice.page.locator('[href^="mailto:boss"]')).waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  alice.assertClean();
});
