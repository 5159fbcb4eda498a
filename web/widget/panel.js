// Frontdesk visitor widget: the chat panel. An ES module imported by widget.js only when it
// is needed (launcher click, invitation, open chat, or a panel left open on the last page).
// widget.js owns the socket and hands us `conn`; we get every frame through `frame()`.
//
// Rules kept here: every text from the network or the visitor goes through textContent or
// text nodes (never markup); no inline styles; no globals.

const THANKS = 'Thank you — we will reply by email.';
const BLOCKED = 'Chat is unavailable today.';
const ENDED = 'This chat has ended.';
const GAP = 'Earlier messages are not shown.';
const GENERIC = 'Something went wrong. Please try again.';
const OFFLINE_NOW = 'You are offline. Please try again in a moment.';
const ERRORS = {
  blocked: BLOCKED,
  too_long: 'Your message is too long.',
  empty: 'Please type a message.',
  rate_limited: 'You are sending messages too quickly. Please wait a moment.',
  chat_ended: ENDED,
  unavailable: GENERIC,
  internal: GENERIC,
};
const PENDING_KEY = 1e12; // sort key base for messages not yet numbered by the server
const KEEP = 200; // messages kept in localStorage for the open chat

/** Element builder. `text` sets textContent; `on*` adds listeners; anything else is an attribute. */
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const kid of kids) if (kid != null && kid !== false) e.append(kid);
  return e;
}

function icon(d) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', d);
  svg.append(p);
  return svg;
}

/** JSON that survives a host page which patched Array.prototype.toJSON (old Prototype.js). */
function enc(v) {
  return JSON.stringify(v, function (k, x) {
    const o = this[k];
    return Array.isArray(o) ? o : x;
  });
}

function uuid() {
  const c = globalThis.crypto;
  if (c && c.randomUUID) return c.randomUUID(); // secure contexts only
  const b = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += (b[i] + 256).toString(16).slice(1);
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

/** An http(s) URL object, or null for anything else (javascript:, data:, junk). */
function safeUrl(s) {
  try {
    const u = new URL(String(s));
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch (e) {
    return null;
  }
}

function clock(ms) {
  try {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  } catch (e) {
    return '';
  }
}

// Host pages patch the higher-order Array.prototype methods (map, filter, find, forEach, …),
// sometimes with versions that throw: we use plain loops instead.

/** The items of `a` for which `pred` holds (Array.prototype.filter without it). */
function keep(a, pred) {
  const out = [];
  for (const x of a) if (pred(x)) out.push(x);
  return out;
}

/** The first item of `a` for which `pred` holds, or undefined. */
function findIn(a, pred) {
  for (const x of a) if (pred(x)) return x;
  return undefined;
}

function parse(s) {
  try {
    return JSON.parse(s);
  } catch (e) {
    return null;
  }
}

export function mount(conn) {
  const { root, box, launcher: btn, store } = conn;

  const S = {
    online: conn.online,
    connected: conn.connected,
    welcomed: conn.connected,
    blocked: false,
    open: false,
    view: null,
    chat: null, // { id, state: 'requesting'|'pending'|'active'|'ended', agent, position }
    msgs: new Map(), // seq -> { seq, from, kind, body, client_id, at, name }
    maxSeq: 0,
    out: [], // outgoing not yet numbered: { client_id, body, chat, el, sent }
    inflight: [], // sent on this socket and not yet acked, oldest first
    cards: new Map(), // url -> card element from open_url, until its message arrives
    gone: new Set(), // ids of chats that ended here: late frames about them are ignored
    invite: null,
    reqRef: null,
    endRef: null,
    offRef: null,
    thanks: false,
    offDirty: false,
    err: '',
    typing: false,
    agentTyping: false,
    autoOpened: false,
    skip: false, // ignore frames until the next welcome (after a resync)
    n: 0,
    tt: 0,
    att: 0,
  };

  // ── DOM ──
  const title = h('h2', { id: 'fd-title', class: 'fd-title', text: 'Chat with us' });
  const sub = h('p', { class: 'fd-sub' });
  const endBtn = h('button', { type: 'button', class: 'fd-btn fd-ghost fd-end', text: 'End chat', onclick: endChat });
  const minBtn = h('button', { type: 'button', class: 'fd-icon', 'aria-label': 'Minimise chat', title: 'Minimise', onclick: () => toggle(false, true) },
    icon('M5 12h14'));
  const body = h('div', { class: 'fd-body' });
  const panel = h('section', { id: 'fd-panel', class: 'fd-panel', role: 'dialog', 'aria-labelledby': 'fd-title', hidden: true },
    h('header', { class: 'fd-head' }, h('div', { class: 'fd-head-text' }, title, sub), endBtn, minBtn),
    body);
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      toggle(false, true);
    }
  });

  // Chat view.
  const log = h('div', { class: 'fd-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' });
  const typing = h('p', { class: 'fd-typing', 'aria-live': 'polite' });
  const status = h('div', { class: 'fd-status', role: 'status' });
  const err = h('p', { class: 'fd-error', role: 'alert' });
  const nameIn = h('input', { id: 'fd-name', class: 'fd-input', type: 'text', autocomplete: 'name', maxlength: 80, 'aria-describedby': 'fd-name-hint', value: store('name') || '' });
  const intro = h('div', { class: 'fd-intro' },
    h('p', { class: 'fd-lead', text: 'Hi! How can we help? Type your question below.' }),
    h('label', { for: 'fd-name', class: 'fd-label', text: 'Your name' }),
    h('span', { id: 'fd-name-hint', class: 'fd-hint', text: '(optional)' }),
    nameIn,
    h('button', { type: 'button', class: 'fd-btn fd-ghost', text: 'Start chat', onclick: () => { requestChat(); render(); ta.focus(); } }));
  const ta = h('textarea', { id: 'fd-msg', class: 'fd-input fd-ta', rows: 2, placeholder: 'Type your message…', enterkeyhint: 'send' });
  const compose = h('form', { class: 'fd-compose', onsubmit: (e) => { e.preventDefault(); sendMessage(); } },
    h('label', { for: 'fd-msg', class: 'fd-vh', text: 'Message' }),
    ta,
    h('button', { type: 'submit', class: 'fd-btn fd-send', text: 'Send' }));
  const newBtn = h('button', { type: 'button', class: 'fd-btn fd-new', text: 'Start a new chat', hidden: true, onclick: newChat });
  const chatView = h('div', { class: 'fd-chat' }, log, typing, status, err, intro, newBtn, compose);

  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendMessage();
    }
  });
  ta.addEventListener('input', () => {
    if (!ta.value) return stopTyping();
    if (!live() || S.chat.id == null) return;
    if (!S.typing) S.typing = conn.send({ type: 'typing', typing: true });
    clearTimeout(S.tt);
    S.tt = setTimeout(stopTyping, 3000);
  });
  ta.addEventListener('blur', stopTyping);

  // Blocked view.
  const blockedView = h('div', { class: 'fd-blocked' }, h('p', { role: 'alert', class: 'fd-lead', text: BLOCKED }));

  // Offline view: built fresh each time it is shown.
  let off = null;
  function offlineView() {
    const oerr = h('p', { class: 'fd-error', role: 'alert' });
    const ostat = h('p', { class: 'fd-thanks', role: 'status' });
    const obtn = h('button', { type: 'submit', class: 'fd-btn fd-send', text: 'Send' });
    const oname = h('input', { id: 'fd-oname', class: 'fd-input', type: 'text', autocomplete: 'name', maxlength: 80, value: store('name') || '' });
    const oemail = h('input', { id: 'fd-oemail', class: 'fd-input', type: 'email', autocomplete: 'email', required: true, maxlength: 254 });
    const obody = h('textarea', { id: 'fd-obody', class: 'fd-input fd-ta', rows: 5, required: true });
    const form = h('form', {
      class: 'fd-offline',
      oninput: () => { S.offDirty = true; },
      onsubmit: (e) => {
        e.preventDefault();
        if (S.offRef) return;
        const name = oname.value.trim();
        if (name) store('name', name);
        const ref = 'o' + ++S.n;
        if (!conn.send({ type: 'offline_message', ref, name, email: oemail.value.trim(), body: obody.value.trim() })) {
          oerr.textContent = OFFLINE_NOW;
          return;
        }
        S.offRef = ref;
        oerr.textContent = '';
        obtn.setAttribute('aria-disabled', 'true'); // not .disabled: Firefox would drop its focus
      },
    },
    h('p', { class: 'fd-lead', text: 'Nobody is available to chat right now. Leave a message and we will reply by email.' }),
    h('label', { for: 'fd-oname', class: 'fd-label', text: 'Your name' }), oname,
    h('label', { for: 'fd-oemail', class: 'fd-label', text: 'Email' }), oemail,
    h('label', { for: 'fd-obody', class: 'fd-label', text: 'Message' }), obody,
    oerr, obtn);
    off = { form, oerr, ostat, obtn };
    return h('div', { class: 'fd-off' }, ostat, form);
  }

  // Invitation: a small dialog; floats above the launcher, or sits in the open panel.
  const invName = h('p', { id: 'fd-inv-name', class: 'fd-inv-name' });
  const invText = h('p', { id: 'fd-inv-text', class: 'fd-inv-text' });
  const invite = h('div', { class: 'fd-invite', role: 'dialog', 'aria-labelledby': 'fd-inv-name', 'aria-describedby': 'fd-inv-text', hidden: true },
    invName, invText,
    h('div', { class: 'fd-row' },
      h('button', { type: 'button', class: 'fd-btn', text: 'Accept', onclick: acceptInvite }),
      h('button', { type: 'button', class: 'fd-btn fd-ghost', text: 'Dismiss', onclick: dismissInvite })));

  invite.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') dismissInvite();
  });
  box.append(panel, invite);
  btn.setAttribute('aria-controls', 'fd-panel');
  btn.hidden = false;

  // ── helpers ──
  const live = () => !!S.chat && S.chat.state !== 'ended';
  // Set text only when it changes, so live regions do not announce it again.
  const txt = (el, t) => {
    if (el.textContent !== t) el.textContent = t;
  };
  const isMine = (id) => !!S.chat && S.chat.id === id;

  function say(el, lines) {
    const ps = [];
    let text = '';
    for (const l of lines) {
      text += l + '\n';
      ps.push(h('p', { text: l }));
    }
    if (el.fdText === text) return; // unchanged: do not re-announce
    el.fdText = text;
    el.replaceChildren(...ps);
  }

  /** Put a message element at its place in the log, ordered by sort key. */
  function place(el, key) {
    el.fdKey = key;
    let ref = null;
    for (let n = log.lastElementChild; n && (n === el || n.fdKey > key); n = n.previousElementSibling) if (n !== el) ref = n;
    if (el.parentNode === log && el.nextElementSibling === ref) return; // already there
    const stick = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    log.insertBefore(el, ref);
    if (stick || key >= PENDING_KEY) log.scrollTop = log.scrollHeight;
  }

  function msgEl(m) {
    const from = m.from === 'agent' || m.from === 'visitor' ? m.from : 'system';
    const el = h('div', { class: 'fd-msg fd-' + from });
    if (from === 'agent') el.append(h('span', { class: 'fd-who', text: m.name || 'Agent' }));
    if (from === 'visitor') el.append(h('span', { class: 'fd-vh', text: 'You:' }));
    const u = m.kind === 'link' && safeUrl(m.body);
    el.append(u ? card(u) : h('p', { class: 'fd-text', text: m.body }));
    el.append(h('span', { class: 'fd-meta', text: m.at ? clock(m.at) : '' }));
    return el;
  }

  function card(u) {
    return h('a', { class: 'fd-card', href: u.href, target: '_blank', rel: 'noopener noreferrer' },
      h('span', { class: 'fd-card-host', text: u.hostname }),
      h('span', { class: 'fd-card-url', text: u.href }),
      h('span', { class: 'fd-card-go', text: 'Open link' }));
  }

  const setMeta = (el, text, cls) => {
    el.classList.remove('fd-sending', 'fd-failed');
    if (cls) el.classList.add(cls);
    el.lastChild.textContent = text;
  };

  function save() {
    if (!live() || S.chat.id == null) return;
    const msgs = [...S.msgs.values()].sort((a, b) => a.seq - b.seq).slice(-KEEP);
    store('chat', enc({ chat: S.chat.id, seq: S.maxSeq, state: S.chat.state, agent: S.chat.agent || null, msgs }));
  }

  function saveOut() {
    const out = [];
    for (const m of S.out) if (m.chat != null) out.push({ c: m.client_id, b: m.body, chat: m.chat });
    store('out', out.length ? enc(out) : null);
  }

  function clearLog() {
    S.msgs.clear();
    S.cards.clear();
    S.maxSeq = 0;
    log.replaceChildren();
    for (const m of S.out) place(m.el, m.el.fdKey);
  }

  /** Make `id` our chat (a new one starts with a fresh transcript). False: an ended chat. */
  function adopt(id, state) {
    if (id == null) return !!S.chat;
    if (S.chat && S.chat.id === id) {
      if (state && S.chat.state !== 'ended') S.chat.state = state;
      return true;
    }
    if (S.gone.has(id)) return false;
    if (S.chat && S.chat.id != null) {
      clearLog();
      for (const m of keep(S.out, (o) => o.chat != null && o.chat !== id)) dropOut(m).el.remove();
    }
    S.chat = { id, state: state || 'pending', agent: null, position: null };
    for (const m of S.out) m.chat = id;
    save();
    saveOut();
    return true;
  }

  const outById = (id) => findIn(S.out, (o) => o.client_id === id);

  function dropOut(m) {
    S.out = keep(S.out, (o) => o !== m);
    S.inflight = keep(S.inflight, (o) => o !== m);
    return m;
  }

  function fail(m, text) {
    dropOut(m);
    setMeta(m.el, 'Not sent' + (text ? ': ' + text : ''), 'fd-failed');
    saveOut();
  }

  function addMsg(m, fresh) {
    if (S.msgs.has(m.seq)) return false;
    S.msgs.set(m.seq, m);
    if (m.seq > S.maxSeq) S.maxSeq = m.seq;
    let el = null;
    const mine = m.client_id && outById(m.client_id);
    if (mine) {
      el = mine.el;
      dropOut(mine);
      saveOut();
    } else if (m.kind === 'link' && S.cards.has(m.body)) {
      el = S.cards.get(m.body);
      S.cards.delete(m.body);
    }
    if (el) setMeta(el, clock(m.at));
    else el = msgEl(m);
    place(el, m.seq);
    if (fresh && m.from === 'agent') {
      S.agentTyping = false;
      if (!S.open) btn.classList.add('fd-unread');
    }
    return true;
  }

  // ── actions ──
  function requestChat() {
    if (live()) return;
    if (S.chat) newChat(true);
    const name = nameIn.value.trim();
    if (name) store('name', name);
    S.chat = { id: null, state: 'requesting', agent: null, position: null };
    S.reqRef = 'r' + ++S.n;
    S.err = '';
    sendRequest();
  }

  function sendRequest() {
    const f = { type: 'chat_request', ref: S.reqRef };
    const name = store('name');
    if (name) f.name = name;
    conn.send(f);
  }

  function sendMessage() {
    const body = ta.value.trim();
    if (!body || S.blocked) return;
    ta.value = '';
    stopTyping();
    S.err = '';
    if (S.chat && !live()) newChat(true); // after "This chat has ended."
    const el = msgEl({ from: 'visitor', kind: 'text', body });
    setMeta(el, 'Sending…', 'fd-sending');
    const m = { client_id: uuid(), body, chat: S.chat && S.chat.id, el, sent: false };
    S.out.push(m);
    saveOut(); // stored before anything else: a navigation (or a socket that is down) must not lose it
    place(el, PENDING_KEY + ++S.n);
    if (!live()) requestChat();
    flush();
    render();
  }

  /** Send every outgoing message not yet on this socket (a resend keeps its client_id). */
  function flush() {
    if (!S.connected || !live() || S.chat.id == null) return;
    for (const m of S.out) {
      if (m.sent) continue;
      m.chat = S.chat.id;
      if (!conn.send({ type: 'message', client_id: m.client_id, body: m.body })) break;
      m.sent = true;
      S.inflight.push(m);
    }
    saveOut();
  }

  function confirm(m, seq) {
    addMsg({ seq, from: 'visitor', kind: 'text', body: m.body, client_id: m.client_id, at: Date.now() });
    save();
  }

  function stopTyping() {
    clearTimeout(S.tt);
    if (S.typing) {
      S.typing = false;
      conn.send({ type: 'typing', typing: false });
    }
  }

  function endChat() {
    if (!live()) return;
    stopTyping();
    if (S.chat.state === 'requesting' && !S.connected) {
      ended();
      return render();
    }
    S.endRef = 'e' + ++S.n;
    if (!conn.send({ type: 'chat_end', ref: S.endRef })) S.err = OFFLINE_NOW;
    render();
  }

  function ended() {
    if (!S.chat) return;
    if (S.chat.id != null) S.gone.add(S.chat.id);
    S.chat.state = 'ended';
    S.reqRef = S.endRef = null;
    S.agentTyping = false;
    clearTimeout(S.tt);
    S.typing = false;
    for (const m of S.out.slice()) fail(m, '');
    store('chat', null);
    store('out', null);
  }

  function newChat(quiet) {
    S.chat = null;
    S.reqRef = S.endRef = null;
    for (const m of S.out.slice()) dropOut(m);
    clearLog();
    saveOut();
    S.err = '';
    if (quiet !== true) {
      render();
      first().focus();
    }
  }

  function acceptInvite() {
    S.invite = null;
    toggle(true, false);
    requestChat();
    render();
    ta.focus();
  }

  function dismissInvite() {
    const had = root.activeElement && invite.contains(root.activeElement);
    S.invite = null;
    conn.send({ type: 'invitation_dismiss' });
    render();
    if (had) (S.open ? first() : btn).focus();
  }

  function resync() {
    S.skip = true;
    S.connected = false;
    clearLog();
    conn.resync();
  }

  /** Open or minimise. `restore`: reopening a panel left open on an earlier page, which must
   * not ask for a chat by itself (the last one may have ended there). */
  function toggle(open, focus, restore) {
    if (open === undefined) open = !S.open;
    if (focus === undefined) focus = true;
    S.open = open;
    store('open', open ? '1' : '0');
    if (open) btn.classList.remove('fd-unread');
    else if (S.thanks) {
      S.thanks = S.offDirty = false;
      S.view = null; // fresh form next time
    }
    // Opening the panel while an agent is On-Line asks for a chat at once ("Chat with us").
    if (open && !restore && S.online && !S.chat && !S.blocked && S.welcomed) requestChat();
    render();
    if (open) log.scrollTop = log.scrollHeight;
    if (focus) (open ? first() : btn).focus();
  }

  function first() {
    if (S.view === 'chat') return !compose.hidden ? ta : !newBtn.hidden ? newBtn : minBtn;
    return body.querySelector('input, textarea') || minBtn;
  }

  // ── frames ──
  function frame(f) {
    if (S.skip && f.type !== 'welcome' && f.type !== '_closed') return;
    switch (f.type) {
      case 'welcome': welcome(f); break;
      case '_closed':
        S.connected = false;
        S.typing = S.agentTyping = false;
        for (const m of S.out) m.sent = false; // resent after the next welcome
        S.inflight = [];
        break;
      case 'availability': S.online = !!f.online; break;
      case 'chat.queued':
        if (!adopt(f.chat_id, 'pending')) return;
        S.chat.position = f.position;
        save();
        break;
      case 'chat.accepted':
        if (!adopt(f.chat_id, 'active')) return;
        S.chat.agent = f.agent_name;
        S.chat.position = null;
        save();
        break;
      case 'message':
        if (!adopt(f.chat_id)) return;
        if (f.from === 'agent' && S.chat.state === 'pending') S.chat.state = 'active';
        if (addMsg(wire(f), true)) save();
        break;
      case 'chat.resync': if (adopt(f.chat_id)) resynced(f); break;
      case 'typing':
        if (isMine(f.chat_id)) {
          S.agentTyping = !!f.typing;
          clearTimeout(S.att);
          if (f.typing) S.att = setTimeout(() => { S.agentTyping = false; render(); }, 15000);
        }
        break;
      case 'open_url': openUrl(f); break;
      case 'chat.ended': if (isMine(f.chat_id) && S.chat.state !== 'ended') ended(); break;
      case 'invitation': if (!live() && !S.blocked) S.invite = f; break;
      case 'ack': ack(f); break;
      case 'error': error(f); break;
      default: return;
    }
    render();
  }

  const wire = (f) => ({ seq: f.seq, from: f.from, kind: f.kind, body: f.body, client_id: f.client_id, at: f.created_at, name: f.from === 'agent' ? S.chat.agent : undefined });

  /** The gap was too big or too old to replay: the server's latest messages replace ours up
   * to its last_seq (later ones came live); a note says when earlier ones are left out. */
  function resynced(f) {
    const later = keep([...S.msgs.values()], (m) => m.seq > f.last_seq);
    clearLog();
    if (!f.complete) place(h('p', { class: 'fd-msg fd-system', text: GAP }), 0);
    for (const m of f.messages || []) addMsg(wire(m), false);
    for (const m of later) addMsg(m, false);
    save();
  }

  function welcome(w) {
    S.skip = false;
    S.connected = S.welcomed = true;
    S.online = !!w.online;
    const c = w.chat;
    if (c) {
      // (A seq of another chat, or one the server does not have, comes back as chat.resync.)
      if (S.chat && S.chat.id == null) S.reqRef = null; // our request got through
      const state = c.state === 'active' ? 'active' : 'pending';
      S.gone.delete(c.chat_id); // the server's word wins
      if (isMine(c.chat_id)) S.chat.state = state;
      else adopt(c.chat_id, state);
      if (c.agent_name) S.chat.agent = c.agent_name;
      S.chat.position = c.position;
      save();
      if (!S.autoOpened && !S.open && store('open') !== '0') toggle(true, false);
      S.autoOpened = true;
    } else if (S.chat) {
      if (S.chat.state === 'requesting') sendRequest();
      else if (S.chat.state !== 'ended') ended(); // it ended while we were away
    }
    flush();
  }

  function openUrl(f) {
    if (!adopt(f.chat_id)) return;
    const u = safeUrl(f.url);
    if (!u) return;
    try {
      window.open(u.href, '_blank', 'noopener');
    } catch (e) { /* popup blocked: the card below is the way */ }
    for (const m of S.msgs.values()) if (m.kind === 'link' && (m.body === f.url || m.body === u.href)) return;
    if (S.cards.has(f.url)) return;
    const el = msgEl({ from: 'agent', kind: 'link', body: f.url, name: S.chat && S.chat.agent });
    S.cards.set(f.url, el);
    place(el, S.maxSeq + 0.5);
  }

  function ack(f) {
    if (f.ref != null) {
      if (f.ref === S.reqRef) {
        S.reqRef = null;
        if (f.chat_id != null) adopt(f.chat_id, S.chat && S.chat.state === 'requesting' ? 'pending' : undefined);
        flush();
      } else if (f.ref === S.offRef) {
        S.offRef = null;
        S.thanks = true;
        S.offDirty = false;
        if (off) {
          const had = off.form.contains(root.activeElement);
          off.form.remove();
          off.ostat.textContent = THANKS;
          if (had) minBtn.focus(); // the focused Send button is gone: keep focus in the panel
        }
      } else if (f.ref === S.endRef) {
        ended();
      } else {
        // A message ack carries the message's client_id as its ref.
        const m = outById(f.ref);
        if (m && f.seq != null) {
          if (S.msgs.has(f.seq)) dropOut(m);
          else confirm(m, f.seq);
        }
      }
      return;
    }
    // An ack without ref but with a seq: the oldest message in flight on this socket.
    if (f.seq == null || S.msgs.has(f.seq)) return;
    const m = f.client_id ? outById(f.client_id) : S.inflight[0];
    if (m) confirm(m, f.seq);
  }

  function error(f) {
    const code = f.code;
    const text = ERRORS[code] || f.message || GENERIC;
    if (code === 'blocked') {
      S.blocked = true;
      S.invite = null;
      if (live()) ended();
      return;
    }
    if (code === 'resync') return resync();
    if (f.ref != null && f.ref === S.offRef) {
      S.offRef = null;
      if (off) {
        off.oerr.textContent = text;
        off.obtn.removeAttribute('aria-disabled');
      }
      return;
    }
    if (f.ref != null && f.ref === S.reqRef) {
      S.reqRef = null;
      if (code === 'chat_open' && f.chat_id != null) {
        adopt(f.chat_id, 'pending');
        return resync(); // another tab opened it: fetch it whole
      }
      for (const m of S.out.slice()) fail(m, '');
      S.chat = null;
    } else if (code === 'chat_ended' || (code === 'not_found' && f.ref != null && outById(f.ref))) {
      ended(); // the chat is over (or gone): its unsent messages are marked "Not sent"
      return;
    } else if (f.ref != null && f.ref === S.endRef) {
      S.endRef = null;
    } else if (f.ref != null && outById(f.ref)) {
      // An error about one of our messages (its client_id is the ref).
      const m = outById(f.ref);
      if (code === 'rate_limited' || code === 'unavailable') {
        m.sent = false; // try again shortly, same client_id
        S.inflight = keep(S.inflight, (o) => o !== m);
        setTimeout(() => { flush(); render(); }, 5000);
      } else fail(m, text);
    } else if (f.ref == null && code === 'rate_limited') {
      return; // typing or page views were throttled: nothing the visitor needs to see
    }
    S.err = text;
  }

  // ── render: everything but the message list, from state ──
  function view() {
    if (S.blocked) return 'blocked';
    if (S.thanks) return 'offline';
    if (!S.chat && S.welcomed && (!S.online || (S.view === 'offline' && S.offDirty))) return 'offline';
    return 'chat';
  }

  function render() {
    const a = root.activeElement;
    const hadFocus = a && panel.contains(a);
    const v = view();
    if (v !== S.view) {
      S.view = v;
      off = null;
      body.replaceChildren(v === 'chat' ? chatView : v === 'blocked' ? blockedView : offlineView());
    }
    const c = S.chat;
    const st = c ? c.state : null;
    txt(title, v === 'offline' ? 'Leave a message' : st === 'active' && c.agent ? c.agent : 'Chat with us');
    txt(sub, S.connected ? '' : S.welcomed ? 'Reconnecting…' : 'Connecting…');
    endBtn.hidden = v !== 'chat' || !(st === 'pending' || st === 'active' || st === 'requesting');

    let lines = [];
    if (st === 'requesting' || st === 'pending') {
      lines = ['Waiting for an agent…'];
      if (c.position) lines.push('You are number ' + c.position + ' in the queue');
    } else if (st === 'active') lines = ['You are chatting with ' + (c.agent || 'an agent') + '.'];
    else if (st === 'ended') lines = [ENDED];
    say(status, lines);
    txt(typing, S.agentTyping && st === 'active' ? 'Agent is typing…' : '');
    txt(err, S.err);
    intro.hidden = !!c;
    compose.hidden = st === 'ended';
    newBtn.hidden = st !== 'ended';

    if (S.invite) {
      txt(invName, String(S.invite.agent_name || ''));
      txt(invText, String(S.invite.greeting || ''));
      if (S.open) panel.insertBefore(invite, body);
      else if (invite.parentNode !== box) box.insertBefore(invite, btn);
      invite.classList.toggle('fd-inline', S.open);
    }
    invite.hidden = !S.invite;

    panel.hidden = !S.open;
    box.classList.toggle('fd-open', S.open);
    btn.setAttribute('aria-expanded', String(S.open));
    if (hadFocus && S.open && (!panel.contains(a) || a.closest('[hidden]'))) first().focus();
  }

  // ── start: restore the open chat of an earlier page, then catch up on frames ──
  const saved = parse(store('chat'));
  if (saved && saved.chat != null) {
    S.chat = { id: saved.chat, state: saved.state === 'active' ? 'active' : 'pending', agent: saved.agent || null, position: null };
    if (Array.isArray(saved.msgs)) for (const m of saved.msgs) if (m && typeof m.seq === 'number') addMsg(m, false);
    if (saved.seq > S.maxSeq) S.maxSeq = saved.seq;
    const out = parse(store('out'));
    if (Array.isArray(out)) {
      for (const o of out) {
        if (!o || o.chat !== S.chat.id || typeof o.b !== 'string') continue;
        const el = msgEl({ from: 'visitor', kind: 'text', body: o.b });
        setMeta(el, 'Sending…', 'fd-sending');
        S.out.push({ client_id: String(o.c), body: o.b, chat: o.chat, el, sent: false });
        place(el, PENDING_KEY + ++S.n);
      }
    }
  }
  render();
  if (store('open') === '1') toggle(true, false, true);

  return { frame, toggle };
}
