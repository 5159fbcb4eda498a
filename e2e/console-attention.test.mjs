// Noticing a visitor from another tab: desktop notifications (asked for only from a button,
// shown only while the console is out of view, naming the visitor and the site; a click brings
// the pop-up's "Start Chatting" into focus) and the beep (unless Sounds is off).
//
// The real Notification and AudioContext are used, with spies around them (an init script) so
// the test sees what was shown and played. Headless Chromium never hides a page, so the same
// script lets the test report the console's tab hidden and unfocused (visibilityState,
// hasFocus() and the visibilitychange/blur events), as switching to another tab would.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

function spies() {
  const rec = { notes: [], requests: [], tones: 0 };
  window.__fd = rec;
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  const hasFocus = Document.prototype.hasFocus;
  Document.prototype.hasFocus = function () { return hidden ? false : hasFocus.call(this); };
  window.__fdHide = (on) => {
    hidden = on;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event(on ? 'blur' : 'focus'));
  };
  const Real = window.Notification;
  class SpyNotification extends Real {
    constructor(title, options = {}) {
      super(title, options);
      rec.notes.push({ title, body: options.body, tag: options.tag, note: this });
    }
  }
  Object.defineProperty(SpyNotification, 'permission', { get: () => Real.permission });
  SpyNotification.requestPermission = (...args) => {
    rec.requests.push({ userActive: navigator.userActivation.isActive });
    return Real.requestPermission(...args);
  };
  window.Notification = SpyNotification;
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    const osc = createOscillator.call(this);
    const start = osc.start;
    osc.start = function (...args) {
      if (this.context.state === 'running') rec.tones += 1;
      return start.apply(this, args);
    };
    return osc;
  };
}

const notes = (agent) => agent.page.evaluate(() => window.__fd.notes.map(({ title, body, tag }) => ({ title, body, tag })));
const tones = (agent) => agent.page.evaluate(() => window.__fd.tones);

test('desktop notifications are asked for politely: never on load, only from the "Enable desktop notifications" button', async () => {
  const shop = await customerShop(env, { name: 'Polite' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }), {
    setup: (context) => context.addInitScript(spies),
  });
  const page = alice.page;
  assert.equal(await page.evaluate(() => Notification.permission), 'default');
  const button = page.getByRole('button', { name: 'Enable desktop notifications' });
  await button.waitFor();
  // A visitor asks for a chat: still no permission prompt.
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await alice.popup('Vera').waitFor();
  assert.deepEqual(await page.evaluate(() => window.__fd.requests), [], 'no permission request without the button');
  assert.deepEqual(await notes(alice), []);

  await button.click();
  await page.waitForFunction(() => window.__fd.requests.length === 1);
  assert.deepEqual(await page.evaluate(() => window.__fd.requests), [{ userActive: true }], 'asked from the click');
  // The Options page says where things stand.
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Options' }).click();
  await page.getByRole('main', { name: 'Options' }).getByRole('region', { name: 'Notifications' })
    .getByText(/Desktop notifications are/).waitFor();
  alice.assertClean();
});

test('granted: a chat request while the console is hidden makes a desktop notification naming visitor and site; a click focuses the pop-up; a beep unless Sounds is off', async () => {
  const shop = await customerShop(env, { name: 'Acme' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }), {
    setup: async (context) => {
      await context.grantPermissions(['notifications'], { origin: env.fd.base });
      await context.addInitScript(spies);
    },
  });
  const page = alice.page;
  assert.equal(await page.getByRole('button', { name: 'Enable desktop notifications' }).count(), 0,
    'no button once they are allowed');

  // In view: the pop-up and a beep, no desktop notification.
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await alice.popup('Vera').waitFor();
  const afterVera = await tones(alice);
  assert.ok(afterVera > 0, 'a beep for the chat request');
  assert.deepEqual(await notes(alice), [], 'no desktop notification while the console is in view');

  // The agent is in another tab: Walt's request shows a desktop notification.
  await page.evaluate(() => window.__fdHide(true));
  const walt = await openVisitor(env, shop, '/pricing', { name: 'Walt' });
  await walt.requestChat();
  await alice.popup('Walt').waitFor();
  const shown = await notes(alice);
  assert.equal(shown.length, 1, 'one desktop notification');
  assert.equal(shown[0].title, 'Chat request');
  assert.equal(shown[0].body, 'Walt on Acme', 'it names the visitor and the site');
  assert.ok(await tones(alice) > afterVera, 'a beep for the second request');

  // Clicking it brings the console forward with the focus on Walt's "Start Chatting".
  await page.evaluate(() => {
    window.__fdHide(false);
    window.__fd.notes[0].note.dispatchEvent(new Event('click'));
  });
  const start = alice.popup('Walt').getByRole('button', { name: 'Start Chatting' });
  await page.waitForFunction(() => document.activeElement?.textContent === 'Start Chatting'
    && document.activeElement.closest('[role="alertdialog"]').textContent.includes('Walt'));
  await page.keyboard.press('Enter');
  await alice.window('Walt').waitFor();
  await walt.status.getByText('You are chatting with Alice.').waitFor();
  await start.waitFor({ state: 'detached' });

  // Sounds off: the next request pops up in silence (and the choice is remembered).
  const sounds = page.getByRole('banner').getByRole('checkbox', { name: 'Sounds' });
  assert.equal(await sounds.isChecked(), true);
  await sounds.uncheck();
  const before = await tones(alice);
  const xena = await openVisitor(env, shop, '/', { name: 'Xena' });
  await xena.requestChat();
  await alice.popup('Xena').waitFor();
  assert.equal(await tones(alice), before, 'no beep with Sounds off');
  await page.reload();
  await alice.popup('Xena').waitFor();
  assert.equal(await page.getByRole('banner').getByRole('checkbox', { name: 'Sounds' }).isChecked(), false);
  assert.equal(await tones(alice), 0, 'still silent after a reload');
  await page.getByRole('banner').getByRole('checkbox', { name: 'Sounds' }).check();
  const yuri = await openVisitor(env, shop, '/', { name: 'Yuri' });
  await yuri.requestChat();
  await alice.popup('Yuri').waitFor();
  assert.ok(await tones(alice) > 0, 'beeps again with Sounds on');
  alice.assertClean();
});
