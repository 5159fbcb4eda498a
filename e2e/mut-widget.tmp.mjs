// The visitor widget end to end: a customer page on another origin embeds the snippet; a real
// Chromium visitor chats with an agent (a WebSocket client here). The other widget-*.test.mjs
// files cover tracking, navigation, agents' actions, the offline form and hostile pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, customerSite, embedPage, browser } from './lib/harness.mjs';
import { shop, shopPage, widget } from './lib/widget.mjs';

let fd, chromium;
const closers = [];

before(async () => {
  fd = await Frontdesk.start();
  chromium = await browser();

{
  const MUTS = {
    restore: (b) => b.replace("if (store('open') === '1') toggle(true, false, true);", "if (store('open') === '1') toggle(true, false);"),
    dedupe: (b) => b.replace("if (S.msgs.has(m.seq)) return false;", ""),
    innerhtml: (b) => b.replace("el.append(u ? card(u) : h('p', { class: 'fd-text', text: m.body }));", "const pp = h('p', { class: 'fd-text' }); pp.innerHTML = m.body; el.append(u ? card(u) : pp);"),
    shift: (b) => b.replace("e.key === 'Enter' && !e.shiftKey", "e.key === 'Enter'"),
    nostore: (b) => b.replace("store('chat', enc({", "0 && store('chat', enc({"),
    arrays: (b) => b.replace("const outById = (id) => findIn(S.out, (o) => o.client_id === id);", "const outById = (id) => S.out.find((o) => o.client_id === id);"),
  };
  const mut = MUTS[process.env.MUT];
  const orig = chromium.newContext.bind(chromium);
  chromium.newContext = async (o) => {
    const c = await orig(o);
    await c.route('**/widget/panel.js', async (r) => {
      const resp = await r.fetch();
      const body = await resp.text();
      const out = mut(body);
      if (out === body) throw new Error('mutation did not apply');
      await r.fulfill({ response: resp, body: out });
    });
    return c;
  };
}
});

after(async () => {
  await chromium?.close();
  for (const c of closers) await c();
  await fd?.stop();
});

test('visitor clicks "Chat with us" and chats with an agent', async (t) => {
  const pages = {};
  const site = await customerSite(pages);
  closers.push(site.close);
  const s = fd.site({ name: 'Acme', url: site.origin });
  const snippet = `<script src="${fd.base}/widget.js" data-site="${s.key}" async></script>`;
  pages['/'] = embedPage({ title: 'Home', snippet, body: '<a href="/shoes">Shoes</a>' });
  pages['/shoes'] = embedPage({ title: 'Shoes', snippet });
  const agentEmail = 'olive@acme.example';
  fd.agent({ email: agentEmail, name: 'Olive', sites: [s.key] });
  const agent = await fd.agentSocket(agentEmail);
  t.after(() => agent.close());

  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${site.origin}/`);
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
});

test('keyboard: reach the launcher with Tab, Enter sends, Shift+Enter makes a new line, Escape minimises', async (t) => {
  const s = await shop(fd, (snippet) => ({ '/': shopPage('Home', snippet, { '/about': 'About us' }) }), { name: 'Keys' });
  closers.push(s.close);
  fd.agent({ email: 'kim@keys.example', name: 'Kim', sites: [s.site.key] });
  const agent = await fd.agentSocket('kim@keys.example');
  t.after(() => agent.close());
  const context = await chromium.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/'));
  const w = widget(page);
  await w.launcher().waitFor();
  /** The focused element inside the widget: its id, its aria-label, or its text. */
  const focused = () => page.evaluate(() => {
    const host = document.querySelector('frontdesk-widget');
    if (document.activeElement !== host) return null;
    const a = host.shadowRoot.activeElement;
    return a && (a.id || a.getAttribute('aria-label') || a.textContent.trim());
  });

  // Tab order: the page's link, then the launcher.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Chat with us');
  await page.keyboard.press('Enter');
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  await w.panel.waitFor({ state: 'visible' });
  assert.equal(await focused(), 'fd-msg', 'focus moves to the message box');
  await agent.request({ type: 'accept', chat_id: chat.chat_id });
  await w.status.getByText('You are chatting with Kim.').waitFor();

  // Enter on an empty box sends nothing; Shift+Enter is a new line; Enter sends.
  await page.keyboard.press('Enter');
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  assert.equal(await w.box.inputValue(), 'line one\nline two', 'still in the box');
  await page.keyboard.press('Enter');
  const m = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message');
  assert.equal(m.body, 'line one\nline two');
  assert.equal(await w.box.inputValue(), '');
  await w.bubble('line one\nline two').waitFor();
  assert.equal(await w.bubble('line one\nline two').evaluate((e) => e.innerText), 'line one\nline two', 'shown on two lines');
  await page.keyboard.type('third');
  await page.keyboard.press('Enter');
  const next = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'second visitor message');
  assert.equal(next.body, 'third', 'no empty message was sent before it');
  assert.equal(next.seq, m.seq + 1);

  // The Send button works from the keyboard too.
  await page.keyboard.type('via the button');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Send');
  await page.keyboard.press('Enter');
  assert.equal((await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'button message')).body, 'via the button');

  // Escape minimises and gives focus back to the launcher; Enter there reopens at the box.
  await w.box.focus();
  await page.keyboard.press('Escape');
  await w.panel.waitFor({ state: 'hidden' });
  assert.equal(await focused(), 'Chat with us');
  await page.keyboard.press('Enter');
  await w.panel.waitFor({ state: 'visible' });
  assert.equal(await focused(), 'fd-msg');
  await w.bubble('via the button').waitFor();
});
