// Helpers for the widget e2e tests: a customer shop embedding the snippet, and the visitor's
// side of a chat in Chromium.

import { customerSite, embedPage } from './harness.mjs';

/**
 * A customer site on its own origin, registered with `fd`. `build(snippet, origin)` returns the
 * pages (path → HTML string or {headers, body}); it is called once the origin is known.
 * `base`: where the snippet loads the widget from (default: the server itself).
 */
export async function shop(fd, build, { name = 'Shop', email, timezone, base } = {}) {
  const pages = {};
  const server = await customerSite(pages);
  const site = fd.site({ name, url: server.origin, email, timezone });
  Object.assign(pages, build(fd.snippet(site, base), server.origin));
  return { ...server, site, pages, url: (path = '/') => server.origin + path };
}

/** A plain page of the shop with the snippet, and links to the given paths. */
export function shopPage(title, snippet, links = {}) {
  const body = Object.keys(links).map((href) => `<p><a href="${href}">${links[href]}</a></p>`).join('');
  return embedPage({ title, snippet, body });
}

/** The widget's parts on `page` (Playwright pierces the open shadow root). */
export function widget(page) {
  return {
    launcher: (name = 'Chat with us') => page.getByRole('button', { name, exact: true }),
    panel: page.locator('frontdesk-widget section.fd-panel'),
    log: page.getByRole('log'),
    box: page.getByRole('textbox', { name: 'Message', exact: true }),
    send: page.locator('frontdesk-widget .fd-compose').getByRole('button', { name: 'Send', exact: true }),
    status: page.locator('frontdesk-widget .fd-status'),
    /** Message bubbles whose text is exactly `text`. */
    bubble: (text) => page.getByRole('log').locator('.fd-text').filter({ hasText: exactly(text) }),
  };
}

/** A RegExp that matches exactly `text` (Playwright's hasText with a RegExp is not normalised). */
export function exactly(text) {
  return new RegExp('^' + text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$');
}

/** The visitor clicks "Chat with us"; the agent accepts. Returns the chat.requested chat. */
export async function startChat(page, agent) {
  await widget(page).launcher().click();
  const { chat } = await agent.expect((f) => f.type === 'chat.requested', 'chat.requested');
  const ack = await agent.request({ type: 'accept', chat_id: chat.chat_id });
  if (ack.type !== 'ack') throw new Error('accept refused: ' + JSON.stringify(ack));
  await page.locator('frontdesk-widget .fd-status').getByText(/You are chatting with/).waitFor();
  return chat;
}

let n = 0;
/** The agent sends a text message; resolves with the ack (which carries its seq). */
export async function agentSays(agent, chatId, body) {
  const ack = await agent.request({ type: 'message', chat_id: chatId, client_id: `a${++n}-${Date.now()}`, body });
  if (ack.type !== 'ack') throw new Error('message refused: ' + JSON.stringify(ack));
  return ack;
}

/**
 * The texts of the message bubbles in the log, in order. Plain loops in the page (Playwright's
 * own helpers use Array.prototype methods that the hostile test page breaks).
 */
export function logTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const host = document.querySelector('frontdesk-widget');
    const log = host && host.shadowRoot && host.shadowRoot.querySelector('[role="log"]');
    if (log) for (const el of log.querySelectorAll('.fd-text')) out.push(el.textContent);
    return out;
  });
}
