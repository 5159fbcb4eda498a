// Regenerates the README screenshots from the real thing: the release binary, the real widget
// on a customer page (another origin) and the real console in Debian's headless Chromium.
//
//   cargo build --release -p frontdesk && node e2e/screenshots.mjs
//
// Writes docs/screenshots/console.png (1280×800: a chat request pop-up and an open chat window
// with Visit Detail) and docs/screenshots/widget.png (a 1280×800 shop page with the widget's
// panel open), docs/screenshots/all-chats.png (a supervisor's "All Chats" page with two live
// chats), and docs/screenshots/note.png (the chat window with an internal note, highlighted
// as "Note by Anna Berg", and the Message box in Note mode). Visitors connect through a proxy
// that adds X-Forwarded-For with an address of the GeoIP test database, so their locations read
// like real ones.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Frontdesk, browser, customerSite, forwardingProxy, geoipDb, PASSWORD, repo,
} from './lib/harness.mjs';

const VIEWPORT = { width: 1280, height: 800 };
const out = join(repo, 'docs', 'screenshots');

const STYLE = `
  *{box-sizing:border-box} body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2a33;background:#f6f3ee}
  header{display:flex;align-items:center;gap:2rem;padding:1rem 3rem;background:#1f3a4d;color:#fff}
  header strong{font-size:1.3rem;letter-spacing:.02em} header nav a{color:#d8e6ef;margin-right:1.2rem;text-decoration:none}
  main{padding:2.5rem 3rem;max-width:1100px} h1{margin:0 0 .4rem;font-size:2.1rem} .lead{color:#51606b;margin:0 0 2rem}
  .grid{display:grid;grid-template-columns:repeat(3,1fr);gap:1.5rem}
  .card{background:#fff;border-radius:10px;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
  .ph{height:150px;border-radius:8px;margin-bottom:.8rem;background:linear-gradient(135deg,#c9b79c,#8a6f4d)}
  .ph.b{background:linear-gradient(135deg,#46576a,#1f2b38)} .ph.c{background:linear-gradient(135deg,#b6c7b0,#5d7a5a)}
  .card h2{font-size:1.05rem;margin:0} .price{color:#a04a1c;font-weight:600}`;

function shopPage(title, heading, snippet, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${STYLE}</style></head>
<body><header><strong>Nordic Outfitters</strong><nav><a href="/">Home</a><a href="/boots">Winter boots</a><a href="/jackets">Jackets</a></nav></header>
<main><h1>${heading}</h1>${body}</main>${snippet}</body></html>`;
}

const BOOTS = `<p class="lead">Warm, waterproof and made to walk in the snow.</p><div class="grid">
  <div class="card"><div class="ph"></div><h2>Fjäll winter boot</h2><p class="price">1 290 kr</p></div>
  <div class="card"><div class="ph b"></div><h2>Tundra lace-up</h2><p class="price">1 490 kr</p></div>
  <div class="card"><div class="ph c"></div><h2>Skog wool-lined boot</h2><p class="price">1 190 kr</p></div></div>`;

async function main() {
  mkdirSync(out, { recursive: true });
  const fd = await Frontdesk.start({ extraArgs: ['--geoip-db', geoipDb, '--trusted-proxy', '127.0.0.1'] });
  const closers = [() => fd.stop()];
  try {
    const sweden = await forwardingProxy(fd.base, '89.160.20.112');
    const usa = await forwardingProxy(fd.base, '216.160.83.56');
    closers.push(sweden.close, usa.close);

    const pages = {};
    const shop = await customerSite(pages);
    closers.push(shop.close);
    const site = fd.site({ name: 'Nordic Outfitters', url: shop.origin, timezone: 'Europe/Stockholm' });
    const viaSweden = fd.snippet(site, sweden.base);
    const viaUsa = fd.snippet(site, usa.base);
    pages['/'] = shopPage('Nordic Outfitters', 'Ready for winter', viaSweden,
      '<p class="lead">Outdoor clothing and footwear from the north.</p><p><a href="/boots">Shop winter boots →</a></p>');
    pages['/boots'] = shopPage('Winter boots – Nordic Outfitters', 'Winter boots', viaSweden, BOOTS);
    pages['/boots/fjall'] = shopPage('Fjäll winter boot – Nordic Outfitters', 'Fjäll winter boot', viaSweden, BOOTS);
    pages['/jackets'] = shopPage('Jackets – Nordic Outfitters', 'Jackets', viaUsa, '<p class="lead">Down, wool and shell.</p>');
    const search = await customerSite({
      '/search': `<!doctype html><meta name="referrer" content="unsafe-url"><title>winter boots - Search</title><a href="${shop.origin}/">Nordic Outfitters</a>`,
    });
    closers.push(search.close);

    fd.agent({ email: 'anna@nordic.example', name: 'Anna Berg', admin: true });
    fd.agent({ email: 'erik@nordic.example', name: 'Erik Lund', sites: [site.key] });

    const chromium = await browser();
    closers.unshift(() => chromium.close());

    // Anna signs in through the form.
    const agentContext = await chromium.newContext({ viewport: VIEWPORT });
    const con = await agentContext.newPage();
    await con.goto(`${fd.base}/console`);
    await con.getByRole('textbox', { name: 'Email' }).fill('anna@nordic.example');
    await con.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await con.getByRole('button', { name: 'Sign in' }).click();
    await con.getByRole('banner').getByText('Connected', { exact: true }).waitFor();
    const erikContext = await chromium.newContext({ viewport: VIEWPORT });
    const erik = await erikContext.newPage();
    await erik.goto(`${fd.base}/console`);
    await erik.getByRole('textbox', { name: 'Email' }).fill('erik@nordic.example');
    await erik.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await erik.getByRole('button', { name: 'Sign in' }).click();
    await erik.getByRole('banner').getByText('Connected', { exact: true }).waitFor();

    // Maria comes from a search, looks at the boots and asks.
    const mariaContext = await chromium.newContext({ viewport: VIEWPORT });
    await mariaContext.addInitScript((k) => localStorage.setItem(k, 'Maria Jensen'), `frontdesk:${site.key}:name`);
    const maria = await mariaContext.newPage();
    await maria.goto(`${search.origin}/search`);
    await maria.getByRole('link', { name: 'Nordic Outfitters' }).click();
    await maria.getByRole('link', { name: 'Shop winter boots →' }).click();
    await maria.waitForURL(`${shop.origin}/boots`);
    const widget = maria.locator('frontdesk-widget');
    await widget.getByRole('button', { name: 'Chat with us' }).click();
    await con.getByRole('alertdialog').getByRole('button', { name: 'Start Chatting' }).click();
    const win = con.getByRole('tabpanel', { name: 'Maria Jensen' });
    const box = win.getByRole('textbox', { name: 'Message', exact: true });
    const visitorBox = widget.getByRole('textbox', { name: 'Message', exact: true });
    const exchange = [
      ['visitor', 'Hi! Do the Fjäll winter boots run true to size?'],
      ['agent', 'Hi Maria! They run a little small, so most people take one size up.'],
      ['visitor', 'Then I would need a 40. Do you have it in brown?'],
      ['agent', 'Yes, size 40 is in stock in brown. Here it is:'],
    ];
    for (const [who, text] of exchange) {
      if (who === 'visitor') {
        await visitorBox.fill(text);
        await visitorBox.press('Enter');
        await win.getByRole('log').getByText(text).waitFor();
      } else {
        await box.fill(text);
        await box.press('Enter');
        await widget.getByRole('log').getByText(text).waitFor();
      }
    }
    const tab = mariaContext.waitForEvent('page');
    await win.getByRole('textbox', { name: 'Link' }).fill('/boots/fjall?size=40&colour=brown');
    await win.getByRole('button', { name: 'Send Link' }).click();
    await (await tab).close(); // the link opened in a new tab; the card stays in the chat
    await widget.locator('a.fd-card').waitFor();
    await visitorBox.fill('Perfect, thank you');
    await win.getByText('Maria Jensen is typing…').waitFor();

    // Tom, on another page, asks too: the pop-up.
    const tomContext = await chromium.newContext({ viewport: VIEWPORT });
    await tomContext.addInitScript((k) => localStorage.setItem(k, 'Tom Walker'), `frontdesk:${site.key}:name`);
    const tom = await tomContext.newPage();
    await tom.goto(`${shop.origin}/jackets`);
    await tom.locator('frontdesk-widget').getByRole('button', { name: 'Chat with us' }).click();
    const popup = con.getByRole('alertdialog').filter({ hasText: 'Tom Walker' });
    await popup.getByRole('button', { name: 'Start Chatting' }).waitFor();
    await con.getByRole('region', { name: 'Visitors on Site' }).getByText('Milton, Washington, United States').waitFor();
    await win.getByRole('complementary', { name: 'Visit Detail' }).getByText(/^Linköping/).waitFor();

    await con.mouse.move(0, 0);
    await con.screenshot({ path: join(out, 'console.png'), animations: 'disabled' });
    await maria.screenshot({ path: join(out, 'widget.png'), animations: 'disabled' });
    // An internal note for colleagues: highlighted in the log, never in Maria's widget.
    await win.getByRole('button', { name: 'Note', exact: true }).click();
    await box.fill('Maria ordered size 39 last winter and returned it: suggest the wool insole.');
    await box.press('Enter');
    await win.getByRole('log').locator('.msg-kind-note:not(.msg-local)').waitFor();
    await box.fill('Check stock in Göteborg');
    await con.mouse.move(0, 0);
    await win.screenshot({ path: join(out, 'note.png'), animations: 'disabled' });
    // Erik takes Tom's chat; Anna (an admin: a supervisor of the site) opens "All Chats".
    await erik.getByRole('alertdialog').filter({ hasText: 'Tom Walker' })
      .getByRole('button', { name: 'Start Chatting' }).click();
    await erik.getByRole('tabpanel', { name: 'Tom Walker' }).waitFor();
    const erikBox = erik.getByRole('tabpanel', { name: 'Tom Walker' }).getByRole('textbox', { name: 'Message', exact: true });
    await erikBox.fill('Hi Tom! Which jacket are you looking at?');
    await erikBox.press('Enter');
    await tom.locator('frontdesk-widget').getByRole('log').getByText('Hi Tom! Which jacket are you looking at?').waitFor();
    await con.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'All Chats' }).click();
    const allChats = con.getByRole('main', { name: 'All Chats' });
    await allChats.getByText('Hi Tom! Which jacket are you looking at?').waitFor();
    await allChats.getByRole('rowheader', { name: 'Maria Jensen', exact: true }).waitFor();
    // Anna's pop-up for Tom says "Taken by Erik Lund", then goes.
    await con.getByRole('alertdialog').filter({ hasText: 'Tom Walker' }).waitFor({ state: 'detached' });
    await con.mouse.move(0, 0);
    await con.screenshot({ path: join(out, 'all-chats.png'), animations: 'disabled' });
    console.log(`wrote ${['console', 'widget', 'note', 'all-chats'].map((n) => join(out, `${n}.png`)).join(', ')}`);
  } finally {
    for (const c of closers) await c().catch(() => {});
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
