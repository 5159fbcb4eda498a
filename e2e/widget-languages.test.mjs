// The widget's languages (issue 17), end to end in one Chromium: every language's texts come
// from its table (web/widget/l10n-XX.js, read here too), chosen by the snippet's data-lang, else
// the page's <html lang>, else the browser's languages, else the site's "Language"; Arabic
// mirrors the layout (right to left); plurals by Intl.PluralRules and times in the visitor's
// language and time zone; the agent sees the visitor's language in Visit Detail. The choice
// function itself (widget.js `pick`) is also tested on its own, from the loader's source.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './lib/harness.mjs';
import { consoleEnv, customerShop, addAgent, signIn, VIEWPORT } from './lib/console.mjs';

const LANGS = ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'sv', 'pl', 'ja', 'zh', 'ar'];
const dir = join(repo, 'web', 'widget');
const tables = {};

let env;
before(async () => {
  env = await consoleEnv();
  for (const l of LANGS) tables[l] = (await import(join(dir, `l10n-${l}.js`))).default;
});
after(async () => { await env?.close(); });

/** A page: `<html lang>` when `html` is given, the snippet with data-lang when `data` is. */
function page(snippet, { html, data } = {}) {
  const s = data ? snippet.replace('<script ', `<script data-lang="${data}" `) : snippet;
  return `<!doctype html><html${html ? ` lang="${html}"` : ''}><head><meta charset="utf-8"><title>T</title></head>` +
    `<body><h1>Shop</h1>${s}</body></html>`;
}

/** A shop whose pages cover the choices. */
function shop(name) {
  return customerShop(env, {
    name,
    build: (s) => {
      const pages = { '/none': page(s), '/both': page(s, { html: 'fr', data: 'es' }), '/html-fr-CA': page(s, { html: 'fr-CA' }) };
      for (const l of LANGS) pages[`/lang/${l}`] = page(s, { data: l });
      pages['/lang/xx'] = page(s, { data: 'xx' });
      return pages;
    },
  });
}

/** Sets the site's "Language" (and any other setting) as an admin would. */
async function settings(s, body) {
  const admin = addAgent(env, { name: 'Ada', sites: [s], admin: true });
  const cookie = await env.fd.login(admin.email);
  await env.fd.api(cookie, `/api/admin/sites/${s.site.site_id}/settings`, { method: 'PUT', body });
}

/** A visitor's page in a fresh context (`locale` sets navigator.languages). */
async function visit(s, path, { locale = 'en-US', timezoneId } = {}) {
  const context = await env.chromium.newContext({ viewport: VIEWPORT, locale, timezoneId });
  env.defer(() => context.close());
  const p = await context.newPage();
  await p.goto(s.url(path));
  return p;
}

const root = (p) => p.locator('frontdesk-widget .fd');
/** The language the widget shows, once its launcher is up. */
async function shown(p) {
  await p.locator('frontdesk-widget .fd-launcher').waitFor();
  return root(p).getAttribute('lang');
}

test('the choice on its own: the first known of the wanted languages, a region falls back to its language', () => {
  const src = readFileSync(join(dir, 'widget.js'), 'utf8');
  const m = /const pick = (\(wants\) => \{[\s\S]*?\n {2}\});/.exec(src);
  assert.ok(m, 'widget.js has its pick function');
  const pick = new Function(`return ${m[1]};`)(); // eslint-disable-line no-new-func
  assert.equal(pick(['pt-BR']), 'pt');
  assert.equal(pick(['zh-CN']), 'zh');
  assert.equal(pick(['EN_gb']), 'en');
  assert.equal(pick([null, '', 'de']), 'de', 'absent sources are skipped');
  assert.equal(pick(['es', 'fr', 'de']), 'es', 'the first wins');
  assert.equal(pick(['ko-KR', 'sv-SE']), 'sv', 'an unknown one is skipped');
  assert.equal(pick(['ko', 'x-klingon']), undefined, 'none known: the site decides');
  assert.equal(pick([]), undefined);
  for (const l of LANGS) assert.equal(pick([l]), l, `${l} is known to the loader`);
  assert.equal(pick(['xx']), undefined);
});

test('every language: the launcher and the panel in its words, from its table only', async () => {
  const s = await shop('Polyglot');
  for (const l of LANGS) {
    const t = tables[l];
    const p = await visit(s, `/lang/${l}`);
    // Nobody is On-Line: the launcher says "Leave a message" in the language.
    const launcher = p.getByRole('button', { name: t.leave, exact: true });
    await launcher.waitFor();
    assert.equal(await root(p).getAttribute('lang'), l);
    await launcher.click();
    const panel = p.locator('frontdesk-widget section.fd-panel');
    await panel.getByText(t.offlineLead, { exact: true }).waitFor();
    await panel.getByRole('textbox', { name: t.email, exact: true }).waitFor();
    await panel.getByRole('button', { name: t.minimise, exact: true }).waitFor();
    await panel.getByRole('button', { name: t.send, exact: true }).waitFor();
    // Only the chosen table travelled.
    const loaded = await p.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => e.name).filter((n) => /\/widget\/l10n-/.test(n)));
    assert.deepEqual(loaded.map((n) => n.replace(/^.*\/widget\//, '')), [`l10n-${l}.js`], l);
    await p.context().close();
  }
});

test('precedence: data-lang, then <html lang>, then the browser, then the site; unknown: English', async () => {
  const s = await shop('Choices');
  await settings(s, { language: 'ja' });
  const cases = [
    ['/both', 'de-DE', 'es', 'data-lang before <html lang> and the browser'],
    ['/html-fr-CA', 'de-DE', 'fr', '<html lang> (a region: its language) before the browser'],
    ['/none', 'pt-BR', 'pt', "the browser's language, its region dropped"],
    ['/none', 'ko-KR', 'ja', "none known: the site's language"],
    ['/lang/xx', 'ko-KR', 'ja', 'an unknown data-lang is no choice'],
  ];
  for (const [path, locale, want, why] of cases) {
    const p = await visit(s, path, { locale });
    assert.equal(await shown(p), want, why);
    await p.getByRole('button', { name: tables[want].leave, exact: true }).waitFor();
    await p.context().close();
  }
  // A site language the widget has no table for: English.
  const other = await shop('Russian');
  await settings(other, { language: 'ru' });
  const p = await visit(other, '/none', { locale: 'ko-KR' });
  assert.equal(await shown(p), 'en');
  await p.getByRole('button', { name: 'Leave a message', exact: true }).waitFor();
});

test('Arabic: right to left, launcher and panel mirrored to the left side', async () => {
  const s = await shop('Mirror');
  const box = async (p, sel) => p.locator(`frontdesk-widget ${sel}`).boundingBox();
  const en = await visit(s, '/lang/en');
  await en.getByRole('button', { name: 'Leave a message', exact: true }).waitFor();
  const enLauncher = await box(en, '.fd-launcher');
  assert.ok(Math.abs(VIEWPORT.width - (enLauncher.x + enLauncher.width) - 20) <= 1, 'English: 20 px from the right');

  const ar = await visit(s, '/lang/ar');
  const t = tables.ar;
  const launcher = ar.getByRole('button', { name: t.leave, exact: true });
  await launcher.waitFor();
  assert.equal(await root(ar).getAttribute('dir'), 'rtl');
  const style = (sel, prop) => ar.locator(`frontdesk-widget ${sel}`).first().evaluate((e, k) => getComputedStyle(e)[k], prop);
  assert.equal(await style('.fd', 'direction'), 'rtl');
  const arLauncher = await box(ar, '.fd-launcher');
  assert.ok(Math.abs(arLauncher.x - 20) <= 1, `Arabic: 20 px from the left (x=${arLauncher.x})`);
  await launcher.click();
  const panel = ar.locator('frontdesk-widget section.fd-panel');
  await panel.getByText(t.offlineLead, { exact: true }).waitFor();
  const panelBox = await box(ar, 'section.fd-panel');
  assert.ok(Math.abs(panelBox.x - 20) <= 1, `the panel on the left too (x=${panelBox.x})`);
  // Text starts on the right; the header's minimise button sits at its left end.
  assert.equal(await style('.fd-lead', 'direction'), 'rtl');
  const title = await box(ar, '.fd-title');
  const minimise = await box(ar, '.fd-head .fd-icon');
  assert.ok(minimise.x < title.x, 'the minimise button is left of the title');
});

test('Polish chat: plurals (unread, stars), times in the visitor\'s zone, "Language" in Visit Detail', async () => {
  const s = await shop('Sklep');
  await settings(s, { rating: 'stars' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [s] }));
  const t = tables.pl;
  const p = await visit(s, '/none', { locale: 'pl-PL', timezoneId: 'America/Sao_Paulo' });
  const w = p.locator('frontdesk-widget');
  await w.getByRole('button', { name: t.chat, exact: true }).click();
  await w.locator('.fd-status').getByText(t.waiting).waitFor();
  await alice.popup().getByRole('button', { name: 'Start Chatting' }).click();
  const win = alice.page.getByRole('tabpanel').first();
  await win.waitFor();
  await w.locator('.fd-status').getByText(t.chattingWith.replace('{name}', 'Alice')).waitFor();

  // Visit Detail: the visitor's language, as text.
  const detail = win.getByRole('complementary', { name: 'Visit Detail' });
  await detail.locator('dt', { hasText: /^Language$/ }).waitFor();
  const language = detail.locator('dt', { hasText: /^Language$/ }).locator('xpath=following-sibling::dd[1]');
  assert.equal(await language.textContent(), 'Polish (pl)');

  // Replies while the panel is minimised: the launcher counts them in Polish plurals.
  await w.getByRole('button', { name: t.minimise, exact: true }).click();
  const composer = win.getByRole('textbox', { name: 'Message' });
  const say = async (text) => { await composer.fill(text); await composer.press('Enter'); };
  const before = Date.now();
  await say('Dzień dobry');
  await say('Jak mogę pomóc?');
  const few = t.unread.few.replace('{name}', t.chat).replace('{n}', '2');
  await w.getByRole('button', { name: few, exact: true }).waitFor();
  for (const m of ['3', '4', '5']) await say(`Wiadomość ${m}`);
  const many = t.unread.many.replace('{name}', t.chat).replace('{n}', '5');
  await w.getByRole('button', { name: many, exact: true }).click();

  // The time of a reply: the visitor's language and time zone (UTC-3, not the machine's).
  const meta = await w.locator('.fd-agent .fd-meta').first().textContent();
  const at = (ms) => new Intl.DateTimeFormat('pl', { hour: '2-digit', minute: '2-digit', timeZone: 'America/Sao_Paulo' }).format(ms);
  assert.ok([at(before), at(Date.now())].includes(meta), `${meta} is the time in São Paulo`);

  // Ended: the stars in Polish plurals.
  await win.getByRole('button', { name: 'End Chat' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'End this chat?' });
  await dialog.getByRole('button', { name: 'End Chat' }).click();
  const form = w.getByRole('form', { name: t.howWas });
  await form.waitFor();
  for (const [n, form_] of [[1, 'one'], [2, 'few'], [4, 'few'], [5, 'many']]) {
    await form.getByRole('button', { name: t.stars[form_].replace('{n}', n), exact: true }).waitFor();
  }
  await w.locator('.fd-status').getByText(t.ended).waitFor();
  alice.assertClean();
});
