// Departments, end to end (issue 12): an admin builds them on the Admin "Departments" page
// (add, rename, URL prefixes, agents, delete); a chat from a page under a URL prefix pops up
// for that department's agent with its name, shows it in Chatting Visitors and Visit Detail,
// and "Transfer" to "Support (department)" puts it in front of Support's agent. The widget
// asks "Department" when the site asks and has two or more, and `data-department` on the
// snippet names one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, shopPage, addAgent, signIn, openVisitor, takeChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const pages = (snippet) => ({
  '/': shopPage('Home', snippet),
  '/sales/offer': shopPage('Offer', snippet),
  '/named': shopPage('Named', snippet.replace(' async>', ' data-department="support" async>')),
});

test('Admin "Departments": add, prefixes and agents; the pop-up, list, Visit Detail and "Transfer" follow them', async () => {
  const shop = await customerShop(env, { name: 'Dept Shop', build: pages });
  const ada = await signIn(env, addAgent(env, { name: 'Ada', admin: true }));
  const sam = addAgent(env, { name: 'Sam', sites: [shop] });
  const page = ada.page;
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Departments' }).click();
  const panel = adminPage.getByRole('tabpanel', { name: 'Departments' });
  await panel.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'Dept Shop' });

  const add = async (name) => {
    await panel.getByRole('textbox', { name: 'Department name' }).fill(name);
    await panel.getByRole('button', { name: 'Add department' }).click();
    const card = panel.getByRole('article', { name, exact: true });
    await card.waitFor();
    return card;
  };
  const sales = await add('Sales');
  await sales.getByRole('textbox', { name: 'URL prefixes' }).fill(`${shop.origin}/sales/`);
  await sales.getByRole('checkbox', { name: 'Sam' }).check();
  await sales.getByRole('button', { name: 'Save department' }).click();
  await page.getByRole('status').getByText('Department saved.').waitFor();
  const helpdesk = await add('Helpdesk');
  await helpdesk.getByRole('textbox', { name: 'Name' }).fill('Support');
  await helpdesk.getByRole('checkbox', { name: 'Ada' }).check();
  await helpdesk.getByRole('button', { name: 'Save department' }).click();
  const support = panel.getByRole('article', { name: 'Support', exact: true });
  await support.waitFor();
  // A name that is taken, whatever its case, is refused with a message.
  ada.problems.allowed.push(/status of 409/); // the browser logs the refusal
  await panel.getByRole('textbox', { name: 'Department name' }).fill('SALES');
  await panel.getByRole('button', { name: 'Add department' }).click();
  await panel.getByText('This site already has a department of that name.').waitFor();
  const temp = await add('Temporary');
  await temp.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete Temporary?' }).getByRole('button', { name: 'Delete' }).click();
  await temp.waitFor({ state: 'detached' });

  // What the page saved, read back over REST.
  const cookie = await env.fd.login(ada.agent.email);
  const sites = await env.fd.api(cookie, '/api/admin/sites');
  const siteId = sites.find((s) => s.name === 'Dept Shop').id;
  const saved = await env.fd.api(cookie, `/api/admin/sites/${siteId}/departments`);
  assert.deepEqual(saved.map((d) => d.name), ['Sales', 'Support']);
  assert.deepEqual(saved[0].url_prefixes, [`${shop.origin}/sales/`]);
  assert.equal(saved[0].agents.length, 1);

  // Ada's console learnt them live (a `departments` frame); Sam's with his snapshot.
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Console' }).click();
  const samConsole = await signIn(env, sam);

  // A visitor on a Sales page: the pop-up goes to Sam (Sales), not to Ada.
  const vera = await openVisitor(env, shop, '/sales/offer', { name: 'Vera' });
  await vera.requestChat();
  const popup = samConsole.popup('Vera');
  await popup.getByText('Department: Sales').waitFor();
  assert.equal(await ada.popup('Vera').count(), 0, 'no pop-up for an agent outside Sales');
  await takeChat(samConsole, vera);
  await samConsole.chatEntry('Vera').getByText('Dept Shop · Sales').waitFor();
  const detail = samConsole.window('Vera').getByRole('complementary', { name: 'Visit Detail' });
  await detail.getByText('Department').waitFor();
  await detail.locator('dd', { hasText: /^Sales$/ }).waitFor();

  // "Transfer" lists the departments; to Support: Ada's pop-up, Sam's window goes.
  const transfer = samConsole.window('Vera').getByRole('combobox', { name: 'Transfer' });
  await transfer.selectOption({ label: 'Support (department)' });
  await samConsole.window('Vera').getByRole('button', { name: 'Transfer', exact: true }).click();
  await ada.popup('Vera').getByText('Department: Support').waitFor();
  await samConsole.window('Vera').waitFor({ state: 'detached' });
  await vera.say('Are you still there?');
  await takeChat(ada, vera);
  await ada.message('Vera', 'Are you still there?').waitFor();
  ada.assertClean();
  samConsole.assertClean();
});

test('The widget asks "Department" when the site asks; data-department on the snippet names one', async () => {
  const shop = await customerShop(env, { name: 'Ask Shop', build: pages });
  const admin = addAgent(env, { name: 'Root', admin: true });
  const cookie = await env.fd.login(admin.email);
  const siteId = (await env.fd.api(cookie, '/api/admin/sites')).find((s) => s.name === 'Ask Shop').id;
  const base = `/api/admin/sites/${siteId}/departments`;
  const sales = await env.fd.api(cookie, base, { method: 'POST', body: { name: 'Sales' } });
  const support = await env.fd.api(cookie, base, { method: 'POST', body: { name: 'Support' } });
  const agent = await env.fd.agentSocket(admin.email);

  // Not asked yet: opening the panel asks for a chat at once, with no choice shown.
  const plain = await openVisitor(env, shop, '/named', { name: 'Nina' });
  await plain.requestChat();
  const named = await agent.expect((f) => f.type === 'chat.requested' && f.chat.visitor_name === 'Nina', 'Nina');
  assert.equal(named.chat.department_name, 'Support', 'data-department="support" names Support');
  assert.equal(await plain.page.locator('frontdesk-widget').getByRole('combobox', { name: 'Department' }).isVisible(), false);

  // The site asks: the choice comes before the first message, and the chosen one is sent.
  await env.fd.api(cookie, `/api/admin/sites/${siteId}/settings`, { method: 'PUT', body: { ask_department: true } });
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.launcher.click();
  const widget = vera.page.locator('frontdesk-widget');
  const choice = widget.getByRole('combobox', { name: 'Department' });
  await choice.waitFor();
  const options = await choice.locator('option').allTextContents();
  assert.deepEqual(options, ['Any department', 'Sales', 'Support']);
  assert.equal(await vera.status.getByText('Waiting for an agent…').count(), 0, 'no chat before the choice');
  await choice.selectOption({ label: 'Sales' });
  await vera.say('I would like to buy');
  const chosen = await agent.expect((f) => f.type === 'chat.requested' && f.chat.visitor_name === 'Vera', 'Vera');
  assert.equal(chosen.chat.department_id, sales.id);
  assert.equal(chosen.chat.department_name, 'Sales');
  await choice.waitFor({ state: 'hidden' });

  // On a page whose snippet names Support, the choice starts there.
  const rita = await openVisitor(env, shop, '/named', { name: 'Rita' });
  await rita.launcher.click();
  const preset = rita.page.locator('frontdesk-widget').getByRole('combobox', { name: 'Department' });
  await preset.waitFor();
  assert.equal(await preset.inputValue(), String(support.id));
  agent.close();
});
