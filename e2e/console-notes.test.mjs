// Internal notes (issue 13) in the console, end to end: the composer's "Reply" / "Note" mode
// buttons (`aria-pressed`), the Message box turned yellow in Note mode, the note highlighted
// in the log as "Note by Alice" (also in a second console of hers, from the chat's history),
// and the visitor's widget never showing it (checked after a later reply has arrived, and
// again after the visitor's page reloads and replays the chat), nor any WebSocket frame the
// visitor's page receives carrying it (not even a "typing" while it is written). Plus the team settings'
// "Show all agents' names" checkbox and the Email dialog's "Include internal notes".

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, VIEWPORT,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const NOTE = 'VIP customer: be extra kind (internal)';
const REPLY = 'Let me check that for you.';

/** The computed background colour of the first element `locator` finds. */
const background = (locator) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);

test('"Note" mode adds a highlighted "Note by Alice" that the visitor never sees', async () => {
  const shop = await customerShop(env, { name: 'Noted' });
  const agent = addAgent(env, { name: 'Alice', sites: [shop] });
  const alice = await signIn(env, agent);
  // Every frame the visitor's page receives, from its first socket on.
  const context = await env.chromium.newContext({ viewport: VIEWPORT });
  env.defer(() => context.close());
  await context.addInitScript((k) => { try { localStorage.setItem(k, 'Vera'); } catch { /* blocked */ } },
    `frontdesk:${shop.site.key}:name`);
  const page = await context.newPage();
  const received = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(String(f.payload))));
  await page.goto(shop.url('/'));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera', context, page });
  await vera.requestChat();
  await takeChat(alice, vera);
  await vera.say('Hi, my parcel is late');

  const win = alice.window('Vera');
  const reply = win.getByRole('button', { name: 'Reply', exact: true });
  const note = win.getByRole('button', { name: 'Note', exact: true });
  const box = alice.messageBox('Vera');
  assert.equal(await reply.getAttribute('aria-pressed'), 'true', 'Reply is the default');
  assert.equal(await note.getAttribute('aria-pressed'), 'false');
  const replyBackground = await background(box);

  // Note mode: the box looks different; Enter adds the note.
  await note.click();
  assert.equal(await note.getAttribute('aria-pressed'), 'true');
  assert.equal(await reply.getAttribute('aria-pressed'), 'false');
  assert.notEqual(await background(box), replyBackground, 'the Message box turns yellow');
  await alice.say('Vera', NOTE);
  const noted = alice.log('Vera').locator('.msg.msg-kind-note:not(.msg-local)')
    .filter({ has: alice.page.getByText(NOTE, { exact: true }) });
  await noted.waitFor();
  await noted.getByText('Note by Alice', { exact: true }).waitFor();
  const plain = alice.log('Vera').locator('.msg.msg-visitor').first();
  assert.notEqual(await background(noted), await background(plain), 'the note is highlighted');
  // Writing the note told the visitor nothing, not even "typing": a frame the visitor's own
  // message brings back comes after anything published before it.
  await vera.say('Thanks');
  const typing = received.filter((f) => JSON.parse(f).type === 'typing' && JSON.parse(f).typing);
  assert.deepEqual(typing, [], 'no typing frame for a note');

  // Back to Reply: a reply reaches the visitor; the note never did.
  await reply.click();
  assert.equal(await reply.getAttribute('aria-pressed'), 'true');
  assert.equal(await background(box), replyBackground);
  await alice.say('Vera', REPLY);
  await vera.bubble(REPLY).waitFor();
  let seen = await vera.panelText();
  assert.ok(seen.includes(REPLY), seen);
  assert.ok(!seen.includes(NOTE) && !seen.includes('Note by'), `the widget shows no note: ${seen}`);

  // The visitor's next page: the chat is restored and replayed, still without the note.
  await vera.page.reload();
  await vera.page.locator('frontdesk-widget').getByRole('log').waitFor({ state: 'attached' });
  await vera.bubble(REPLY).waitFor({ state: 'attached' });
  seen = await vera.panelText();
  assert.ok(!seen.includes(NOTE), `the widget shows no note after a reload: ${seen}`);
  const leaked = received.filter((f) => f.includes(NOTE) || f.includes('"note"'));
  assert.deepEqual(leaked, [], 'no frame to the visitor carries the note');
  assert.ok(received.some((f) => f.includes(REPLY)), 'the frames were recorded');

  // Another console of Alice's (a second tab): the note from the chat's history, highlighted.
  const again = await signIn(env, agent);
  const there = again.log('Vera').locator('.msg.msg-kind-note')
    .filter({ has: again.page.getByText(NOTE, { exact: true }) });
  await there.getByText('Note by Alice', { exact: true }).waitFor();

  // "Email": notes only when asked for.
  await win.getByRole('button', { name: 'Email', exact: true }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Email transcript' });
  const include = dialog.getByRole('checkbox', { name: 'Include internal notes' });
  assert.equal(await include.isChecked(), false, 'off unless ticked');
  await dialog.getByRole('textbox', { name: 'To' }).fill('boss@noted.example');
  assert.equal(await include.isEnabled(), true);
  await dialog.getByRole('button', { name: 'Done' }).click();

  alice.assertClean();
  again.assertClean();
});

test('Team settings: "Show all agents\' names" is on by default and saves', async () => {
  const shop = await customerShop(env, { name: 'Named Shop' });
  const ada = addAgent(env, { name: 'Ada', admin: true });
  const admin = await signIn(env, ada);
  const page = admin.page;
  const cookie = await env.fd.login(ada.email);
  const saved = async () => {
    const sites = await env.fd.api(cookie, '/api/admin/sites');
    return sites.find((s) => s.key === shop.site.key).settings;
  };
  assert.equal((await saved()).show_agent_names, true);

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Sites', selected: true }).waitFor();
  const card = adminPage.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Named Shop' }) });
  await card.getByRole('button', { name: 'Team settings' }).click();
  const form = card.getByRole('form', { name: 'Team settings' });
  const names = form.getByRole('checkbox', { name: 'Show all agents\' names' });
  assert.equal(await names.isChecked(), true);
  const save = async () => {
    const put = page.waitForResponse((r) => r.url().endsWith('/settings') && r.request().method() === 'PUT');
    await form.getByRole('button', { name: 'Save settings' }).click();
    assert.equal((await put).status(), 200);
  };
  await names.uncheck();
  await save();
  assert.equal((await saved()).show_agent_names, false);
  await names.check();
  await save();
  assert.equal((await saved()).show_agent_names, true);
  admin.assertClean();
});
