// The agent console in Firefox (Debian's firefox-esr over WebDriver BiDi, lib/firefox.mjs):
// the key flows of an agent's day against the real server, with visitors on the real widget
// (in Chromium) and a second agent in Chromium; and the console at tablet width in Firefox.
// Firefox missing fails the file, never skips.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor,
} from './lib/console.mjs';
import { firefox, FirefoxConsole } from './lib/firefox.mjs';

let env, ff;
before(async () => {
  env = await consoleEnv();
  ff = await firefox();
  env.defer(() => ff.close());
});
after(async () => { await env?.close(); });

test('Firefox: sign in, On-Line, pop-up and Start Chatting, messages both ways, Visit Detail, canned response, Transfer, Close back to the queue', async () => {
  const shop = await customerShop(env, { name: 'Acme' });
  const admin = addAgent(env, { name: 'Ada', admin: true });
  await env.fd.api(await env.fd.login(admin.email), `/api/sites/${shop.site.site_id}/canned`, {
    method: 'POST', body: { title: 'Welcome', body: 'Welcome to Acme! How can I help?', scope: 'site' },
  });
  const alice = await FirefoxConsole.signIn(ff, env.fd.base, addAgent(env, { name: 'Alice', sites: [shop] }));
  const ua = await alice.page.evaluate(() => navigator.userAgent);
  assert.match(ua, /Firefox\/\d+/, 'the console runs in Firefox');
  const page = alice.page;
  assert.equal(await page.$eval('header select[name="status"]', (s) => s.value), 'online', 'On-Line after signing in');
  await alice.waitText('fieldset.monitor', 'Acme');
  // Away and back to On-Line with the Status control.
  await page.select('header select[name="status"]', 'away');
  await page.waitForFunction(() => document.querySelector('header select[name="status"]').classList.contains('is-away'));
  await page.select('header select[name="status"]', 'online');
  await page.waitForFunction(() => !document.querySelector('header select[name="status"]').classList.contains('is-away'));

  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));

  // Vera browses two pages, then asks for a chat: the pop-up names her, the site and the page.
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.page.getByRole('link', { name: 'Pricing' }).click();
  await vera.page.waitForURL(shop.url('/pricing'));
  await vera.requestChat();
  const popup = await alice.popup('Vera');
  assert.match(await popup.evaluate((el) => el.textContent), /Acme/);
  assert.match(await popup.evaluate((el) => el.textContent), /Pricing/);
  await (await alice.byText('[role="alertdialog"] button', 'Start Chatting')).click();
  const win = await alice.window('Vera');
  await vera.status.getByText('You are chatting with Alice.').waitFor();
  await bob.popup('Vera').waitFor({ state: 'detached' });

  // Messages both ways.
  await vera.say('Hello from the widget');
  await alice.waitMessage('Hello from the widget');
  await alice.say('Hello from Firefox');
  await vera.bubble('Hello from Firefox').waitFor();
  await alice.waitMessage('Hello from Firefox');

  // Visit Detail shows by itself, with both pages.
  await alice.waitText('[role="tabpanel"]:not([hidden]) aside.visit-detail', 'Pages viewed (2)');
  const pages = await win.$$eval('aside.visit-detail .pages li a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(pages, ['Home', 'Pricing']);

  // A canned response goes into the Message box, Enter sends it.
  await (await alice.byText('[role="tabpanel"]:not([hidden]) button', 'Canned Responses')).click();
  await (await alice.byText('[role="menu"] [role="menuitem"]', 'Welcome')).click();
  await page.waitForFunction(() => document.querySelector('[role="tabpanel"]:not([hidden]) textarea[name="message"]')
    .value === 'Welcome to Acme! How can I help?');
  await page.keyboard.press('Enter');
  await vera.bubble('Welcome to Acme! How can I help?').waitFor();

  // Transfer to Bob (in Chromium): he gets the pop-up and the window; Alice's window goes.
  await page.waitForFunction(() => [...document.querySelectorAll('[role="tabpanel"]:not([hidden]) select[name="transfer"] option')]
    .some((o) => o.textContent === 'Bob'));
  const bobId = await win.$eval('select[name="transfer"]', (s) => [...s.options].find((o) => o.textContent === 'Bob').value);
  await page.select('[role="tabpanel"]:not([hidden]) select[name="transfer"]', bobId);
  await (await alice.byText('[role="tabpanel"]:not([hidden]) form.transfer button', 'Transfer')).click();
  await bob.popup('Alice transferred a chat to you').waitFor();
  await bob.window('Vera').waitFor();
  await page.waitForFunction(() => !document.querySelector('.tabpanels [role="tabpanel"]'));
  await bob.say('Vera', 'Bob here.');
  await vera.bubble('Bob here.').waitFor();

  // Walt: Alice takes him with Alt+A (the shortcut), then "Close" puts him back in the queue:
  // Bob gets the pop-up, Alice sees him waiting in Chatting Visitors but gets no pop-up again.
  const walt = await openVisitor(env, shop, '/', { name: 'Walt' });
  await walt.requestChat();
  await alice.popup('Walt');
  await page.keyboard.down('Alt');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Alt');
  await alice.window('Walt');
  await walt.status.getByText('You are chatting with Alice.').waitFor();
  await page.waitForFunction(() => document.activeElement?.name === 'message', { timeout: 5000 });
  await (await alice.byText('[role="tabpanel"]:not([hidden]) .window-buttons button', 'Close')).click();
  await page.waitForFunction(() => !document.querySelector('.tabpanels [role="tabpanel"]'));
  await bob.popup('Walt').getByRole('button', { name: 'Start Chatting' }).waitFor();
  await alice.waitText('.chatting li.entry', 'Walt');
  await alice.waitText('.chatting li.entry.is-waiting', 'No agent yet');
  assert.equal(await page.$$eval('[role="alertdialog"]', (els) => els.filter((el) => el.textContent.includes('Walt')).length), 0,
    'no pop-up for the agent who closed the chat');
  await bob.popup('Walt').getByRole('button', { name: 'Start Chatting' }).click();
  await bob.window('Walt').waitFor();
  await alice.waitText('.chatting li.entry', 'Bob');

  // "?" outside a text field shows the shortcuts.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.type('?');
  await alice.waitText('dialog[open]', 'Keyboard shortcuts');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog[open]'));

  await alice.assertClean();
  bob.assertClean();
});

test('Firefox at tablet width (768×1024): no sideways scrolling, every control of the chat window on screen', async () => {
  const shop = await customerShop(env, { name: 'Tablet' });
  const alice = await FirefoxConsole.signIn(ff, env.fd.base, addAgent(env, { name: 'Alice', sites: [shop] }),
    { viewport: { width: 768, height: 1024 } });
  const page = alice.page;
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await alice.popup('Vera');
  await (await alice.byText('[role="alertdialog"] button', 'Start Chatting')).click();
  await alice.window('Vera');
  await vera.status.getByText('You are chatting with Alice.').waitFor();
  await alice.waitText('[role="tabpanel"]:not([hidden]) aside.visit-detail', 'Pages viewed (1)');
  const offscreen = await page.evaluate(() => {
    const bad = [];
    const panel = document.querySelector('.tabpanels [role="tabpanel"]:not([hidden])');
    const controls = [...panel.querySelectorAll('button, textarea, input, select'),
      ...document.querySelectorAll('header button:not([hidden]), header select, header input')];
    for (const el of controls) {
      if (el.closest('[hidden]')) continue;
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' }); // inside its panel, as a finger would
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (r.left < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight || !(hit === el || el.contains(hit) || hit?.contains(el))) {
        bad.push(`${el.tagName} ${el.textContent || el.name}`.trim());
      }
    }
    const wide = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    if (wide > window.innerWidth) bad.push(`page ${wide} px wide`);
    return bad;
  });
  assert.deepEqual(offscreen, [], 'every control of the top bar and the chat window on screen, uncovered');
  await alice.say('Hi from a tablet');
  await vera.bubble('Hi from a tablet').waitFor();
  await alice.assertClean();
});
