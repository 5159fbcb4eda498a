// A site's "Appearance" (issue 17): an admin sets it in Admin → Sites → "Appearance" while the
// live preview follows each keystroke; a too light accent colour is refused in the page
// (role=alert, the server's message with the ratio); and the NEXT page load of the widget shows
// the accent, the launcher's corner and label, the greeting, the name and email fields, and the
// offline text. In Arabic (right to left) "Left" is mirrored: the launcher sits on the right.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './lib/harness.mjs';
import { consoleEnv, customerShop, addAgent, signIn, openVisitor, VIEWPORT } from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const ar = (async () => (await import(join(repo, 'web', 'widget', 'l10n-ar.js'))).default)();
const ACCENT = 'rgb(10, 125, 69)'; // #0a7d45
const WIDGET_BLUE = 'rgb(47, 91, 234)'; // #2f5bea, the widget's own

function arabicPage(snippet) {
  return '<!doctype html><html lang="ar"><head><meta charset="utf-8"><title>متجر</title></head>' +
    `<body><h1>متجر</h1>${snippet}</body></html>`;
}

const background = (locator) => locator.evaluate((e) => getComputedStyle(e).backgroundColor);

/** Admin → Sites → the site's card → "Appearance": the form. */
async function openAppearance(page, siteName) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Sites', selected: true }).waitFor();
  const card = adminPage.getByRole('article').filter({ has: page.getByRole('heading', { name: siteName }) });
  await card.getByRole('button', { name: 'Appearance', exact: true }).click();
  const form = card.getByRole('form', { name: 'Appearance' });
  await form.waitFor();
  return form;
}

test('Appearance: live preview, contrast refusal in the page, and the next page load shows it all', async () => {
  const shop = await customerShop(env, {
    name: 'Acme',
    build: (s) => ({ '/': arabicPage(s).replace('lang="ar"', 'lang="en"'), '/ar': arabicPage(s) }),
  });
  // The admin monitors another site: Acme has nobody On-Line until Alice comes.
  const other = await customerShop(env, { name: 'Elsewhere' });
  const ada = addAgent(env, { name: 'Ada', sites: [other], admin: true });
  const admin = await signIn(env, ada);
  admin.problems.allowed.push(/status of 400/); // the refused save below
  const page = admin.page;
  const cookie = await env.fd.login(ada.email);
  const stored = async () => {
    const sites = await env.fd.api(cookie, '/api/admin/sites');
    return sites.find((s) => s.key === shop.site.key).settings.appearance;
  };

  // Before: the widget as it always was (no appearance on the wire).
  const before = await openVisitor(env, shop, '/');
  const plain = before.page.getByRole('button', { name: 'Leave a message', exact: true });
  await plain.waitFor();
  assert.equal(await background(plain), WIDGET_BLUE);
  await before.context.close();

  const form = await openAppearance(page, 'Acme');
  const preview = form.getByRole('region', { name: 'Appearance preview' });
  const mockLauncher = preview.locator('.fd-launcher');
  const stage = preview.locator('.appearance-stage');
  assert.equal(await mockLauncher.textContent(), 'Chat with us');
  assert.equal(await background(mockLauncher), WIDGET_BLUE);

  // Too light: said under the field as the admin picks it, refused by the server on save.
  await form.getByLabel('Accent colour').fill('#ffee00');
  await form.getByText(/Contrast 1\.2:1 .*too low/).waitFor();
  await form.getByRole('button', { name: 'Save appearance' }).click();
  await form.getByRole('alert').getByText(
    "Accent colour #ffee00 has contrast 1.2:1 with the widget's white text; WCAG AA needs 4.5:1",
    { exact: true }).waitFor();
  assert.equal((await stored()).accent, null, 'nothing saved');

  // The preview follows every change before it is saved.
  await form.getByLabel('Accent colour').fill('#0a7d45');
  await form.getByText(/Contrast 5\.\d+:1 .*meets WCAG AA/).waitFor();
  assert.equal(await background(mockLauncher), ACCENT);
  await form.getByRole('combobox', { name: 'Launcher position' }).selectOption('left');
  const stageBox = await stage.boundingBox();
  const mockBox = await mockLauncher.boundingBox();
  assert.ok(Math.abs(mockBox.x - stageBox.x - 20) <= 2, `the mock launcher on the left (${mockBox.x - stageBox.x})`);
  await form.getByRole('textbox', { name: 'Launcher label' }).fill('Ask Acme');
  assert.equal(await mockLauncher.textContent(), 'Ask Acme');
  await form.getByRole('textbox', { name: 'Greeting' }).fill('Welcome to Acme!\nAsk us anything.');
  await preview.locator('.fd-greet').getByText(/Welcome to Acme!\s+Ask us anything\./).waitFor();
  await form.getByRole('textbox', { name: 'Offline text' }).fill('We answer within a day.');
  await form.getByRole('combobox', { name: 'Ask for a name' }).selectOption('required');
  await form.getByRole('combobox', { name: 'Ask for an email' }).selectOption('optional');
  await form.getByRole('combobox', { name: 'Agent names' }).selectOption({ label: 'Team name' });
  await form.getByRole('textbox', { name: 'Team name' }).fill('Acme Support');
  await form.getByRole('button', { name: 'Save appearance' }).click();
  await page.getByText('Appearance saved.', { exact: false }).first().waitFor();
  assert.deepEqual(await stored(), {
    accent: '#0a7d45', position: 'left', launcher_label: 'Ask Acme',
    greeting: 'Welcome to Acme!\nAsk us anything.', offline_text: 'We answer within a day.',
    ask_name: 'required', ask_email: 'optional', agent_names: 'team', team_name: 'Acme Support',
  });
  admin.assertClean();

  // Nobody On-Line: the offline form with the site's text; the name is required there too.
  const off = await openVisitor(env, shop, '/');
  const leave = off.page.getByRole('button', { name: 'Leave a message', exact: true });
  await leave.click();
  const offline = off.page.locator('frontdesk-widget form.fd-offline');
  await offline.getByText('We answer within a day.', { exact: true }).waitFor();
  assert.equal(await offline.getByLabel('Your name').getAttribute('required'), '');
  await off.context.close();

  // An agent On-Line: the next page load shows the rest.
  const alice = addAgent(env, { name: 'Alice', sites: [shop] });
  const agent = await env.fd.agentSocket(alice.email);
  env.defer(async () => agent.close());
  assert.equal((await agent.request({ type: 'status', status: 'online' })).type, 'ack');
  const vera = await openVisitor(env, shop, '/');
  const launcher = vera.page.getByRole('button', { name: 'Ask Acme', exact: true });
  await launcher.waitFor();
  assert.equal(await background(launcher), ACCENT);
  const box = await launcher.boundingBox();
  assert.ok(Math.abs(box.x - 20) <= 1, `the launcher on the left (x=${box.x})`);
  await launcher.click();
  const panel = vera.panel;
  await panel.getByText(/Welcome to Acme!\s+Ask us anything\./).waitFor();
  const panelBox = await panel.boundingBox();
  assert.ok(Math.abs(panelBox.x - 20) <= 1, `the panel on the left (x=${panelBox.x})`);
  assert.equal(await background(panel.locator('.fd-head')), ACCENT);
  const name = panel.getByRole('textbox', { name: 'Your name' });
  const email = panel.getByRole('textbox', { name: /^Email/ });
  assert.equal(await name.getAttribute('required'), '');
  await email.waitFor();
  // No chat yet: the required name comes first, even when the visitor writes straight away.
  await vera.box.fill('Hello?');
  await vera.box.press('Enter');
  await name.evaluate((e) => new Promise((ok) => (e.matches(':focus') ? ok() : e.addEventListener('focus', ok, { once: true }))));
  assert.equal(await vera.box.inputValue(), 'Hello?', 'the message waits');
  await name.fill('Vera');
  await email.fill('vera@example.org');
  await vera.box.press('Enter');
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  assert.equal(chat.visitor_name, 'Vera');
  // Accepted: the visitor sees the team, not Alice.
  assert.equal((await agent.request({ type: 'accept', chat_id: chat.chat_id })).type, 'ack');
  await vera.status.getByText(/Acme Support/).waitFor();
  assert.doesNotMatch(await vera.panelText(), /Alice/);

  // The next page with the panel left open: the site's corner at once, from the last page's
  // appearance, before any welcome (the socket is held back here: nothing reaches the server).
  await vera.page.routeWebSocket(/\/ws\/visitor/, () => {});
  await vera.page.reload();
  await vera.panel.waitFor();
  const early = await vera.panel.boundingBox();
  assert.ok(Math.abs(early.x - 20) <= 1, `the panel on the left before welcome (x=${early.x})`);
  assert.equal(await background(vera.panel.locator('.fd-head')), ACCENT);

    // Arabic, right to left: "Left" is mirrored (the launcher on the right, like the text).
  const t = await ar;
  const arabic = await openVisitor(env, shop, '/ar');
  const arLauncher = arabic.page.getByRole('button', { name: 'Ask Acme', exact: true });
  await arLauncher.waitFor();
  assert.equal(await arabic.page.locator('frontdesk-widget .fd').getAttribute('dir'), 'rtl');
  const arBox = await arLauncher.boundingBox();
  assert.ok(Math.abs(VIEWPORT.width - (arBox.x + arBox.width) - 20) <= 1, `Arabic: 20 px from the right (x=${arBox.x})`);
  assert.ok(t.chat, 'the Arabic table has a launcher text (replaced by the label)');
});
