/*! Frontdesk visitor widget: the loader. Embedded by a site as
 *   <script src="https://FRONTDESK/widget.js" data-site="SITE_KEY" async></script>
 * A classic script (so document.currentScript works). It owns the WebSocket, shows the
 * launcher, and imports panel.js (the chat UI) only when it is needed. See README.md. */
(() => {
  'use strict';
  const W = window;
  const D = document;
  const me = D.currentScript || D.querySelector('script[data-site]');
  const site = me && me.getAttribute('data-site');
  if (!site || W.Frontdesk || !W.WebSocket || !D.documentElement.attachShadow) return;

  const origin = new URL(me.src, location.href).origin;
  const K = 'frontdesk:' + site;
  const mem = new Map();
  // Storage may be blocked (throws): an in-memory copy keeps this page working.
  const store = (k, v) => {
    const key = k ? K + ':' + k : K;
    if (v === undefined) {
      if (mem.has(key)) return mem.get(key);
      try { return localStorage.getItem(key); } catch (e) { return null; }
    }
    mem.set(key, v);
    try { v === null ? localStorage.removeItem(key) : localStorage.setItem(key, v); } catch (e) { /* blocked or full */ }
  };

  // Host element: fixed, zero-size, isolated by an (open) shadow root. CSSOM, not style="".
  const host = D.createElement('frontdesk-widget');
  for (const d of 'all:initial;display:block;position:fixed;right:0;bottom:0;width:0;height:0;margin:0;overflow:visible;z-index:2147483647;visibility:visible;opacity:1;transform:none;filter:none'.split(';')) {
    const i = d.indexOf(':');
    host.style.setProperty(d.slice(0, i), d.slice(i + 1), 'important');
  }
  const root = host.attachShadow({ mode: 'open' });
  const el = (tag, cls, parent) => {
    const e = D.createElement(tag);
    if (cls) e.className = cls;
    if (parent) parent.append(e);
    return e;
  };
  const css = el('link');
  css.rel = 'stylesheet';
  css.href = origin + '/widget/widget.css';
  const box = el('div', 'fd');
  box.hidden = true; // until the stylesheet is in: never a flash of unstyled widget
  css.onload = () => { box.hidden = false; };
  const btn = el('button', 'fd-launcher', box);
  btn.type = 'button';
  btn.hidden = true; // until the server has said hello (or the panel is needed)
  btn.setAttribute('aria-expanded', 'false');
  const NS = 'http://www.w3.org/2000/svg';
  const svg = D.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = D.createElementNS(NS, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.append(path);
  btn.append(svg);
  const label = el('span', 'fd-label', btn);
  root.append(css, box);
  const put = () => D.body.append(host);
  D.body ? put() : D.addEventListener('DOMContentLoaded', put);

  const setOnline = (on) => {
    conn.online = on;
    const t = on ? 'Chat with us' : 'Leave a message';
    btn.setAttribute('aria-label', t);
    label.textContent = t;
  };

  // ── connection ──
  const url = origin.replace(/^http/, 'ws') + '/ws/visitor?site=' + encodeURIComponent(site);
  const page = () => ({ url: location.href, title: D.title, referrer: D.referrer || null });
  let ws = null;
  let tries = 0;
  let timer = 0;
  let stop = false;
  let panel = null;
  let loading = null;
  let backlog = []; // frames since the last welcome, for a panel that is not loaded yet

  const send = (f) => {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(f));
      return true;
    }
    return false;
  };
  const emit = (f) => {
    if (panel) panel.frame(f);
    else if (f.type !== 'pong' && backlog.push(f) > 300) backlog.shift();
  };
  const restart = () => {
    const s = ws;
    ws = null;
    conn.connected = false;
    if (s) { s.close(); emit({ type: '_closed' }); }
    connect();
  };
  // What the panel gets: everything it needs, nothing global.
  const conn = {
    site, origin, root, box, launcher: btn, store, send,
    online: true, connected: false, last: {},
    resync: () => { store('chat', null); restart(); },
  };
  setOnline(true);

  function connect() {
    clearTimeout(timer);
    let sock;
    let tick;
    let rx = Date.now();
    let n = 0;
    let href = location.href;
    try { sock = ws = new WebSocket(url); } catch (e) { return; }
    sock.onopen = () => {
      let last = {};
      try { last = JSON.parse(store('chat')) || {}; } catch (e) { /* none */ }
      conn.last = last;
      rx = Date.now();
      send({ type: 'hello', token: store(''), page: page(), last_seq: last.seq || 0 });
      tick = setInterval(() => {
        if (Date.now() - rx > 7e4) return restart(); // silent for 70 s: dead link
        if (++n % 5 === 0) send({ type: 'ping' }); // every 25 s
        if (href !== location.href) {
          href = location.href;
          send({ type: 'page_view', page: page() });
        }
      }, 5e3);
    };
    sock.onmessage = (e) => {
      if (sock !== ws) return;
      let f;
      try { f = JSON.parse(e.data); } catch (x) { return; }
      rx = Date.now();
      const t = f.type;
      if (t === 'welcome') {
        tries = 0;
        conn.connected = true;
        backlog = [];
        store('', f.token);
        if (!f.chat) store('chat', null);
        setOnline(f.online);
        btn.hidden = false;
        if (f.chat || store('open') === '1') load();
      } else if (t === 'availability') setOnline(f.online);
      else if (t === 'invitation') load();
      else if (t === 'error' && !conn.connected && /^(blocked|origin_refused|not_found|forbidden|bad_request)$/.test(f.code)) stop = true;
      emit(f);
    };
    sock.onclose = () => {
      clearInterval(tick);
      if (sock !== ws) return;
      ws = null;
      conn.connected = false;
      emit({ type: '_closed' });
      // Jittered exponential backoff: 0.5 s, 1 s, 2 s … capped at 10 s.
      if (!stop) timer = setTimeout(connect, Math.min(1e4, 500 * 2 ** tries++) * (0.5 + Math.random() / 2));
    };
  }

  function load(open) {
    loading = loading || import(origin + '/widget/panel.js').then((m) => {
      panel = m.mount(conn, backlog);
      backlog = [];
    }).catch((e) => {
      loading = null;
      console.warn('Frontdesk: cannot load the chat panel', e);
    });
    return loading.then(() => panel && open && panel.toggle(true));
  }

  btn.onclick = () => (panel ? panel.toggle() : load(1));
  W.addEventListener('online', () => ws || stop || connect());
  W.Frontdesk = Object.freeze({ open: () => load(1) });
  connect();
  if (store('open') === '1') load();
})();
