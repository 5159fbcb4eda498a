// The visitor widget in Firefox (Debian's firefox-esr over WebDriver BiDi, lib/firefox.mjs and
// lib/firefox-widget.mjs) against the real server; the agent is a WebSocket client, as in
// widget.test.mjs. The same user-facing flows as the Chromium widget-*.test.mjs files: the
// launcher on a plain page, the demo page and a hostile page with a strict CSP; a chat both ways
// with hostile text; typing; a navigation mid-chat; the offline form; the keyboard.
// Firefox missing fails the file, never skips.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, FrameSocket, forwardingProxy } from './lib/harness.mjs';
import { shop, shopPage, agentSays } from './lib/widget.mjs';
import { firefox } from './lib/firefox.mjs';
import { FirefoxVisitor, startChatFirefox } from './lib/firefox-widget.mjs';
import { hostilePages } from './lib/hostile.mjs';

let fd, ff, proxy;
const closers = [];
let nAgent = 0;

before(async () => {
  fd = await Frontdesk.start({ extraArgs: ['--demo'] });
  proxy = await forwardingProxy(fd.base, '127.0.0.1'); // for the navigation test's held socket
  ff = await firefox();
});

after(async () => {
  await ff?.close();
  for (const c of closers) await c();
  await proxy?.close();
  await fd?.stop();
});

/** A two-page shop with its own agent (On-Line, an agent socket). */
async function shopWithAgent(t, name, { agentName = 'Olive', base, pages } = {}) {
  const s = await shop(fd, pages || ((snippet) => ({
    '/': shopPage('Home', snippet, { '/two': 'Page two' }),
    '/two': shopPage('Page two', snippet, { '/': 'Home' }),
  })), { name, base });
  closers.push(s.close);
  const email = `agent${++nAgent}@${name.toLowerCase()}.example`;
  fd.agent({ email, name: agentName, sites: [s.site.key] });
  const agent = await fd.agentSocket(email);
  t.after(() => agent.close());
  return { s, agent, email };
}

async function visitor(t, url) {
  const v = await FirefoxVisitor.open(ff, url);
  t.after(() => v.close());
  return v;
}

// Strings that must never become markup or code (as in widget-hostile.test.mjs).
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=1</script>',
  '"><svg onload=window.__xss=1>',
  '\u202Egnp.exe\u202C and <b>bold</b> &amp; &lt;i&gt;',
];

test('Firefox: launcher, chat requested and accepted, messages both ways in order as text, typing; window untouched', async (t) => {
  const agentName = '<img src=x onerror="window.__xss=1">Olive';
  const { s, agent } = await shopWithAgent(t, 'Fox', { agentName });
  const v = await visitor(t, s.url('/'));
  assert.match(await v.page.evaluate(() => navigator.userAgent), /Firefox\/\d+/, 'the visitor runs Firefox');
  await v.launcher('Chat with us');
  const box = await (await v.launcher()).boundingBox();
  assert.ok(box && box.width >= 40 && box.height >= 40, `launcher has a size: ${JSON.stringify(box)}`);

  // Opening the panel asks for a chat; the agent accepts.
  await v.click('button.fd-launcher', 'Chat with us');
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  assert.equal(chat.site_name, 'Fox');
  assert.equal(chat.page_url, s.url('/'));
  await v.panelShown();
  await v.waitText('.fd-status', 'Waiting for an agent…');
  assert.equal((await agent.request({ type: 'accept', chat_id: chat.chat_id })).type, 'ack');
  await v.waitText('.fd-status', `You are chatting with ${agentName}.`);
  await v.waitText('.fd-title', agentName);

  // Typing, both ways.
  const box2 = await v.find('textarea#fd-msg');
  await box2.click();
  await box2.type('Hel');
  assert.equal((await agent.expect((f) => f.type === 'typing' && f.chat_id === chat.chat_id, 'visitor typing')).typing, true);
  await v.page.evaluate(() => {
    const ta = document.querySelector('frontdesk-widget').shadowRoot.querySelector('#fd-msg');
    ta.value = '';
    ta.dispatchEvent(new Event('input'));
  });
  assert.equal((await agent.expect((f) => f.type === 'typing' && f.chat_id === chat.chat_id, 'visitor stopped typing')).typing, false);
  agent.send({ type: 'typing', chat_id: chat.chat_id, typing: true });
  await v.waitText('.fd-typing', 'Agent is typing…');

  // Messages both ways, interleaved; every payload stays text.
  const expected = [];
  await v.say('Hello from Firefox');
  expected.push('Hello from Firefox');
  assert.equal((await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message')).body, 'Hello from Firefox');
  await agentSays(agent, chat.chat_id, 'Hi! How can I help?');
  expected.push('Hi! How can I help?');
  await v.waitBubble('Hi! How can I help?');
  await v.page.waitForFunction(() => document.querySelector('frontdesk-widget').shadowRoot.querySelector('.fd-typing').textContent === '');
  for (const p of PAYLOADS) {
    await agentSays(agent, chat.chat_id, p);
    expected.push(p);
    await v.say(p);
    expected.push(p);
    assert.equal((await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor payload')).body, p);
  }
  await agentSays(agent, chat.chat_id, 'end of payloads');
  expected.push('end of payloads');
  await v.waitBubble('end of payloads');
  await v.page.waitForFunction(() => !document.querySelector('frontdesk-widget').shadowRoot.querySelector('.fd-sending, .fd-failed'));
  assert.deepEqual(await v.logTexts(), expected, 'every message once, in order');
  assert.equal(await v.count('.fd-agent .fd-who'), PAYLOADS.length + 2);

  // Nothing ran, nothing became markup; the host page gained one global and saw no problem.
  assert.equal(await v.page.evaluate(() => window.__xss), undefined);
  assert.equal(await v.count('img, script, b, svg[onload]'), 0);
  assert.deepEqual(await v.addedGlobals(), ['Frontdesk']);
  await v.assertClean();
});

test('Firefox: the demo page shows the launcher, and it follows an agent going On-Line', async (t) => {
  const v = await visitor(t, `${fd.base}/demo`);
  await v.launcher('Leave a message'); // nobody is On-Line on the demo site
  await v.click('button.fd-launcher', 'Leave a message');
  await v.find('form.fd-offline');
  await v.click('button', 'Minimise chat');
  await v.panelShown(false);
  // The demo agent comes On-Line (signed in with the demo login): the launcher says so, live.
  const r = await fetch(`${fd.base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: fd.base },
    body: JSON.stringify({ email: 'demo@frontdesk.local', password: 'frontdesk-demo' }),
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const agent = new FrameSocket(`ws://${fd.host}/ws/agent`, { origin: fd.base, headers: { cookie } });
  t.after(() => agent.close());
  await agent.opened;
  await agent.expect((f) => f.type === 'snapshot', 'snapshot');
  assert.equal((await agent.request({ type: 'status', status: 'online' })).type, 'ack');
  await v.launcher('Chat with us');
  await (await v.page.waitForSelector('a[href*="page2"]')).click();
  await v.page.waitForFunction(() => /page2/.test(location.pathname));
  await v.launcher('Chat with us');
  assert.deepEqual(await v.addedGlobals(), ['Frontdesk']);
  await v.assertClean();
  // Away again: the demo agent (an admin) must not be On-Line for the other sites' tests.
  assert.equal((await agent.request({ type: 'status', status: 'away' })).type, 'ack');
  await v.launcher('Leave a message');
});

// Resets that break naive widgets, and old-library style patches of the prototypes (as in
// widget-hostile.test.mjs).
const HOSTILE_CSS = `
* { all: unset !important; }
head, script, style, link, title { display: none !important; }
html, body, h1, p, a { display: block !important; }
:not(:defined) { display: none !important; }
* { font: 40px/0 "Comic Sans MS", cursive !important; color: red !important; }
body * { visibility: hidden !important; opacity: 0 !important; }
h1 { visibility: visible !important; opacity: 1 !important; }
button, section, div, textarea, form, input, span, svg { display: none !important; }
`;
const HOSTILE_JS = `
['map', 'filter', 'forEach', 'find', 'findIndex', 'some', 'every', 'reduce', 'includes'].forEach(function (name) {
  Array.prototype[name] = function () { throw new Error('host: no ' + name + ' for you'); };
});
Array.prototype.toJSON = function () { return 'array-as-string'; };
Object.prototype.hostExtra = function () { return 'host'; };
`;

test('Firefox: a hostile page with a strict CSP: no violation by the widget, a chat across two pages', async (t) => {
  const { s, agent } = await shopWithAgent(t, 'Hostile', {
    pages: hostilePages(fd, { css: HOSTILE_CSS, js: HOSTILE_JS }),
  });
  const v = await visitor(t, s.url('/'));
  assert.equal(await v.page.evaluate(() => { try { [1].map(String); return 'map works'; } catch (e) { return e.message; } }), 'host: no map for you');
  const launcher = await v.launcher();
  const box = await launcher.boundingBox();
  assert.ok(box && box.width >= 40 && box.height >= 40, `launcher has a size: ${JSON.stringify(box)}`);
  assert.equal(await launcher.evaluate((b) => getComputedStyle(b).visibility + ' ' + getComputedStyle(b).opacity), 'visible 1');

  const chat = await startChatFirefox(v, agent);
  await v.say('Hello from a hostile page');
  assert.equal((await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message')).body, 'Hello from a hostile page');
  await agentSays(agent, chat.chat_id, 'Hello back');
  await v.waitBubble('Hello back');

  // Storage written under the patched Array.prototype.toJSON reads back on the next page (the
  // hostile CSS hides the page's own link).
  await v.page.goto(s.url('/two'));
  await v.waitBubble('Hello back');
  await agentSays(agent, chat.chat_id, 'Still here');
  await v.waitBubble('Still here');
  assert.deepEqual(await v.logTexts(), ['Hello from a hostile page', 'Hello back', 'Still here']);

  assert.deepEqual(await v.addedGlobals(), ['Frontdesk']);
  assert.equal(await v.page.evaluate(() => window.__inline), undefined, 'the CSP is in force');
  const violations = await v.cspViolations();
  assert.equal(violations.length, 1, `only the page's inline script is refused: ${violations}`);
  assert.match(violations[0], /^script-src(-elem)? inline$/);
  // Firefox reports the refused inline script on the console too; nothing else may be there.
  assert.deepEqual(v.problems.filter((p) => !/Content-Security-Policy|Content Security Policy/.test(p) || !/inline/.test(p)), []);
});

test('Firefox: a navigation mid-chat brings the panel back with every message once, in order', async (t) => {
  const { s, agent } = await shopWithAgent(t, 'Nav', { base: proxy.base });
  const v = await visitor(t, s.url('/'));
  const chat = await startChatFirefox(v, agent);
  await v.say('Hello from page one');
  await agent.expect((f) => f.type === 'message' && f.body === 'Hello from page one', 'visitor message');
  await agentSays(agent, chat.chat_id, 'Answer one');
  await v.waitBubble('Answer one');

  // The visitor follows a link; the next page's socket is held at the proxy while the agent
  // writes twice: those two must come in when it connects, after what page one had.
  const held = proxy.holdNextWebSocket();
  await (await v.page.waitForSelector('a[href="/two"]')).click();
  await held.arrived;
  await agentSays(agent, chat.chat_id, 'While loading one');
  await agentSays(agent, chat.chat_id, 'While loading two');
  held.release();
  assert.equal(await v.page.evaluate(() => location.pathname), '/two');
  await v.panelShown();
  await v.waitBubble('While loading two');
  await v.find('textarea#fd-msg');
  await v.say('Hello from page two');
  await agent.expect((f) => f.type === 'message' && f.body === 'Hello from page two', 'visitor message two');
  await agentSays(agent, chat.chat_id, 'After the move');
  await v.waitBubble('After the move');
  await v.page.waitForFunction(() => !document.querySelector('frontdesk-widget').shadowRoot.querySelector('.fd-sending, .fd-failed'));
  const all = ['Hello from page one', 'Answer one', 'While loading one', 'While loading two', 'Hello from page two', 'After the move'];
  assert.deepEqual(await v.logTexts(), all, 'page two: every message once, in order');

  // Back to page one (history), and a reload: the same list again.
  await v.page.goBack();
  await v.page.waitForFunction(() => location.pathname === '/');
  await v.waitBubble('After the move');
  await agentSays(agent, chat.chat_id, 'Back on one');
  await v.waitBubble('Back on one');
  assert.deepEqual(await v.logTexts(), [...all, 'Back on one'], 'after going back');
  await v.page.reload();
  await v.waitBubble('Back on one');
  await agentSays(agent, chat.chat_id, 'After reload');
  await v.waitBubble('After reload');
  assert.deepEqual(await v.logTexts(), [...all, 'Back on one', 'After reload'], 'after a reload');
  assert.equal(agent.frames.filter((f) => f.type === 'message' && f.from === 'visitor').length, 0, 'each visitor message sent once');
  await v.assertClean();
});

test('Firefox: with no agent On-Line the visitor leaves a message, by keyboard alone', async (t) => {
  const s = await shop(fd, (snippet) => ({ '/contact': shopPage('Contact', snippet) }), { name: 'Offline' });
  closers.push(s.close);
  const email = 'otto@offline.example';
  fd.agent({ email, name: 'Otto', sites: [s.site.key] });
  const cookie = await fd.login(email);
  const agent = new FrameSocket(`ws://${fd.host}/ws/agent`, { origin: fd.base, headers: { cookie } });
  t.after(() => agent.close());
  await agent.opened;
  await agent.expect((f) => f.type === 'snapshot', 'snapshot');
  assert.equal((await agent.request({ type: 'status', status: 'away' })).type, 'ack');

  const v = await visitor(t, s.url('/contact'));
  await v.launcher('Leave a message');
  await v.page.keyboard.press('Tab');
  assert.equal(await v.focused(), 'Leave a message', 'the launcher is the first stop');
  await v.page.keyboard.press('Enter');
  await v.find('form.fd-offline');
  assert.equal(await v.focused(), 'fd-oname', 'focus moves to the first field');
  const kb = v.page.keyboard;
  await kb.type('Ada <b>Lovelace</b>');
  await kb.press('Tab');
  assert.equal(await v.focused(), 'fd-oemail');
  await kb.type('ada@example.org');
  await kb.press('Tab');
  assert.equal(await v.focused(), 'fd-obody');
  const body = 'Do you ship to Iceland?';
  await kb.type(body);
  await kb.press('Tab');
  assert.equal(await v.focused(), 'Send');
  await kb.press('Enter');
  await v.waitText('.fd-thanks', 'Thank you — we will reply by email.');
  assert.equal(await v.focused(), 'Minimise chat', 'focus stays in the panel when the form goes');
  const live = await agent.expect((f) => f.type === 'offline_message', 'offline_message');
  assert.deepEqual({ name: live.name, email: live.email, body: live.body }, { name: 'Ada <b>Lovelace</b>', email: 'ada@example.org', body });
  assert.equal(agent.frames.filter((f) => f.type === 'chat.requested').length, 0, 'no chat asked for');

  // Escape closes the panel, focus goes back to the launcher; an agent coming On-Line renames it.
  await kb.press('Escape');
  await v.panelShown(false);
  assert.equal(await v.focused(), 'Leave a message');
  assert.equal((await agent.request({ type: 'status', status: 'online' })).type, 'ack');
  await v.launcher('Chat with us');
  await v.assertClean();
});

test('Firefox keyboard: Tab to the launcher, Enter opens at the box, Enter sends, Shift+Enter new line, Minimise and Escape close', async (t) => {
  const { s, agent } = await shopWithAgent(t, 'Keys', { agentName: 'Kim' });
  const v = await visitor(t, s.url('/'));
  await v.launcher();
  const kb = v.page.keyboard;
  // Tab order: the page's link, then the launcher.
  await kb.press('Tab');
  await kb.press('Tab');
  assert.equal(await v.focused(), 'Chat with us');
  await kb.press('Enter');
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  await v.panelShown();
  assert.equal(await v.focused(), 'fd-msg', 'focus moves to the message box');
  await agent.request({ type: 'accept', chat_id: chat.chat_id });
  await v.waitText('.fd-status', 'You are chatting with Kim.');

  // Enter on an empty box sends nothing; Shift+Enter is a new line; Enter sends.
  await kb.press('Enter');
  await kb.type('line one');
  await kb.down('Shift');
  await kb.press('Enter');
  await kb.up('Shift');
  await kb.type('line two');
  assert.equal(await (await v.find('textarea#fd-msg')).evaluate((ta) => ta.value), 'line one\nline two');
  await kb.press('Enter');
  const m = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message');
  assert.equal(m.body, 'line one\nline two');
  await v.waitBubble('line one\nline two');
  assert.equal(await (await v.find('textarea#fd-msg')).evaluate((ta) => ta.value), '');
  await kb.type('via the button');
  await kb.press('Tab');
  assert.equal(await v.focused(), 'Send');
  await kb.press('Enter');
  const next = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'button message');
  assert.equal(next.body, 'via the button');
  assert.equal(next.seq, m.seq + 1, 'no empty message was sent');

  // Back with Shift+Tab to "Minimise chat", staying inside the panel; Enter closes it and
  // focus returns to the launcher.
  const stops = [];
  for (let i = 0; i < 6 && stops[stops.length - 1] !== 'Minimise chat'; i++) {
    await kb.down('Shift');
    await kb.press('Tab');
    await kb.up('Shift');
    stops.push(await v.focused());
  }
  assert.equal(stops[stops.length - 1], 'Minimise chat', `Shift+Tab stops: ${stops}`);
  assert.ok(!stops.includes(null), `focus stayed in the widget: ${stops}`);
  await kb.press('Enter');
  await v.panelShown(false);
  assert.equal(await v.focused(), 'Chat with us');

  // Enter reopens at the box, with the conversation; Escape closes again.
  await kb.press('Enter');
  await v.panelShown();
  assert.equal(await v.focused(), 'fd-msg');
  await v.waitBubble('via the button');
  await kb.press('Escape');
  await v.panelShown(false);
  assert.equal(await v.focused(), 'Chat with us');
  assert.equal(agent.frames.filter((f) => f.type === 'chat.requested').length, 0, 'one chat only');
  await v.assertClean();
});
