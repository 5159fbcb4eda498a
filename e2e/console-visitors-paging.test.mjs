// "Visitors on Site" on a busy site: the snapshot holds one page of the newest visitors
// (`limits.visitors_page`, 2 here); the list says "Showing 2 of 5 visitors" and "Show more
// visitors" loads the next page until every visitor is there, then goes away.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleEnv, customerShop, addAgent, signIn } from './lib/console.mjs';
import { FrameSocket } from './lib/harness.mjs';

let env;
before(async () => {
  const config = join(mkdtempSync(join(tmpdir(), 'frontdesk-e2e-cfg-')), 'paging.toml');
  writeFileSync(config, '[limits]\nvisitors_page = 2\n');
  env = await consoleEnv({ extraArgs: ['--config', config] });
});
after(async () => { await env?.close(); });

/** A visitor's socket (as the widget opens it) that said hello on `path` of the shop. */
async function visitorOn(shop, path) {
  const ws = new FrameSocket(`ws://${env.fd.host}/ws/visitor?site=${shop.site.key}`, { origin: shop.origin });
  env.defer(async () => ws.close());
  await ws.opened;
  ws.send({ type: 'hello', token: null, page: { url: shop.url(path), title: `Page ${path}` } });
  await ws.expect((f) => f.type === 'welcome', 'welcome');
  return ws;
}

test('"Show more visitors" loads the next page until every visitor is listed, then goes away', async () => {
  const shop = await customerShop(env, { name: 'Busy' });
  const paths = ['/one', '/two', '/three', '/four', '/five'];
  for (const p of paths) await visitorOn(shop, p);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const region = alice.visitorsOnSite;
  const rows = region.getByRole('listitem');
  const more = region.getByRole('button', { name: 'Show more visitors' });

  await region.getByText('Showing 2 of 5 visitors').waitFor();
  assert.equal(await rows.count(), 2, 'one page');
  await more.click();
  await region.getByText('Showing 4 of 5 visitors').waitFor();
  assert.equal(await rows.count(), 4, 'rows added');
  await more.click();
  await more.waitFor({ state: 'hidden' });
  assert.equal(await more.isVisible(), false, 'no button once all are listed');
  assert.equal(await region.getByText(/^Showing /).isVisible(), false);
  for (const p of paths) await rows.filter({ hasText: `Page ${p}` }).waitFor();
  assert.equal(await rows.count(), 5, 'every visitor once');

  // A visitor arriving now still shows up live.
  await visitorOn(shop, '/six');
  await rows.filter({ hasText: 'Page /six' }).waitFor();
  alice.assertClean();
});
