// "Invitation rules" (issue 17, proactive invitations): the admin page's section saves the rules
// (a refused one shows the server's message in an alert); the loader shows the automatic
// invitation when a rule holds, for EACH condition (page URL, seconds on page, pages viewed,
// returning visitor, referrer); at most once per visit; never after the visitor dismissed an
// invitation in the visit; never while no agent is On-Line; agents see "Invited automatically
// (rule name)" on the visitor in "Visitors on Site".
// Absence is checked after an event that comes later than the rule would have fired: the
// visitor's page shown in "Visitors on Site" (the welcome is in, and a rule of 0 seconds fired
// with it), never by sleeping.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { consoleEnv, customerShop, shopPage, addAgent, signIn, openVisitor } from './lib/console.mjs';
import { audit } from './lib/axe.mjs';

let env;
let root;
before(async () => {
  env = await consoleEnv();
  root = addAgent(env, { name: 'Root', admin: true });
});
after(async () => { await env?.close(); });

const build = (s) => ({
  '/': shopPage('Home', s, { '/pricing': 'Pricing', '/checkout': 'Checkout' }),
  '/pricing': shopPage('Pricing', s, { '/': 'Home', '/checkout': 'Checkout' }),
  '/checkout': shopPage('Checkout', s, { '/': 'Home' }),
  '/ad': shopPage('Ad', s, { '/landing': 'Landing' }),
  '/landing': shopPage('Landing', s, { '/': 'Home' }),
});

// One admin session per server: sign-ins are rate-limited per account and per address.
const sessions = new Map();
async function rootCookie(e) {
  if (!sessions.has(e)) sessions.set(e, await e.fd.login(root.email));
  return sessions.get(e);
}

async function shopWithRules(e, name, rules) {
  const shop = await customerShop(e, { name, build });
  const cookie = await rootCookie(e);
  const sites = await e.fd.api(cookie, '/api/admin/sites');
  const s = sites.find((x) => x.key === shop.site.key);
  await e.fd.api(cookie, `/api/admin/sites/${s.id}/settings`,
    { method: 'PUT', body: { ...s.settings, invitation_rules: { rules } } });
  return shop;
}

const invitation = (visitor, greeting) => visitor.page.locator('frontdesk-widget')
  .getByRole('dialog').filter({ hasText: greeting });

/** Alice's entry for the visitor on the page titled `title` (shown once the hello is in). */
const entryOn = (alice, title) => alice.visitorsOnSite.getByRole('listitem')
  .filter({ has: alice.page.getByRole('link', { name: title, exact: true }) });

async function noInvitation(alice, visitor, title, greeting) {
  await entryOn(alice, title).waitFor();
  await visitor.launcher.or(visitor.page.getByRole('button', { name: 'Leave a message', exact: true })).waitFor();
  assert.equal(await invitation(visitor, greeting).count(), 0, `no invitation on ${title}`);
}

test('"Page URL matches": fires on the matching page only, once per visit; agents see "Invited automatically (name)"', async () => {
  const greeting = 'Questions about paying?';
  const shop = await shopWithRules(env, 'Url Shop', [{ id: 1, name: 'Checkout <b>help</b>', greeting, url: '/checkout*' }]);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/');
  await noInvitation(alice, vera, 'Home', greeting);
  await vera.page.getByRole('link', { name: 'Checkout' }).click();
  await invitation(vera, greeting).waitFor();
  assert.deepEqual(await audit(vera.page, 'frontdesk-widget'), [], 'no WCAG 2.1 AA violation: automatic invitation');
  const entry = entryOn(alice, 'Checkout');
  await entry.getByText('Invited automatically (Checkout <b>help</b>)', { exact: true }).waitFor();
  // Not twice in the visit.
  await vera.page.reload();
  await entry.getByText('Invited automatically (Checkout <b>help</b>)', { exact: true }).waitFor();
  await vera.launcher.waitFor();
  assert.equal(await invitation(vera, greeting).count(), 0, 'not twice in a visit');
  // An agent who signs in later sees it too (the snapshot).
  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  await entryOn(bob, 'Checkout').getByText('Invited automatically (Checkout <b>help</b>)', { exact: true }).waitFor();
  alice.assertClean();
});

test('two tabs of one visit, both with the rules: the invitation shows in one only', async () => {
  const greeting = 'Only once';
  const shop = await shopWithRules(env, 'Tabs Shop', [{ id: 1, name: 'Tabs', greeting, seconds: 6 }]);
  await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/');
  await vera.launcher.waitFor();
  const page = await vera.context.newPage();
  await page.goto(shop.url('/pricing'));
  const tab = await openVisitor(env, shop, '/pricing', { context: vera.context, page });
  await tab.launcher.waitFor(); // its welcome is in, with the rules: the first tab has not fired yet
  assert.equal(await invitation(vera, greeting).count(), 0, 'the second tab said hello before the first fired');
  await invitation(vera, greeting).waitFor();
  // Past the second tab's own moment (its page clock): refused by the server, not shown.
  await page.waitForFunction(() => performance.now() > 7000, null, { polling: 100, timeout: 30000 });
  assert.equal(await invitation(tab, greeting).count(), 0, 'one per visit, whichever tab');
});

test('"Seconds on page": the invitation waits for the time on the page', async () => {
  const greeting = 'Still looking?';
  const shop = await shopWithRules(env, 'Slow Shop', [{ id: 1, name: 'Lingering', greeting, seconds: 2 }]);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/pricing');
  await invitation(vera, greeting).waitFor();
  const onPage = await vera.page.evaluate(() => performance.now());
  assert.ok(onPage >= 2000, `shown after ${onPage} ms on the page`);
  await entryOn(alice, 'Pricing').getByText('Invited automatically (Lingering)').waitFor();
});

test('"Pages viewed": fires on the second page of the visit, not the first', async () => {
  const greeting = 'Finding everything?';
  const shop = await shopWithRules(env, 'Pages Shop', [{ id: 1, name: 'Browsing', greeting, pages: 2 }]);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/');
  await noInvitation(alice, vera, 'Home', greeting);
  await vera.page.getByRole('link', { name: 'Pricing' }).click();
  await invitation(vera, greeting).waitFor();
  await entryOn(alice, 'Pricing').getByText('Invited automatically (Browsing)').waitFor();
});

test('"Pages viewed" on a single-page site: the next page by history.pushState counts', async () => {
  const greeting = 'Still looking?';
  const shop = await shopWithRules(env, 'App Shop', [{ id: 1, name: 'App pages', greeting, pages: 2 }]);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/');
  await noInvitation(alice, vera, 'Home', greeting);
  // The app shows its next view without loading a page; the loader notices the new URL.
  await vera.page.evaluate(() => { history.pushState({}, '', '/pricing'); document.title = 'Pricing view'; });
  await invitation(vera, greeting).waitFor();
  await entryOn(alice, 'Pricing view').getByText('Invited automatically (App pages)').waitFor();
});

test('"Referrer contains": fires when the visitor came from a matching page', async () => {
  const greeting = 'Welcome from our ad!';
  const shop = await shopWithRules(env, 'Ad Shop', [{ id: 1, name: 'From the ad', greeting, referrer: '/ad' }]);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/landing');
  await noInvitation(alice, vera, 'Landing', greeting);
  await vera.page.goto(shop.url('/ad'));
  await noInvitation(alice, vera, 'Ad', greeting);
  await vera.page.getByRole('link', { name: 'Landing' }).click();
  await invitation(vera, greeting).waitFor();
  await entryOn(alice, 'Landing').getByText('Invited automatically (From the ad)').waitFor();
});

test('after a dismissal no rule fires again in the visit; Dismiss on an automatic one reports it', async () => {
  const greeting = 'Ready to pay?';
  const shop = await shopWithRules(env, 'Dismiss Shop', [{ id: 1, name: 'Pay', greeting, url: '/checkout' }]);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  // An agent's invitation dismissed on the home page: none automatic on the checkout page.
  const vera = await openVisitor(env, shop, '/');
  const home = entryOn(alice, 'Home');
  await home.getByRole('button', { name: 'Invite' }).click();
  const dialog = alice.page.getByRole('dialog', { name: /^Invite .* to chat$/ });
  await dialog.getByRole('textbox', { name: 'Greeting' }).fill('Hello there');
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  const agents = vera.page.locator('frontdesk-widget').getByRole('dialog', { name: 'Alice' });
  await agents.getByRole('button', { name: 'Dismiss' }).click();
  await home.getByText('Invitation dismissed').waitFor();
  await vera.page.getByRole('link', { name: 'Checkout' }).click();
  await noInvitation(alice, vera, 'Checkout', greeting);
  // An automatic one dismissed: reported, and not again.
  const walt = await openVisitor(env, shop, '/checkout');
  await invitation(walt, greeting).getByRole('button', { name: 'Dismiss' }).click();
  const walts = alice.visitorsOnSite.getByRole('listitem').filter({ hasText: 'Invited automatically (Pay)' });
  await walts.getByText('Invitation dismissed').waitFor();
  await walt.page.reload();
  await walt.launcher.waitFor();
  await walts.getByText('Invitation dismissed').waitFor();
  assert.equal(await invitation(walt, greeting).count(), 0, 'not after a dismissal');
});

test('not while no agent is On-Line; the next page after one comes On-Line', async () => {
  const greeting = 'We are here!';
  const shop = await shopWithRules(env, 'Quiet Shop', [{ id: 1, name: 'Anyone', greeting }]);
  const vera = await openVisitor(env, shop, '/');
  await vera.page.getByRole('button', { name: 'Leave a message', exact: true }).waitFor();
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  await vera.launcher.waitFor(); // availability: On-Line now; the rules come with the next page
  await entryOn(alice, 'Home').waitFor();
  assert.equal(await invitation(vera, greeting).count(), 0, 'none while nobody was On-Line');
  await vera.page.getByRole('link', { name: 'Pricing' }).click();
  await invitation(vera, greeting).waitFor();
});

test('a pending "Seconds on page" invitation waits while the site is offline and comes when an agent is On-Line again', async () => {
  const greeting = 'Take your time';
  const shop = await shopWithRules(env, 'Away Shop', [{ id: 1, name: 'Slow', greeting, seconds: 8 }]);
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const vera = await openVisitor(env, shop, '/');
  await vera.launcher.waitFor();
  const status = alice.page.getByRole('combobox', { name: 'Status' });
  await status.selectOption({ label: 'Away' });
  await vera.page.getByRole('button', { name: 'Leave a message', exact: true }).waitFor();
  const offlineAt = await vera.page.evaluate(() => performance.now());
  assert.ok(offlineAt < 8000, `offline before the rule was due (${offlineAt} ms)`);
  // Past the moment the rule would have fired (the page's own clock, not a sleep).
  await vera.page.waitForFunction(() => performance.now() > 9000, null, { polling: 100, timeout: 30000 });
  // Not while offline: the rule's 8 s passed with the page showing "Leave a message".
  assert.equal(await invitation(vera, greeting).count(), 0, 'none while offline');
  await status.selectOption({ label: 'On-Line' });
  await vera.launcher.waitFor();
  // On-Line again on the same page: the rule is due (its seconds passed), so it comes at once.
  await invitation(vera, greeting).waitFor();
  await entryOn(alice, 'Home').getByText('Invited automatically (Slow)').waitFor();
});

test('"Returning visitor": fires on a later visit, not the first', async () => {
  // Every page load is a new visit here (visit timeout 0).
  const e = await consoleEnv({ extraArgs: ['--visit-timeout-mins', '0'] });
  try {
    const saved = root;
    root = addAgent(e, { name: 'Root', admin: true });
    const greeting = 'Welcome back!';
    const shop = await shopWithRules(e, 'Back Shop', [{ id: 1, name: 'Returning', greeting, returning: true }]);
    root = saved;
    const alice = await signIn(e, addAgent(e, { name: 'Alice', sites: [shop] }));
    const vera = await openVisitor(e, shop, '/');
    await noInvitation(alice, vera, 'Home', greeting);
    await vera.page.getByRole('link', { name: 'Pricing' }).click();
    await invitation(vera, greeting).waitFor();
    await entryOn(alice, 'Pricing').getByText('Invited automatically (Returning)').waitFor();
  } finally {
    await e.close();
  }
});

test('Admin → Sites → "Invitation rules": Add rule, every field, a refusal in an alert, Save invitation rules, Delete rule', async () => {
  const shop = await customerShop(env, { name: 'Rules Admin', build });
  const ada = addAgent(env, { name: 'Ada', admin: true });
  const admin = await signIn(env, ada);
  admin.problems.allowed.push(/status of 400/);
  const page = admin.page;
  const cookie = await env.fd.login(ada.email);
  const saved = async () => {
    const sites = await env.fd.api(cookie, '/api/admin/sites');
    return sites.find((s) => s.key === shop.site.key).settings.invitation_rules;
  };
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  const card = adminPage.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Rules Admin' }) });
  const form = card.getByRole('form', { name: 'Invitation rules' });
  await form.getByRole('button', { name: 'Add rule' }).click();
  const rule = form.getByRole('group', { name: 'Rule 1' });
  await rule.getByRole('textbox', { name: 'Rule name' }).fill('Checkout help');
  await rule.getByRole('textbox', { name: 'Greeting' }).fill('Questions about paying?');
  await rule.getByRole('textbox', { name: 'Page URL matches' }).fill('/checkout*');
  await rule.getByRole('spinbutton', { name: 'Seconds on page' }).fill('5');
  await rule.getByRole('spinbutton', { name: 'Pages viewed' }).fill('0');
  await rule.getByRole('checkbox', { name: 'Returning visitor' }).check();
  await rule.getByRole('textbox', { name: 'Referrer contains' }).fill('google.');
  assert.equal(await rule.getByRole('checkbox', { name: 'Enabled' }).isChecked(), true);
  await form.getByRole('button', { name: 'Save invitation rules' }).click();
  await form.getByRole('alert').getByText('invitation rule 1: "Pages viewed" must be between 1 and 1000').waitFor();
  assert.deepEqual(await audit(page, '.invitation-rules-form', { cssom: false }), [], 'no WCAG 2.1 AA violation: Invitation rules');
  assert.deepEqual(await saved(), { rules: [] });
  await rule.getByRole('spinbutton', { name: 'Pages viewed' }).fill('2');
  await rule.getByRole('checkbox', { name: 'Enabled' }).uncheck();
  await form.getByRole('button', { name: 'Save invitation rules' }).click();
  await page.getByRole('status').getByText('Invitation rules saved.').waitFor();
  assert.deepEqual(await saved(), { rules: [{
    id: 1, name: 'Checkout help', enabled: false, greeting: 'Questions about paying?', url: '/checkout*',
    seconds: 5, pages: 2, returning: true, referrer: 'google.',
  }] });
  await rule.getByRole('button', { name: 'Delete rule' }).click();
  const put = page.waitForResponse((r) => r.url().endsWith('/settings') && r.request().method() === 'PUT');
  await form.getByRole('button', { name: 'Save invitation rules' }).click();
  assert.equal((await put).status(), 200);
  assert.deepEqual(await saved(), { rules: [] });
  admin.assertClean();
});
