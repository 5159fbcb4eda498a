// "Tags" and the "Wrap-up note" (issue 13) in the console, end to end: a tag typed in one chat
// is offered as a suggestion in the next; chips save at once and can be removed; "End Chat"
// asks for an optional "Wrap-up note" and ends the chat on confirm; Chat History then shows
// the earlier chat's tags and wrap-up note (never shown to the visitor). The Tags box has a
// list of suggestions, so its role is "combobox".

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, endChat, closeEndedChat,
  confirmEndChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

/** Types `tag` into the window's "Tags" box and presses Enter; waits for its chip. */
async function addTag(agent, name, tag) {
  const win = agent.window(name);
  const box = win.getByRole('combobox', { name: 'Tags' });
  await box.fill(tag);
  await box.press('Enter');
  await win.getByRole('button', { name: `Remove tag ${tag}` }).waitFor();
}

test('"Tags" with suggestions, "End Chat" with a "Wrap-up note", both in Chat History', async () => {
  const shop = await customerShop(env, { name: 'Tagged' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));

  // A first chat, tagged "Refund": the site now has that tag to suggest.
  const tom = await openVisitor(env, shop, '/', { name: 'Tom' });
  await tom.requestChat();
  await takeChat(alice, tom);
  await addTag(alice, 'Tom', 'Refund');
  await endChat(alice, tom);
  await closeEndedChat(alice, tom);

  // Rita's chat: "Refund" is suggested; a chip per tag, saved at once; one removed.
  const rita = await openVisitor(env, shop, '/', { name: 'Rita' });
  await rita.requestChat();
  await takeChat(alice, rita);
  const win = alice.window('Rita');
  const box = win.getByRole('combobox', { name: 'Tags' });
  const listId = await box.getAttribute('list');
  assert.ok(listId, 'the Tags box has a list of suggestions');
  await win.locator(`datalist[id="${listId}"] option[value="Refund"]`).waitFor({ state: 'attached' });
  await addTag(alice, 'Rita', 'Refund');
  await addTag(alice, 'Rita', 'VIP');
  await win.getByRole('button', { name: 'Remove tag VIP' }).click();
  await win.getByRole('button', { name: 'Remove tag VIP' }).waitFor({ state: 'detached' });
  // The same tag in another case is not added twice.
  await box.fill('refund');
  await box.press('Enter');
  assert.equal(await win.getByRole('button', { name: /^Remove tag/ }).count(), 1);

  // "End Chat" asks first: Cancel keeps the chat going …
  await win.getByRole('button', { name: 'End Chat' }).click();
  const ask = alice.page.getByRole('dialog', { name: 'End this chat?' });
  await ask.getByRole('textbox', { name: 'Wrap-up note' }).waitFor();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'detached' });
  assert.equal(await win.getByText('This chat has ended.').count(), 0, 'Cancel does not end it');
  // … the dialog's "End Chat" ends it, with the note.
  const NOTE = 'Refund sent, follow up Monday.';
  await confirmEndChat(alice, 'Rita', NOTE);
  await rita.status.getByText('This chat has ended.').waitFor();
  await win.getByText('This chat has ended.').waitFor();
  assert.ok(!(await rita.panelText()).includes(NOTE), 'the visitor never sees the wrap-up note');
  assert.ok(!(await rita.panelText()).includes('Refund'), 'nor the tags');
  await closeEndedChat(alice, rita);

  // Rita asks again: her earlier chat in Chat History shows its tags and wrap-up note.
  await rita.page.getByRole('link', { name: 'Pricing' }).click();
  await rita.page.waitForURL(shop.url('/pricing'));
  await rita.requestChat();
  await takeChat(alice, rita);
  const detail = alice.window('Rita').getByRole('complementary', { name: 'Visit Detail' });
  await detail.getByRole('button', { name: 'Chat History' }).click();
  const history = detail.getByRole('region', { name: 'Chat History' });
  await history.getByText('Tags: Refund').waitFor();
  await history.getByText(`Wrap-up: ${NOTE}`).waitFor();
  await history.getByRole('button', { name: /with Alice/ }).click();
  const transcript = alice.page.getByRole('dialog', { name: 'Chat transcript' });
  await transcript.getByRole('note', { name: 'Wrap-up note' }).getByText(NOTE).waitFor();
  // Tags may still be edited after the fact, from Chat History.
  await transcript.getByRole('button', { name: 'Remove tag Refund' }).waitFor();
  const later = transcript.getByRole('combobox', { name: 'Tags' });
  await later.fill('Resolved');
  await later.press('Enter');
  await transcript.getByRole('button', { name: 'Remove tag Resolved' }).waitFor();
  await transcript.getByRole('button', { name: 'Done' }).click();
  await transcript.waitFor({ state: 'detached' });
  alice.assertClean();
});
