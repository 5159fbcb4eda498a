// Replies that find the visitor, and the transcript for them (issue 14), in a real browser:
// "Email me this transcript" reaches the SMTP sink (the visitor's words and the agent's, never
// an internal note), and a reply that arrives while the panel is closed shows as a count on
// the launcher (in its accessible name) and as "(1) " before the page title, both gone once
// the visitor opens the panel.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, browser } from './lib/harness.mjs';
import { SmtpSink, mailText } from './lib/smtp.mjs';
import { shop, shopPage, widget, startChat, agentSays } from './lib/widget.mjs';

let fd, chromium, smtp;
const closers = [];
let nAgent = 0;

before(async () => {
  smtp = await SmtpSink.start();
  fd = await Frontdesk.start({
    extraArgs: ['--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-from', 'frontdesk@test.example'],
  });
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  for (const c of closers) await c();
  await fd?.stop();
  await smtp?.stop();
});

async function shopWithAgent(t, name) {
  const s = await shop(fd, (snippet) => ({ '/': shopPage('Outdoor shop', snippet) }), { name });
  closers.push(s.close);
  const email = `agent${++nAgent}@${name.toLowerCase()}.example`;
  fd.agent({ email, name: 'Olive', sites: [s.site.key] });
  const agent = await fd.agentSocket(email);
  t.after(() => agent.close());
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/'));
  return { agent, page };
}

test('"Email me this transcript" sends the chat, without notes, to the address given', async (t) => {
  const { agent, page } = await shopWithAgent(t, 'Mail');
  const w = widget(page);
  const chat = await startChat(page, agent);
  await w.box.fill('Where is my parcel?');
  await w.send.click();
  await w.bubble('Where is my parcel?').waitFor();
  await agentSays(agent, chat.chat_id, 'It ships today.');
  const note = await agent.request({ type: 'note', chat_id: chat.chat_id, client_id: 'n1', body: 'VIP customer, be nice' });
  assert.equal(note.type, 'ack');
  await w.bubble('It ships today.').waitFor();

  await page.getByRole('button', { name: 'Email me this transcript' }).click();
  const form = page.locator('frontdesk-widget form.fd-tmail');
  await form.getByLabel('Email').fill('ann@example.org');
  await form.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByText('Transcript sent to ann@example.org.').waitFor();
  const mail = await smtp.expect((m) => m.to.some((to) => to.includes('ann@example.org')), 'transcript mail');
  const text = mailText(mail.data);
  assert.match(text, /You: Where is my parcel\?/);
  assert.match(text, /Olive \(agent\): It ships today\./);
  assert.doesNotMatch(mail.data, /VIP customer/);

  // After the chat too, pre-filled with the address given.
  await page.getByRole('button', { name: 'End chat' }).click();
  await page.getByText('This chat has ended.').first().waitFor();
  const again = page.getByRole('button', { name: 'Email me this transcript' });
  assert.equal(await again.isVisible(), true);
  assert.equal(await form.getByLabel('Email').inputValue(), 'ann@example.org');
});

test('a reply while the panel is closed: a count on the launcher and "(1) " in the title, until opened', async (t) => {
  const { agent, page } = await shopWithAgent(t, 'Badge');
  const w = widget(page);
  const chat = await startChat(page, agent);
  await page.getByRole('button', { name: 'Minimise chat' }).click();
  await w.panel.waitFor({ state: 'hidden' });
  assert.equal(await page.title(), 'Outdoor shop');

  await agentSays(agent, chat.chat_id, 'Are you still there?');
  await w.launcher('Chat with us, 1 unread message').waitFor();
  assert.equal(await page.locator('frontdesk-widget .fd-badge').textContent(), '1');
  await page.waitForFunction(() => document.title === '(1) Outdoor shop');
  await agentSays(agent, chat.chat_id, 'We close at six.');
  await w.launcher('Chat with us, 2 unread messages').waitFor();
  await page.waitForFunction(() => document.title === '(2) Outdoor shop');

  await w.launcher('Chat with us, 2 unread messages').click();
  await w.bubble('We close at six.').waitFor();
  await page.waitForFunction(() => document.title === 'Outdoor shop');
  await w.launcher('Chat with us').waitFor();
  assert.equal(await page.locator('frontdesk-widget .fd-badge').count(), 0);

  // Seen with the panel open: no badge, no prefix.
  await agentSays(agent, chat.chat_id, 'Bye for now.');
  await w.bubble('Bye for now.').waitFor();
  assert.equal(await page.title(), 'Outdoor shop');
  assert.equal(await page.locator('frontdesk-widget .fd-badge').count(), 0);
});
