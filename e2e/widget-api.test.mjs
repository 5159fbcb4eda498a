// The widget's JavaScript API (issue 17; web/widget/README.md, "JavaScript API"), in one
// Chromium page: calls queued before widget.js ran, hide()/show() of the launcher and open()
// before the panel was fetched, close(), the events (chat.started, message from an agent,
// chat.ended) with plain data, a throwing handler that harms nothing, and setLanguage()
// switching the launcher's and the panel's texts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Frontdesk, browser, embedPage, repo } from './lib/harness.mjs';
import { shop, widget, agentSays } from './lib/widget.mjs';

let fd, chromium;
const closers = [];
const table = async (l) => (await import(join(repo, 'web', 'widget', `l10n-${l}.js`))).default;

before(async () => {
  fd = await Frontdesk.start();
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  for (const c of closers) await c();
  await fd?.stop();
});

// The page's own queue, as README.md shows it, before the (async) snippet; then its calls.
const STUB = "window.Frontdesk=window.Frontdesk||{q:[]};['open','close','hide','show','on','setLanguage']" +
  '.forEach(function(m){Frontdesk[m]=Frontdesk[m]||function(){Frontdesk.q.push([m].concat([].slice.call(arguments)))}});';
const page = (title, snippet, calls) => embedPage({ title, snippet, head: `<script>${STUB}${calls}</script>` });

/** The launcher's state in the shadow root: null before welcome, else whether it shows. */
const launcherShown = (p) => p.evaluate(() => {
  const b = document.querySelector('frontdesk-widget').shadowRoot.querySelector('.fd-launcher');
  return b.hidden ? null : getComputedStyle(b).display !== 'none';
});

test('Frontdesk.open/close/hide/show/on/setLanguage, queued before the loader ran', async (t) => {
  const s = await shop(fd, (snippet) => ({
    '/': page('Home', snippet, `window.events=[];
      Frontdesk.on('message', function () { throw new Error('a broken handler'); });
      ['chat.started', 'message', 'chat.ended'].forEach(function (e) {
        Frontdesk.on(e, function (d) { events.push([e, d]); });
      });
      Frontdesk.hide();`),
    '/queued-open': page('Queued', snippet, "Frontdesk.setLanguage('fr'); Frontdesk.open();"),
  }), { name: 'Api' });
  closers.push(s.close);
  fd.agent({ email: 'olive@api.example', name: 'Olive', sites: [s.site.key] });
  const agent = await fd.agentSocket('olive@api.example');
  t.after(() => agent.close());
  const context = await chromium.newContext();
  t.after(() => context.close());
  const p = await context.newPage();
  const pageErrors = [];
  p.on('pageerror', (e) => pageErrors.push(e.message));
  await p.goto(s.url('/'));
  const w = widget(p);

  // The queue ran: the real API replaced it, the launcher is hidden (after welcome), and
  // nothing of the panel was fetched.
  await p.waitForFunction(() => window.Frontdesk && !window.Frontdesk.q);
  assert.ok(await p.evaluate(() => Object.isFrozen(window.Frontdesk)));
  await p.waitForFunction(() => !document.querySelector('frontdesk-widget').shadowRoot.querySelector('.fd-launcher').hidden);
  assert.equal(await launcherShown(p), false);
  await p.evaluate(() => Frontdesk.show());
  await w.launcher().waitFor();
  await p.evaluate(() => Frontdesk.hide());
  await w.launcher().waitFor({ state: 'hidden' });
  await p.evaluate(() => Frontdesk.show());
  await w.launcher().waitFor();
  assert.equal(await p.locator('frontdesk-widget section.fd-panel').count(), 0, 'panel not loaded yet');

  // open() fetches the panel and opens it (an agent is On-Line: it asks for a chat).
  await p.evaluate(() => Frontdesk.open());
  await w.panel.waitFor();
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  assert.equal((await agent.request({ type: 'accept', chat_id: chat.chat_id })).type, 'ack');
  await w.status.getByText(/You are chatting with/).waitFor();
  await agentSays(agent, chat.chat_id, 'Hello from Olive <b>bold</b>');
  await w.bubble('Hello from Olive <b>bold</b>').waitFor();
  await p.waitForFunction(() => events.some((e) => e[0] === 'message'));
  let events = await p.evaluate(() => events);
  assert.deepEqual(events.map((e) => e[0]), ['chat.started', 'message']);
  assert.equal(events[0][1].chat_id, chat.chat_id);
  const m = events[1][1];
  assert.deepEqual({ chat_id: m.chat_id, from: m.from, kind: m.kind, text: m.text, name: m.name },
    { chat_id: chat.chat_id, from: 'agent', kind: 'text', text: 'Hello from Olive <b>bold</b>', name: 'Olive' });
  assert.equal(typeof m.seq, 'number');
  assert.ok(Math.abs(m.at - Date.now()) < 60_000, 'at: milliseconds since the epoch');

  // close() and open() again; the widget still works after the throwing handler.
  await p.evaluate(() => Frontdesk.close());
  await w.panel.waitFor({ state: 'hidden' });
  await w.launcher().waitFor();
  await p.evaluate(() => Frontdesk.open());
  await w.panel.waitFor();
  await w.box.fill('Thanks');
  await w.send.click();
  await agent.expect((f) => f.type === 'message' && f.body === 'Thanks', 'visitor message');

  // setLanguage(): the launcher's and the panel's texts in German; an unknown code is ignored.
  const de = await table('de');
  await p.evaluate(() => Frontdesk.close());
  await p.evaluate(() => { Frontdesk.setLanguage('xx'); Frontdesk.setLanguage('de-AT'); });
  await w.launcher(de.chat).waitFor();
  await p.evaluate(() => Frontdesk.open());
  await p.getByRole('textbox', { name: de.message, exact: true }).waitFor();
  await p.getByRole('button', { name: de.minimise, exact: true }).waitFor();
  await w.bubble('Hello from Olive <b>bold</b>').waitFor(); // the log kept
  await w.bubble('Thanks').waitFor();
  assert.equal(await p.locator('frontdesk-widget .fd-badge').count(), 0);

  // The agent ends the chat: chat.ended.
  assert.equal((await agent.request({ type: 'end', chat_id: chat.chat_id })).type, 'ack');
  await p.waitForFunction(() => events.some((e) => e[0] === 'chat.ended'));
  events = await p.evaluate(() => events);
  assert.deepEqual(events.map((e) => e[0]), ['chat.started', 'message', 'message', 'chat.ended']);
  assert.equal(events[2][1].from, 'visitor');
  assert.deepEqual(events[3][1], { chat_id: chat.chat_id });
  assert.deepEqual(pageErrors, []); // the broken handler's error went to the console only

  // A page that queues setLanguage('fr') and open() before the loader: both done on load.
  await p.evaluate(() => Frontdesk.close()); // remembered: the next page would not open it
  const fr = await table('fr');
  const q = await context.newPage();
  await q.goto(s.url('/queued-open'));
  await widget(q).panel.waitFor();
  await q.getByRole('button', { name: fr.minimise, exact: true }).waitFor();
  await widget(q).launcher(fr.chat).waitFor();
});
