// No agent On-Line: "Leave a message". The message is stored, shown to agents, and emailed to
// the site's address through a real SMTP conversation with a sink on this machine. A blocked
// visitor's message is refused (issue 20 item 1): the form gives way to "Chat is unavailable
// today.", as a chat request does.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, FrameSocket, browser } from './lib/harness.mjs';
import { SmtpSink, parseMail, mailText } from './lib/smtp.mjs';
import { shop, shopPage, widget, startChat } from './lib/widget.mjs';

let fd, chromium, smtp;
const closers = [];

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

test('with no agent On-Line the visitor leaves a message: stored, shown to agents, emailed', async (t) => {
  const s = await shop(fd, (snippet) => ({ '/contact': shopPage('Contact', snippet) }),
    { name: 'Shop', email: 'owner@shop.example' });
  closers.push(s.close);
  const email = 'otto@shop.example';
  fd.agent({ email, name: 'Otto', sites: [s.site.key] });
  // Otto is connected but Away: not On-Line, yet he sees offline messages arrive.
  const cookie = await fd.login(email);
  const agent = new FrameSocket(`ws://${fd.host}/ws/agent`, { origin: fd.base, headers: { cookie } });
  t.after(() => agent.close());
  await agent.opened;
  await agent.expect((f) => f.type === 'snapshot', 'snapshot');
  assert.equal((await agent.request({ type: 'status', status: 'away' })).type, 'ack');

  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/contact'));
  const w = widget(page);
  await w.launcher('Leave a message').click();
  const form = page.locator('frontdesk-widget form.fd-offline');
  await form.getByLabel('Your name').fill('Ada Lovelace');
  await form.getByLabel('Email').fill('ada@example.org');
  const body = 'Do you ship to Iceland?\nI need two pairs by Friday.';
  await form.getByLabel('Message').fill(body);
  await form.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Thank you — we will reply by email.').waitFor();

  // Shown to agents, live and over REST.
  const live = await agent.expect((f) => f.type === 'offline_message', 'offline_message');
  assert.deepEqual({ name: live.name, email: live.email, body: live.body, site: live.site_id },
    { name: 'Ada Lovelace', email: 'ada@example.org', body, site: s.site.site_id });
  const stored = await fd.api(cookie, `/api/sites/${s.site.site_id}/offline-messages`);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].id, live.id);
  assert.equal(stored[0].name, 'Ada Lovelace');
  assert.equal(stored[0].email, 'ada@example.org');
  assert.equal(stored[0].body, body);
  assert.equal(stored[0].page_url, s.url('/contact'));

  // Emailed to the site's address.
  const mail = await smtp.expect((m) => m.to.includes('owner@shop.example'), 'the offline message mail');
  assert.equal(mail.from, 'frontdesk@test.example');
  assert.deepEqual(mail.to, ['owner@shop.example']);
  const verbs = mail.commands.map((c) => c.split(/[\s:]/)[0].toUpperCase());
  assert.ok(verbs[0] === 'EHLO' || verbs[0] === 'HELO', `greeted first: ${verbs}`);
  for (const v of ['MAIL', 'RCPT', 'DATA']) assert.ok(verbs.includes(v), `${v} in ${verbs}`);
  const { headers } = parseMail(mail.data);
  assert.match(headers.to, /owner@shop\.example/);
  assert.match(headers.from, /frontdesk@test\.example/);
  assert.equal(headers.subject, 'Offline message on Shop from Ada Lovelace');
  const text = mailText(mail.data, 'text/plain');
  assert.ok(text.includes(body), `plain text part has the message: ${text}`);
  assert.ok(text.includes('ada@example.org'));
  assert.ok(text.includes(s.url('/contact')));
  assert.ok(mailText(mail.data, 'text/html').includes('Do you ship to Iceland?'));

  // When an agent comes On-Line the launcher says so, live.
  assert.equal((await agent.request({ type: 'status', status: 'online' })).type, 'ack');
  await page.getByRole('button', { name: 'Minimise chat' }).click();
  await w.launcher('Chat with us').waitFor();
});

test('a blocked visitor who leaves a message is told that chat is unavailable today', async (t) => {
  const s = await shop(fd, (snippet) => ({ '/contact': shopPage('Contact', snippet) }),
    { name: 'Blocked Shop', email: 'owner@blocked.example' });
  closers.push(s.close);
  const email = 'bea@blocked.example';
  fd.agent({ email, name: 'Bea', sites: [s.site.key] });
  const agent = await fd.agentSocket(email); // On-Line
  t.after(() => agent.close());

  // The visitor chats, and the agent blocks them (as from the console's "Block").
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/contact'));
  const w = widget(page);
  const chat = await startChat(page, agent);
  assert.equal((await agent.request({ type: 'block', chat_id: chat.chat_id })).type, 'ack');
  await w.status.getByText('This chat has ended.', { exact: true }).waitFor();

  // Nobody On-Line any more: on the next page the panel offers the offline form.
  assert.equal((await agent.request({ type: 'status', status: 'away' })).type, 'ack');
  await page.reload();
  const form = page.locator('frontdesk-widget form.fd-offline');
  await form.getByLabel('Email').waitFor();
  await form.getByLabel('Your name').fill('Mallory');
  await form.getByLabel('Email').fill('mallory@example.org');
  await form.getByLabel('Message').fill('You cannot keep me out');
  await form.getByRole('button', { name: 'Send' }).click();

  // Refused like a chat request: the "unavailable today" text instead of the form.
  const unavailable = page.getByRole('alert').getByText('Chat is unavailable today.', { exact: true });
  const thanks = page.getByText('Thank you — we will reply by email.');
  await unavailable.or(thanks).waitFor();
  assert.equal(await thanks.count(), 0, 'the server accepted the offline message of a blocked visitor');
  await form.waitFor({ state: 'detached' });

  // Nothing stored (nor shown to the agent).
  const cookie = await fd.login(email);
  assert.deepEqual(await fd.api(cookie, `/api/sites/${s.site.site_id}/offline-messages`), []);
  assert.equal(agent.frames.filter((f) => f.type === 'offline_message').length, 0);
});
