/* Frontdesk widget loader (classic script, for document.currentScript): owns the socket,
 * shows the launcher, imports the panel's modules only when needed. See README.md. */
(() => {
  'use strict';
  const W = window;
  const D = document;
  const me = D.currentScript || D.querySelector('script[data-site]');
  const site = me && me.getAttribute('data-site');
  const pre = W.Frontdesk; // the page's queue ({q: []}), or a second copy
  if (!site || (pre && !pre.q) || !W.WebSocket || !D.documentElement.attachShadow) return;

  const origin = new URL(me.src, location.href).origin;
  const K = 'frontdesk:' + site;
  const mem = new Map();
  // localStorage may throw (blocked): the in-memory copy keeps this page working.
  const store = (k, v) => {
    const key = k ? K + ':' + k : K;
    if (v === undefined) {
      if (mem.has(key)) return mem.get(key);
      try { return localStorage.getItem(key); } catch (e) { return null; }
    }
    mem.set(key, v);
    try { v === null ? localStorage.removeItem(key) : localStorage.setItem(key, v); } catch (e) { /* blocked */ }
  };

  // Styled via CSSOM (a strict CSP allows it; style="" it would not); inline !important wins.
  const host = D.createElement('frontdesk-widget');
  for (const d of 'all:initial;display:block;position:fixed;right:0;bottom:0;z-index:2147483647'.split(';')) {
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
  // Stylesheets go in the shadow root in cascade order: widget.css (launcher) now, the
  // panel's two when it loads.
  const sheet = (name, onload, onerror) => {
    const css = el('link', '', root);
    css.rel = 'stylesheet';
    css.onload = onload;
    css.onerror = onerror;
    css.href = origin + '/widget/' + name + '.css';
    return css;
  };
  const box = el('div', 'fd');
  box.hidden = true; // until the stylesheet is in
  sheet('widget', () => { box.hidden = false; });
  const btn = el('button', 'fd-launcher', box);
  btn.type = 'button';
  btn.hidden = true; // until welcome (or the panel)
  btn.setAttribute('aria-expanded', 'false');
  const NS = 'http://www.w3.org/2000/svg';
  const svg = D.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = D.createElementNS(NS, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.append(path);
  btn.append(svg);
  const label = el('span', 'fd-ltext', btn);
  root.append(box);
  // (Re)attach, also after a Turbo/pjax site swaps <body>.
  const put = () => host.isConnected || !D.body || D.body.append(host);
  put();
  D.addEventListener('DOMContentLoaded', put);
  new MutationObserver(put).observe(D.documentElement, { childList: true });

  const setOnline = (on, opensAt) => {
    conn.online = on;
    conn.opensAt = opensAt || null;
    const t = (on && conn.look.launcher_label) || (conn.t || {})[on ? 'chat' : 'leave'] || (on ? 'Chat with us' : 'Leave a message');
    btn.setAttribute('aria-label', t);
    label.textContent = t;
  };

  // Language: README.md, "Languages".
  const pick = (wants) => {
    for (let i = 0; i < wants.length; i++) {
      const c = String(wants[i] || '').toLowerCase().split(/[-_]/)[0];
      if (c && ' en de fr es pt it nl sv pl ja zh ar '.indexOf(' ' + c + ' ') >= 0) return c;
    }
  };
  const N = navigator;
  let lang = pick([me.getAttribute('data-lang'), D.documentElement.lang].concat(N.languages || [N.language]));
  let known;
  const langKnown = new Promise((ok) => { known = ok; });
  let chosen; // the table's import
  const table = (l = lang) => chosen || (chosen = import(origin + '/widget/l10n-' + l + '.js').then((m) => {
    if (l !== lang) return; // another setLanguage()
    conn.t = m.default;
    conn.lang = box.lang = lang;
    box.dir = conn.t.dir || 'ltr';
    setOnline(conn.online, conn.opensAt);
    if (panel) panel.relabel(); // setLanguage()
  }, (e) => {
    chosen = 0;
    throw e;
  }));

  // ── connection ──
  const url = origin.replace(/^http/, 'ws') + '/ws/visitor?site=' + encodeURIComponent(site);
  const page = () => ({ url: location.href, title: D.title, referrer: D.referrer || null });
  let ws = null;
  let tries = 0;
  let timer = 0;
  let stop = false;
  let panel = null;
  let who = me.getAttribute('data-visitor');
  let loading = null;
  let backlog = []; // frames since welcome, for a panel not loaded yet

  const send = (f) => {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(f));
      return true;
    }
    return false;
  };
  const emit = (f) => {
    if (panel) panel.frame(f);
    else if (f.type !== 'pong' && backlog.push(f) > 300) backlog.splice(1, 1); // keep the welcome
  };
  const drop = () => {
    const s = ws;
    ws = null;
    conn.connected = false;
    if (s) { s.close(); emit({ type: '_closed' }); }
  };
  const restart = () => {
    drop();
    connect();
  };
  // No token yet: this browser's own random key, so page views sent by beacon before the first
  // hello and that hello are one visitor (README.md, "Page views by beacon").
  const bkey = () => {
    let k = store('key');
    if (!k) {
      const a = crypto.getRandomValues(new Uint8Array(16));
      k = '';
      for (let i = 0; i < 16; i++) k += (a[i] | 256).toString(16).slice(1);
      store('key', k);
    }
    return k;
  };
  const credentials = () => {
    const token = store('');
    return { token, browser_key: token ? undefined : bkey(), lang };
  };
  let said = 0; // this page's hello is sent
  // Automatic invitations (README.md, "Invitation rules"): welcome.invitation_rules, evaluated
  // as frontdesk_core::invitation_rules does it; the soonest rule that holds fires, once.
  let rules = 0;
  let inv = 0;
  let fired = 0;
  const quiet = () => { clearTimeout(inv); rules = 0; };
  // "Page URL matches": no `*`: a prefix; else a glob over the whole text.
  const glob = (p, u) => {
    const s = p.split('*');
    const n = s.length - 1;
    const z = s[n];
    let i = s[0].length;
    if (u.slice(0, i) !== s[0]) return false;
    for (let j = 1; j < n; j++) {
      i = u.indexOf(s[j], i);
      if (i < 0) return false;
      i += s[j].length;
    }
    return !n || (u.length - i >= z.length && u.slice(u.length - z.length) === z);
  };
  // Seconds on the page after which rule r fires, or -1.
  const due = (r) => {
    const h = location.href;
    return (!r.url || glob(r.url, r.url[0] === '/' ? h.slice(location.origin.length) : h))
      && !(r.pages > (rules.pages || 0))
      && (!r.returning || rules.returning)
      && (!r.referrer || D.referrer.indexOf(r.referrer) >= 0) ? r.seconds || 0 : -1;
  };
  const plan = () => {
    clearTimeout(inv);
    let best;
    let wait = 1e9;
    for (const r of (rules && rules.rules) || []) {
      const s = due(r);
      if (s >= 0 && s < wait) { best = r; wait = s; }
    }
    if (best) {
      inv = setTimeout(() => {
        quiet();
        fired = best; // shown when the server records it (ack): one per visit, whichever tab
        send({ type: 'invitation_auto', ref: 'auto', rule: best.id });
      }, Math.max(0, wait * 1e3 - performance.now()));
    }
  };
  // The panel's handle on everything (no globals).
  // Frontdesk.on()'s handlers (plain loop: hostile pages); one throwing harms no other.
  const fns = new Map();
  const fire = (ev, d) => {
    const a = fns.get(ev) || [];
    for (let i = 0; i < a.length; i++) try { a[i](d); } catch (e) { console.error(e); }
  };
  const conn = {
    fire, site, origin, root, box, launcher: btn, store, send, department: me.getAttribute('data-department'),
    online: true, connected: false, last: {}, look: {},
    resync: () => { store('chat', null); restart(); },
  };
  // The site's "Appearance" (README.md): accent, corner, label; the panel reads the rest. The
  // last page's at once (a panel left open must not jump corners), the welcome's then.
  const look = (a) => {
    conn.look = a = a || {};
    box.style.setProperty('--fd-a', a.accent || '');
    box.classList.toggle('fd-left', a.position === 'left');
  };
  try { look(JSON.parse(store('look'))); } catch (e) { look(); }
  setOnline(true);
  if (lang) {
    known();
    table().catch(() => 0); // again at welcome
  }

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
      said = send(Object.assign({ type: 'hello', page: page(), last_seq: last.seq || 0, chat_id: last.chat, identity: who }, credentials()));
      tick = setInterval(() => {
        if (Date.now() - rx > 7e4) return restart(); // silent 70 s: dead
        if (++n % 5 === 0) send({ type: 'ping' }); // every 25 s
        if (href !== location.href) {
          href = location.href;
          send({ type: 'page_view', page: page() });
          if (rules) rules.pages = (rules.pages || 0) + 1; // a single-page site's next page
          plan();
        }
      }, 5e3);
    };
    sock.onmessage = (e) => {
      if (sock !== ws) return;
      let f;
      try { f = JSON.parse(e.data); } catch (x) { return; }
      rx = Date.now();
      const t = f.type;
      if (f.ref === 'auto') { // the answer to invitation_auto
        if (t === 'ack' && fired) {
          load();
          emit({ type: 'invitation', agent_name: (conn.t || {}).chat || 'Chat with us', greeting: fired.greeting });
        }
        fired = 0;
        return;
      }
      if (t === 'welcome') {
        tries = 0;
        conn.connected = true;
        backlog = [];
        store('', f.token);
        store('key', null);
        if (!f.chat) store('chat', null);
        look(f.appearance);
        store('look', f.appearance ? JSON.stringify(f.appearance) : null);
        setOnline(f.online, f.opens_at);
        lang = lang || pick([f.language]) || 'en';
        known();
        const show = () => { btn.hidden = false; };
        table().then(show, show); // English if the table fails
        if (f.chat || store('open') === '1') load();
        rules = f.invitation_rules;
        plan();
      } else if (t === 'availability') {
        setOnline(f.online, f.opens_at);
        // Offline: the pending rule waits; On-Line again: it is due as if never stopped.
        f.online ? plan() : clearTimeout(inv);
      } else if (t === 'invitation') {
        quiet();
        load();
      }
      else if (t === 'error' && !conn.connected && /^(blocked|origin_refused|not_found|forbidden|bad_request)$/.test(f.code)) stop = true;
      emit(f);
    };
    sock.onclose = (e) => {
      clearInterval(tick);
      if (sock !== ws) return;
      ws = null;
      conn.connected = false;
      emit({ type: '_closed' });
      if (e.code === 1008) stop = true; // policy: origin or site refused
      // Jittered exponential backoff: 0.5, 1, 2 … 10 s.
      if (!stop) timer = setTimeout(connect, Math.min(1e4, 500 * 2 ** tries++) * (0.5 + Math.random() / 2));
    };
  }

  const panelSheet = (name) => new Promise((ok, fail) => {
    const css = sheet(name, ok, () => { css.remove(); fail(new Error(name + '.css')); });
  });
  // The panel's modules, panel.js first, imported at once: one round trip, not one per level
  // of imports. e2e/widget-modules.test.mjs checks the list.
  const PANEL_MODULES = 'panel panel-state panel-dom panel-views panel-transcript panel-actions';
  let want;
  function load(open) {
    if (open) quiet(want = 1);
    // The panel mounts once its modules and its stylesheets are in (never unstyled).
    if (!loading) {
      const parts = [];
      for (const m of PANEL_MODULES.split(' ')) parts.push(import(origin + '/widget/' + m + '.js'));
      parts.push(panelSheet('widget-panel'), panelSheet('widget-forms'), langKnown.then(table));
      loading = Promise.all(parts).then((r) => {
        panel = r[0].mount(conn);
        const b = backlog;
        backlog = [];
        for (const f of b) panel.frame(f);
      }).catch((e) => {
        loading = null;
        console.warn('Frontdesk: cannot load the chat panel', e);
      });
    }
    return loading.then(() => panel && want && panel.toggle(!(want = 0)));
  }

  btn.onclick = () => (panel ? panel.toggle() : load(1));
  W.addEventListener('online', () => ws || stop || connect());
  // Leaving: a page whose socket never said hello reports its page view by beacon; the socket
  // closes, so the page may enter the back/forward cache, and reconnects (and catches up) when
  // it is shown from there.
  W.addEventListener('pagehide', () => {
    if (!said && !stop && N.sendBeacon) {
      N.sendBeacon(origin + '/visitor/page-views?site=' + encodeURIComponent(site), JSON.stringify(Object.assign({ page: page() }, credentials())));
    }
    said = 1;
    clearTimeout(timer);
    drop();
  });
  W.addEventListener('pageshow', (e) => {
    if (e.persisted && !stop) {
      said = 0;
      connect();
    }
  });
  // README.md, "JavaScript API".
  const api = W.Frontdesk = Object.freeze({
    open: () => { load(1); },
    close: () => { want = 0; if (panel) panel.toggle(false, false); },
    hide: () => btn.style.setProperty('display', 'none', 'important'),
    show: () => btn.style.removeProperty('display'),
    on: (ev, fn) => { if (typeof fn == 'function') fns.set(ev, (fns.get(ev) || []).concat(fn)); },
    identify: (o) => { who = o; ws && ws.readyState == 1 && restart(); },
    logout: () => { who = null; store('', null); store('name', null); ws && conn.resync(); },
    setLanguage: (c) => {
      c = pick([c]);
      if (!c || c === lang) return;
      lang = c;
      chosen = 0;
      known();
      table().catch(() => 0);
    },
  });
  connect();
  if (store('open') === '1') load();
  for (const c of (pre && pre.q) || []) {
    const a = [].slice.call(c);
    if (api[a[0]]) api[a[0]].apply(api, a.slice(1));
  }
})();
