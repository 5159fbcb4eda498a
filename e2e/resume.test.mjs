// Coming back after a gap beyond the replay window (issue 6, faults item 2), in the browser.
// The server runs with `limits.replay_max_messages = 3`, so a client missing more than three
// messages gets `chat.resync` (the latest 200 messages) instead of a replay. The widget and
// the console put those in place of what they showed, say when earlier messages are left out
// (never a silent gap), and render every text as text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleEnv, customerShop, addAgent, signIn, openVisitor } from './lib/console.mjs';

const XSS = '<img src=x onerror="window.__xss=1"> {{constructor.constructor(\'window.__xss=1\')()}}';

let env;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-resume-'));
  const config = join(dir, 'frontdesk.toml');
  writeFileSync(config, [
    '[limits]',
    'replay_max_messages = 3',
    'agent_frames = { per_minute = 100000, burst = 100000 }',
    '',
  ].join('\n'));
  env = await consoleEnv({ extraArgs: ['--config', config] });
});
after(async () => { await env?.close(); });

/** `n` agent messages, pipelined; the last one says `last`. */
async function flood(agent, chatId, n, last) {
  const answers = [];
  for (let i = 0; i < n; i++) {
    const body = i === n - 1 ? last : `Filler ${i}`;
    answers.push(agent.request({ type: 'message', chat_id: chatId, client_id: `f${chatId}-${i}`, body }));
  }
  for (const a of await Promise.all(answers)) assert.equal(a.type, 'ack');
}

/** An On-Line agent socket (not a console) holding Vera's chat. */
async function olivesChat(shop) {
  const olive = addAgent(env, { name: 'Olive', sites: [shop] });
  const agent = await env.fd.agentSocket(olive.email);
  env.defer(async () => agent.close());
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  assert.equal((await agent.request({ type: 'accept', chat_id: chat.chat_id })).type, 'ack');
  return { agent, vera, chatId: chat.chat_id };
}

test('a visitor back after too long a gap sees the latest messages and a note, as text', async () => {
  const shop = await customerShop(env, { name: 'Gap' });
  const { agent, vera, chatId } = await olivesChat(shop);
  await vera.say('Oldest words');
  await vera.page.goto('about:blank'); // away; meanwhile the agent writes on
  await flood(agent, chatId, 205, XSS);

  await vera.page.goto(vera.shop.url('/pricing'));
  await vera.bubble(XSS).waitFor();
  await vera.log.getByText('Earlier messages are not shown.', { exact: true }).waitFor();
  assert.equal(await vera.bubble('Oldest words').count(), 0, 'left out, and said so');
  assert.equal(await vera.log.locator('.fd-text').count(), 200, 'the latest 200');
  assert.equal(await vera.page.evaluate(() => window.__xss), undefined);

  // The chat goes on, live.
  await vera.say('Still there?');
  await agent.expect((f) => f.type === 'message' && f.body === 'Still there?', 'visitor message');
});

test('an agent behind by more than the window sees the latest page, a note, and can load the rest', async () => {
  const shop = await customerShop(env, { name: 'Backlog' });
  const added = addAgent(env, { name: 'Alice', sites: [shop] });
  const alice = await signIn(env, added);
  const { agent, vera, chatId } = await olivesChat(shop);
  await vera.say('Oldest words');
  await flood(agent, chatId, 205, XSS);
  // Handed to Alice: her console syncs from 0, which is beyond the window.
  const moved = await agent.request({ type: 'transfer', chat_id: chatId, to: added.id });
  assert.equal(moved.type, 'ack', JSON.stringify(moved));

  await alice.message('Vera', XSS).waitFor();
  const note = alice.log('Vera').getByText('Some earlier messages are not shown.');
  await note.waitFor();
  assert.equal(await alice.message('Vera', 'Oldest words').count(), 0);
  assert.equal(await alice.log('Vera').locator('.msg-body').count(), 200);

  await alice.log('Vera').getByRole('button', { name: 'Load transcript' }).click();
  await alice.message('Vera', 'Oldest words').waitFor();
  await note.waitFor({ state: 'hidden' });
  assert.equal(await alice.log('Vera').locator('.msg-body').count(), 206, 'every message once');
  assert.equal(await alice.page.evaluate(() => window.__xss), undefined);

  // Live messages carry on after the resync, without a new one.
  await vera.say('Hello Alice');
  await alice.message('Vera', 'Hello Alice').waitFor();
  assert.equal(await alice.log('Vera').locator('.msg-body').count(), 207);
  alice.assertClean();
});
