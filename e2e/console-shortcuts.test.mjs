// Keyboard shortcuts of the console, each one pressed as an agent would: the list ("Shortcuts"
// button, "?", Options page), Alt+A, Alt+N / Alt+P / Alt+1…9, Alt+M, Alt+C, Alt+O, Alt+L,
// Alt+W, Alt+X, Enter on a Chatting Visitors entry; and no shortcut firing while typing in the
// Message box except the Alt ones and Enter, which are meant to.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const EXPECTED = ['Alt+A', 'Alt+N', 'Alt+P', 'Alt+1 … Alt+9', 'Alt+M', 'Alt+C', 'Alt+X', 'Alt+O', 'Alt+L', 'Alt+W', '?'];

test('the shortcuts are listed: "Shortcuts" button, "?" (not while typing) and the Options page', async () => {
  const shop = await customerShop(env, { name: 'Keys' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const page = alice.page;
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });

  await page.getByRole('banner').getByRole('button', { name: 'Shortcuts' }).click();
  await dialog.waitFor();
  const keys = await dialog.locator('kbd').allInnerTexts();
  for (const k of EXPECTED) assert.ok(keys.includes(k), `the list has ${k}`);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('?');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Options' }).click();
  const section = page.getByRole('main', { name: 'Options' }).getByRole('region', { name: 'Shortcuts' });
  await section.getByText('Start chatting with the visitor who has waited longest').waitFor();
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Console' }).click();
  alice.assertClean();
});

test('each shortcut of the frequent actions does its job, also from the Message box; typing stays typing', async () => {
  const shop = await customerShop(env, { name: 'Acme' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const page = alice.page;
  const focusedMessageBox = (name) => page.waitForFunction((n) => {
    const el = document.activeElement;
    return el?.name === 'message' && el.closest('[role="tabpanel"]')?.querySelector('.cw-title')?.textContent === n;
  }, name);
  const shown = async (name) => {
    await page.waitForFunction((n) => [...document.querySelectorAll('[role="tab"]')]
      .find((t) => t.getAttribute('aria-selected') === 'true')?.querySelector('.tab-name')?.textContent === n, name);
    await focusedMessageBox(name);
  };

  // Alt+A takes the visitor who has waited longest (the pop-up's own hint: aria-keyshortcuts).
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await alice.popup('Vera').waitFor();
  const walt = await openVisitor(env, shop, '/', { name: 'Walt' });
  await walt.requestChat();
  await alice.popup('Walt').waitFor();
  assert.equal(await alice.popup('Vera').getByRole('button', { name: 'Start Chatting' }).getAttribute('aria-keyshortcuts'), 'Alt+A');
  await page.keyboard.press('Alt+KeyA');
  await vera.status.getByText('You are chatting with Alice.').waitFor();
  await shown('Vera');

  // While typing in the Message box: "?" and plain letters are text, Alt+A still works.
  await page.keyboard.type('Really? Any news');
  assert.equal(await page.getByRole('dialog').count(), 0, '"?" in the Message box opens nothing');
  await page.keyboard.press('Alt+KeyA');
  await walt.status.getByText('You are chatting with Alice.').waitFor();
  await shown('Walt');

  // Alt+P / Alt+N: previous and next window (wrapping); Alt+1 / Alt+2: by number.
  await page.keyboard.press('Alt+KeyP');
  await shown('Vera');
  assert.equal(await alice.messageBox('Vera').inputValue(), 'Really? Any news', 'the draft stays');
  await page.keyboard.press('Alt+KeyN');
  await shown('Walt');
  await page.keyboard.press('Alt+KeyN');
  await shown('Vera');
  await page.keyboard.press('Alt+Digit2');
  await shown('Walt');
  await page.keyboard.press('Alt+Digit1');
  await shown('Vera');

  // Enter sends, Shift+Enter is a new line.
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('please');
  await page.keyboard.press('Enter');
  await vera.bubble('Really? Any news\nplease').waitFor();

  // Alt+M: back to the Message box from anywhere.
  await alice.tab('Vera').focus();
  await page.keyboard.press('Alt+KeyM');
  await focusedMessageBox('Vera');

  // Alt+C: Canned Responses of the chat shown; Esc closes it and the Message box has the focus.
  await page.keyboard.press('Alt+KeyC');
  const menu = page.getByRole('menu', { name: 'Canned Responses' });
  await menu.getByRole('menuitem', { name: 'Add Current Text' }).waitFor();
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });

  // Alt+O: Away and back.
  const status = page.getByRole('combobox', { name: 'Status' });
  await page.keyboard.press('Alt+KeyO');
  await page.waitForFunction(() => document.querySelector('header select[name="status"]').value === 'away');
  await page.keyboard.press('Alt+KeyO');
  await page.waitForFunction(() => document.querySelector('header select[name="status"]').value === 'online');
  assert.equal(await status.inputValue(), 'online');

  // Alt+W: Visitors on Site; Alt+L: Chatting Visitors, where Enter opens an entry.
  await page.keyboard.press('Alt+KeyW');
  await page.waitForFunction(() => document.activeElement?.closest('.visitor-list'));
  await page.keyboard.press('Alt+KeyL');
  await page.waitForFunction(() => document.activeElement?.closest('.chat-list'));
  const first = await page.evaluate(() => document.activeElement.textContent);
  assert.match(first, /Vera/, 'the first entry has the focus');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.activeElement?.textContent.includes('Walt'));
  await page.keyboard.press('Enter');
  await shown('Walt');

  // Alt+X: closes the window shown; the chat goes back to the queue (and pops up at nobody
  // here: its only agent just closed it).
  await page.keyboard.press('Alt+KeyX');
  await alice.window('Walt').waitFor({ state: 'detached' });
  await walt.status.getByText('Waiting for an agent…').waitFor();
  await alice.chatEntry('Walt').getByText('Waiting').waitFor();
  assert.equal(await alice.popup('Walt').count(), 0, 'no pop-up for the chat the agent closed');
  await shown('Vera');

  // Enter on a waiting entry takes the chat.
  await alice.chatEntry('Walt').focus();
  await page.keyboard.press('Enter');
  await walt.status.getByText('You are chatting with Alice.').waitFor();
  await shown('Walt');
  alice.assertClean();
});
