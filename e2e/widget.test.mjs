// The visitor widget end to end: a customer page on another origin embeds the snippet; a real
// Chromium visitor chats with an agent (a WebSocket client here).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, customerSite, embedPage, browser } from './lib/harness.mjs';

let fd, shop, chromium, site, agentEmail;

before(async () => {
  fd = await Frontdesk.start();
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  await shop?.close();
  await fd?.stop();
});

async function setup(pages) {
  shop = await customerSite(pages((snippet) => snippet));
  return shop;
}

test('visitor clicks "Chat with us" and chats with an agent', async () => {
  const pages = {};
  shop = await customerSite(pages);
  site = fd.site({ name: 'Acme', url: shop.origin });
  const snippet = `<script src="${fd.base}/widget.js" data-site="${site.key}" async></script>`;
  pages['/'] = embedPage({ title: 'Home', snippet, body: '<a href="/shoes">Shoes</a>' });
  pages['/shoes'] = embedPage({ title: 'Shoes', snippet });
  agentEmail = 'olive@acme.example';
  fd.agent({ email: agentEmail, name: 'Olive' });
  const agent = await fd.agentSocket(agentEmail);

  const context = await chromium.newContext();
  const page = await context.newPage();
  await page.goto(`${shop.origin}/`);
  const launcher = page.getByRole('button', { name: 'Chat with us' });
  await launcher.click();
  const requested = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  assert.equal(requested.chat.site_name, 'Acme');
  const chatId = requested.chat.chat_id;
  const ack = await agent.request({ type: 'accept', chat_id: chatId });
  assert.equal(ack.type, 'ack');

  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill('Hello <b>there</b>');
  await box.press('Enter');
  const m = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message');
  assert.equal(m.body, 'Hello <b>there</b>');
  await agent.request({ type: 'message', chat_id: chatId, client_id: 'a1', body: 'Hi! <img src=x onerror=alert(1)>' });
  const log = page.getByRole('log');
  await log.getByText('Hi! <img src=x onerror=alert(1)>').waitFor();
  await context.close();
});
