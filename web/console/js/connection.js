// The agent WebSocket (/ws/agent): reconnect with jittered backoff, heartbeat with dead-peer
// detection, request/`ref` correlation, and an outbox of messages that survives reconnects.
//
// States: idle → connecting → opening (socket open, waiting for `snapshot`) → online
//         → (socket lost) waiting (backoff timer) → connecting → …   stop() → stopped
//
// On every `snapshot` the owner's onReady() runs (it re-syncs the open chat windows), then
// the outbox is flushed: every message not yet acknowledged is sent again with the same
// client_id, so the server stores it once.

import { ApiError } from './api.js';

export const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const WAKE_PONG_TIMEOUT_MS = 5_000;
const SNAPSHOT_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 20_000;
const TICK_MS = 1_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const OUTBOX_MAX_RETRIES = 6;
// Errors after which a message is sent again later; any other error fails it.
const RETRYABLE = new Set(['unavailable', 'rate_limited', 'internal', 'timeout']);

export function agentSocketUrl(loc = window.location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws/agent`;
}

/** Full-jitter-ish backoff: between half and all of min(max, base·2^attempt). */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class Connection {
  /**
   * @param {object} o
   * @param {string} o.url
   * @param {(frame: object) => void} o.onFrame      every frame, after correlation
   * @param {(state: string, info?: object) => void} [o.onState]
   * @param {(snapshot: object) => void} [o.onReady] after each snapshot, before the outbox flush
   * @param {() => void} [o.onSessionEnded]
   * @param {() => Promise<boolean>} [o.checkSession] false when the session is gone
   */
  constructor({ url, onFrame, onState, onReady, onSessionEnded, checkSession }) {
    this.url = url;
    this.onFrame = onFrame;
    this.onState = onState || (() => {});
    this.onReady = onReady || (() => {});
    this.onSessionEnded = onSessionEnded || (() => {});
    this.checkSession = checkSession || null;
    this.state = 'idle';
    this.ws = null;
    this.nextRef = 1;
    this.pending = new Map(); // ref -> {resolve, reject, timer, item}
    this.outbox = new Map(); // client_id -> {frame, resolve, reject, tries, retryTimer}
    this.attempt = 0;
    this.failures = 0;
    this.reconnectTimer = null;
    this.deadline = 0; // when the peer must have said something, or is dead
    this.lastPing = 0;
    this.lastTick = Date.now();
    this.tickTimer = null;
    this.stopped = true;
    this.wake = () => this.checkNow();
    this.onVisible = () => {
      if (document.visibilityState === 'visible') this.checkNow();
    };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.wake);
    window.addEventListener('pageshow', this.wake);
    document.addEventListener('visibilitychange', this.onVisible);
    this.lastTick = Date.now();
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.connect();
  }

  /** Ends the connection for good (sign-out, session ended). Unsent messages are dropped. */
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    window.removeEventListener('online', this.wake);
    window.removeEventListener('pageshow', this.wake);
    document.removeEventListener('visibilitychange', this.onVisible);
    clearInterval(this.tickTimer);
    clearTimeout(this.reconnectTimer);
    this.dropSocket(1000);
    for (const item of this.outbox.values()) {
      clearTimeout(item.retryTimer);
      item.reject(new ApiError('offline'));
    }
    this.outbox.clear();
    this.setState('stopped');
  }

  get online() {
    return this.state === 'online';
  }

  setState(state, info = {}) {
    this.state = state;
    this.onState(state, info);
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.setState('connecting', { attempt: this.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.deadline = Date.now() + SNAPSHOT_TIMEOUT_MS;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.setState('opening');
      this.deadline = Date.now() + SNAPSHOT_TIMEOUT_MS;
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      this.heard();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === 'string') this.receive(frame);
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.dropSocket();
      this.scheduleReconnect();
    };
    ws.onerror = () => {}; // a close event follows
  }

  heard() {
    // Anything from the server proves the peer alive; the snapshot wait keeps its deadline.
    if (this.state === 'online') this.deadline = 0;
  }

  receive(frame) {
    switch (frame.type) {
      case 'snapshot':
        this.attempt = 0;
        this.failures = 0;
        this.deadline = 0;
        this.lastPing = Date.now();
        this.setState('online');
        this.onFrame(frame);
        try {
          this.onReady(frame);
        } finally {
          this.flushOutbox();
        }
        return;
      case 'pong':
        return;
      case 'session.ended':
        this.onFrame(frame);
        this.stop();
        this.onSessionEnded();
        return;
      case 'ack': {
        this.onFrame(frame);
        const p = this.takePending(frame.ref);
        if (p) p.resolve(frame);
        return;
      }
      case 'chat.history':
      case 'chat.resync':
      case 'visitors.page': {
        this.onFrame(frame); // the store takes the messages first
        const p = this.takePending(frame.ref);
        if (p) p.resolve(frame);
        return;
      }
      case 'error': {
        const p = this.takePending(frame.ref);
        if (p) p.reject(new ApiError(frame.code, frame.message));
        else this.onFrame(frame);
        return;
      }
      default:
        this.onFrame(frame);
    }
  }

  takePending(ref) {
    if (ref == null) return null;
    const p = this.pending.get(ref);
    if (!p) return null;
    this.pending.delete(ref);
    clearTimeout(p.timer);
    return p;
  }

  raw(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Fire and forget (typing). False when not connected. */
  send(frame) {
    return this.online && this.raw(frame);
  }

  /** Sends a frame with a fresh `ref`; resolves with its `ack`/`chat.history`/`chat.resync`,
   * rejects on `error`. */
  request(frame, { timeout = REQUEST_TIMEOUT_MS } = {}) {
    if (!this.online) return Promise.reject(new ApiError('offline'));
    return new Promise((resolve, reject) => {
      const ref = `r${this.nextRef++}`;
      const timer = setTimeout(() => {
        if (this.pending.delete(ref)) reject(new ApiError('timeout'));
      }, timeout);
      this.pending.set(ref, { resolve, reject, timer });
      if (!this.raw({ ...frame, ref })) {
        this.takePending(ref);
        reject(new ApiError('offline'));
      }
    });
  }

  /**
   * Queues a `message` or `link` frame (with client_id). It is sent now if online, again after
   * every reconnect until acknowledged. Resolves with the `ack` (which carries the seq).
   */
  enqueue(frame) {
    const existing = this.outbox.get(frame.client_id);
    if (existing) return existing.promise;
    const item = { frame, tries: 0, retryTimer: null };
    item.promise = new Promise((resolve, reject) => {
      item.resolve = resolve;
      item.reject = reject;
    });
    this.outbox.set(frame.client_id, item);
    if (this.online) this.sendItem(item);
    return item.promise;
  }

  /** Forget an unsent message (the agent discarded it). */
  discard(clientId) {
    const item = this.outbox.get(clientId);
    if (!item) return;
    clearTimeout(item.retryTimer);
    this.outbox.delete(clientId);
    for (const [ref, p] of this.pending) if (p.item === item) this.takePending(ref);
    item.reject(new ApiError('offline', 'Discarded.'));
  }

  sendItem(item) {
    clearTimeout(item.retryTimer);
    item.retryTimer = null;
    for (const [ref, p] of this.pending) if (p.item === item) this.takePending(ref);
    const ref = `r${this.nextRef++}`;
    const settle = {
      item,
      timer: null,
      resolve: (ack) => {
        this.outbox.delete(item.frame.client_id);
        item.resolve(ack);
      },
      reject: (err) => {
        if (RETRYABLE.has(err.code) && item.tries < OUTBOX_MAX_RETRIES && !this.stopped) {
          item.tries += 1;
          item.retryTimer = setTimeout(() => {
            if (this.online && this.outbox.has(item.frame.client_id)) this.sendItem(item);
          }, backoffDelay(item.tries));
          return;
        }
        this.outbox.delete(item.frame.client_id);
        item.reject(err);
      },
    };
    this.pending.set(ref, settle);
    if (!this.raw({ ...item.frame, ref })) this.pending.delete(ref); // flushed on reconnect
  }

  flushOutbox() {
    for (const item of this.outbox.values()) this.sendItem(item);
  }

  /** Forgets the socket. Requests in flight fail; outbox items wait for the next snapshot. */
  dropSocket(code = 4000) {
    const ws = this.ws;
    this.ws = null;
    this.deadline = 0;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(code);
      } catch {
        /* already closed */
      }
    }
    for (const [ref, p] of [...this.pending]) {
      this.pending.delete(ref);
      clearTimeout(p.timer);
      if (!p.item) p.reject(new ApiError('offline', 'The connection was lost. Please try again.'));
    }
    for (const item of this.outbox.values()) clearTimeout(item.retryTimer);
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.failures += 1;
    this.setState('waiting', { retryAt: Date.now() + delay, attempt: this.attempt });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    // The upgrade fails the same way whether the server is down or the session is gone:
    // after a couple of failures ask the REST API which it is.
    if (this.checkSession && this.failures >= 2 && this.failures % 2 === 0) {
      this.checkSession().then((ok) => {
        if (ok === false && !this.stopped) {
          this.stop();
          this.onSessionEnded();
        }
      }, () => {});
    }
  }

  /** The peer is silent past its deadline: treat the socket as dead and reconnect soon. */
  dead() {
    this.dropSocket();
    this.attempt = 0;
    this.scheduleReconnect();
  }

  /** Woken from sleep, back online or tab shown: verify the socket now. */
  checkNow() {
    if (this.stopped) return;
    if (this.state === 'waiting') {
      this.connect();
    } else if (this.state === 'online') {
      if (this.raw({ type: 'ping' })) {
        this.lastPing = Date.now();
        if (!this.deadline) this.deadline = Date.now() + WAKE_PONG_TIMEOUT_MS;
      } else {
        this.dead();
      }
    }
  }

  tick() {
    const now = Date.now();
    const slept = now - this.lastTick > TICK_MS * 5; // timers were frozen: sleep or throttling
    this.lastTick = now;
    if (this.deadline && now > this.deadline) {
      this.dead();
      return;
    }
    if (slept) {
      this.checkNow();
      return;
    }
    if (this.state === 'online' && now - this.lastPing >= PING_EVERY_MS) {
      this.lastPing = now;
      if (this.raw({ type: 'ping' })) {
        if (!this.deadline) this.deadline = now + PONG_TIMEOUT_MS;
      } else {
        this.dead();
      }
    }
  }
}
