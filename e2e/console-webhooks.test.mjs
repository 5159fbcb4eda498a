// Admin → "Webhooks" (issue 18): an admin adds a webhook for a site, sees its secret once,
// clicks "Send test event", and the deliveries log shows it delivered; the receiver (a local
// server, allowed by `webhooks.allow_private_addresses`) checks the signature as
// docs/integrations.md says. The URL goes in as text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleEnv, customerShop, addAgent, signIn } from './lib/console.mjs';

let env;
const received = [];
let receiver;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-hooks-'));
  const config = join(dir, 'config.toml');
  writeFileSync(config, '[webhooks]\nallow_private_addresses = true\npoll_ms = 100\n');
  env = await consoleEnv({ extraArgs: ['--config', config] });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ signature: req.headers['frontdesk-signature'], body });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  receiver?.close();
  await env?.close();
});

/** The receiver's check (docs/integrations.md, "Webhooks"). */
function verify(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 || '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

test('Webhooks: create, secret shown once, send test event, deliveries log', async () => {
  await customerShop(env, { name: 'Hook Shop' });
  const ada = addAgent(env, { name: 'Ada', admin: true });
  const admin = await signIn(env, ada);
  const page = admin.page;
  const url = `http://127.0.0.1:${receiver.address().port}/hook?<b>x</b>`;

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  const tabs = adminPage.getByRole('tablist', { name: 'Admin sections' });
  await tabs.getByRole('tab', { name: 'Webhooks' }).click();
  const form = adminPage.getByRole('form', { name: 'New webhook' });
  await form.getByRole('textbox', { name: 'URL' }).fill(url);
  assert.equal(await form.getByRole('checkbox', { name: 'chat.ended', exact: true }).isChecked(), true);
  await form.getByRole('checkbox', { name: 'message.created', exact: true }).check();
  await form.getByRole('button', { name: 'Create webhook' }).click();

  const shown = adminPage.getByRole('status').filter({ hasText: 'Webhook secret' });
  await shown.waitFor();
  const secret = (await shown.locator('code').textContent()).trim();
  assert.match(secret, /^whsec_[0-9a-f]{64}$/);
  assert.equal(await shown.getByRole('button', { name: 'Copy secret' }).count(), 1);

  const card = adminPage.getByRole('article').filter({ hasText: 'Events: chat.ended, message.created' });
  await card.waitFor();
  const stored = (await card.getByRole('heading').textContent()).trim();
  assert.ok(stored.startsWith(`http://127.0.0.1:${receiver.address().port}/hook?`), stored);
  assert.equal(await card.getByRole('checkbox', { name: /^Enabled/ }).isChecked(), true);
  await card.getByRole('button', { name: 'Send test event' }).click();
  await page.getByText('Test event queued.').waitFor();

  // The receiver gets it, signed with the secret shown.
  const deadline = Date.now() + 15000;
  while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.length, 1);
  assert.equal(JSON.parse(received[0].body).event, 'webhook.test');
  assert.ok(verify(secret, received[0].signature, received[0].body), received[0].signature);
  assert.ok(!verify('whsec_other', received[0].signature, received[0].body));

  // The deliveries log: delivered, one attempt, the receiver's 204.
  const log = card.getByRole('table', { name: /^Deliveries to / });
  const row = log.getByRole('row').filter({ hasText: 'webhook.test' });
  for (let i = 0; i < 50; i += 1) {
    await card.getByRole('button', { name: 'Refresh deliveries' }).click();
    if (await row.getByRole('cell', { name: 'Delivered' }).count()) break;
    await page.waitForTimeout(200);
  }
  await row.getByRole('cell', { name: 'Delivered' }).waitFor();
  assert.equal(await row.getByRole('cell', { name: '204', exact: true }).count(), 1);
  assert.equal(await row.getByRole('cell', { name: '1', exact: true }).count(), 1);

  // Shown once: gone after leaving the tab; the Audit log has the creation.
  await tabs.getByRole('tab', { name: 'Audit log' }).click();
  await adminPage.getByRole('table', { name: 'Audit log' }).getByRole('row').filter({ hasText: 'Webhook created' }).waitFor();
  await tabs.getByRole('tab', { name: 'Webhooks' }).click();
  assert.equal(await shown.count(), 0, 'the secret is not shown again');
  assert.equal(await page.locator('.admin-panels b').count(), 0, 'the URL is text, never markup');

  // Delete (confirmed): the card goes.
  await card.getByRole('button', { name: /^Delete / }).click();
  await page.getByRole('dialog', { name: 'Delete this webhook?' }).getByRole('button', { name: 'Delete' }).click();
  await adminPage.getByText('No webhooks for this site yet.').waitFor();
  admin.assertClean();
});
