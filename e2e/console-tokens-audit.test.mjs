// Admin → "API tokens" and "Audit log" (issue 18): an admin creates a token in the console,
// sees it once and copies it; a script uses it with fetch (no cookie, no Origin) within its
// scopes; "Revoke" stops it at the next request; the Audit log shows who did all this, and
// its "Action" filter narrows the table. Names go in as text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { consoleEnv, customerShop, addAgent, signIn } from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

test('API tokens: create, copy once, use with fetch, revoke; the Audit log shows it all', async () => {
  const shop = await customerShop(env, { name: 'Token Shop' });
  const ada = addAgent(env, { name: 'Ada', admin: true });
  const admin = await signIn(env, ada);
  const page = admin.page;
  await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.fd.base });

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  const tabs = adminPage.getByRole('tablist', { name: 'Admin sections' });
  await tabs.getByRole('tab', { name: 'API tokens' }).click();
  const form = adminPage.getByRole('form', { name: 'New API token' });
  const name = 'CRM <b>sync</b>';
  await form.getByRole('textbox', { name: 'Name' }).fill(name);
  assert.equal(await form.getByRole('checkbox', { name: 'Read' }).isChecked(), true);
  await form.getByRole('checkbox', { name: 'Write' }).check();
  await form.getByRole('button', { name: 'Create token' }).click();

  // Shown once, as text, with "Copy token".
  const shown = adminPage.getByRole('status').filter({ hasText: `Token “${name}” created` });
  await shown.waitFor();
  const token = (await shown.locator('code').textContent()).trim();
  assert.match(token, /^fd_[A-Za-z0-9_-]{40,}$/);
  await shown.getByRole('button', { name: 'Copy token' }).click();
  await page.getByText('Token copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);

  // A script uses it: no cookie, no Origin header.
  const call = (path, init = {}) => fetch(`${env.fd.base}${path}`, {
    ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  const me = await call('/api/me');
  assert.equal(me.status, 200);
  assert.equal((await me.json()).email, ada.email);
  const created = await call(`/api/sites/${shop.site.site_id ?? shop.site.id}/canned`, {
    method: 'POST', body: JSON.stringify({ title: 'Hello', body: 'Hi there!' }),
  });
  assert.equal(created.status, 201, await created.text());
  assert.equal((await call('/api/admin/agents')).status, 403); // no "admin" scope

  // The list: last use shown, then "Revoke" (confirmed) stops it at the next request.
  await tabs.getByRole('tab', { name: 'Audit log' }).click();
  await tabs.getByRole('tab', { name: 'API tokens' }).click();
  assert.equal(await shown.count(), 0, 'the token is not shown again once the tab was left');
  const tokensTable = adminPage.getByRole('table', { name: 'API tokens' });
  // The list is loaded again on every visit (aria-busy meanwhile): read it once that is done.
  await tokensTable.and(adminPage.locator('table:not([aria-busy])')).waitFor();
  const row = tokensTable.getByRole('row').filter({ hasText: name });
  await row.getByRole('cell', { name: 'Active' }).waitFor();
  assert.equal(await row.getByRole('cell', { name: 'Never' }).count(), 1, 'used: only "Expires" says Never');
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await page.getByRole('dialog', { name: 'Revoke this token?' }).getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('cell', { name: 'Revoked' }).waitFor();
  assert.equal((await call('/api/me')).status, 401);

  // The Audit log: who did it, newest first, filtered by action.
  await tabs.getByRole('tab', { name: 'Audit log' }).click();
  const log = adminPage.getByRole('table', { name: 'Audit log' });
  await log.getByRole('row').filter({ hasText: 'API token revoked' }).waitFor();
  const rows = log.locator('tbody tr');
  const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.cells[2].textContent));
  // The canned response the token added (a write with the token) is audited too.
  assert.deepEqual(actions.slice(0, 3), ['API token revoked', 'Canned response added', 'API token created']);
  assert.ok(actions.includes('Signed in'), actions.join());
  const revoked = log.getByRole('row').filter({ hasText: 'API token revoked' });
  assert.equal(await revoked.getByRole('cell', { name: 'Ada', exact: true }).count(), 1);
  assert.equal(await revoked.getByRole('cell', { name, exact: true }).count(), 1);
  await adminPage.getByRole('combobox', { name: 'Action' }).selectOption({ label: 'API token created' });
  await page.waitForFunction(() => {
    const trs = [...document.querySelectorAll('.audit-table tbody tr')];
    return trs.length === 1 && trs[0].cells[2].textContent === 'API token created';
  });
  assert.equal(await page.locator('.admin-panels b').count(), 0, 'names are text, never markup');
  admin.assertClean();
});
