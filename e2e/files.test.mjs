// Files in chats (issue 14), end to end in the real widget and the real console: a visitor
// attaches an image and a PDF with "Attach a file" (the file input) and pastes a screenshot
// into the message box; the upload shows a progress bar named after the file (held at the
// network until checked, so no timing luck) and nothing in the log until the server has stored
// it; the agent sees the thumbnail (decoded: naturalWidth > 0) and downloads the PDF with the
// same bytes (sha256 of the download); the agent sends a file back with "Attach" (and an image
// dropped on the Message box) and the visitor sees it; Chat History renders the files too.
// Refusals say why in the widget: an HTML file renamed .png ("This type of file is not
// allowed", from the server), a file over the site's limit ("File too large (max 10 MB)",
// checked in the browser: nothing is sent), a lost connection (with "Retry"). A hostile file
// name is shown as text everywhere. A site with files off shows nothing of them.
//
// The thumbnails need the server's image inspection (crates/server/src/files/image.rs).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { deflateSync, crc32 } from 'node:zlib';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, endChat, closeEndedChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** A real PNG of `w`×`h` pixels (RGB, a gradient), made here: no fixture files. */
function png(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([(x * 255) / w, (y * 255) / h, 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small PDF with random bytes in it (so its sha256 is its own). */
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n% '),
  Buffer.from(randomBytes(600).toString('base64')), Buffer.from('\ntrailer << >>\n%%EOF\n')]);

/** The widget's parts for files. */
const widgetFiles = (vera) => {
  const w = vera.page.locator('frontdesk-widget');
  return {
    attach: w.getByRole('button', { name: 'Attach a file', exact: true }),
    input: w.locator('input[type="file"]'),
    progress: (name) => w.getByRole('progressbar', { name, exact: true }),
    alert: (text) => w.getByRole('alert').filter({ hasText: text }),
  };
};

/**
 * Holds the next upload to `pattern` at the network: resolves `held` when the request is
 * caught; `release()` lets it through to the server.
 */
async function holdUpload(page, pattern) {
  let release;
  const gate = new Promise((r) => { release = r; });
  let caught;
  const held = new Promise((r) => { caught = r; });
  let once = false;
  const handler = async (route) => {
    if (once || route.request().method() !== 'POST') return route.continue();
    once = true;
    caught(route.request());
    await gate;
    await route.continue();
  };
  await page.route(pattern, handler);
  return { held, release };
}

/** A visitor Vera chatting with agent Alice on a new shop. */
async function chatting(shopName) {
  const shop = await customerShop(env, { name: shopName });
  const agent = addAgent(env, { name: 'Alice', sites: [shop] });
  const alice = await signIn(env, agent);
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  const dialogs = [];
  vera.page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  alice.page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await vera.requestChat();
  await takeChat(alice, vera);
  return { shop, alice, vera, dialogs };
}

/** The image `img` (a locator) has loaded and decoded: its natural width. */
const loadedWidth = (img) => img.evaluate(async (el) => {
  if (!el.complete) await new Promise((ok, fail) => { el.onload = ok; el.onerror = () => fail(new Error('image failed: ' + el.src)); });
  await el.decode();
  return el.naturalWidth;
});

test('a visitor attaches an image and a PDF, the agent sees the thumbnail and gets the same bytes, and sends a file back', async () => {
  const { alice, vera, dialogs } = await chatting('Filed');
  const files = widgetFiles(vera);
  await files.attach.waitFor();
  const image = png(64, 48);
  const manual = pdf();

  // The PDF, held at the network: a progress bar named after the file, and no message yet.
  const gate = await holdUpload(vera.page, '**/api/visitor/files');
  await files.input.setInputFiles({ name: 'manual.pdf', mimeType: 'application/pdf', buffer: manual });
  await gate.held;
  await files.progress('manual.pdf').waitFor();
  assert.equal(await vera.log.getByText(/manual\.pdf/).count(), 0, 'nothing half-uploaded in the log');
  assert.equal(await alice.log('Vera').getByText(/manual\.pdf/).count(), 0);
  gate.release();
  const visitorPdf = vera.log.getByRole('link', { name: new RegExp(`^manual\\.pdf \\(${manual.length} B\\)$`) });
  await visitorPdf.waitFor();
  await files.progress('manual.pdf').waitFor({ state: 'detached' });

  // The image through the same input, then a pasted screenshot into the message box.
  await files.input.setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: image });
  await vera.box.evaluate((box, bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, [...png(40, 30)]);

  // The agent: both thumbnails, loaded; the PDF downloads with the same bytes.
  const log = alice.log('Vera');
  for (const [name, width] of [['screenshot.png', 64], ['pasted.png', 40]]) {
    const thumb = log.getByRole('img', { name, exact: true });
    await thumb.waitFor();
    const natural = await loadedWidth(thumb);
    assert.ok(natural > 0 && natural <= width, `${name}: thumbnail decoded (${natural} px wide)`);
  }
  // The visitor sees them as thumbnails too (from their own socket or the upload's answer).
  assert.ok(await loadedWidth(vera.log.getByRole('img', { name: 'screenshot.png', exact: true })) > 0);
  assert.ok(await loadedWidth(vera.log.getByRole('img', { name: 'pasted.png', exact: true })) > 0);
  const pdfLink = log.getByRole('link', { name: `manual.pdf (${manual.length} B)`, exact: true });
  const [download] = await Promise.all([alice.page.waitForEvent('download'), pdfLink.click()]);
  assert.equal(download.suggestedFilename(), 'manual.pdf');
  assert.equal(sha256(await readFile(await download.path())), sha256(manual), 'the same bytes');
  // Each message once, in both logs.
  assert.equal(await log.getByRole('img', { name: 'screenshot.png', exact: true }).count(), 1);
  assert.equal(await vera.log.getByRole('link', { name: /^manual\.pdf/ }).count(), 1);

  // The agent sends a file back with "Attach" (the button opens the file chooser); held at
  // the network: the progress bar in the chat window, nothing in the log yet.
  const attach = alice.window('Vera').getByRole('button', { name: 'Attach', exact: true });
  const notes = Buffer.from('Steps to reset the router:\n1. Unplug it.\n2. Wait ten seconds.\n');
  const agentGate = await holdUpload(alice.page, '**/api/chats/*/files');
  const [chooser] = await Promise.all([alice.page.waitForEvent('filechooser'), attach.click()]);
  await chooser.setFiles({ name: 'steps.txt', mimeType: 'text/plain', buffer: notes });
  await agentGate.held;
  await alice.window('Vera').getByRole('progressbar', { name: 'steps.txt', exact: true }).waitFor();
  assert.equal(await log.getByText(/steps\.txt/).count(), 0, 'nothing half-uploaded in the log');
  agentGate.release();
  await log.getByRole('link', { name: `steps.txt (${notes.length} B)`, exact: true }).waitFor();
  await alice.window('Vera').getByRole('progressbar').waitFor({ state: 'detached' });
  const back = vera.log.getByRole('link', { name: `steps.txt (${notes.length} B)`, exact: true });
  await back.waitFor();
  // The visitor's link is the download with their token: the same bytes. (Fetched from here:
  // the link is a navigation, and a download is not for scripts of the customer's page.)
  const href = await back.getAttribute('href');
  assert.match(href, /\/files\/[A-Za-z0-9_-]{22}\?token=/);
  assert.equal(sha256(Buffer.from(await (await fetch(href)).arrayBuffer())), sha256(notes));

  // An image dropped on the agent's Message box goes the same way.
  await alice.messageBox('Vera').evaluate((box, bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'diagram.png', { type: 'image/png' }));
    box.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [...png(50, 50)]);
  assert.ok(await loadedWidth(vera.log.getByRole('img', { name: 'diagram.png', exact: true })) > 0);

  // Visitor's view after a reload: the files are still there (stored with the chat).
  await vera.page.reload();
  await vera.page.locator('frontdesk-widget').getByRole('log').waitFor({ state: 'attached' });
  await vera.log.getByRole('link', { name: `steps.txt (${notes.length} B)`, exact: true }).waitFor({ state: 'attached' });

  // Chat History: the ended chat's transcript renders the files the same way.
  await endChat(alice, vera);
  await closeEndedChat(alice, vera);
  await vera.page.reload();
  await vera.requestChat();
  await takeChat(alice, vera);
  const detail = alice.window('Vera').getByRole('complementary', { name: 'Visit Detail' });
  await detail.getByRole('button', { name: 'Chat History' }).click();
  await detail.getByRole('region', { name: 'Chat History' }).getByRole('button', { name: /with Alice/ }).click();
  const transcript = alice.page.getByRole('dialog', { name: 'Chat transcript' });
  await transcript.getByRole('link', { name: `manual.pdf (${manual.length} B)`, exact: true }).waitFor();
  await transcript.getByRole('link', { name: `steps.txt (${notes.length} B)`, exact: true }).waitFor();
  assert.ok(await loadedWidth(transcript.getByRole('img', { name: 'screenshot.png', exact: true })) > 0);
  await transcript.getByRole('button', { name: 'Done' }).click();
  assert.deepEqual(dialogs, []);
  alice.assertClean();
});

test('a refused file says why in the widget, and a file over the limit is not even sent', async () => {
  const { alice, vera } = await chatting('Refusing');
  const files = widgetFiles(vera);
  await files.attach.waitFor();

  // An HTML file renamed .png: the server decides from the content.
  await files.input.setInputFiles({
    name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('<!doctype html><html><script>alert(1)</script></html>'),
  });
  const refused = files.alert('holiday.png: This type of file is not allowed');
  await refused.waitFor();
  const row = vera.page.locator('frontdesk-widget .fd-up').filter({ hasText: 'holiday.png: This type of file is not allowed' });
  assert.equal(await row.getByRole('button', { name: 'Retry' }).count(), 0, 'no Retry: it would be refused again');
  assert.equal(await vera.log.getByText('holiday.png').count(), 0, 'no message');
  assert.equal(await alice.log('Vera').getByText('holiday.png').count(), 0);
  await row.getByRole('button', { name: 'Dismiss' }).click();
  await refused.waitFor({ state: 'detached' });

  // Over the site's limit (10 MB by default): said at once, nothing uploaded.
  const uploads = [];
  vera.page.on('request', (r) => { if (r.url().includes('/api/visitor/files')) uploads.push(r.url()); });
  await files.input.setInputFiles({ name: 'video.png', mimeType: 'image/png', buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 7) });
  await files.alert('video.png: File too large (max 10 MB)').waitFor();
  assert.deepEqual(uploads, [], 'the browser checked the size first');

  // A server that cannot be reached: "Retry" (same file) goes through once it can.
  const failing = async (route) => route.abort('connectionreset');
  await vera.page.route('**/api/visitor/files', failing);
  const words = Buffer.from('try again\n');
  await files.input.setInputFiles({ name: 'retry.txt', mimeType: 'text/plain', buffer: words });
  const lost = files.alert('retry.txt: The file could not be sent. Check your connection');
  await lost.waitFor();
  await vera.page.unroute('**/api/visitor/files', failing);
  await vera.page.locator('frontdesk-widget .fd-up').filter({ hasText: 'retry.txt: The file could not be sent' })
    .getByRole('button', { name: 'Retry' }).click();
  await alice.log('Vera').getByRole('link', { name: `retry.txt (${words.length} B)`, exact: true }).waitFor();
  await lost.waitFor({ state: 'detached' });
  alice.assertClean();
});

test('a hostile file name is shown as text in the widget and the console', async () => {
  const { alice, vera, dialogs } = await chatting('Hostile Names');
  const files = widgetFiles(vera);
  // Before the server has it, the upload row shows the name exactly as chosen, as text.
  const name = '<img src=x onerror=alert(1)>.png';
  const gate = await holdUpload(vera.page, '**/api/visitor/files');
  const answered = vera.page.waitForResponse((r) => r.url().endsWith('/api/visitor/files') && r.request().method() === 'POST');
  await files.input.setInputFiles({ name, mimeType: 'image/png', buffer: png(16, 16) });
  await gate.held;
  await files.progress(name).waitFor();
  await vera.page.locator('frontdesk-widget .fd-up-name').getByText(name, { exact: true }).waitFor();
  gate.release();
  // The stored name is the server's cleaned one (whatever it keeps of the markup): shown
  // exactly, as the thumbnail's text alternative, on both sides.
  const stored = (await (await answered).json()).file.name;
  const thumb = alice.log('Vera').getByRole('img', { name: stored, exact: true });
  await thumb.waitFor();
  assert.ok(await loadedWidth(thumb) > 0);
  await vera.log.getByRole('img', { name: stored, exact: true }).waitFor();

  // As the name of a non-image it is the link's text.
  const [chooser] = await Promise.all([
    alice.page.waitForEvent('filechooser'),
    alice.window('Vera').getByRole('button', { name: 'Attach', exact: true }).click(),
  ]);
  // (No `"`: browsers send it as %22 in a multipart file name.)
  const textName = '<svg onload=alert(2)>notes.txt';
  const sent = alice.page.waitForResponse((r) => /\/api\/chats\/\d+\/files$/.test(r.url()) && r.request().method() === 'POST');
  await chooser.setFiles({ name: textName, mimeType: 'text/plain', buffer: Buffer.from('plain words\n') });
  const storedText = (await (await sent).json()).file.name;
  await vera.log.getByRole('link', { name: `${storedText} (12 B)`, exact: true }).waitFor();
  await alice.log('Vera').getByRole('link', { name: `${storedText} (12 B)`, exact: true }).waitFor();

  // The names made no element anywhere: no image with src "x" or an onerror, no svg with an
  // onload, no script ran.
  for (const page of [alice.page, vera.page]) {
    const made = await page.evaluate(() => {
      const roots = [document];
      const host = document.querySelector('frontdesk-widget');
      if (host?.shadowRoot) roots.push(host.shadowRoot);
      let n = 0;
      for (const root of roots) n += root.querySelectorAll('img[src="x"], [onerror], [onload]').length;
      return n;
    });
    assert.equal(made, 0);
  }
  assert.deepEqual(dialogs, []);
  alice.assertClean();
});

test('a site with files off: no "Attach a file", and a pasted file is left to the browser', async () => {
  const shop = await customerShop(env, { name: 'Paperless' });
  const agent = addAgent(env, { name: 'Alice', admin: true, sites: [shop] });
  const cookie = await env.fd.login(agent.email);
  await env.fd.api(cookie, `/api/admin/sites/${shop.site.site_id}/settings`, { method: 'PUT', body: { files: { enabled: false } } });
  const alice = await signIn(env, agent);
  const vera = await openVisitor(env, shop, '/', { name: 'Vera' });
  const welcomes = [];
  vera.page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    const frame = JSON.parse(String(f.payload));
    if (frame.type === 'welcome') welcomes.push(frame);
  }));
  await vera.page.reload();
  await vera.requestChat();
  await takeChat(alice, vera);
  await vera.say('Hello');
  assert.equal(welcomes.at(-1).features.file_max_bytes, null, 'the welcome says files are off');
  const files = widgetFiles(vera);
  assert.equal(await files.attach.count(), 0, 'no "Attach a file" button');
  const handled = await vera.box.evaluate((box) => {
    const data = new DataTransfer();
    data.items.add(new File(['x'], 'a.png', { type: 'image/png' }));
    // false: a listener called preventDefault() (the widget took the file).
    return box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  assert.equal(handled, true, 'the widget leaves the paste alone');
  assert.equal(await vera.page.locator('frontdesk-widget .fd-up').count(), 0);
  alice.assertClean();
});
