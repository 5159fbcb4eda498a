// An agent's browser loses the network and gets it back: nothing is lost and nothing doubled.
// The console's socket is routed through the test (Playwright's routeWebSocket), so the test
// can cut the line the way a dropped Wi-Fi or a sleeping laptop does: frames in both
// directions vanish, the socket still looks open, and no close ever arrives. The console must
// notice by itself (the browser's `online` event and its heartbeat), reconnect, catch up with
// `sync`, and resend what the agent typed meanwhile with the same client_id.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

/** Routes the console's /ws/agent through the test; `cut()` kills every current socket silently. */
async function cuttableLine(context) {
  const line = { connections: 0, live: [] };
  await context.routeWebSocket(/\/ws\/agent$/, (page) => {
    const server = page.connectToServer();
    const conn = { dead: false };
    line.connections += 1;
    line.live.push(conn);
    page.onMessage((m) => { if (!conn.dead) server.send(m); });
    server.onMessage((m) => { if (!conn.dead) page.send(m); });
  });
  line.cut = () => { for (const c of line.live.splice(0)) c.dead = true; };
  return line;
}

test('an agent\'s browser going offline and coming back loses nothing: missed messages once each, typed ones sent once', async () => {
  const shop = await customerShop(env, { name: 'Wifi' });
  let line;
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }), {
    setup: async (context) => { line = await cuttableLine(context); },
  });
  assert.equal(line.connections, 1);
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(alice, vera);
  await vera.say('Before the outage');
  await alice.message('Vera', 'Before the outage').waitFor();

  // The network goes: the socket turns into a black hole.
  line.cut();
  await alice.context.setOffline(true);
  const missed = ['One', 'Two', 'Three'];
  for (const text of missed) await vera.say(text); // each stored by the server
  await alice.say('Vera', 'Typed while offline');
  const local = alice.log('Vera').locator('.msg-local').filter({ hasText: 'Typed while offline' });
  await local.getByText('Sending…').waitFor();
  assert.equal(await alice.message('Vera', 'One').count(), 0, 'nothing arrives while offline');
  assert.equal(await vera.bubble('Typed while offline').count(), 0);

  // The network comes back: the console notices the dead socket, reconnects and catches up.
  await alice.context.setOffline(false);
  for (const text of missed) await alice.message('Vera', text).waitFor();
  await vera.bubble('Typed while offline').waitFor();
  await local.waitFor({ state: 'detached' });
  await alice.message('Vera', 'Typed while offline').waitFor();
  await alice.page.getByRole('banner').getByText('Connected', { exact: true }).waitFor();
  assert.equal(line.connections, 2, 'one new socket');

  // Everything once, in order, on both sides.
  const agentLog = await alice.log('Vera').locator('.msg-body').allInnerTexts();
  assert.deepEqual(agentLog, ['Before the outage', 'One', 'Two', 'Three', 'Typed while offline']);
  const visitorLog = await vera.log.locator('.fd-text').allInnerTexts();
  assert.deepEqual(visitorLog, ['Before the outage', 'One', 'Two', 'Three', 'Typed while offline']);

  // And the chat goes on live.
  await vera.say('Are you back?');
  await alice.message('Vera', 'Are you back?').waitFor();
  await alice.say('Vera', 'Yes!');
  await vera.bubble('Yes!').waitFor();
  assert.equal(await alice.message('Vera', 'Yes!').count(), 1);
  alice.assertClean();
});
