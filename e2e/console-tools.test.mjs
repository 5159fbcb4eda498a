// Inside a chat window: Canned Responses (and the Options page that manages them), Save as
// Text / HTML, Email (to a test SMTP server), Send Link and the "Send as link?" prompt, Block.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SmtpSink, mailText, parseMail } from './lib/smtp.mjs';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat,
} from './lib/console.mjs';

let env, smtp;
before(async () => {
  smtp = await SmtpSink.start();
  env = await consoleEnv({
    extraArgs: ['--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-from', 'frontdesk@test.example'],
  });
});
after(async () => {
  await env?.close();
  await smtp?.stop();
});

/** A shop, an agent signed in, and a visitor (Vera) chatting with them. */
async function chatting(siteName, agentName = 'Alice', { admin = false } = {}) {
  const shop = await customerShop(env, { name: siteName });
  const agent = await signIn(env, addAgent(env, { name: agentName, sites: [shop], admin }));
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  await vera.requestChat();
  await takeChat(agent, vera);
  return { shop, agent, vera, win: agent.window('Vera') };
}

async function download(page, click) {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8') };
}

test('"Canned Responses": choosing one puts it in the Message box; "Add Current Text"; Options adds, edits, deletes', async () => {
  const { shop, agent, vera, win } = await chatting('Canned');
  const admin = addAgent(env, { name: 'Ada', admin: true });
  const cookie = await env.fd.login(admin.email);
  await env.fd.api(cookie, `/api/sites/${shop.site.site_id}/canned`, {
    method: 'POST', body: { title: 'Welcome', body: 'Welcome to Canned! How can I help?', scope: 'site' },
  });

  // An own response, pre-defined on the Options page.
  const page = agent.page;
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Options' }).click();
  const options = page.getByRole('main', { name: 'Options' });
  const cannedSection = options.getByRole('region', { name: 'Canned Responses' });
  await cannedSection.getByRole('textbox', { name: 'Title' }).fill('Hours');
  await cannedSection.getByRole('textbox', { name: 'Text' }).fill('We are open 9 to 5.');
  await cannedSection.getByRole('button', { name: 'Add response' }).click();
  await cannedSection.getByRole('row', { name: /Hours/ }).waitFor();
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Console' }).click();

  const box = agent.messageBox('Vera');
  const cannedButton = win.getByRole('button', { name: 'Canned Responses' });
  await cannedButton.click();
  let menu = page.getByRole('menu', { name: 'Canned Responses' });
  await menu.getByRole('menuitem', { name: 'Add Current Text' }).waitFor();
  assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), ['Welcome', 'Hours', 'Add Current Text']);
  await menu.getByRole('menuitem', { name: 'Welcome' }).click();
  await menu.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), 'Welcome to Canned! How can I help?');
  await box.press('Enter');
  await vera.bubble('Welcome to Canned! How can I help?').waitFor();
  assert.equal(await box.inputValue(), '');

  await cannedButton.click();
  await page.getByRole('menu', { name: 'Canned Responses' }).getByRole('menuitem', { name: 'Hours' }).click();
  assert.equal(await box.inputValue(), 'We are open 9 to 5.');
  await box.press('Enter');
  await vera.bubble('We are open 9 to 5.').waitFor();

  // "Add Current Text" saves what is typed as a new own response (its "Title" starts as the
  // text's first 40 characters: e2e/console-canned.test.mjs gives another and a "Shortcut").
  await box.fill('Returns are free within 30 days.');
  await cannedButton.click();
  await page.getByRole('menu', { name: 'Canned Responses' }).getByRole('menuitem', { name: 'Add Current Text' }).click();
  await page.getByRole('dialog', { name: 'Add Current Text' }).getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Saved “Returns are free within 30 days.” to your canned responses.').waitFor();
  assert.equal(await box.inputValue(), 'Returns are free within 30 days.', 'the text stays to be sent');
  await box.fill('');
  await cannedButton.click();
  menu = page.getByRole('menu', { name: 'Canned Responses' });
  await menu.getByRole('menuitem', { name: 'Returns are free within 30 days.' }).click();
  assert.equal(await box.inputValue(), 'Returns are free within 30 days.');

  // Options: edit and delete own responses; the site-wide one is not offered to edit.
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Options' }).click();
  const hours = cannedSection.getByRole('row', { name: /Hours/ });
  await hours.getByRole('button', { name: 'Edit' }).click();
  await cannedSection.getByRole('textbox', { name: 'Text' }).first().fill('We are open 8 to 6.');
  await cannedSection.getByRole('button', { name: 'Save', exact: true }).click();
  await cannedSection.getByRole('cell', { name: 'We are open 8 to 6.' }).waitFor();
  await cannedSection.getByRole('row', { name: /Returns are free/ }).getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: /^Delete/ });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await cannedSection.getByRole('row', { name: /Returns are free/ }).waitFor({ state: 'detached' });
  assert.equal(await cannedSection.getByRole('row', { name: /Welcome/ }).count(), 0, 'own responses only');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Console' }).click();
  await cannedButton.click();
  menu = page.getByRole('menu', { name: 'Canned Responses' });
  await menu.getByRole('menuitem', { name: 'Add Current Text' }).waitFor();
  assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), ['Welcome', 'Hours', 'Add Current Text']);
  await menu.getByRole('menuitem', { name: 'Hours' }).click();
  assert.match(await box.inputValue(), /We are open 8 to 6\.$/);
  agent.assertClean();
});

test('"Save as Text" / "Save as HTML" download the transcript (HTML escaped); "Email" sends it through SMTP', async () => {
  const { agent, vera, win } = await chatting('Saver');
  const page = agent.page;
  const hostile = '<script>alert("pwned")</script> is this safe?';
  await vera.say(hostile);
  await agent.message('Vera', hostile).waitFor();
  await agent.say('Vera', 'Yes, & it stays text.');
  await vera.bubble('Yes, & it stays text.').waitFor();

  await win.getByRole('button', { name: 'Save', exact: true }).click();
  const txt = await download(page, () => win.getByRole('link', { name: 'Save as Text' }).click());
  assert.match(txt.name, /^chat-\d+\.txt$/);
  assert.match(txt.text, /Visitor: Vera/);
  assert.match(txt.text, /\] Vera: <script>alert\("pwned"\)<\/script> is this safe\?\n/);
  assert.match(txt.text, /\] Alice \(agent\): Yes, & it stays text\.\n/);

  await win.getByRole('button', { name: 'Save', exact: true }).click();
  const html = await download(page, () => win.getByRole('link', { name: 'Save as HTML' }).click());
  assert.match(html.name, /^chat-\d+\.html$/);
  assert.ok(html.text.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; is this safe?'), html.text);
  assert.ok(!html.text.includes('<script>'), 'no live script in the HTML transcript');
  assert.ok(html.text.includes('Yes, &amp; it stays text.'));
  // Opened in the browser, it shows the visitor's text as text.
  const viewer = await agent.context.newPage();
  await viewer.setContent(html.text);
  await viewer.getByText(hostile).waitFor();
  await viewer.close();

  // Email: through the server's SMTP, plus the .eml draft and the mail-app link.
  await win.getByRole('button', { name: 'Email', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Email transcript' });
  await dialog.getByRole('textbox', { name: 'To' }).fill('boss@saver.example');
  await dialog.getByRole('link', { name: 'Open in mail app' }).and(page.locator('[href^="mailto:boss"][href*="subject="]')).waitFor();
  const mailto = await dialog.getByRole('link', { name: 'Open in mail app' }).getAttribute('href');
  assert.match(mailto, /^mailto:boss(@|%40)saver\.example\?/);
  assert.match(decodeURIComponent(mailto), /is this safe\?/);
  const eml = await download(page, () => dialog.getByRole('link', { name: 'Download .eml draft' }).click());
  assert.match(eml.name, /^chat-\d+\.eml$/);
  assert.match(eml.text, /^X-Unsent: 1\r?$/m);
  await dialog.getByRole('button', { name: 'Send email' }).click();
  await dialog.getByText('Sent to boss@saver.example.').waitFor();
  const mail = await smtp.expect((m) => m.to.includes('boss@saver.example'), 'the transcript email');
  assert.equal(mail.from, 'frontdesk@test.example');
  const { headers } = parseMail(mail.data);
  assert.match(headers.subject, /Vera/);
  const body = mailText(mail.data, 'text/plain');
  assert.ok(body.includes('<script>alert("pwned")</script> is this safe?'), body);
  assert.ok(body.includes('Yes, & it stays text.'), body);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  agent.assertClean();
});

test('"Send Link" with a relative URL opens the site\'s page in a new tab for the visitor; "Send as link?" for typed URLs', async () => {
  const { shop, agent, vera, win } = await chatting('Linker');
  const card = (href) => vera.log.locator(`a.fd-card[href="${href}"]`);

  // Relative: resolved against the site's base URL.
  const target = shop.url('/pricing?ref=chat');
  let tab = vera.context.waitForEvent('page');
  await win.getByRole('textbox', { name: 'Link' }).fill('/pricing?ref=chat');
  await win.getByRole('button', { name: 'Send Link' }).click();
  let opened = await tab;
  await opened.waitForURL(target);
  assert.equal(await opened.title(), 'Pricing');
  await opened.close();
  await card(target).waitFor();
  await agent.log('Vera').getByRole('link', { name: target, exact: true }).waitFor();
  assert.equal(await win.getByRole('textbox', { name: 'Link' }).inputValue(), '');

  // A typed message with a URL: "Send as Text" keeps it one message, no new tab.
  const box = agent.messageBox('Vera');
  const typed = `The size guide is at ${shop.origin}/pricing — have a look`;
  await box.fill(typed);
  await box.press('Enter');
  let ask = agent.page.getByRole('dialog', { name: 'Send as link?' });
  await ask.getByText(`${shop.origin}/pricing`).waitFor();
  await ask.getByRole('button', { name: 'Send as Text' }).click();
  await vera.bubble(typed).waitFor();
  await agent.message('Vera', typed).waitFor();
  assert.equal(vera.context.pages().length, 1, 'no new tab for a link sent as text');

  // "Send as Link": the words go as a message, the URL as a link (new tab + card).
  await box.fill(`Please see ${shop.origin}/ for the shop`);
  await box.press('Enter');
  ask = agent.page.getByRole('dialog', { name: 'Send as link?' });
  tab = vera.context.waitForEvent('page');
  await ask.getByRole('button', { name: 'Send as Link' }).click();
  opened = await tab;
  await opened.waitForURL(shop.url('/'));
  await opened.close();
  await vera.bubble('Please see for the shop').waitFor();
  await card(shop.url('/')).waitFor();
  await agent.log('Vera').getByRole('link', { name: shop.url('/'), exact: true }).waitFor();
  assert.equal(await box.inputValue(), '');
  assert.equal(await vera.log.locator('a.fd-card').count(), 2, 'each link once');
  agent.assertClean();
});

test('"Block" (after a confirmation) ends the chat at the visitor\'s end; a new attempt says chat is unavailable today', async () => {
  const { agent, vera, win } = await chatting('Blockade');
  await vera.say('You are all useless!!!');
  await agent.message('Vera', 'You are all useless!!!').waitFor();

  // Cancel first: nothing happens.
  await win.getByRole('button', { name: 'Block', exact: true }).click();
  let confirm = agent.page.getByRole('dialog', { name: 'Block this visitor for the rest of the day?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'detached' });
  await agent.say('Vera', 'Please stay polite.');
  await vera.bubble('Please stay polite.').waitFor();

  await win.getByRole('button', { name: 'Block', exact: true }).click();
  confirm = agent.page.getByRole('dialog', { name: 'Block this visitor for the rest of the day?' });
  await confirm.getByRole('button', { name: 'Block', exact: true }).click();
  await win.getByText('This chat has ended: the visitor is blocked for the rest of the day.').waitFor();
  assert.equal(await agent.messageBox('Vera').isDisabled(), true);
  await vera.status.getByText('This chat has ended.').waitFor();

  // A new attempt, in the panel and after a reload.
  const widgetRoot = vera.page.locator('frontdesk-widget');
  await widgetRoot.getByRole('button', { name: 'Start a new chat' }).click();
  await widgetRoot.getByRole('button', { name: 'Start chat' }).click();
  await widgetRoot.getByRole('alert').getByText('Chat is unavailable today.').waitFor();
  await vera.page.reload();
  await vera.panel.waitFor({ state: 'visible' }); // the panel left open comes back open
  await widgetRoot.getByRole('button', { name: 'Start chat' }).click();
  await widgetRoot.getByRole('alert').getByText('Chat is unavailable today.').waitFor();
  assert.equal(await agent.popup().count(), 0, 'no request reached the agent');
  await agent.chatList.getByText('No visitors are waiting or chatting.').waitFor();
  agent.assertClean();
});

