// Opening hours in the widget (issue 12): outside them the visitor gets the "Leave a message"
// form even though an agent is On-Line, with a line saying when the site opens next in the
// visitor's own time zone; turning "Chat outside opening hours" on brings "Chat with us" back
// without a reload.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Frontdesk, browser } from './lib/harness.mjs';
import { shop, shopPage, widget } from './lib/widget.mjs';

let fd, chromium;
const closers = [];

before(async () => {
  fd = await Frontdesk.start();
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  for (const c of closers) await c();
  await fd?.stop();
});

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

test('outside opening hours: "Leave a message" with agents On-Line, and when it opens, in the visitor\'s zone', async (t) => {
  const s = await shop(fd, (snippet) => ({ '/': shopPage('Home', snippet) }), { name: 'Hours Shop' });
  closers.push(s.close);
  fd.agent({ email: 'ada@hours.example', name: 'Ada', admin: true });
  fd.agent({ email: 'otto@hours.example', name: 'Otto', sites: [s.site.key] });
  const otto = await fd.agentSocket('otto@hours.example'); // On-Line for the site
  t.after(() => otto.close());

  // Open only on the weekday two days from now, 09:00–10:00 UTC: closed now.
  const day = new Date(Date.now() + 2 * 864e5);
  const opensAt = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9, 0);
  const hours = { timezone: 'UTC', weekly: { [DAYS[day.getUTCDay()]]: [{ from: '09:00', to: '10:00' }] } };
  const cookie = await fd.login('ada@hours.example');
  const path = `/api/admin/sites/${s.site.site_id}/settings`;
  await fd.api(cookie, path, { method: 'PUT', body: { opening_hours: hours } });

  const context = await chromium.newContext({ timezoneId: 'America/New_York', locale: 'en-US' });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(s.url('/'));
  const w = widget(page);
  await w.launcher('Leave a message').click();
  const form = page.locator('frontdesk-widget form.fd-offline');
  await form.waitFor();
  const when = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York', weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(opensAt);
  assert.match(when, /^[A-Z][a-z]+day 0[45]:00$/, 'New York is 4 or 5 hours behind UTC');
  const line = page.locator('frontdesk-widget .fd-opens');
  await line.getByText(`We open again ${when}.`, { exact: true }).waitFor();

  // The offline message is taken.
  await form.getByLabel('Email').fill('vera@example.org');
  await form.getByLabel('Message').fill('When do you open?');
  await form.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Thank you — we will reply by email.').waitFor();

  // "Chat outside opening hours" on: the launcher says "Chat with us" again, no reload.
  await fd.api(cookie, path, { method: 'PUT', body: { opening_hours: hours, chat_outside_hours: true } });
  await w.launcher('Chat with us').waitFor();
});
