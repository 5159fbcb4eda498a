// The visitor's side of the widget in Firefox: Debian's firefox-esr over WebDriver BiDi
// (puppeteer-core, lib/firefox.mjs). Puppeteer does not pierce the shadow root the way
// Playwright's role locators do, so the widget's parts are found inside `frontdesk-widget`'s
// open shadow root by small page functions written with plain loops (a hostile host page may
// have broken Array.prototype's higher-order methods).

import assert from 'node:assert/strict';
import { WAIT } from './harness.mjs';

/** A visitor in a fresh Firefox context (own cookies and storage), with problems recorded. */
export class FirefoxVisitor {
  static async open(ff, url) {
    const context = await ff.createBrowserContext();
    const page = await context.newPage();
    const problems = [];
    // Before any page script: the page's own globals, and every CSP violation.
    await page.evaluateOnNewDocument(() => {
      window.__fdGlobals = Object.getOwnPropertyNames(window);
      window.__fdCsp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__fdCsp.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const v = new FirefoxVisitor({ context, page, problems });
    if (url) await page.goto(url);
    return v;
  }

  constructor({ context, page, problems }) {
    Object.assign(this, { context, page, problems });
  }

  /**
   * Waits for a shown element of the widget matching `selector` whose text (or aria-label) is
   * `text` (omitted: any), and returns its handle.
   */
  async find(selector, text, { timeout = WAIT } = {}) {
    const h = await this.page.waitForFunction((sel, t) => {
      const host = document.querySelector('frontdesk-widget');
      const root = host && host.shadowRoot;
      if (!root) return null;
      for (const el of root.querySelectorAll(sel)) {
        if (!el.getClientRects().length || el.closest('[hidden]')) continue;
        if (t == null || el.textContent.trim() === t || el.getAttribute('aria-label') === t) return el;
      }
      return null;
    }, { timeout }, selector, text ?? null);
    return h.asElement();
  }

  /** The launcher, shown, with the accessible name `name`. */
  launcher(name = 'Chat with us') {
    return this.find('button.fd-launcher', name);
  }

  /** Clicks the shown widget element matching `selector` with text or label `text`. */
  async click(selector, text) {
    await (await this.find(selector, text)).click();
  }

  /** Waits until the text of the widget element `selector` contains `text`. */
  async waitText(selector, text, { timeout = WAIT } = {}) {
    await this.page.waitForFunction((sel, t) => {
      const host = document.querySelector('frontdesk-widget');
      const el = host && host.shadowRoot && host.shadowRoot.querySelector(sel);
      return !!el && el.textContent.indexOf(t) !== -1;
    }, { timeout }, selector, text);
  }

  /** Waits until the panel is shown (true) or hidden (false). */
  async panelShown(shown = true) {
    await this.page.waitForFunction((want) => {
      const host = document.querySelector('frontdesk-widget');
      const p = host && host.shadowRoot && host.shadowRoot.querySelector('section.fd-panel');
      return !!p && (!p.hidden && p.getClientRects().length > 0) === want;
    }, { timeout: WAIT }, shown);
  }

  /** Waits for a message bubble whose text is exactly `text`. */
  async waitBubble(text) {
    await this.page.waitForFunction((t) => {
      const host = document.querySelector('frontdesk-widget');
      const log = host && host.shadowRoot && host.shadowRoot.querySelector('[role="log"]');
      if (!log) return false;
      for (const el of log.querySelectorAll('.fd-text')) if (el.textContent === t) return true;
      return false;
    }, { timeout: WAIT }, text);
  }

  /** The texts of the message bubbles, in order. */
  logTexts() {
    return this.page.evaluate(() => {
      const out = [];
      const host = document.querySelector('frontdesk-widget');
      const log = host && host.shadowRoot && host.shadowRoot.querySelector('[role="log"]');
      if (log) for (const el of log.querySelectorAll('.fd-text')) out.push(el.textContent);
      return out;
    });
  }

  /** How many elements inside the widget match `selector`. */
  count(selector) {
    return this.page.evaluate((sel) => {
      const host = document.querySelector('frontdesk-widget');
      return host && host.shadowRoot ? host.shadowRoot.querySelectorAll(sel).length : 0;
    }, selector);
  }

  /** The focused element inside the widget (its id, aria-label or text), or null. */
  focused() {
    return this.page.evaluate(() => {
      const host = document.querySelector('frontdesk-widget');
      if (!host || document.activeElement !== host) return null;
      const a = host.shadowRoot.activeElement;
      return a && (a.id || a.getAttribute('aria-label') || a.textContent.trim());
    });
  }

  /** Types `text` into the Message box (focused by a click) and presses Enter. */
  async say(text) {
    const box = await this.find('textarea#fd-msg');
    await box.click();
    await box.type(text);
    await this.page.keyboard.press('Enter');
  }

  /** Globals the page gained after its first script, other than our own `__fd*` probes. */
  addedGlobals() {
    return this.page.evaluate(() => {
      const before = {};
      for (const k of window.__fdGlobals) before[k] = true;
      const out = [];
      for (const k of Object.getOwnPropertyNames(window)) if (!before[k] && k.slice(0, 2) !== '__') out.push(k);
      return out;
    });
  }

  cspViolations() {
    return this.page.evaluate(() => window.__fdCsp.slice());
  }

  /** No console error or warning, no uncaught error, no CSP violation. */
  async assertClean() {
    assert.deepEqual(await this.cspViolations(), [], 'no CSP violation (Firefox)');
    assert.deepEqual(this.problems, [], 'no console error or warning (Firefox)');
  }

  async close() {
    await this.context.close().catch(() => {});
  }
}

/** The visitor clicks the launcher; the agent (a socket) accepts. Returns the requested chat. */
export async function startChatFirefox(v, agent) {
  await v.click('button.fd-launcher', 'Chat with us');
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  const ack = await agent.request({ type: 'accept', chat_id: chat.chat_id });
  if (ack.type !== 'ack') throw new Error('accept refused: ' + JSON.stringify(ack));
  await v.waitText('.fd-status', 'You are chatting with');
  return chat;
}
