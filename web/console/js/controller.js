// The glue between the socket and the store: applies every received frame, and offers the
// actions the views call (accept, send, transfer, …). Views never touch the socket.

import { store } from './state.js';
import { beep, desktopNotify } from './notify.js';
import { toast } from './ui/toast.js';
import { newClientId, visitorLabel } from './format.js';
import { chats as chatsApi } from './api.js';
import { onOffered, onOfferEnded, onVisitorUpdate } from './offers.js';
import { chatActions } from './chat-actions.js';
import { fileActions } from './files.js';
import { supervisionActions } from './supervision.js';
import { colleagueActions, onChatUpdated, onJoinInvite } from './colleagues.js';

const POPUP_LINGER_MS = 3500;

export class Controller {
  constructor(conn) {
    this.conn = conn;
    this.syncing = new Map(); // chat_id -> promise of the sync in flight
    this.closing = new Set(); // chats we transferred/closed ourselves
    // Chats this agent put back in the queue with "Close": they show as waiting in Chatting
    // Visitors, but no pop-up, sound or notification asks this agent to take them again.
    this.closedByMe = new Set();
    this.popupTimers = new Map();
    this.takingOver = new Set(); // chats I am taking over (no "transferred to you" pop-up)
  }

  // ───────────────────────────── received frames ─────────────────────────────

  handle(f) {
    switch (f.type) {
      case 'snapshot': return this.onSnapshot(f);
      case 'chat.requested': return this.onRequested(f.chat);
      case 'chat.offered': return onOffered(this, f);
      case 'chat.offer_ended': return onOfferEnded(this, f);
      case 'chat.taken': return this.onTaken(f);
      case 'chat.transferred': return this.onTransferred(f);
      case 'chat.released': return this.onReleased(Number(f.chat_id));
      case 'chat.join_invite': return onJoinInvite(this, f);
      case 'chat.updated': return onChatUpdated(this, f);
      case 'chat.history': return this.onHistory(f);
      case 'chat.resync': return this.onResync(f);
      case 'message': return this.onMessage(f);
      case 'typing': return store.setTyping(f.chat_id, !!f.typing);
      case 'chat.ended': return this.onEnded(Number(f.chat_id), f.reason, !!f.missed);
      case 'chat.escalated': return this.onEscalated(f.chat);
      case 'agent.presence': return store.upsertAgent(f);
      case 'visitor.update': return onVisitorUpdate(this, f);
      case 'visitor.left': return store.removeVisitor(f.site_id, f.visitor_id);
      case 'visitors.page': return store.addVisitors(f.visitors || [], f.total, f.next);
      case 'visitor.invitation_dismissed': return store.setInvitationDismissed(f.site_id, f.visitor_id, true);
      case 'offline_message': return this.onOffline(f);
      case 'departments': return store.setSiteDepartments(f.site_id, f.departments);
      case 'error':
        if (f.code === 'unauthorized') return undefined; // the socket closes; connection.js checks
        toast(f.message || 'The server refused an action.', { kind: 'error' });
        return undefined;
      default: return undefined; // ack, pong, unknown: nothing to show
    }
  }

  onSnapshot(s) {
    store.setMe({ agent_id: s.agent_id, name: s.name, is_admin: !!s.is_admin, status: s.status });
    store.epoch = s.epoch;
    store.setSites(s.sites || []);
    store.setAgents(s.agents || []);
    store.setDepartments(s.departments || []);
    store.setVisitors(s.visitors || [], s.visitors_total, s.visitors_next);
    store.setChats(s.chats || []);
    // Windows: my active chats and those I joined get one (this restores them after a reload).
    for (const c of store.chats.values()) {
      if (store.mayWrite(c)) store.openWindow(c.chat_id, { activate: false });
    }
    // A window whose chat went back to the queue or to someone else while we were away.
    for (const id of store.windows) {
      const c = store.chat(id);
      if (c && c.state !== 'ended' && !store.inChat(c)) store.patchChat(id, { released: true });
    }
    // Pop-ups for waiting chats; drop those that are no longer waiting.
    let fresh = 0;
    for (const [key, p] of store.popups) {
      const c = store.chat(p.chatId);
      if (p.kind === 'request' && p.status === 'open' && (!c || c.state !== 'pending')) store.setPopup(key, null);
    }
    for (const c of store.waitingChats()) {
      if (this.wantsPopup(c) && !store.popups.has(`req-${c.chat_id}`)) {
        // Offered to me ("Assign automatically"): the offer's pop-up, counting down to its end.
        const offer = c.offered_to != null
          ? { offered: true, deadline: Number(c.offer_expires_at) } : {};
        store.setPopup(`req-${c.chat_id}`, { kind: 'request', chatId: Number(c.chat_id), status: 'open', ...offer });
        fresh += 1;
      }
    }
    if (fresh && store.me.status === 'online') beep('request');
  }

  /** After every snapshot: catch up every open window (the connection flushes the outbox next). */
  onReady() {
    for (const id of store.windows) this.sync(id);
    this.rewatch();
  }

  wantsPopup(chat) {
    if (this.closedByMe.has(Number(chat.chat_id))) return false;
    // Offered to a colleague right now ("Assign automatically"): theirs to answer first.
    if (chat.offered_to != null && !store.isMe(chat.offered_to)) return false;
    const site = store.sites.get(Number(chat.site_id));
    return (!site || site.monitoring !== false) && store.departmentWantsMe(chat);
  }

  onRequested(chat) {
    const c = store.upsertChat(chat);
    if (c.state !== 'pending' || !this.wantsPopup(c)) return;
    const key = `req-${c.chat_id}`;
    clearTimeout(this.popupTimers.get(key));
    store.setPopup(key, { kind: 'request', chatId: Number(c.chat_id), status: 'open' });
    if (store.me?.status === 'online') {
      beep('request');
      desktopNotify('Chat request', `${visitorLabel(c.visitor_name, c.visitor_id)} on ${c.site_name}`, {
        tag: key,
        onClick: () => {
          store.setPage('console');
          store.emit('focus-popup', Number(c.chat_id));
        },
      });
    }
  }

  onTaken({ chat_id, agent_id, agent_name }) {
    const id = Number(chat_id);
    store.patchChat(id, { state: 'active', agent_id, agent_name });
    const key = `req-${id}`;
    if (store.isMe(agent_id)) {
      this.dropPopup(key);
      if (!store.windows.includes(id)) { // accepted in another tab of mine
        const open = () => {
          if (store.chat(id) && !store.windows.includes(id)) store.openWindow(id, { activate: store.active == null });
        };
        if (store.chat(id)) {
          open();
          this.sync(id);
        } else {
          this.sync(id).then(open); // learn the chat (its summary comes with chat.history) first
        }
      }
      return;
    }
    if (store.popups.has(key)) this.lingerPopup(key, { status: 'taken', by: agent_name });
  }

  onTransferred({ chat, from_agent_name }) {
    const id = Number(chat.chat_id);
    store.upsertChat({ ...chat, state: 'active' });
    this.closing.delete(id);
    this.dropPopup(`req-${id}`);
    store.openWindow(id, { activate: store.active == null });
    if (this.takingOver.has(id)) { // my own "Take over": no pop-up
      this.sync(id);
      return;
    }
    store.setPopup(`xfer-${id}`, { kind: 'transferred', chatId: id, fromName: from_agent_name });
    beep('transfer');
    desktopNotify('Chat transferred', `${from_agent_name} transferred a chat to you`, {
      tag: `xfer-${id}`,
      onClick: () => {
        store.setPage('console');
        store.setActive(id);
        store.emit('focus-composer', id);
      },
    });
    this.sync(id);
  }

  onReleased(id) {
    if (this.closing.has(id)) {
      this.closing.delete(id);
      store.closeWindow(id);
      return;
    }
    const c = store.patchChat(id, { released: true });
    if (c && store.windows.includes(id)) {
      toast(`The chat with ${visitorLabel(c.visitor_name, c.visitor_id)} is no longer yours.`);
    }
  }

  onHistory(f) {
    const id = Number(f.chat.chat_id);
    const before = store.lastSeq(id);
    store.upsertChat(f.chat);
    const added = store.addMessages(id, f.messages || []);
    if (before > 0) {
      for (const m of added) if (m.from === 'visitor') store.bumpUnread(id);
    }
    if (f.chat.state === 'ended' && !f.chat.missed && !store.windows.includes(id)) store.dropChat(id);
    if (f.more && f.ref == null) this.sync(id); // unsolicited (after a transfer): fetch the rest
  }

  /** A gap beyond the server's replay window: its latest messages replace ours. */
  onResync(f) {
    const id = Number(f.chat.chat_id);
    store.upsertChat(f.chat);
    store.replaceMessages(id, f.messages || [], Number(f.chat.last_seq), !f.complete);
    if (f.chat.state === 'ended' && !f.chat.missed && !store.windows.includes(id)) store.dropChat(id);
  }

  /** "Load transcript": what a resync left out, over REST. */
  async loadLeftOut(chatId) {
    try {
      const res = await chatsApi.get(chatId);
      store.fillMessages(chatId, res.messages || []);
    } catch (err) {
      toast(err.message, { kind: 'error' });
    }
  }

  onMessage(m) {
    const id = Number(m.chat_id);
    const expected = store.lastSeq(id) + 1;
    const added = store.addMessages(id, [m]);
    if (!added.length) return;
    if (m.from === 'visitor') {
      store.setTyping(id, false);
      store.bumpUnread(id);
      if (!store.isLookingAt(id)) {
        beep('message');
        const c = store.chat(id);
        desktopNotify(c ? visitorLabel(c.visitor_name, c.visitor_id) : 'New message', m.body, {
          tag: `msg-${id}`,
          onClick: () => {
            store.setPage('console');
            store.setActive(id);
            store.emit('focus-composer', id);
          },
        });
      }
    }
    // A gap (a frame lost while reconnecting): ask for what is missing.
    if (Number(m.seq) > expected && store.windows.includes(id)) this.sync(id);
  }

  onEnded(id, reason, missed) {
    const c = store.patchChat(id, missed
      ? { state: 'ended', end_reason: reason, missed: true }
      : { state: 'ended', end_reason: reason });
    store.setTyping(id, false);
    const key = `req-${id}`;
    if (store.popups.has(key)) this.lingerPopup(key, { status: 'gone', reason: null });
    // A "Missed" chat stays listed (badge "Missed") for the rest of the day.
    if (c && !c.missed && !store.windows.includes(id)) store.dropChat(id);
  }

  /** A chat waited too long: a highlighted pop-up and a second sound, On-Line or Away. */
  onEscalated(chat) {
    const c = store.upsertChat(chat);
    if (c.state !== 'pending') return;
    const site = store.sites.get(Number(c.site_id));
    if (site && site.monitoring === false) return;
    const key = `req-${c.chat_id}`;
    clearTimeout(this.popupTimers.get(key));
    store.setPopup(key, { kind: 'request', chatId: Number(c.chat_id), status: 'open', escalated: true });
    beep('escalation');
    desktopNotify('Waiting too long', `${visitorLabel(c.visitor_name, c.visitor_id)} on ${c.site_name}`, {
      tag: `esc-${c.chat_id}`,
      onClick: () => {
        store.setPage('console');
        store.emit('focus-popup', Number(c.chat_id));
      },
    });
  }

  onOffline(f) {
    store.addOffline(f);
    toast(`New offline message from ${f.name || f.email} (${store.siteName(f.site_id)}).`);
    beep('offline');
  }

  lingerPopup(key, patch) {
    const p = store.popups.get(key);
    if (!p) return;
    store.setPopup(key, { ...p, ...patch });
    clearTimeout(this.popupTimers.get(key));
    this.popupTimers.set(key, setTimeout(() => this.dropPopup(key), POPUP_LINGER_MS));
  }

  dropPopup(key) {
    clearTimeout(this.popupTimers.get(key));
    this.popupTimers.delete(key);
    if (store.popups.has(key)) store.setPopup(key, null);
  }

  // ───────────────────────────────── actions ─────────────────────────────────

  /** "Start Chatting". Resolves true when the chat is ours and its window is open. */
  async accept(chatId) {
    const id = Number(chatId);
    const key = `req-${id}`;
    const p = store.popups.get(key);
    if (p) store.setPopup(key, { ...p, status: 'accepting' });
    try {
      await this.conn.request({ type: 'accept', chat_id: id });
    } catch (err) {
      const c = store.chat(id);
      if (err.code === 'chat_taken') {
        const by = c && !store.isMe(c.agent_id) && c.agent_name ? c.agent_name : 'another agent';
        if (store.popups.has(key)) this.lingerPopup(key, { status: 'taken', by });
        else toast(`Taken by ${by}.`);
      } else if (err.code === 'offered_to_other' && store.popups.has(key)) {
        this.lingerPopup(key, { status: 'gone', reason: err.message }); // "Assign automatically"
      } else if (err.code === 'chat_ended') {
        if (store.popups.has(key)) this.lingerPopup(key, { status: 'gone', reason: null });
        else toast('The visitor has left.');
        store.patchChat(id, { state: 'ended' });
      } else {
        if (store.popups.has(key)) store.setPopup(key, { ...store.popups.get(key), status: 'open' });
        toast(err.message, { kind: 'error' });
      }
      return false;
    }
    store.patchChat(id, { state: 'active', agent_id: store.me.agent_id, agent_name: store.me.name, released: false });
    this.dropPopup(key);
    store.openWindow(id, { activate: true });
    store.emit('focus-composer', id);
    this.sync(id);
    return true;
  }

  acceptOldest() {
    const oldest = store.waitingChats().find((c) => !this.closedByMe.has(Number(c.chat_id))
      && (c.offered_to == null || store.isMe(c.offered_to)));
    if (!oldest) {
      toast('No visitor is waiting.');
      return;
    }
    this.accept(oldest.chat_id);
  }

  /** Enter on a list entry: accept a waiting chat, show a chat of mine. */
  openChat(chatId) {
    const c = store.chat(chatId);
    if (!c) return;
    if (c.state === 'pending') this.accept(c.chat_id);
    else if (store.mayWrite(c)) {
      store.openWindow(c.chat_id, { activate: true });
      store.emit('focus-composer', Number(c.chat_id));
    } else if (c.state === 'active') {
      toast(`${c.agent_name || 'Another agent'} is chatting with ${visitorLabel(c.visitor_name, c.visitor_id)}.`);
    } else if (c.missed) { // read what the visitor wrote
      store.openWindow(c.chat_id, { activate: true });
      this.sync(c.chat_id);
    }
  }

  /** Catch up a chat: `sync` after the highest seq held, page by page while `more`. */
  sync(chatId) {
    const id = Number(chatId);
    if (this.syncing.has(id)) {
      this.syncing.get(id).again = true;
      return this.syncing.get(id).promise;
    }
    const job = { again: false };
    job.promise = (async () => {
      let resynced = false;
      try {
        for (let pages = 0; pages < 100; pages += 1) {
          job.again = false;
          let res;
          try {
            res = await this.conn.request({ type: 'sync', chat_id: id, after: store.lastSeq(id) });
          } catch (err) {
            if (err.code === 'resync' && !resynced) {
              resynced = true;
              store.clearMessages(id);
              continue;
            }
            if (err.code === 'not_found') store.patchChat(id, { released: true });
            else if (err.code !== 'offline') toast(err.message, { kind: 'error' });
            return;
          }
          if (!(res && res.more) && !job.again) return;
        }
      } finally {
        this.syncing.delete(id);
      }
    })();
    this.syncing.set(id, job);
    return job.promise;
  }

  sendText(chatId, body) {
    return this.post(Number(chatId), 'text', body, (client_id) => ({ type: 'message', chat_id: Number(chatId), client_id, body }));
  }

  /** An internal note: stored in the chat for its agents only (never the visitor). */
  sendNote(chatId, body) {
    return this.post(Number(chatId), 'note', body, (client_id) => ({ type: 'note', chat_id: Number(chatId), client_id, body }));
  }

  sendLink(chatId, url) {
    return this.post(Number(chatId), 'link', url, (client_id) => ({ type: 'link', chat_id: Number(chatId), client_id, url }));
  }

  post(id, kind, body, frameOf, clientId = newClientId()) {
    store.addLocal(id, { client_id: clientId, kind, body, created_at: Date.now() });
    const promise = this.conn.enqueue(frameOf(clientId));
    promise.then((ack) => {
      const seq = ack && ack.seq != null ? Number(ack.seq) : null;
      store.patchLocal(id, clientId, { status: 'sent', seq });
      // The message itself normally follows as a `message` frame; if not, fetch it.
      setTimeout(() => {
        if (store.local.get(id)?.has(clientId)) this.sync(id);
      }, 1000);
    }, (err) => {
      store.patchLocal(id, clientId, { status: 'failed', error: err.message });
    });
    return promise;
  }

  retry(chatId, clientId) {
    const e = store.local.get(Number(chatId))?.get(clientId);
    if (!e) return;
    store.removeLocal(chatId, clientId);
    const id = Number(chatId);
    const frameOf = e.kind === 'link'
      ? (cid) => ({ type: 'link', chat_id: id, client_id: cid, url: e.body })
      : (cid) => ({ type: e.kind === 'note' ? 'note' : 'message', chat_id: id, client_id: cid, body: e.body });
    this.post(id, e.kind, e.body, frameOf, clientId).catch(() => {});
  }

  discard(chatId, clientId) {
    this.conn.discard(clientId);
    store.removeLocal(chatId, clientId);
  }

  sendTyping(chatId, typing) {
    this.conn.send({ type: 'typing', chat_id: Number(chatId), typing: !!typing });
  }
}

// Handing a chat on, ending it, and the agent's own state: see chat-actions.js.
Object.assign(Controller.prototype, chatActions, supervisionActions);
// "Invite Agent", "Join chat", "Leave chat": see colleagues.js.
Object.assign(Controller.prototype, colleagueActions);
// Files: the agent's upload ("Attach"); see files.js.
Object.assign(Controller.prototype, fileActions);
