// The agent console in Firefox: Debian's firefox-esr driven over WebDriver BiDi by
// puppeteer-core (Playwright's Firefox needs its own patched build). Only what the Firefox
// test needs: launch, sign in through the real form, find controls by their visible text, and
// record CSP violations, console errors and page errors as lib/console.mjs does for Chromium.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { PASSWORD, WAIT } from './harness.mjs';

export const firefoxPath = process.env.FRONTDESK_FIREFOX || '/usr/bin/firefox-esr';

/**
 * Debian's Firefox, headless. Fails (never skips) when it is missing. `prefs`: more Firefox
 * preferences (e.g. `{ 'dom.disable_open_during_load': true }`, the pop-up blocker a visitor
 * has, which Puppeteer switches off by default).
 */
export async function firefox(prefs = {}) {
  if (!existsSync(firefoxPath)) {
    throw new Error(`Firefox not found at ${firefoxPath}: install it (apt-get install firefox-esr) or set FRONTDESK_FIREFOX`);
  }
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: firefoxPath,
    headless: true,
    extraPrefsFirefox: {
      'media.autoplay.default': 0, // the console's beeps: no click needed in a test
      'browser.shell.checkDefaultBrowser': false,
      ...prefs,
    },
  });
}

/** The agent console in its own Firefox context, signed in through the real form. */
export class FirefoxConsole {
  static async signIn(ff, base, agent, { viewport = { width: 1280, height: 800 } } = {}) {
    const context = await ff.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    const problems = { errors: [], signedIn: false };
    await page.evaluateOnNewDocument(() => {
      window.__fdCsp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__fdCsp.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
      });
    });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = m.text();
      // The 401 of GET /api/me while signed out is the expected answer (as in lib/console.mjs).
      if (!problems.signedIn && /401/.test(text)) return;
      problems.errors.push(text);
    });
    page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
    const c = new FirefoxConsole({ context, page, problems, agent });
    await page.goto(`${base}/console`);
    await page.locator('input[name="email"]').fill(agent.email);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await (await c.byText('button', 'Sign in')).click();
    await c.waitText('header', 'Connected');
    await page.waitForSelector('header select[name="status"]');
    problems.signedIn = true;
    return c;
  }

  constructor({ context, page, problems, agent }) {
    Object.assign(this, { context, page, problems, agent });
  }

  /**
   * Waits for the first visible element matching `selector` whose trimmed text is `text`
   * (a string: exactly; a RegExp: matching) and returns its handle.
   */
  async byText(selector, text, { timeout = WAIT } = {}) {
    const pattern = text instanceof RegExp ? { source: text.source, flags: text.flags } : { exact: String(text) };
    const handle = await this.page.waitForFunction((sel, pat) => {
      const re = pat.source != null ? new RegExp(pat.source, pat.flags) : null;
      for (const el of document.querySelectorAll(sel)) {
        const t = el.textContent.replace(/\s+/g, ' ').trim();
        if ((re ? re.test(t) : t === pat.exact) && el.getClientRects().length) return el;
      }
      return null;
    }, { timeout }, selector, pattern);
    return handle.asElement();
  }

  /** Waits until some visible element matching `selector` contains `text`. */
  async waitText(selector, text, { timeout = WAIT } = {}) {
    await this.page.waitForFunction((sel, t) => [...document.querySelectorAll(sel)]
      .some((el) => el.getClientRects().length && el.textContent.includes(t)), { timeout }, selector, text);
  }

  /** Waits until no element matching `selector` contains `text`. */
  async waitNoText(selector, text, { timeout = WAIT } = {}) {
    await this.page.waitForFunction((sel, t) => ![...document.querySelectorAll(sel)]
      .some((el) => el.textContent.includes(t)), { timeout }, selector, text);
  }

  /** The pop-up (role="alertdialog") naming `name`. */
  popup(name) {
    return this.page.waitForFunction((n) => [...document.querySelectorAll('[role="alertdialog"]')]
      .find((el) => el.textContent.includes(n)) || null, { timeout: WAIT }, name).then((h) => h.asElement());
  }

  /** The shown chat window (tab panel) whose title is `name`. */
  async window(name) {
    const h = await this.page.waitForFunction((n) => [...document.querySelectorAll('.tabpanels [role="tabpanel"]')]
      .find((el) => !el.hidden && el.querySelector('.cw-title')?.textContent === n) || null, { timeout: WAIT }, name);
    return h.asElement();
  }

  /** Types `text` in the Message box of the chat shown and presses Enter. */
  async say(text) {
    const box = await this.page.waitForSelector('[role="tabpanel"]:not([hidden]) textarea[name="message"]');
    await box.click();
    await box.type(text);
    await this.page.keyboard.press('Enter');
  }

  /** Waits for a message bubble with exactly `text` in the chat shown. */
  async waitMessage(text) {
    await this.page.waitForFunction((t) => [...document.querySelectorAll('[role="tabpanel"]:not([hidden]) [role="log"] .msg-body')]
      .some((el) => el.textContent === t), { timeout: WAIT }, text);
  }

  async assertClean() {
    const csp = await this.page.evaluate(() => window.__fdCsp || []);
    assert.deepEqual(csp, [], 'no CSP violations in the console (Firefox)');
    assert.deepEqual(this.problems.errors, [], 'no console errors in the console (Firefox)');
  }

  async close() {
    await this.context.close().catch(() => {});
  }
}
