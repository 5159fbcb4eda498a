// The widget on pages that fight it: hostile CSS, a patched Array.prototype and a strict
// Content-Security-Policy; and every string from the network shown as text, never markup.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, browser } from './lib/harness.mjs';
import { shop, widget, startChat, agentSays, logTexts } from './lib/widget.mjs';
import { hostilePages } from './lib/hostile.mjs';

let fd, chromium;
const closers = [];

before(async () => {
  fd = await Frontdesk.start();
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  for (const c of closers) await c();
  await fd?.stop();
});

// Resets that break naive widgets: everything unset, unknown and undefined elements hidden,
// huge fonts, invisible text.
const HOSTILE_CSS = `
* { all: unset !important; }
head, script, style, link, title { display: none !important; }
html, body, h1, p, a { display: block !important; }
body > :not(h1):not(p):not(a):not(script):not(link) { display: none !important; }
:not(:defined) { display: none !important; }
* { font: 40px/0 "Comic Sans MS", cursive !important; color: red !important; }
body * { visibility: hidden !important; opacity: 0 !important; }
h1 { visibility: visible !important; opacity: 1 !important; }
button, section, div, textarea, form, input, span, svg { display: none !important; }
`;

// Old-library style patches: the higher-order array methods replaced by ones that throw, a
// toJSON on arrays (Prototype.js), extra enumerable methods on Array and Object prototypes.
const HOSTILE_JS = `
['map', 'filter', 'forEach', 'find', 'findIndex', 'some', 'every', 'reduce', 'indexOf', 'includes'].forEach(function (name) {
  Array.prototype[name] = function () { throw new Error('host: no ' + name + ' for you'); };
});
Array.prototype.toJSON = function () { return 'array-as-string'; };
Array.prototype.each = function (f) { for (var i = 0; i < this.length; i++) f(this[i]); };
Object.prototype.hostExtra = function () { return 'host'; };
`;

test('a hostile host page (CSS resets, Array.prototype patch, strict CSP) does not break the widget', async (t) => {
  const s = await shop(fd, hostilePages(fd, { css: HOSTILE_CSS, js: HOSTILE_JS }), { name: 'Hostile' });
  closers.push(s.close);
  fd.agent({ email: 'hana@hostile.example', name: 'Hana', sites: [s.site.key] });
  const agent = await fd.agentSocket('hana@hostile.example');
  t.after(() => agent.close());

  const context = await chromium.newContext();
  t.after(() => context.close());
  // Before any page script: note the page's globals, CSP violations, errors.
  await context.addInitScript(() => {
    window.__before = Object.getOwnPropertyNames(window);
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  const failed = [];
  p.on('response', (r) => { if (r.status() >= 400) failed.push(r.url()); });
  p.on('requestfailed', (r) => failed.push(r.url()));
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  await p.goto(s.url('/'));
  assert.equal(await p.evaluate(() => [].concat([1]).length), 1);
  assert.equal(await p.evaluate(() => { try { [1].map(String); return 'map works'; } catch (e) { return e.message; } }), 'host: no map for you');

  const w = widget(p);
  const launcher = w.launcher();
  await launcher.waitFor();
  const box = await launcher.boundingBox();
  const vp = p.viewportSize();
  assert.ok(box && box.width >= 40 && box.height >= 40, `launcher has a size: ${JSON.stringify(box)}`);
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height, 'inside the viewport');
  assert.deepEqual(await launcher.evaluate((b) => {
    const cs = getComputedStyle(b);
    return [cs.visibility, cs.opacity, cs.display === 'none'];
  }), ['visible', '1', false]);

  // A full round trip (Playwright's click also checks the launcher is what receives the click).
  const chat = await startChat(p, agent);
  const panelBox = await w.panel.boundingBox();
  assert.ok(panelBox && panelBox.width >= 250 && panelBox.height >= 250, `panel has a size: ${JSON.stringify(panelBox)}`);
  await w.box.fill('Hello from a hostile page');
  await w.send.click();
  const m = await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message');
  assert.equal(m.body, 'Hello from a hostile page');
  await agentSays(agent, chat.chat_id, 'Hello back');
  await w.bubble('Hello back').waitFor();
  assert.equal(await w.log.locator('.fd-sending, .fd-failed').count(), 0, 'own message confirmed');

  // Storage written under the patched Array.prototype.toJSON reads back on the next page.
  await p.goto(s.url('/two'));
  await w.bubble('Hello back').waitFor();
  await w.bubble('Hello from a hostile page').waitFor();
  await agentSays(agent, chat.chat_id, 'Still here');
  await w.bubble('Still here').waitFor();
  assert.deepEqual(await logTexts(p), ['Hello from a hostile page', 'Hello back', 'Still here']);

  // The widget did not break the host either: one new global, no CSP violation, no error.
  const added = await p.evaluate(() => {
    const before = new Set(window.__before);
    const out = [];
    for (const k of Object.getOwnPropertyNames(window)) if (!before.has(k) && !k.startsWith('__')) out.push(k);
    return out;
  });
  assert.deepEqual(added, ['Frontdesk']);
  assert.equal(await p.evaluate(() => window.__inline), undefined, 'the CSP is in force');
  assert.deepEqual(await p.evaluate(() => window.__violations), ['script-src-elem inline'], 'the widget caused no violation');
  assert.deepEqual(errors.filter((e) => !/^(Failed to load resource|Executing inline script violates)/.test(e)), []);
  assert.deepEqual(failed.filter((u) => !u.endsWith('/favicon.ico')), []);
});

// Strings that must never become markup or code.
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=1</script>',
  'javascript:window.__xss=1',
  "{{constructor.constructor('window.__xss=1')()}}",
  '\u202Egnp.exe\u202C and <b>bold</b> &amp; &lt;i&gt;',
  '"><svg onload=window.__xss=1>',
];

test('every string from the network shows up as text, never markup', async (t) => {
  const agentName = '<img src=x onerror="window.__xss=1">\u202EOlive';
  const s = await shop(fd, (snippet) => ({
    '/': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>${snippet}</body></html>`,
  }), { name: 'Xss' });
  closers.push(s.close);
  fd.agent({ email: 'x@xss.example', name: agentName, sites: [s.site.key] });
  const agent = await fd.agentSocket('x@xss.example');
  t.after(() => agent.close());
  const context = await chromium.newContext();
  t.after(() => context.close());
  const p = await context.newPage();
  const fetched = [];
  p.on('request', (r) => fetched.push(r.url()));
  await p.goto(s.url('/'));
  const w = widget(p);

  // The invitation: agent name and greeting.
  const here = await agent.expect((f) => f.type === 'visitor.update', 'visitor.update');
  await w.launcher().waitFor();
  for (const greeting of PAYLOADS.slice(0, 2)) {
    await agent.request({ type: 'invite', site_id: s.site.site_id, visitor_id: here.visitor_id, greeting });
    const dialog = p.getByRole('dialog', { name: agentName });
    await dialog.getByText(greeting, { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Dismiss' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  // The chat: agent name in the header and on messages, every payload as a message.
  const chat = await startChat(p, agent);
  await p.locator('frontdesk-widget .fd-title').getByText(agentName, { exact: true }).waitFor();
  for (const body of PAYLOADS) await agentSays(agent, chat.chat_id, body);
  // The visitor's own payloads round-trip as text too.
  await w.box.fill(PAYLOADS[1]);
  await w.box.press('Enter');
  assert.equal((await agent.expect((f) => f.type === 'message' && f.from === 'visitor', 'visitor message')).body, PAYLOADS[1]);

  // Link cards: a relative link full of markup is resolved and shown as its URL; javascript:
  // is refused by the server.
  const link = await agent.request({ type: 'link', chat_id: chat.chat_id, client_id: 'l1', url: '/q?<img src=x onerror=window.__xss=1>' });
  assert.equal(link.type, 'ack');
  const url = (await agent.expect((f) => f.type === 'message' && f.kind === 'link', 'link message')).body;
  assert.ok(url.startsWith(s.url('/q?')), url);
  const refused = await agent.request({ type: 'link', chat_id: chat.chat_id, client_id: 'l2', url: 'javascript:window.__xss=1' });
  assert.equal(refused.type, 'error');
  await agentSays(agent, chat.chat_id, 'end of payloads');
  await w.bubble('end of payloads').waitFor();

  for (const body of PAYLOADS) {
    assert.equal(await w.bubble(body).count(), body === PAYLOADS[1] ? 2 : 1, `shown once as text: ${body}`);
  }
  const card = w.log.locator('a.fd-card');
  assert.equal(await card.count(), 1);
  assert.equal(await card.getAttribute('href'), url);
  await card.getByText(url, { exact: true }).waitFor();
  assert.equal(await w.log.locator('.fd-agent .fd-who').first().textContent(), agentName);

  // Nothing ran, nothing was parsed as markup, nothing was fetched because of it.
  assert.equal(await p.evaluate(() => window.__xss), undefined);
  assert.equal(await p.locator('frontdesk-widget img, frontdesk-widget script, frontdesk-widget b, frontdesk-widget svg[onload]').count(), 0);
  assert.deepEqual(fetched.filter((u) => /\/x$/.test(u)), []);
  // And the agent console gets the page title as sent (it renders it as text too).
  assert.equal(here.page.title, 'Shop');
});
