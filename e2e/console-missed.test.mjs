// Chats nobody answered (issue 12), end to end: a visitor who leaves before any answer shows
// as "Missed" in Chatting Visitors (also after a reload), and the "Missed" toggle shows only
// those; a chat waiting longer than the site's "Waiting too long after" pops up highlighted
// ("Waiting too long") for On-Line and Away agents, and the widget offers "Leave a message
// instead" without losing the place in the queue. The server runs with a 1 s visitor grace
// period and a 200 ms escalation sweep; the site's threshold is 10 s (the smallest allowed).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat } from './lib/console.mjs';

let env;
before(async () => {
  const config = join(mkdtempSync(join(tmpdir(), 'fd-missed-')), 'frontdesk.toml');
  writeFileSync(config, 'visitor_leave_grace_secs = 1\nwaiting_sweep_ms = 200\n');
  env = await consoleEnv({ extraArgs: ['--config', config] });
});
after(async () => { await env?.close(); });

test('a visitor who leaves unanswered is listed "Missed"; the "Missed" filter shows only those', async () => {
  const shop = await customerShop(env, { name: 'Corner' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await vera.say('Anyone there?');
  const walt = await openVisitor(env, shop, '/', { name: 'Walt' });
  await walt.requestChat();
  await alice.popup('Vera').waitFor();
  await alice.chatEntry('Walt').getByText('Waiting', { exact: true }).waitFor();

  await vera.page.close(); // leaves the site
  await alice.chatEntry('Vera').getByText('Missed', { exact: true }).waitFor();
  await alice.chatEntry('Vera').getByText('Nobody answered').waitFor();
  await alice.popup('Vera').waitFor({ state: 'detached' });

  const filter = alice.chatList.getByRole('button', { name: 'Missed', exact: true });
  assert.equal(await filter.getAttribute('aria-pressed'), 'false');
  await filter.click();
  assert.equal(await filter.getAttribute('aria-pressed'), 'true');
  await alice.chatEntry('Walt').waitFor({ state: 'detached' });
  assert.equal(await alice.chatList.getByRole('listitem').count(), 1, 'only the missed chat');
  await alice.chatEntry('Vera').waitFor();
  await filter.click();
  assert.equal(await filter.getAttribute('aria-pressed'), 'false');
  await alice.chatEntry('Walt').waitFor();

  // After a reload, the snapshot lists it again, and what Vera wrote can be read.
  await alice.page.reload();
  await alice.chatEntry('Vera').getByText('Missed', { exact: true }).waitFor();
  await alice.chatEntry('Vera').dblclick();
  await alice.message('Vera', 'Anyone there?').waitFor();
  alice.assertClean();
});

test('a chat waiting too long: highlighted pop-up for On-Line and Away agents; "Leave a message instead" keeps the place', async () => {
  const shop = await customerShop(env, { name: 'Late' });
  const admin = addAgent(env, { name: 'Ada', sites: [shop], admin: true });
  const cookie = await env.fd.login(admin.email);
  const sites = await env.fd.api(cookie, '/api/admin/sites');
  const site = (Array.isArray(sites) ? sites : sites.sites).find((s) => s.key === shop.site.key || s.site_key === shop.site.key);
  await env.fd.api(cookie, `/api/admin/sites/${site.id ?? site.site_id}/settings`, {
    method: 'PUT', body: { waiting_too_long_seconds: 10 },
  });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  await bob.page.getByRole('combobox', { name: 'Status' }).selectOption('away');

  const xena = await openVisitor(env, shop, '/', { name: 'Xena' });
  await xena.requestChat();
  await alice.popup('Xena').waitFor();
  assert.equal(await alice.page.getByRole('alertdialog', { name: /Waiting too long/ }).count(), 0, 'not before the threshold');

  for (const agent of [alice, bob]) {
    const popup = agent.page.getByRole('alertdialog', { name: /Waiting too long/ }).filter({ hasText: 'Xena' });
    await popup.waitFor({ timeout: 30_000 });
    assert.match(await popup.getAttribute('class'), /popup-escalated/);
    await popup.getByRole('button', { name: 'Start Chatting' }).waitFor();
  }

  const widget = xena.page.locator('frontdesk-widget');
  await widget.getByRole('button', { name: 'Leave a message instead' }).click();
  await widget.getByText('You keep your place in the queue.').waitFor();
  await widget.getByRole('textbox', { name: 'Email' }).fill('xena@example.com');
  await widget.getByRole('textbox', { name: 'Message' }).fill('Please call me back.');
  await widget.getByRole('button', { name: 'Send' }).click();
  await widget.getByText('Thank you — we will reply by email.').waitFor();
  await widget.getByRole('button', { name: 'Back to the chat' }).click();
  await xena.status.getByText('Waiting for an agent…').waitFor();
  await xena.status.getByText('You are number 1 in the queue').waitFor();

  // Still queued: Alice can take it.
  await takeChat(alice, xena);
  alice.assertClean();
  bob.assertClean();
});
