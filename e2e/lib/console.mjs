// Helpers for the agent console e2e tests (console-*.test.mjs): a server and Chromium per
// file, customer sites on their own origin, agents signed in through the real sign-in form in
// their own browser contexts (with every CSP violation, console error and page error
// recorded), and visitors using the real widget.

import assert from 'node:assert/strict';
import { Frontdesk, browser, customerSite, embedPage, PASSWORD } from './harness.mjs';

export const VIEWPORT = { width: 1280, height: 800 };

/**
 * One server (fresh data directory) and one Chromium for a test file.
 * `extraArgs` go to `frontdesk serve`. Call `env.close()` in `after`.
 */
export async function consoleEnv({ extraArgs = [] } = {}) {
  const fd = await Frontdesk.start({ extraArgs });
  const chromium = await browser();
  const closers = [];
  let n = 0;
  const env = {
    fd,
    chromium,
    /** Runs `fn` when the file ends (before the server stops). */
    defer: (fn) => closers.push(fn),
    /** A unique suffix for names and emails. */
    uid: () => `${++n}`,
    async close() {
      await chromium.close().catch(() => {});
      for (const c of closers.reverse()) await c().catch(() => {});
      await fd.stop();
    },
  };
  return env;
}

/**
 * A customer site on its own origin, registered with the CLI. `build(snippet, origin)` returns
 * path → HTML (or {headers, body}); by default a home page and a pricing page.
 */
export async function customerShop(env, { name = 'Acme', timezone = 'UTC', build } = {}) {
  const pages = {};
  const server = await customerSite(pages);
  env.defer(server.close);
  const site = env.fd.site({ name, url: server.origin, timezone });
  const snippet = env.fd.snippet(site);
  const make = build || ((s) => ({
    '/': shopPage('Home', s, { '/pricing': 'Pricing' }),
    '/pricing': shopPage('Pricing', s, { '/': 'Home' }),
  }));
  Object.assign(pages, make(snippet, server.origin));
  return { site, pages, origin: server.origin, snippet, url: (path = '/') => server.origin + path };
}

/** A page of the shop embedding the snippet, with links to the given paths. */
export function shopPage(title, snippet, links = {}) {
  const body = Object.entries(links).map(([href, text]) => `<p><a href="${href}">${text}</a></p>`).join('');
  return embedPage({ title, snippet, body });
}

/** Provisions an agent with the CLI. Returns {email, name, ...}. */
export function addAgent(env, { name, sites = [], admin = false }) {
  const email = `${name.toLowerCase().replace(/[^a-z]+/g, '')}.${env.uid()}@frontdesk.test`;
  const agent = env.fd.agent({ email, name, admin, sites: sites.map((s) => s.site?.key ?? s.key ?? s) });
  return { ...agent, email, name };
}

/**
 * A browser context for the console that records CSP violations (via an init script, which
 * runs whatever the page's CSP), console errors and uncaught page errors.
 */
export async function consoleContext(env, options = {}) {
  const context = await env.chromium.newContext({ viewport: VIEWPORT, acceptDownloads: true, ...options });
  const problems = { csp: [], errors: [], allowed: [] };
  await context.exposeBinding('__fdCspViolation', (_src, v) => problems.csp.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__fdCspViolation({
        directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber,
      });
    });
  });
  const watch = (page) => {
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const entry = { text: m.text(), url: m.location()?.url || '' };
      // The browser logs the 401 of GET /api/me when the console boots signed out, and of a
      // sign-in with a wrong password: expected answers, not faults of the console.
      if (/status of 401/.test(entry.text)
        && ((/\/api\/me$/.test(entry.url) && !problems.signedIn) || /\/api\/auth\/login$/.test(entry.url))) return;
      if (problems.allowed.some((re) => re.test(entry.text))) return;
      problems.errors.push(entry);
    });
    page.on('pageerror', (e) => problems.errors.push({ text: `pageerror: ${e.message}`, url: page.url() }));
  };
  context.on('page', watch);
  return { context, problems, watch };
}

/** An agent's console, signed in through the real form. */
export class AgentConsole {
  constructor({ context, page, problems, agent }) {
    Object.assign(this, { context, page, problems, agent });
  }

  /** The pop-ups (role="alertdialog"), optionally only those mentioning `text`. */
  popup(text) {
    const all = this.page.getByRole('alertdialog');
    return text ? all.filter({ hasText: text }) : all;
  }

  /** The chat window (tab panel) of the visitor called `name`. */
  window(name) {
    return this.page.getByRole('tabpanel', { name, exact: true });
  }

  tab(name) {
    return this.page.getByRole('tab', { name: new RegExp(`^${escapeRe(name)}`) });
  }

  /** The message log of `name`'s chat window. */
  log(name) {
    return this.window(name).getByRole('log');
  }

  /** Messages (bodies) in `name`'s chat window whose text is exactly `text`. */
  message(name, text) {
    return this.log(name).locator('.msg-body').filter({ hasText: exactly(text) });
  }

  messageBox(name) {
    return this.window(name).getByRole('textbox', { name: 'Message', exact: true });
  }

  /** Types `text` into the Message box of `name`'s window and presses Enter. */
  async say(name, text) {
    const box = this.messageBox(name);
    await box.fill(text);
    await box.press('Enter');
  }

  get chatList() {
    return this.page.getByRole('region', { name: 'Chatting Visitors' });
  }

  get visitorsOnSite() {
    return this.page.getByRole('region', { name: 'Visitors on Site' });
  }

  /** The Chatting Visitors entry of the visitor called `name`. */
  chatEntry(name) {
    return this.chatList.getByRole('listitem').filter({ hasText: name });
  }

  /** Fails with every CSP violation, console error and page error recorded so far. */
  assertClean() {
    assert.deepEqual(this.problems.csp, [], 'no CSP violations in the console');
    assert.deepEqual(this.problems.errors, [], 'no console errors in the console');
  }

  async close() {
    await this.context.close().catch(() => {});
  }
}

/**
 * Opens /console in a fresh context and signs `agent` in with Email, Password and "Sign in".
 * Waits until the console is connected (the "Status" control and "Connected"). `setup(context)`
 * runs before the page opens (routes, init scripts); `contextOptions` go to `newContext`
 * (viewport, hasTouch, …).
 */
export async function signIn(env, agent, { password = PASSWORD, setup, contextOptions = {} } = {}) {
  const { context, problems } = await consoleContext(env, contextOptions);
  if (setup) await setup(context);
  const page = await context.newPage();
  env.defer(() => context.close());
  await page.goto(`${env.fd.base}/console`);
  await fillSignIn(page, agent.email, password);
  await waitConnected(page);
  problems.signedIn = true; // from here on, a 401 from /api/me would be a fault
  return new AgentConsole({ context, page, problems, agent });
}

export async function fillSignIn(page, email, password) {
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The console's connection indicator says "Connected" and the Status control is there. */
export async function waitConnected(page) {
  await page.getByRole('combobox', { name: 'Status' }).waitFor();
  await page.getByRole('banner').getByText('Connected', { exact: true }).waitFor();
}

/**
 * A visitor: a fresh browser context on the customer page `path` of `shop`. `name`: the name
 * the widget remembers from an earlier chat or message (the widget keeps it in localStorage).
 * With `page` (and its `context`), wraps a visitor page the test opened itself.
 */
export async function openVisitor(env, shop, path = '/', { name, context: given, page: givenPage } = {}) {
  if (givenPage) return new Visitor({ context: given, page: givenPage, shop, name });
  const context = given || await env.chromium.newContext({ viewport: VIEWPORT });
  if (!given) env.defer(() => context.close());
  if (name) {
    const key = `frontdesk:${shop.site.key}:name`;
    await context.addInitScript(([k, v]) => {
      try { if (!localStorage.getItem(k)) localStorage.setItem(k, v); } catch { /* blocked */ }
    }, [key, name]);
  }
  const page = await context.newPage();
  await page.goto(shop.url(path));
  return new Visitor({ context, page, shop, name });
}

export class Visitor {
  constructor({ context, page, shop, name }) {
    Object.assign(this, { context, page, shop, name });
  }

  get launcher() {
    return this.page.getByRole('button', { name: 'Chat with us', exact: true });
  }

  get panel() {
    return this.page.locator('frontdesk-widget section.fd-panel');
  }

  get log() {
    return this.page.locator('frontdesk-widget').getByRole('log');
  }

  get box() {
    return this.page.locator('frontdesk-widget').getByRole('textbox', { name: 'Message', exact: true });
  }

  get status() {
    return this.page.locator('frontdesk-widget .fd-status');
  }

  /** Clicks "Chat with us" (the widget asks for a chat at once when an agent is On-Line). */
  async requestChat() {
    await this.launcher.click();
    await this.status.getByText('Waiting for an agent…').waitFor();
  }

  async say(text) {
    await this.box.fill(text);
    await this.box.press('Enter');
    // Confirmed by the server: the "Sending…" mark is gone.
    await this.log.locator('.fd-msg.fd-visitor:not(.fd-sending)')
      .filter({ has: this.page.locator('.fd-text', { hasText: exactly(text) }) }).last().waitFor();
  }

  /** Message texts in the widget's log equal to `text`. */
  bubble(text) {
    return this.log.locator('.fd-text').filter({ hasText: exactly(text) });
  }

  /** Every text the widget's panel shows (shadow DOM included). */
  panelText() {
    return this.page.evaluate(() => {
      const host = document.querySelector('frontdesk-widget');
      return host && host.shadowRoot ? host.shadowRoot.textContent : '';
    });
  }
}

/** A RegExp matching exactly `text`. */
export function exactly(text) {
  return new RegExp(`^${escapeRe(text)}$`);
}

export function escapeRe(text) {
  return String(text).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `agent` clicks "End Chat" in `name`'s window and confirms the dialog that asks for the
 * optional "Wrap-up note" (left empty unless `wrapUp` is given). */
export async function confirmEndChat(agent, name, wrapUp = '') {
  await agent.window(name).getByRole('button', { name: 'End Chat' }).click();
  const dialog = agent.page.getByRole('dialog', { name: 'End this chat?' });
  if (wrapUp) await dialog.getByRole('textbox', { name: 'Wrap-up note' }).fill(wrapUp);
  await dialog.getByRole('button', { name: 'End Chat' }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** `agent` ends the chat in `name`'s window with "End Chat"; both sides then say so. */
export async function endChat(agent, visitor, name = visitor.name) {
  await confirmEndChat(agent, name);
  await visitor.status.getByText('This chat has ended.').waitFor();
  await agent.window(name).getByText('This chat has ended.').waitFor();
}

/** After a chat ended: `agent` closes its window and the visitor minimises the widget. */
export async function closeEndedChat(agent, visitor, name = visitor.name) {
  await agent.window(name).getByRole('button', { name: 'Close', exact: true }).click();
  await agent.window(name).waitFor({ state: 'detached' });
  await visitor.page.locator('frontdesk-widget').getByRole('button', { name: 'Minimise chat' }).click();
}

/** A visitor asks for a chat and `agent` takes it with "Start Chatting" on the pop-up. */
export async function takeChat(agent, visitor, name = visitor.name) {
  const popup = agent.popup(name);
  await popup.getByRole('button', { name: 'Start Chatting' }).click();
  await agent.window(name).waitFor();
  await visitor.status.getByText(`You are chatting with ${agent.agent.name}.`).waitFor();
}

/**
 * Holds the answer to the page's next GET of `url` (a glob): the request goes to the server at
 * once (its answer is as things are then) and reaches the page only when `release()` is called
 * (a slow network, made on purpose). `asked` resolves once the request has been answered.
 */
export async function holdNextGet(page, url) {
  let release;
  const held = new Promise((r) => { release = r; });
  let fetched;
  const asked = new Promise((r) => { fetched = r; });
  await page.route(url, async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    const answer = await route.fetch();
    fetched();
    await held;
    await route.fulfill({ response: answer });
  }, { times: 1 });
  return { asked, release };
}
