// The e2e harness: runs the real release `frontdesk` binary on a fresh data directory,
// provisions sites and agents with its CLI, serves "customer" pages from another origin that
// embed the widget exactly as a site owner would, and launches Debian's headless Chromium.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..');
export const bin = process.env.FRONTDESK_BIN || join(repo, 'target', 'release', 'frontdesk');
export const geoipDb = join(here, '..', 'fixtures', 'GeoLite2-City-Test.mmdb');
export const PASSWORD = 'correct horse battery';
export const WAIT = 20_000;

/** Runs the frontdesk CLI against `dataDir`; returns parsed JSON output. */
export function cli(dataDir, args, input) {
  const out = execFileSync(bin, ['--data-dir', dataDir, ...args], {
    input: input ?? '',
    env: { ...process.env, FRONTDESK_LOG: 'warn' },
  });
  return JSON.parse(out.toString());
}

/** A running frontdesk server. */
export class Frontdesk {
  static async start({ extraArgs = [], env = {} } = {}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'frontdesk-e2e-'));
    const child = spawn(bin, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0', ...extraArgs], {
      env: { ...process.env, FRONTDESK_LOG: process.env.FRONTDESK_LOG || 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const base = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('frontdesk did not start')), WAIT);
      child.stdout.on('data', (d) => {
        buf += d.toString();
        const m = buf.match(/running at (http:\/\/[^\s]+)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.on('exit', (code) => reject(new Error(`frontdesk exited with ${code}`)));
    });
    const fd = new Frontdesk();
    Object.assign(fd, { dataDir, child, base, host: new URL(base).host });
    return fd;
  }

  site({ name = 'Shop', url, timezone = 'UTC', email } = {}) {
    const args = ['site', 'add', '--name', name, '--url', url, '--timezone', timezone, '--json'];
    if (email) args.push('--email', email);
    return cli(this.dataDir, args);
  }

  agent({ email, name, admin = false, sites = [] }) {
    const args = ['agent', 'add', '--email', email, '--name', name, '--password-stdin', '--json'];
    if (admin) args.push('--admin');
    for (const s of sites) args.push('--site', s);
    return cli(this.dataDir, args, PASSWORD + '\n');
  }

  /** Signs in over REST; returns the session cookie ("fd_session=..."). */
  async login(email) {
    const r = await fetch(`${this.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.base },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status}`);
    return r.headers.get('set-cookie').split(';')[0];
  }

  /** An agent WebSocket client (as the console would be), already On-Line. */
  async agentSocket(email) {
    const cookie = await this.login(email);
    const ws = new FrameSocket(`ws://${this.host}/ws/agent`, { origin: this.base, headers: { cookie } });
    await ws.opened;
    const snapshot = await ws.expect((f) => f.type === 'snapshot');
    await ws.request({ type: 'status', status: 'online' });
    ws.snapshot = snapshot;
    return ws;
  }

  /** REST with an agent's session cookie; resolves with the parsed JSON (throws on non-2xx). */
  async api(cookie, path, { method = 'GET', body } = {}) {
    const headers = { cookie, origin: this.base };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${this.base}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** The embed snippet for `site` pointing at this server, or at `base` (a proxy in front). */
  snippet(site, base = this.base) {
    return `<script src="${base}/widget.js" data-site="${site.key}" async></script>`;
  }

  async stop() {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await new Promise((r) => this.child.once('exit', r));
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A WebSocket that remembers frames so tests can wait for one that matches. */
export class FrameSocket {
  constructor(url, options) {
    this.ws = new WebSocket(url, options);
    this.frames = [];
    this.waiters = [];
    this.nextRef = 1;
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.pred(frame)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(frame); }
      }
    });
  }
  send(frame) { this.ws.send(JSON.stringify(frame)); }
  /** Resolves with the first frame (already received or future) matching `pred`. */
  expect(pred, what = 'frame') {
    const seen = this.frames.find(pred);
    if (seen) { this.frames.splice(this.frames.indexOf(seen), 1); return Promise.resolve(seen); }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT);
      this.waiters.push({ pred, resolve: (f) => { clearTimeout(timer); this.frames.splice(this.frames.indexOf(f), 1); resolve(f); } });
    });
  }
  async request(frame) {
    const ref = `r${this.nextRef++}`;
    this.send({ ...frame, ref });
    return this.expect((f) => f.ref === ref, `answer to ${frame.type}`);
  }
  close() { this.ws.close(); }
}

/** Serves customer pages from its own origin. `pages` maps a path to HTML. */
export async function customerSite(pages) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const page = pages[path];
    if (page === undefined) { res.writeHead(404); res.end('not found'); return; }
    const headers = { 'content-type': 'text/html; charset=utf-8' };
    if (typeof page === 'object') Object.assign(headers, page.headers);
    res.writeHead(200, headers);
    res.end(typeof page === 'object' ? page.body : page);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((r) => server.close(r)) };
}

/**
 * A reverse proxy on its own port in front of `target` (an http:// base URL) that adds
 * `X-Forwarded-For: forwardedFor` to every request, WebSocket upgrades included, as a real
 * proxy in front of frontdesk would. (A browser-side extra header would make the widget's
 * cross-origin module import need a CORS preflight that no real visitor's browser sends.)
 * Returns { base, host, close, cutWebSockets, restoreWebSockets, holdNextWebSocket }: `cutWebSockets()` drops
 * every WebSocket through it and refuses new ones (plain HTTP still passes) until
 * `restoreWebSockets()`, as a network outage between the visitor and frontdesk would.
 * `holdNextWebSocket()` keeps the next WebSocket upgrade waiting: it returns `{ arrived, release }`
 * (`arrived` resolves when that upgrade comes in; `release()` lets it through).
 */
export async function forwardingProxy(target, forwardedFor) {
  const t = new URL(target);
  const xff = (h) => (h['x-forwarded-for'] ? `${h['x-forwarded-for']}, ${forwardedFor}` : forwardedFor);
  const sockets = new Set();
  const upgraded = new Set();
  let cut = false;
  let hold = null;
  const server = createServer((req, res) => {
    const up = httpRequest({
      host: t.hostname, port: t.port, method: req.method, path: req.url,
      headers: { ...req.headers, 'x-forwarded-for': xff(req.headers) },
    }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('upgrade', async (req, socket, head) => {
    if (cut) { socket.destroy(); return; }
    if (hold) {
      const h = hold;
      hold = null;
      h.arrive();
      await h.gate;
      if (cut || socket.destroyed) { socket.destroy(); return; }
    }
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const up = netConnect(Number(t.port), t.hostname, () => {
      const headers = { ...req.headers, 'x-forwarded-for': xff(req.headers) };
      let raw = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(headers)) for (const one of [].concat(v)) raw += `${k}: ${one}\r\n`;
      up.write(raw + '\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    sockets.add(up);
    up.on('close', () => { sockets.delete(up); socket.destroy(); });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base, host: new URL(base).host,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
    cutWebSockets: () => { cut = true; for (const s of upgraded) s.destroy(); },
    restoreWebSockets: () => { cut = false; },
    holdNextWebSocket: () => {
      const h = {};
      h.arrived = new Promise((r) => { h.arrive = r; });
      h.gate = new Promise((r) => { h.release = r; });
      hold = h;
      return { arrived: h.arrived, release: h.release };
    },
  };
}

/** A page that embeds the widget with the snippet `site add` printed. */
export function embedPage({ title, snippet, body = '', head = '' }) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}</head>` +
    `<body><h1>${title}</h1>${body}${snippet}</body></html>`;
}

/** Debian's Chromium, headless, with a fresh profile. `options` go to `chromium.launch`. */
export async function browser(options = {}) {
  return chromium.launch({
    ...options,
    executablePath: process.env.FRONTDESK_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
