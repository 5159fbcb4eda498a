// What agents do to the visitor's widget: Send Link, Block, and invitations.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, customerSite, browser } from './lib/harness.mjs';
import { shop, shopPage, widget, startChat, agentSays } from './lib/widget.mjs';

let fd, chromium;
const closers = [];
let nAgent = 0;

before(async () => {
  fd = await Frontdesk.start();
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  for (const c of closers) await c();
  await fd?.stop();
});

/** A two-page shop with its own agent (On-Line, an agent socket). */
async function shopWithAgent(t, name, agentName = 'Olive') {
  const s = await shop(fd, (snippet) => ({
    '/': shopPage('Home', snippet, { '/sizes': 'Sizes' }),
    '/sizes': shopPage('Size guide', snippet),
  }), { name });
  closers.push(s.close);
  const email = `agent${++nAgent}@${name.toLowerCase()}.example`;
  fd.agent({ email, name: agentName, sites: [s.site.key] });
  const agent = await fd.agentSocket(email);
  t.after(() => agent.close());
  return { s, agent, email };
}

test('Send Link opens a new tab and shows a clickable card; relative links resolve against the site', async (t) => {
  const { s, agent } = await shopWithAgent(t, 'Links');
  const elsewhere = await customerSite({ '/guide': '<!doctype html><title>Guide</title><h1>Guide</h1>' });
  closers.push(elsewhere.close);
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/'));
  const w = widget(page);
  const chat = await startChat(page, agent);
  const card = (href) => w.log.locator('a.fd-card').and(page.locator(`[href="${href}"]`));

  // Relative: resolved against the site's base URL by the server.
  const relative = s.url('/sizes?fit=wide');
  let tab = context.waitForEvent('page');
  const ack = await agent.request({ type: 'link', chat_id: chat.chat_id, client_id: 'l1', url: '/sizes?fit=wide' });
  assert.equal(ack.type, 'ack');
  const own = await agent.expect((f) => f.type === 'message' && f.kind === 'link', 'link message');
  assert.equal(own.body, relative);
  const opened = await tab;
  await opened.waitForURL(relative);
  assert.equal(await opened.title(), 'Size guide');
  await opened.close();
  await card(relative).waitFor();
  assert.equal(await card(relative).getAttribute('target'), '_blank');
  assert.match(await card(relative).getAttribute('rel'), /noopener/);
  await card(relative).getByText(relative, { exact: true }).waitFor();

  // Absolute, to another origin.
  const absolute = `${elsewhere.origin}/guide`;
  tab = context.waitForEvent('page');
  await agent.request({ type: 'link', chat_id: chat.chat_id, client_id: 'l2', url: absolute });
  const opened2 = await tab;
  await opened2.waitForURL(absolute);
  await opened2.close();
  await card(absolute).waitFor();

  // One card per link (the open_url and the stored link message share it), after a sentinel.
  await agentSays(agent, chat.chat_id, 'Anything else?');
  await w.bubble('Anything else?').waitFor();
  assert.equal(await w.log.locator('a.fd-card').count(), 2);
  assert.deepEqual(await w.log.locator('a.fd-card').evaluateAll((as) => as.map((a) => a.href)), [relative, absolute]);

  // The card is a real link: clicking it opens the page in a new tab.
  tab = context.waitForEvent('page');
  await card(relative).click();
  const clicked = await tab;
  await clicked.waitForURL(relative);
  await clicked.close();

  // After a navigation the cards come back from the transcript, still links.
  await page.goto(s.url('/sizes'));
  await card(absolute).waitFor();
  assert.equal(await w.log.locator('a.fd-card').count(), 2);
});

test('Block ends the chat, and a new attempt is told that chat is unavailable today', async (t) => {
  const { s, agent, email } = await shopWithAgent(t, 'Blocks');
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/'));
  const w = widget(page);
  const chat = await startChat(page, agent);
  await w.box.fill('You are all terrible');
  await w.box.press('Enter');
  await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message');

  const ack = await agent.request({ type: 'block', chat_id: chat.chat_id });
  assert.equal(ack.type, 'ack');
  const ended = await agent.expect((f) => f.type === 'chat.ended' && f.chat_id === chat.chat_id, 'chat.ended');
  assert.equal(ended.reason, 'blocked');
  await w.status.getByText('This chat has ended.', { exact: true }).waitFor();
  await w.box.waitFor({ state: 'hidden' });
  await w.bubble('You are all terrible').waitFor(); // the transcript stays readable

  // Trying again in the same page: a clear answer at once, no spinner.
  const unavailable = page.getByRole('alert').getByText('Chat is unavailable today.', { exact: true });
  await page.getByRole('button', { name: 'Start a new chat' }).click();
  await w.box.fill('Let me back in');
  await w.box.press('Enter');
  await unavailable.waitFor({ timeout: 5000 });
  assert.equal(await page.getByText('Waiting for an agent…').count(), 0);

  // After a reload the panel comes back open, without asking for a chat by itself; asking is
  // refused the same way.
  await page.reload();
  await w.panel.waitFor({ state: 'visible' });
  await page.getByRole('button', { name: 'Start chat' }).click();
  await unavailable.waitFor({ timeout: 5000 });
  assert.equal(await page.getByText('Waiting for an agent…').count(), 0);

  // A new visitor from the same address is refused too (the block covers the IP).
  const other = await chromium.newContext();
  t.after(() => other.close());
  const page2 = await other.newPage();
  await page2.goto(s.url('/sizes'));
  await widget(page2).launcher().click();
  await page2.getByRole('alert').getByText('Chat is unavailable today.', { exact: true }).waitFor({ timeout: 5000 });
  assert.equal(await page2.getByText('Waiting for an agent…').count(), 0);

  // The server made no chat for any of those attempts.
  const cookie = await fd.login(email);
  const d = await fd.api(cookie, `/api/sites/${s.site.site_id}/visitors/${encodeURIComponent(chat.visitor_id)}`);
  assert.deepEqual(d.chats.map((c) => c.chat_id), [chat.chat_id]);
  assert.equal(agent.frames.filter((f) => f.type === 'chat.requested').length, 0);
});

test('an invitation shows the greeting; Dismiss hides it, Accept starts a chat', async (t) => {
  const { s, agent } = await shopWithAgent(t, 'Invites', 'Ivy');
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/sizes'));
  const w = widget(page);
  const here = await agent.expect((f) => f.type === 'visitor.update' && f.page.url === s.url('/sizes'), 'visitor.update');
  await w.launcher().waitFor();

  const invite = (greeting) => agent.request({ type: 'invite', site_id: s.site.site_id, visitor_id: here.visitor_id, greeting });
  assert.equal((await invite('Hi! Not sure which size fits?')).type, 'ack');
  const dialog = page.getByRole('dialog', { name: 'Ivy' });
  await dialog.getByText('Hi! Not sure which size fits?', { exact: true }).waitFor();
  await dialog.getByRole('button', { name: 'Dismiss' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const dismissed = await agent.expect((f) => f.type === 'visitor.invitation_dismissed', 'visitor.invitation_dismissed');
  assert.deepEqual(dismissed, { type: 'visitor.invitation_dismissed', site_id: s.site.site_id, visitor_id: here.visitor_id });
  assert.equal(await w.panel.isVisible(), false, 'dismissing does not open the panel');

  assert.equal((await invite('Free shipping on trail shoes this week!')).type, 'ack');
  await dialog.getByText('Free shipping on trail shoes this week!', { exact: true }).waitFor();
  await dialog.getByRole('button', { name: 'Accept' }).click();
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  assert.equal(chat.visitor_id, here.visitor_id);
  assert.equal(chat.page_url, s.url('/sizes'));
  await dialog.waitFor({ state: 'hidden' });
  await w.panel.waitFor({ state: 'visible' });
  await w.status.getByText('Waiting for an agent…').waitFor();
  await agent.request({ type: 'accept', chat_id: chat.chat_id });
  await w.status.getByText('You are chatting with Ivy.').waitFor();
  await w.box.fill('Thanks, which size?');
  await w.box.press('Enter');
  const m = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message');
  assert.equal(m.chat_id, chat.chat_id);
});
