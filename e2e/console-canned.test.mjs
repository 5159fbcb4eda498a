// Canned responses that keep up with typing: placeholders filled on insertion, `/shortcut` in
// the Message box (an ARIA listbox; Tab or Enter inserts, Esc closes, Enter still sends when
// it is closed), "Search responses" in the Canned Responses menu, "Add Current Text" with a
// "Title" and a "Shortcut", and the editor's "Shortcut" field and unknown-placeholder warning.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat,
} from './lib/console.mjs';
import { firefox, FirefoxConsole } from './lib/firefox.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

/** A shop, an agent signed in, and a visitor (Vera, on the shop's "Home" page) chatting with them. */
async function chatting(siteName) {
  const shop = await customerShop(env, { name: siteName });
  const agent = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(agent, vera);
  const admin = addAgent(env, { name: 'Ada', admin: true });
  const cookie = await env.fd.login(admin.email);
  const siteWide = (title, body, shortcut) => env.fd.api(cookie, `/api/sites/${shop.site.site_id}/canned`, {
    method: 'POST', body: { title, body, scope: 'site', shortcut },
  });
  return { shop, agent, vera, win: agent.window('Vera'), siteWide };
}

const nav = (page, name) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name }).click();

test('"/" in the Message box offers canned responses by shortcut; Tab or Enter inserts with placeholders filled; Esc closes; the editor has "Shortcut" and flags unknown placeholders', async () => {
  const { agent, vera, win, siteWide } = await chatting('Cannery');
  const page = agent.page;
  agent.problems.allowed.push(/status of 409/); // the browser logs the refused shortcut
  await siteWide('Welcome', 'Welcome to {site.name}!', 'welcome');
  await siteWide('Hours (site)', 'SITE-WIDE HOURS', 'hours'); // Alice's own "hours" shadows it

  // Options: an own response with placeholders and a shortcut; an unknown placeholder is flagged.
  await nav(page, 'Options');
  const section = page.getByRole('main', { name: 'Options' }).getByRole('region', { name: 'Canned Responses' });
  const addForm = section.locator('form').filter({ has: page.getByRole('button', { name: 'Add response' }) });
  const warning = addForm.getByRole('status');
  await addForm.getByRole('textbox', { name: 'Title' }).fill('Opening hours');
  const text = addForm.getByRole('textbox', { name: 'Text' });
  await text.fill('Hi {visitor.name}, {foo} and {visitor.email}');
  await warning.getByText('Unknown placeholders: {foo}, {visitor.email}', { exact: true }).waitFor();
  await text.fill('Hi {visitor.name}, {foo}');
  await warning.getByText('Unknown placeholder: {foo}', { exact: true }).waitFor();
  await text.fill('Hi {visitor.name}, I am {agent.name} at {site.name}. We are open 9 to 5 (you are on {page.title}).');
  await warning.getByText(/Unknown/).waitFor({ state: 'detached' });
  await addForm.getByRole('textbox', { name: 'Shortcut' }).fill('Hours');
  await addForm.getByRole('button', { name: 'Add response' }).click();
  const row = section.getByRole('row', { name: /Opening hours/ });
  await row.getByRole('cell', { name: '/hours', exact: true }).waitFor();
  // The same shortcut twice among my own: the server's refusal is shown.
  await addForm.getByRole('textbox', { name: 'Title' }).fill('Again');
  await text.fill('Again');
  await addForm.getByRole('textbox', { name: 'Shortcut' }).fill('hours');
  await addForm.getByRole('button', { name: 'Add response' }).click();
  await section.getByText('Another response already has the shortcut /hours.').waitFor();
  await addForm.getByRole('textbox', { name: 'Title' }).fill('Returns');
  await text.fill('Returns are free.');
  await addForm.getByRole('textbox', { name: 'Shortcut' }).fill('returns');
  await addForm.getByRole('button', { name: 'Add response' }).click();
  await section.getByRole('row', { name: /Returns/ }).getByRole('cell', { name: '/returns', exact: true }).waitFor();
  // Edit shows the shortcut, and flags an unknown placeholder too.
  await section.getByRole('row', { name: /Returns/ }).getByRole('button', { name: 'Edit' }).click();
  const editForm = section.locator('table form');
  assert.equal(await editForm.getByRole('textbox', { name: 'Shortcut' }).inputValue(), 'returns');
  await editForm.getByRole('textbox', { name: 'Text' }).fill('Returns are free, {nme}.');
  await editForm.getByRole('status').getByText('Unknown placeholder: {nme}', { exact: true }).waitFor();
  await editForm.getByRole('button', { name: 'Cancel' }).click();
  await nav(page, 'Console');

  // The visitor's page is known (Visitors on Site), so {page.title} can be filled.
  await agent.visitorsOnSite.getByRole('link', { name: 'Home' }).waitFor();
  const box = agent.messageBox('Vera');
  const listbox = win.getByRole('listbox', { name: 'Canned responses' });
  const options = listbox.getByRole('option');
  await box.click();
  await box.pressSequentially('/ho');
  await listbox.waitFor();
  const keys = () => listbox.locator('[role="option"] .slash-key').allTextContents();
  // The list follows each key once the (cached) responses are read: wait for what is expected,
  // then compare (a failure shows what was there).
  const expectKeys = async (expected, message) => {
    await page.waitForFunction((want) => {
      const list = document.querySelector('[role="tabpanel"]:not([hidden]) [role="listbox"]:not([hidden])');
      const got = list ? [...list.querySelectorAll('.slash-key')].map((e) => e.textContent) : [];
      return JSON.stringify(got) === JSON.stringify(want);
    }, expected, { timeout: 5_000 }).catch(() => {});
    assert.deepEqual(await keys(), expected, message);
  };
  await expectKeys(['/hours'], 'my own /hours shadows the site-wide one');
  await listbox.getByRole('option', { name: /Opening hours/ }).waitFor();
  const first = options.first();
  assert.equal(await first.getAttribute('aria-selected'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), await first.getAttribute('id'));
  await box.press('Tab');
  await listbox.waitFor({ state: 'hidden' });
  const filled = 'Hi Vera, I am Alice at Cannery. We are open 9 to 5 (you are on Home).';
  assert.equal(await box.inputValue(), filled);
  assert.ok(await box.evaluate((el) => el === document.activeElement), 'the focus stays in the Message box');
  await box.press('Enter');
  await vera.bubble(filled).waitFor();
  assert.equal(await box.inputValue(), '');

  // "/" alone lists them all; typing filters (shortcut and title); arrows move; Enter inserts.
  await box.pressSequentially('/');
  await listbox.waitFor();
  await expectKeys(['/hours', '/returns', '/welcome']);
  await box.pressSequentially('e');
  await expectKeys(['/returns', '/welcome', '/hours'], 'shortcuts with "e", then titles with it');
  await box.press('ArrowDown');
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'));
  await box.press('Enter');
  await listbox.waitFor({ state: 'hidden' });
  assert.equal(await box.inputValue(), 'Welcome to Cannery!', 'Enter inserted, did not send');

  // In the middle of a text, after a space; Esc closes the list and Enter sends again.
  await box.fill('');
  await box.pressSequentially('Sure! /ret');
  await listbox.waitFor();
  await expectKeys(['/returns']);
  await box.press('Escape');
  await listbox.waitFor({ state: 'hidden' });
  assert.equal(await box.inputValue(), 'Sure! /ret');
  await box.press('Enter');
  await vera.bubble('Sure! /ret').waitFor();
  assert.equal(await box.inputValue(), '');
  // No match: no list, Enter sends.
  await box.pressSequentially('/nothing');
  await box.press('Enter');
  await vera.bubble('/nothing').waitFor();
  assert.equal(await listbox.isVisible(), false);
  agent.assertClean();
});

test('"Search responses" filters the Canned Responses menu; "Add Current Text" asks for a "Title" and a "Shortcut"', async () => {
  const { agent, win, siteWide } = await chatting('Searchy');
  const page = agent.page;
  agent.problems.allowed.push(/status of 409/, /status of 400/); // the browser logs the refusals
  await siteWide('Welcome', 'Welcome, {visitor.name}!', 'welcome');
  await siteWide('Shipping', 'We ship worldwide.', 'ship');
  await siteWide('Payment', 'We take cards.', null);

  const box = agent.messageBox('Vera');
  const cannedButton = win.getByRole('button', { name: 'Canned Responses' });
  await cannedButton.click();
  const menu = page.getByRole('menu', { name: 'Canned Responses' });
  const items = () => menu.getByRole('menuitem').allInnerTexts();
  await menu.getByRole('menuitem', { name: 'Add Current Text' }).waitFor();
  assert.deepEqual(await items(), ['Payment', 'Shipping', 'Welcome', 'Add Current Text']);
  const search = menu.getByRole('searchbox', { name: 'Search responses' });
  await search.fill('ship');
  assert.deepEqual(await items(), ['Shipping', 'Add Current Text'], 'by title');
  await search.fill('worldwide');
  assert.deepEqual(await items(), ['Shipping', 'Add Current Text'], 'by text');
  await search.fill('/welc');
  assert.deepEqual(await items(), ['Welcome', 'Add Current Text'], 'by shortcut');
  await search.fill('zzz');
  assert.deepEqual(await items(), ['Add Current Text']);
  await menu.getByText('No matching responses').waitFor();
  await search.fill('');
  assert.deepEqual(await items(), ['Payment', 'Shipping', 'Welcome', 'Add Current Text']);
  // A letter typed on an item goes to the search box; Enter there chooses the first left.
  await menu.getByRole('menuitem', { name: 'Payment' }).focus();
  await page.keyboard.type('wel');
  assert.equal(await search.inputValue(), 'wel');
  await search.press('Enter');
  await menu.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), 'Welcome, Vera!', 'placeholders filled from the menu too');

  // "Add Current Text": Title (the text's start, editable) and an optional Shortcut.
  const long = 'Our returns policy: thirty days, free of charge, no questions asked.';
  await box.fill(long);
  await cannedButton.click();
  await menu.getByRole('menuitem', { name: 'Add Current Text' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Current Text' });
  const title = dialog.getByRole('textbox', { name: 'Title' });
  assert.equal(await title.inputValue(), long.slice(0, 40));
  await title.fill('Returns policy');
  await dialog.getByRole('textbox', { name: 'Shortcut' }).fill('returns');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Saved “Returns policy” to your canned responses.').waitFor();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), long, 'the text stays to be sent');

  // The same shortcut again: refused in the dialog, which stays open.
  await cannedButton.click();
  await menu.getByRole('menuitem', { name: 'Add Current Text' }).click();
  await dialog.getByRole('textbox', { name: 'Shortcut' }).fill('/Returns');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('alert').getByText('Another response already has the shortcut /returns.').waitFor();
  await dialog.getByRole('textbox', { name: 'Shortcut' }).fill('bad shortcut');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('alert').getByText(/only letters, digits/).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  // The new shortcut works at once.
  await box.fill('');
  await box.pressSequentially('/returns');
  const listbox = win.getByRole('listbox', { name: 'Canned responses' });
  await listbox.getByRole('option', { name: /Returns policy/ }).waitFor();
  await box.press('Tab');
  assert.equal(await box.inputValue(), long);
  agent.assertClean();
});

test('Firefox: "/ho" then Tab inserts the response with placeholders filled; Esc closes the list and Enter sends', async () => {
  const ff = await firefox();
  env.defer(() => ff.close());
  const shop = await customerShop(env, { name: 'Foxy' });
  const admin = addAgent(env, { name: 'Ada', admin: true });
  await env.fd.api(await env.fd.login(admin.email), `/api/sites/${shop.site.site_id}/canned`, {
    method: 'POST', body: { title: 'Hours', body: 'Hi {visitor.name}, {agent.name} here: 9 to 5.', scope: 'site', shortcut: 'hours' },
  });
  const alice = await FirefoxConsole.signIn(ff, env.fd.base, addAgent(env, { name: 'Alice', sites: [shop] }));
  const page = alice.page;
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await alice.popup('Vera');
  await (await alice.byText('[role="alertdialog"] button', 'Start Chatting')).click();
  await alice.window('Vera');
  await vera.status.getByText('You are chatting with Alice.').waitFor();

  const box = await page.waitForSelector('[role="tabpanel"]:not([hidden]) textarea[name="message"]');
  const value = () => box.evaluate((el) => el.value);
  await box.click();
  await box.type('/ho');
  await alice.byText('[role="tabpanel"]:not([hidden]) [role="listbox"] [role="option"] .slash-key', '/hours');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.querySelector('[role="tabpanel"]:not([hidden]) [role="listbox"]').hidden);
  assert.equal(await value(), 'Hi Vera, Alice here: 9 to 5.');
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, 'the focus stays in the Message box');
  await page.keyboard.press('Enter');
  await vera.bubble('Hi Vera, Alice here: 9 to 5.').waitFor();

  await box.type('/');
  await alice.byText('[role="tabpanel"]:not([hidden]) [role="listbox"] [role="option"] .slash-key', '/hours');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[role="tabpanel"]:not([hidden]) [role="listbox"]').hidden);
  assert.equal(await value(), '/');
  await page.keyboard.press('Enter');
  await vera.bubble('/').waitFor();
  assert.deepEqual(alice.problems.errors, []);
  await alice.context.close();
});
