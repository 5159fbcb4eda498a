// Verified visitor identity (issue 18): an admin rotates a site's "Identity secret" in Admin →
// Sites (shown once), the shop's server signs its customer's id with it, and an agent sees the
// visitor as "Verified" with their attributes, as text, in Visit Detail. The same customer in a
// second browser (Frontdesk.identify()) is the same visitor; a forged hash shows "Unverified".

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { embedPage } from './lib/harness.mjs';
import { consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, holdNextGet } from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const sign = (id, secret) => createHmac('sha256', secret).update(id).digest('hex');
const attr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

test('Identity secret rotated in Admin; a signed-in customer shows as Verified with their attributes in Visit Detail', async () => {
  const shop = await customerShop(env, { name: 'Identity Shop' });
  const ada = addAgent(env, { name: 'Ada', admin: true, sites: [shop] });
  const admin = await signIn(env, ada);
  const page = admin.page;

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Sites' }).click();
  const card = adminPage.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Identity Shop' }) });
  const section = card.getByRole('region', { name: 'Identity secret' });
  const require = section.getByRole('checkbox', { name: 'Require verified identity' });
  assert.equal(await require.isChecked(), false, 'off by default');
  await section.getByRole('button', { name: 'Rotate identity secret' }).click();
  const code = section.getByLabel('New identity secret');
  await code.waitFor();
  const secret = (await code.textContent()).trim();
  assert.match(secret, /^[A-Za-z0-9_-]{43}$/);

  // The shop's server renders the signed-in customer into the snippet (data-visitor).
  const hostile = '<img src=x onerror="window.__pwned=1">';
  const jane = {
    id: '4411', name: 'Jane Doe', email: 'jane@shop.example',
    attributes: { plan: 'Pro', orders: 12, note: hostile }, hash: sign('4411', secret),
  };
  const snippet = shop.snippet.replace('<script ', `<script data-visitor="${attr(JSON.stringify(jane))}" `);
  shop.pages['/account'] = embedPage({ title: 'Account', snippet });

  const nav = page.getByRole('navigation', { name: 'Pages' });
  await nav.getByRole('button', { name: 'Console' }).click();
  const visitor = await openVisitor(env, shop, '/account', { name: 'Jane Doe' });
  await visitor.requestChat();
  await takeChat(admin, visitor);
  const detail = admin.window('Jane Doe').getByRole('complementary', { name: 'Visit Detail' });
  const identity = detail.getByRole('region', { name: 'Identity' });
  await identity.getByText('Verified', { exact: true }).waitFor();
  const fact = (scope, term) => scope.locator('dt', { hasText: term }).first().locator('xpath=following-sibling::dd[1]');
  assert.equal(await fact(identity, 'Customer id').innerText(), '4411');
  assert.equal(await fact(identity, 'Email').innerText(), 'jane@shop.example');
  const attrs = identity.getByRole('definition').first().locator('xpath=ancestor::section[1]').locator('dl.identity-attributes');
  assert.equal(await fact(attrs, 'plan').innerText(), 'Pro');
  assert.equal(await fact(attrs, 'orders').innerText(), '12');
  assert.equal(await fact(attrs, 'note').innerText(), hostile, 'shown as text');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await detail.locator('img').count(), 0);

  // Another browser: the page calls Frontdesk.identify() once loaded: the same visitor, so
  // Jane's open chat (and Ada's reply in it) is there too.
  await admin.say('Jane Doe', 'Hello Jane, how can I help?');
  const other = await openVisitor(env, shop, '/');
  await other.launcher.waitFor();
  await other.page.evaluate((j) => window.Frontdesk.identify(j), jane);
  await other.bubble('Hello Jane, how can I help?').waitFor({ state: 'attached' });

  // "Log out" on that shared computer: a new anonymous visitor (another token), Jane's
  // chat gone from this browser's storage.
  const key = `frontdesk:${shop.site.key}`;
  const held = await other.page.evaluate((k) => localStorage.getItem(k), key);
  await other.page.evaluate(() => window.Frontdesk.logout());
  await other.page.waitForFunction(([k, t]) => {
    const now = localStorage.getItem(k);
    return now && now !== t && !localStorage.getItem(k + ':chat');
  }, [key, held]);

  // A forged hash in a third browser: Unverified, its own visitor.
  const forged = { ...jane, name: 'Mallory', hash: sign('4411', 'guess') };
  shop.pages['/fake'] = embedPage({
    title: 'Fake', snippet: shop.snippet.replace('<script ', `<script data-visitor="${attr(JSON.stringify(forged))}" `),
  });
  const fake = await openVisitor(env, shop, '/fake', { name: 'Mallory' });
  await fake.requestChat();
  await takeChat(admin, fake);
  const fakeDetail = admin.window('Mallory').getByRole('complementary', { name: 'Visit Detail' });
  await fakeDetail.getByRole('region', { name: 'Identity' }).getByText('Unverified', { exact: true }).waitFor();

  // "Require verified identity" saves at once and stays after a "Team settings" save.
  await nav.getByRole('button', { name: 'Admin' }).click();
  await require.check();
  await page.getByText('Verified identity required.').waitFor();
  await card.getByRole('button', { name: 'Team settings' }).click();
  await card.getByRole('form', { name: 'Team settings' }).getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Team settings saved.').waitFor();
  const sites = await page.evaluate(async () => (await fetch('/api/admin/sites')).json());
  const saved = sites.find((s) => s.name === 'Identity Shop');
  assert.equal(saved.settings.identity.require_verified, true);
  assert.ok(!JSON.stringify(sites).includes(secret), 'the secret is never listed');
});

// The Sites list is fetched again on every visit while the previous visit's cards stay on
// screen and usable. A setting saved on such a card while the list is on its way must not be
// undone by that (older) list: the page fetches it again. The list's answer is held here until
// the save has landed, which is the race a slow network makes.
test('"Require verified identity" saved while the Sites list is on its way stays saved', async () => {
  const shop = await customerShop(env, { name: 'Slow List Shop' });
  const ada = addAgent(env, { name: 'Ada', admin: true, sites: [shop] });
  const admin = await signIn(env, ada);
  const page = admin.page;
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  const sitesTab = adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Sites' });
  await sitesTab.click();
  const card = adminPage.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Slow List Shop' }) });
  const require = card.getByRole('region', { name: 'Identity secret' }).getByRole('checkbox', { name: 'Require verified identity' });
  await require.waitFor();
  const oldBox = await require.elementHandle();

  // The list as it is now, before the save below, held until the save has landed.
  const { asked, release } = await holdNextGet(page, '**/api/admin/sites');
  await sitesTab.click(); // a new visit: the list is fetched again; the old card stays
  await asked;
  await require.check();
  await page.getByText('Verified identity required.').waitFor();
  release();
  // The cards are replaced when the list has come (again).
  await oldBox.evaluate((el) => new Promise((done) => {
    const check = () => (el.isConnected ? requestAnimationFrame(check) : done());
    check();
  }));
  assert.equal(await require.isChecked(), true, 'the new card shows the saved setting');
  await card.getByRole('button', { name: 'Team settings' }).click();
  await card.getByRole('form', { name: 'Team settings' }).getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Team settings saved.').waitFor();
  const sites = await page.evaluate(async () => (await fetch('/api/admin/sites')).json());
  assert.equal(sites.find((s) => s.name === 'Slow List Shop').settings.identity.require_verified, true);
  admin.assertClean();
});
