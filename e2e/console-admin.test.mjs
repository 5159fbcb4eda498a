// The Admin pages, end to end: an admin creates a site (and its embed snippet works on a real
// customer page), creates an agent who signs in and chats, and lifts a block.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { customerSite, embedPage } from './lib/harness.mjs';
import {
  consoleEnv, addAgent, signIn, openVisitor, takeChat, fillSignIn, waitConnected, consoleContext,
  AgentConsole, customerShop, holdNextGet,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

test('Admin: create a site and use its snippet, create an agent who signs in, lift a block', async () => {
  const admin = await signIn(env, addAgent(env, { name: 'Ada', admin: true }));
  const page = admin.page;
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  const tabs = adminPage.getByRole('tablist', { name: 'Admin sections' });

  // Sites: a new one, with its embed snippet.
  const pages = {};
  const shopServer = await customerSite(pages);
  env.defer(shopServer.close);
  await tabs.getByRole('tab', { name: 'Sites' }).click();
  await adminPage.getByRole('button', { name: 'New site' }).click();
  await adminPage.getByRole('textbox', { name: 'Name' }).fill('Harbour Shop');
  await adminPage.getByRole('textbox', { name: 'Base URL' }).fill(shopServer.origin);
  await adminPage.getByRole('combobox', { name: 'Time zone' }).fill('Europe/Oslo');
  await adminPage.getByRole('button', { name: 'Add site' }).click();
  const card = adminPage.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Harbour Shop' }) });
  await card.waitFor();
  await card.getByText('Europe/Oslo').waitFor();
  const snippet = await card.locator('pre.snippet').innerText();
  assert.match(snippet, new RegExp(`^<script src="${env.fd.base}/widget\\.js" data-site="[a-z0-9]{20}" async></script>$`));
  await card.getByRole('button', { name: 'Copy' }).click();
  await page.getByRole('status').getByText(/^(Embed snippet copied\.|Could not copy)/).waitFor();
  const key = /data-site="([a-z0-9]+)"/.exec(snippet)[1];
  pages['/'] = embedPage({ title: 'Harbour', snippet });
  const shop = { site: { key, name: 'Harbour Shop' }, origin: shopServer.origin, url: (p = '/') => shopServer.origin + p };

  // Agents: a new one for that site.
  await tabs.getByRole('tab', { name: 'Agents' }).click();
  await adminPage.getByRole('button', { name: 'New agent' }).click();
  const form = adminPage.locator('form').filter({ has: page.getByRole('heading', { name: 'New agent' }) });
  await form.getByRole('textbox', { name: 'Email' }).fill('hal@harbour.example');
  await form.getByRole('textbox', { name: 'Name' }).fill('Hal');
  await form.getByLabel('Password').fill('harbour-pass-1');
  await form.getByRole('checkbox', { name: 'All sites (present and future)' }).uncheck();
  await form.getByRole('checkbox', { name: 'Harbour Shop' }).check();
  await form.getByRole('button', { name: 'Create agent' }).click();
  const row = adminPage.getByRole('row', { name: /Hal/ });
  await row.waitFor();
  assert.match(await row.innerText(), /hal@harbour\.example\s+No\s+Harbour Shop/);

  // The new agent signs in through the form, and a visitor on the new site chats with him.
  const { context, problems } = await consoleContext(env);
  env.defer(() => context.close());
  const halPage = await context.newPage();
  await halPage.goto(`${env.fd.base}/console`);
  await fillSignIn(halPage, 'hal@harbour.example', 'harbour-pass-1');
  await waitConnected(halPage);
  problems.signedIn = true;
  const hal = new AgentConsole({ context, page: halPage, problems, agent: { name: 'Hal' } });
  await halPage.getByRole('group', { name: 'Monitoring' }).getByRole('checkbox', { name: 'Harbour Shop' }).waitFor();
  assert.equal(await halPage.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).isVisible(), false, 'no Admin for agents');

  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await admin.popup('Vera').waitFor(); // the admin monitors every site, the new one too
  await takeChat(hal, vera);
  await vera.say('Hi Hal');
  await hal.message('Vera', 'Hi Hal').waitFor();
  await hal.window('Vera').getByRole('button', { name: 'Block', exact: true }).click();
  await halPage.getByRole('dialog', { name: /^Block this visitor/ }).getByRole('button', { name: 'Block', exact: true }).click();
  await vera.status.getByText('This chat has ended.').waitFor();

  // Blocks: the admin lifts it, and the visitor can chat again.
  await tabs.getByRole('tab', { name: 'Blocks' }).click();
  const blocks = adminPage.getByRole('tabpanel', { name: 'Blocks' });
  await blocks.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'Harbour Shop' });
  const block = blocks.getByRole('row').filter({ hasText: 'Active' });
  await block.getByRole('cell', { name: '127.0.0.1' }).waitFor();
  await block.getByRole('button', { name: 'Lift' }).click();
  await page.getByRole('dialog', { name: 'Lift this block?' }).getByRole('button', { name: 'Lift' }).click();
  await block.waitFor({ state: 'detached' }); // the list shows the blocks in force
  await blocks.getByText('No blocks on this site.').waitFor();

  const widgetRoot = vera.page.locator('frontdesk-widget');
  await widgetRoot.getByRole('button', { name: 'Start a new chat' }).click();
  await widgetRoot.getByRole('button', { name: 'Start chat' }).click();
  await vera.status.getByText('Waiting for an agent…').waitFor();
  await takeChat(hal, vera);
  await vera.say('Sorry about before');
  await hal.message('Vera', 'Sorry about before').waitFor();
  admin.assertClean();
  hal.assertClean();
});

// "New agent" pressed before the Agents tab's lists have come (a slow network): the form still
// offers every site. The sites list's answer is held here until the button was pressed.
test('"New agent" pressed while the lists are on their way still offers every site', async () => {
  const siteName = 'Held List Shop';
  await customerShop(env, { name: siteName });
  const admin = await signIn(env, addAgent(env, { name: 'Ada', admin: true }));
  const page = admin.page;
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  const { asked, release } = await holdNextGet(page, '**/api/admin/sites');
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Agents' }).click();
  await asked;
  await adminPage.getByRole('button', { name: 'New agent' }).click();
  release();
  const form = adminPage.locator('form').filter({ has: page.getByRole('heading', { name: 'New agent' }) });
  await form.getByRole('checkbox', { name: 'All sites (present and future)' }).waitFor();
  await form.getByRole('checkbox', { name: siteName, exact: true }).waitFor({ timeout: 5000 });
  admin.assertClean();
});
