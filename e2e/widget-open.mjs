// How long opening the chat takes on a slow connection, in Debian's headless Chromium. Not a
// test: a measurement. Starts `frontdesk` (like the e2e tests), loads a customer page with the
// snippet in a fresh browser context (nothing cached: the first chat of a visit) with every
// request delayed by LATENCY ms (CDP `Network.emulateNetworkConditions`), waits for the
// launcher, clicks "Chat with us", and times, in the page, from the click to the panel being
// usable (focus moved into it: its modules and stylesheets are in, it is mounted and shown).
// Also records when each panel file was requested and arrived, relative to the click (Resource
// Timing), which shows how many round trips the panel takes. Prints JSON with the medians.
//
//   cargo build -p frontdesk && FRONTDESK_BIN=target/debug/frontdesk node e2e/widget-open.mjs [RUNS] [--latency MS] [--h2]
//
// --h2: the widget through a TLS proxy speaking HTTP/2 (as behind nginx or Caddy), with a
// self-signed certificate made by `openssl`. Without it: plain HTTP/1.1 straight to frontdesk,
// where the browser opens at most 6 connections per host and credentials mode (the modules,
// fetched with CORS, do not share the stylesheets' connections).
//
// A debug build serves web/widget/ from the disk (rust-embed reads the files at run time), so
// an older widget.js can be measured by putting it in place without rebuilding.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createSecureServer } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frontdesk, customerSite, embedPage, browser } from './lib/harness.mjs';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const LATENCY = flag('--latency', 100);
const RUNS = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--latency') || 7);
const H2 = args.includes('--h2');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x);

/** An HTTPS proxy in front of `target` (http://host:port): HTTP/2, and HTTP/1.1 for WebSockets. */
async function h2Proxy(target) {
  const t = new URL(target);
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-h2-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  rmSync(dir, { recursive: true, force: true });
  const server = createSecureServer({ ...tls, allowHTTP1: true }, (req, res) => {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!k.startsWith(':')) headers[k] = v;
    headers.host = t.host;
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers }, (r) => {
      const out = {};
      for (const [k, v] of Object.entries(r.headers)) if (!/^(connection|keep-alive|transfer-encoding)$/.test(k)) out[k] = v;
      res.writeHead(r.statusCode, out);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  const sockets = new Set();
  server.on('secureConnection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('upgrade', (req, socket, head) => {
    const up = netConnect(Number(t.port), t.hostname, () => {
      let raw = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(raw + '\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `https://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

const fd = await Frontdesk.start();
const proxy = H2 ? await h2Proxy(fd.base) : null;
const pages = {};
const site = await customerSite(pages);
const s = fd.site({ name: 'Open', url: site.origin });
pages['/'] = embedPage({ title: 'Shop', snippet: fd.snippet(s, proxy ? proxy.base : undefined) });
fd.agent({ email: 'o@open.example', name: 'Otto' });
const agent = await fd.agentSocket('o@open.example'); // On-Line: the launcher reads "Chat with us"
const chromium = await browser();

const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const ctx = await chromium.newContext({ ignoreHTTPSErrors: H2 });
    const p = await ctx.newPage();
    const cdp = await ctx.newCDPSession(p);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: LATENCY, downloadThroughput: -1, uploadThroughput: -1,
    });
    await p.goto(`${site.origin}/`, { waitUntil: 'load' });
    const launcher = p.getByRole('button', { name: 'Chat with us', exact: true });
    await launcher.waitFor();
    // Listeners on the shadow root: the click (capture, before the loader's handler) and the
    // first focus inside the panel.
    await p.evaluate(() => {
      const root = document.querySelector('frontdesk-widget').shadowRoot;
      const t = (window.__open = {});
      root.addEventListener('click', () => { t.click = t.click || performance.now(); }, true);
      root.addEventListener('focusin', (e) => {
        if (!t.usable && e.target.closest('.fd-panel')) t.usable = performance.now();
      });
    });
    await launcher.click();
    await p.waitForFunction(() => window.__open.usable);
    const run = await p.evaluate(() => {
      const t = window.__open;
      const files = {};
      for (const e of performance.getEntriesByType('resource')) {
        const m = /\/widget\/((panel[\w-]*\.js)|(widget-\w+\.css))$/.exec(e.name);
        if (m && e.startTime >= t.click) files[m[1]] = { start: e.startTime - t.click, end: e.responseEnd - t.click };
      }
      return { usable: t.usable - t.click, files, protocol: performance.getEntriesByType('resource')
        .filter((e) => /panel\.js$/.test(e.name)).map((e) => e.nextHopProtocol)[0] };
    });
    runs.push(run);
    await ctx.close();
  }
} finally {
  await chromium.close();
  agent.close();
  await site.close();
  await proxy?.close();
  await fd.stop();
}

const names = new Set();
for (const r of runs) for (const n of Object.keys(r.files)) names.add(n);
const files = {};
for (const n of [...names].sort()) {
  const got = runs.filter((r) => r.files[n]);
  files[n] = {
    requested_ms: round(median(got.map((r) => r.files[n].start))),
    arrived_ms: round(median(got.map((r) => r.files[n].end))),
  };
}
console.log(JSON.stringify({
  chromium: chromium.version(),
  runs: RUNS,
  latency_ms: LATENCY,
  protocol: runs[0]?.protocol,
  note: 'click on "Chat with us" to focus inside the panel, fresh context (nothing cached); ' +
    'files: median ms after the click when each panel file was requested and its response ended',
  click_to_usable_ms: { median: round(median(runs.map((r) => r.usable))), all: runs.map((r) => round(r.usable)) },
  requests_after_click: median(runs.map((r) => Object.keys(r.files).length)),
  files,
}, null, 2));
