// A tiny SMTP sink for the e2e tests: speaks enough ESMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT) for a real client to deliver to it, and keeps every message it accepts.

import { createServer } from 'node:net';
import { WAIT } from './harness.mjs';

export class SmtpSink {
  static async start() {
    const sink = new SmtpSink();
    sink.server = createServer((sock) => sink.#session(sock));
    await new Promise((r) => sink.server.listen(0, '127.0.0.1', r));
    sink.port = sink.server.address().port;
    return sink;
  }

  constructor() {
    /** Accepted mails: { from, to: [..], data (raw, dot-unstuffed), commands: [..] }. */
    this.mails = [];
    this.waiters = [];
    this.sockets = new Set();
  }

  #session(sock) {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => {});
    const reply = (line) => sock.write(line + '\r\n');
    let buf = '';
    let inData = false;
    let data = [];
    let tx = { from: null, to: [], commands: [] };
    const commands = [];
    reply('220 sink.test ESMTP ready');
    sock.setEncoding('utf8');
    sock.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const mail = { from: tx.from, to: tx.to, data: data.join('\r\n') + '\r\n', commands: [...commands] };
            this.#accept(mail);
            data = [];
            tx = { from: null, to: [] };
            reply('250 2.0.0 queued');
          } else data.push(line.startsWith('.') ? line.slice(1) : line);
          continue;
        }
        commands.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { sock.write('250-sink.test greets you\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n'); }
        else if (verb === 'HELO') reply('250 sink.test');
        else if (verb === 'MAIL') {
          const m = line.match(/^MAIL FROM:\s*<([^>]*)>/i);
          if (!m) { reply('501 5.5.4 syntax: MAIL FROM:<address>'); continue; }
          tx = { from: m[1], to: [] };
          reply('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          const m = line.match(/^RCPT TO:\s*<([^>]*)>/i);
          if (!m || tx.from === null) { reply('503 5.5.1 MAIL first'); continue; }
          tx.to.push(m[1]);
          reply('250 2.1.5 ok');
        } else if (verb === 'DATA') {
          if (!tx.to.length) { reply('503 5.5.1 RCPT first'); continue; }
          inData = true;
          reply('354 end data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') { tx = { from: null, to: [] }; reply('250 2.0.0 ok'); }
        else if (verb === 'NOOP') reply('250 2.0.0 ok');
        else if (verb === 'QUIT') { reply('221 2.0.0 bye'); sock.end(); }
        else reply('502 5.5.2 command not implemented');
      }
    });
  }

  #accept(mail) {
    this.mails.push(mail);
    for (const w of [...this.waiters]) {
      if (w.pred(mail)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(mail); }
    }
  }

  /** Resolves with the first accepted mail (already received or future) matching `pred`. */
  expect(pred = () => true, what = 'mail') {
    const seen = this.mails.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT);
      this.waiters.push({ pred, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

/** Splits a raw RFC 5322 message into unfolded headers (lower-case names) and body. */
export function parseMail(raw) {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}

/** The decoded text of the first part of the given content type (walks multiparts). */
export function mailText(raw, type = 'text/plain') {
  const { headers, body } = parseMail(raw);
  const ctype = headers['content-type'] || 'text/plain';
  const boundary = ctype.match(/boundary="?([^";]+)"?/i);
  if (/^multipart\//i.test(ctype) && boundary) {
    for (const part of body.split('--' + boundary[1]).slice(1)) {
      if (part.startsWith('--')) break;
      const found = mailText(part.replace(/^\r\n/, ''), type);
      if (found !== null) return found;
    }
    return null;
  }
  if (!ctype.toLowerCase().startsWith(type)) return null;
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  let bytes;
  if (cte === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (cte === 'quoted-printable') {
    bytes = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  } else bytes = Buffer.from(body, 'utf8');
  return bytes.toString('utf8').replace(/\r\n/g, '\n');
}
