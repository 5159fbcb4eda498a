// The console's "Archive" page (issue 15), in Chromium: filters, "Search chats" (a word, a
// phrase) with the matched words in <mark>, "Load more" with the cursor, the count after the
// first page, opening a result (the transcript with "Save" and "Email"), a hostile visitor's
// name and message shown as text, and the page at tablet width (768 px). The chats are made
// over the sockets (a visitor socket from the shop's origin, an agent socket for Bob) before
// Alice signs in, so her console only reads.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameSocket } from './lib/harness.mjs';
import {
  consoleEnv, customerShop, addAgent, signIn, exactly,
} from './lib/console.mjs';

const HOSTILE_NAME = '<img src=x onerror="window.__xss=1">Mallory';
const HOSTILE_TEXT = '<b>refund</b> <script>window.__xss=2</script> now';
const FILLERS = 26; // with the chats below, more than one page (25)

let env;
let shop;
let other;
let alice;
let bob;
let ids = {};

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-archive-'));
  const config = join(dir, 'frontdesk.toml');
  // Every visitor socket of this file comes from 127.0.0.1.
  writeFileSync(config, [
    '[limits]',
    'per_ip_factor = 1000',
    'visitor_connects_per_ip = { per_minute = 100000, burst = 100000 }',
    'agent_frames = { per_minute = 100000, burst = 100000 }',
    '',
  ].join('\n'));
  env = await consoleEnv({ extraArgs: ['--config', config] });
  shop = await customerShop(env, { name: 'Archive Shop' });
  other = await customerShop(env, { name: 'Other Shop' });
  alice = addAgent(env, { name: 'Alice', sites: [shop, other] });
  bob = addAgent(env, { name: 'Bob', sites: [shop, other] });
  await seed();
});
after(async () => { await env?.close(); });

/** A visitor socket on `site` from its own origin, after hello/welcome. */
async function visitor(s) {
  const ws = new FrameSocket(`ws://${env.fd.host}/ws/visitor?site=${encodeURIComponent(s.site.key)}`, { origin: s.origin });
  await ws.opened;
  ws.send({ type: 'hello', token: null, page: { url: s.url('/'), title: 'Home' } });
  await ws.expect((f) => f.type === 'welcome', 'welcome');
  env.defer(async () => ws.close());
  return ws;
}

let n = 0;
/** A chat on `s` from `name` saying `said`, answered by Bob; ended unless `open`. */
async function chat(agent, s, name, said, { open = false, reply = 'Happy to help.' } = {}) {
  const v = await visitor(s);
  const ack = await v.request({ type: 'chat_request', name });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  const chatId = ack.chat_id;
  if (open) return { v, chatId };
  assert.equal((await agent.request({ type: 'accept', chat_id: chatId })).type, 'ack');
  const cid = `v${++n}`;
  v.send({ type: 'message', client_id: cid, body: said });
  assert.equal((await v.expect((f) => f.ref === cid, 'message ack')).type, 'ack');
  const r = await agent.request({ type: 'message', chat_id: chatId, client_id: `a${n}`, body: reply });
  assert.equal(r.type, 'ack');
  assert.equal((await agent.request({ type: 'end', chat_id: chatId })).type, 'ack');
  await v.expect((f) => f.type === 'chat.ended', 'chat.ended');
  return { v, chatId };
}

async function seed() {
  const agent = await env.fd.agentSocket(bob.email);
  env.defer(async () => agent.close());
  const cookie = await env.fd.login(bob.email);
  for (let i = 0; i < FILLERS; i++) await chat(agent, shop, `Filler ${i}`, `Just browsing ${i}`);
  ids.rita = (await chat(agent, shop, 'Rita', 'Do you ship to Norway?')).chatId;
  await env.fd.api(cookie, `/api/chats/${ids.rita}/tags`, { method: 'PUT', body: { tags: ['Shipping'] } });
  const sam = await chat(agent, shop, 'Sam', 'I want a refund for order number 1234');
  ids.sam = sam.chatId;
  assert.equal((await sam.v.request({ type: 'rate', chat_id: ids.sam, score: 5 })).type, 'ack');
  ids.mallory = (await chat(agent, shop, HOSTILE_NAME, HOSTILE_TEXT)).chatId;
  ids.tom = (await chat(agent, other, 'Tom', 'A refund on the other shop, number order 9')).chatId;
  ids.uma = (await chat(agent, shop, 'Uma', '', { open: true })).chatId;
}

async function openArchive() {
  const a = await signIn(env, alice);
  await a.page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Archive' }).click();
  const page = a.page.getByRole('main', { name: 'Archive' });
  await page.getByRole('heading', { name: 'Archive' }).waitFor();
  return { a, page };
}

const results = (page) => page.getByRole('list', { name: 'Archive results' }).getByRole('listitem');

/** The visitor names listed, in order, once the list is not busy. */
async function names(page) {
  await page.locator('.archive-results[aria-busy="false"]').waitFor();
  return page.locator('.archive-results .archive-open').allTextContents();
}

/** Waits until the list shows exactly `expected` (visitor names, in order) and is not busy. */
async function expectNames(page, expected) {
  try {
    await page.page().waitForFunction((want) => {
      const list = document.querySelector('.archive-page .archive-results');
      const got = [...list.querySelectorAll('.archive-open')].map((b) => b.textContent);
      return list.getAttribute('aria-busy') === 'false' && JSON.stringify(got) === JSON.stringify(want);
    }, expected, { timeout: 10_000 });
  } catch {
    assert.fail(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(await names(page))}`);
  }
}

test('the newest chats first, the count after the first page, and "Load more" with the cursor', async () => {
  const { a, page } = await openArchive();
  const total = FILLERS + 5;
  await page.getByRole('status').filter({ hasText: `${total} chats` }).waitFor();
  const first = await names(page);
  assert.equal(first.length, 25, 'one page');
  assert.deepEqual(first.slice(0, 5), ['Uma', 'Tom', HOSTILE_NAME, 'Sam', 'Rita']);
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.locator('.archive-results .archive-open').nth(total - 1).waitFor();
  const all = await names(page);
  assert.equal(all.length, total);
  assert.equal(new Set(all).size, total, 'each chat once');
  assert.equal(all.at(-1), 'Filler 0');
  await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'hidden' });
  a.assertClean();
  await a.close();
});

test('each filter narrows the list', async () => {
  const { a, page } = await openArchive();
  await names(page);
  await page.getByRole('combobox', { name: 'State' }).selectOption({ label: 'Open' });
  await expectNames(page, ['Uma']);
  await page.getByRole('combobox', { name: 'State' }).selectOption({ label: 'Any state' });
  await page.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'Other Shop' });
  await expectNames(page, ['Tom']);
  await page.getByRole('status').filter({ hasText: exactly('1 chat') }).waitFor();
  await page.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'All sites' });
  const tag = page.getByRole('textbox', { name: 'Tag' });
  await tag.fill('shipping');
  await tag.press('Enter');
  await expectNames(page, ['Rita']);
  await page.getByRole('listitem').filter({ hasText: 'Rita' }).getByText('Shipping').waitFor();
  await tag.fill('');
  await page.getByRole('combobox', { name: 'Rating' }).selectOption({ label: 'Good (5)' });
  await expectNames(page, ['Sam']);
  await results(page).filter({ hasText: 'Sam' }).getByText('Good').waitFor();
  await page.getByRole('combobox', { name: 'Rating' }).selectOption({ label: 'Any rating' });
  // From/To are days in the browser's time zone: every chat is from today.
  const today = await a.page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  await page.getByLabel('To', { exact: true }).fill('2000-01-01');
  await expectNames(page, []);
  await page.getByText('No chats match.').waitFor();
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByRole('combobox', { name: 'Agent' }).selectOption({ label: 'Bob' });
  await page.getByRole('combobox', { name: 'State' }).selectOption({ label: 'Ended' });
  await page.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'Other Shop' });
  await expectNames(page, ['Tom']);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('status').filter({ hasText: `${FILLERS + 5} chats` }).waitFor();
  a.assertClean();
  await a.close();
});

test('"Search chats": a word and a phrase, matched words marked as text; a hostile visitor stays text; a result opens the transcript with Save and Email', async () => {
  const { a, page } = await openArchive();
  await names(page);
  const box = page.getByRole('searchbox', { name: 'Search chats' });
  await box.fill('refund');
  await box.press('Enter');
  await expectNames(page, ['Tom', HOSTILE_NAME, 'Sam']);
  await page.getByRole('status').filter({ hasText: exactly('3 chats') }).waitFor();
  for (const who of ['Tom', 'Sam']) {
    const marks = await results(page).filter({ hasText: who }).locator('.archive-snippet mark').allTextContents();
    assert.deepEqual(marks.map((m) => m.toLowerCase()), ['refund'], who);
  }
  // Mallory: her name and her message are characters on the page, nothing ran or loaded.
  const hostile = results(page).filter({ hasText: 'Mallory' });
  assert.equal(await hostile.locator('.archive-open').textContent(), HOSTILE_NAME);
  const snippet = await hostile.locator('.archive-snippet').textContent();
  assert.ok(snippet.includes('<b>refund</b>'), snippet);
  assert.deepEqual(await hostile.locator('.archive-snippet mark').allTextContents(), ['refund']);
  assert.equal(await page.locator('.archive-results img, .archive-results script, .archive-results b').count(), 0);
  assert.equal(await a.page.evaluate(() => window.__xss), undefined);

  // A phrase: these words in this order (Tom wrote "number order").
  await box.fill('"order number"');
  await box.press('Enter');
  await expectNames(page, ['Sam']);
  const marked = (await results(page).locator('.archive-snippet mark').allTextContents()).join(' ').toLowerCase();
  assert.match(marked, /order.*number/);

  // Open it: the transcript, with the chat window's Save and Email.
  await results(page).getByRole('button', { name: 'Sam' }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Chat transcript' });
  await dialog.getByText('I want a refund for order number 1234').waitFor();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('link', { name: 'Save as Text' }).waitFor();
  await dialog.getByRole('button', { name: 'Email' }).click();
  const email = a.page.getByRole('dialog', { name: 'Email transcript' });
  await email.getByRole('textbox', { name: 'To' }).waitFor();
  await email.getByRole('button', { name: 'Done' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });

  // A search the server refuses says why, in words (the browser logs the 400s it was answered).
  a.problems.allowed.push(/status of 400 \(Bad Request\)/);
  await box.fill('-spam');
  await box.press('Enter');
  await page.getByText('A search may only exclude words: add a word to look for.').waitFor();
  assert.equal(await a.page.evaluate(() => window.__xss), undefined);
  a.assertClean();
  await a.close();
});

test('readable at tablet width (768 px): no sideways scrolling, every filter reachable', async () => {
  const { a, page } = await openArchive();
  await a.page.setViewportSize({ width: 768, height: 1024 });
  await names(page);
  const overflow = await a.page.evaluate(() => {
    const main = document.querySelector('.archive-page');
    return { doc: document.documentElement.scrollWidth, main: main.scrollWidth, width: main.clientWidth };
  });
  assert.ok(overflow.doc <= 768, JSON.stringify(overflow));
  assert.ok(overflow.main <= overflow.width, JSON.stringify(overflow));
  for (const name of ['Site', 'Agent', 'State', 'Rating']) {
    assert.ok(await page.getByRole('combobox', { name }).isVisible(), name);
  }
  assert.ok(await page.getByRole('searchbox', { name: 'Search chats' }).isVisible());
  a.assertClean();
  await a.close();
});
