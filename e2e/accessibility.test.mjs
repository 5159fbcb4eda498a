// Accessibility (issue 17): an automated WCAG 2.1 AA audit with axe-core of the visitor widget
// (launcher, the panel waiting and chatting, an invitation, the rating after the chat, the
// offline form) and of the agent console's main screens (sign-in, the console with a pop-up, a
// chat window and Visit Detail, Archive, Options, Admin), with zero violations; and the whole
// visitor path with the keyboard only (no mouse): open the chat, write, send, minimise.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './lib/axe.mjs';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, confirmEndChat, VIEWPORT,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const widgetRoot = (page) => page.locator('frontdesk-widget');

async function clean(page, selector, what) {
  const found = await audit(page, selector);
  assert.deepEqual(found, [], `no WCAG 2.1 AA violation: ${what}`);
}

test('the widget: launcher, panel, chat, invitation, rating and offline form have no WCAG 2.1 AA violation', async () => {
  const shop = await customerShop(env, { name: 'Axe' });
  const alice = addAgent(env, { name: 'Alice', sites: [shop] });
  const console_ = await signIn(env, alice);
  const invites = await env.fd.agentSocket(alice.email);
  env.defer(async () => invites.close());

  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.launcher.waitFor();
  await clean(vera.page, 'frontdesk-widget', 'launcher');

  // An invitation from the agent.
  const here = await invites.expect((f) => f.type === 'visitor.update' && f.page?.url === shop.url('/'), 'visitor.update');
  assert.equal((await invites.request({ type: 'invite', site_id: shop.site.site_id, visitor_id: here.visitor_id, greeting: 'Need a hand?' })).type, 'ack');
  const dialog = vera.page.getByRole('dialog', { name: 'Alice' });
  await dialog.getByText('Need a hand?').waitFor();
  await clean(vera.page, 'frontdesk-widget', 'invitation');
  await dialog.getByRole('button', { name: 'Dismiss' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // Waiting, then chatting.
  await vera.requestChat();
  await clean(vera.page, 'frontdesk-widget', 'panel, waiting for an agent');
  await takeChat(console_, vera, 'Vera');
  await vera.say('Do you ship to Oslo?');
  await console_.say('Vera', 'We do, in 3 days.');
  await vera.bubble('We do, in 3 days.').waitFor();
  await clean(vera.page, 'frontdesk-widget', 'panel, chatting');

  // The rating after the chat.
  await confirmEndChat(console_, 'Vera');
  await widgetRoot(vera.page).getByRole('form', { name: 'How was this chat?' }).waitFor();
  await clean(vera.page, 'frontdesk-widget', 'rating');

  // The offline form: a site whose agents are all away.
  const quiet = await customerShop(env, { name: 'Quiet' });
  const otto = await openVisitor(env, quiet, '/');
  await otto.page.getByRole('button', { name: 'Leave a message', exact: true }).click();
  await widgetRoot(otto.page).getByRole('textbox', { name: 'Message' }).waitFor();
  await clean(otto.page, 'frontdesk-widget', 'offline form');
});

test('the console: sign-in, pop-up, chat window with Visit Detail, Archive, Options and Admin have no WCAG 2.1 AA violation', async () => {
  const page = await env.chromium.newPage({ viewport: VIEWPORT });
  env.defer(async () => page.close());
  await page.goto(`${env.fd.base}/console`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await clean(page, null, 'sign-in');

  const shop = await customerShop(env, { name: 'Axe console' });
  const admin = addAgent(env, { name: 'Ada', sites: [shop], admin: true });
  const ada = await signIn(env, admin);
  await clean(ada.page, null, 'console, empty');

  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await ada.visitorsOnSite.getByRole('listitem').first().waitFor();
  await vera.requestChat();
  await ada.popup('Vera').waitFor();
  await clean(ada.page, null, 'console with a pop-up and a visitor on site');
  await takeChat(ada, vera, 'Vera');
  await vera.say('Hello there');
  await ada.message('Vera', 'Hello there').waitFor();
  await ada.window('Vera').getByRole('complementary', { name: 'Visit Detail' }).waitFor();
  await clean(ada.page, null, 'console with a chat window and Visit Detail');

  const nav = ada.page.getByRole('navigation', { name: 'Pages' });
  for (const name of ['Archive', 'Options', 'Admin']) {
    await nav.getByRole('button', { name, exact: true }).click();
    await ada.page.getByRole('heading', { name, exact: false }).first().waitFor();
    await clean(ada.page, null, `${name} page`);
  }
});

test('keyboard only: a visitor opens the chat, writes, sends and minimises it without a mouse', async () => {
  const shop = await customerShop(env, { name: 'Keys' });
  const kim = addAgent(env, { name: 'Kim', sites: [shop] });
  const agent = await signIn(env, kim);
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.launcher.waitFor();
  const { page } = vera;
  // Tab from the top of the page to the launcher (the page's own links come first).
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => {
      const host = document.querySelector('frontdesk-widget');
      const a = host && host.shadowRoot.activeElement;
      return !!a && a.classList.contains('fd-launcher');
    });
  }
  assert.ok(reached, 'Tab reaches "Chat with us"');
  await page.keyboard.press('Enter');
  await vera.status.getByText('Waiting for an agent…').waitFor();
  await takeChat(agent, vera, 'Vera');
  // Focus lands in the panel, so typing goes to the Message box after at most a few Tabs.
  let inBox = false;
  for (let i = 0; i < 10 && !inBox; i++) {
    inBox = await page.evaluate(() => document.querySelector('frontdesk-widget').shadowRoot.activeElement?.id === 'fd-msg');
    if (!inBox) await page.keyboard.press('Tab');
  }
  assert.ok(inBox, 'Tab reaches the Message box');
  await page.keyboard.type('Typed without a mouse');
  await page.keyboard.press('Enter');
  await agent.message('Vera', 'Typed without a mouse').waitFor();
  await page.keyboard.press('Escape');
  await vera.panel.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.querySelector('frontdesk-widget').shadowRoot.activeElement?.className || ''), 'fd-launcher',
    'focus returns to the launcher');
});

test('Appearance: the admin section with its live preview, and the widget with the site\'s look and fields, have no WCAG 2.1 AA violation', async () => {
  const shop = await customerShop(env, { name: 'Axe look' });
  const other = await customerShop(env, { name: 'Axe elsewhere' });
  const ada = addAgent(env, { name: 'Ada', sites: [other], admin: true });
  const cookie = await env.fd.login(ada.email);
  const settings = await env.fd.api(cookie, '/api/admin/sites', {});
  const site = settings.find((s) => s.key === shop.site.key);
  await env.fd.api(cookie, `/api/admin/sites/${site.id}/settings`, {
    method: 'PUT',
    body: { ...site.settings, appearance: {
      accent: '#0a7d45', position: 'left', launcher_label: 'Ask us', greeting: 'Welcome!\nAsk us anything.',
      offline_text: 'We answer within a day.', ask_name: 'required', ask_email: 'optional',
      agent_names: 'team', team_name: 'Acme Support',
    } },
  });

  // The widget: launcher, the panel with the site's fields, the offline form with its text.
  const kim = addAgent(env, { name: 'Kim', sites: [shop] });
  const agent = await env.fd.agentSocket(kim.email);
  env.defer(async () => agent.close());
  const vera = await openVisitor(env, shop, '/');
  const launcher = vera.page.getByRole('button', { name: 'Ask us', exact: true });
  await launcher.waitFor();
  await clean(vera.page, 'frontdesk-widget', 'launcher with the site\'s accent and label');
  await launcher.click();
  await vera.panel.getByRole('textbox', { name: /^Email/ }).waitFor();
  await clean(vera.page, 'frontdesk-widget', 'panel with the greeting, a required name and an email field');
  assert.equal((await agent.request({ type: 'status', status: 'away' })).type, 'ack');
  const otto = await openVisitor(env, shop, '/');
  await otto.page.getByRole('button', { name: 'Leave a message', exact: true }).click();
  await otto.panel.getByText('We answer within a day.').waitFor();
  await clean(otto.page, 'frontdesk-widget', 'offline form with the site\'s text');

  // The admin's "Appearance" section, open, with its preview.
  const admin = await signIn(env, ada);
  await admin.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const card = admin.page.getByRole('article').filter({ has: admin.page.getByRole('heading', { name: 'Axe look' }) });
  await card.getByRole('button', { name: 'Appearance', exact: true }).click();
  await card.getByRole('region', { name: 'Appearance preview' }).waitFor();
  await clean(admin.page, null, 'Admin → Sites → Appearance with its preview');
});
