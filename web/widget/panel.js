// Frontdesk visitor widget: the chat panel. An ES module imported by widget.js only when it
// is needed (launcher click, invitation, open chat, or a panel left open on the last page).
// widget.js owns the socket and hands us `conn`; we get every frame through `frame()`. This
// module is what the loader talks to: mount() builds the panel, and every frame the loader
// hands it (and `_closed` when the socket closes) is applied to the state here, then one
// render. The protocol is docs/protocol.md; the delivery rules (acks, resends, resync) are in
// README.md, "Delivery".
//
// The panel is one object, `panel = { conn, state, dom }`, that every function of its modules
// takes first (no globals, no classes):
//
//   panel-state.js       what the panel knows, grouped (connection, chat, transcript, outbox,
//                        refs, ui, offline form, typing, timers); the texts
//   panel-dom.js         element builder, message elements, plain-loop and JSON helpers
//   panel-views.js       the elements (built once), the offline form, render()
//   panel-transcript.js  the message log, its storage, the outbox (delivery)
//   panel-actions.js     what the visitor does, the chat's lifecycle, unread replies (badge,
//                        "(1) " title, sound, `read`) and "Email me this transcript"
//   panel.js             mount(), and every frame from the server applied to the state
//
// Rules kept here: every text from the network or the visitor goes through textContent or
// text nodes (never markup); no inline styles; no globals.

import { messageElement, safeUrl, filtered, t, useLanguage } from './panel-dom.js';
import { errorText, newState, isLive, isOurs } from './panel-state.js';
import { buildDom, render, offlineSent, offlineRefused, restoreRating, ratingAnswer } from './panel-views.js';
import {
  restoreChat, placeInLog, saveChat, addMessage, fromWire, resynced, unconfirmed, dropFromOutbox, markNotSent,
  flushOutbox, confirmDelivery,
} from './panel-transcript.js';
import {
  requestChat, sendMessage, typed, stopTyping, endChat, newChat, acceptInvitation, dismissInvitation, toggle,
  adoptChat, sendChatRequest, chatEnded, resync, buildMail, mailAnswered, replyArrived, showUnread,
} from './panel-actions.js';

/** Builds the panel into the loader's shadow root; returns what the loader calls. */
export function mount(conn) {
  useLanguage(conn.lang, conn.t);
  const panel = { conn, state: newState(conn), dom: null };
  const on = {
    endChat: () => endChat(panel),
    minimise: () => toggle(panel, false, true),
    startChat: () => {
      requestChat(panel);
      render(panel);
      panel.dom.messageBox.focus();
    },
    sendMessage: () => sendMessage(panel),
    typed: () => typed(panel),
    stopTyping: () => stopTyping(panel),
    newChat: () => newChat(panel),
    acceptInvitation: () => acceptInvitation(panel),
    dismissInvitation: () => dismissInvitation(panel),
    // Waiting too long: the offline form, the chat keeps its place; and back to the chat.
    leaveMessage: () => {
      panel.state.ui.leaveMessage = true;
      panel.state.offlineForm.thanked = false;
      render(panel);
      panel.dom.body.querySelector('input').focus();
    },
    // "Attach a file", paste, drop: the upload module (upload.js) loads on first use.
    attach: (list) => {
      const files = []; // a copy: clearing the file input empties its FileList
      for (let i = 0; i < list.length; i++) files.push(list[i]);
      import(conn.origin + '/widget/upload.js').then((m) => m.upload(panel, files), (e) => {
        panel.state.ui.error = t('generic');
        render(panel);
        console.warn('Frontdesk: cannot load the upload module', e);
      });
    },
    backToChat: () => {
      const { ui, offlineForm } = panel.state;
      ui.leaveMessage = offlineForm.thanked = offlineForm.edited = false;
      render(panel);
      panel.dom.messageBox.focus();
    },
  };
  // After every action too (frames: below): the transcript button, the unread count.
  for (const k of Object.keys(on)) {
    const act = on[k];
    on[k] = (e) => {
      act(e);
      showUnread(panel);
    };
  }
  panel.dom = buildDom(conn, on);

  buildMail(panel);
  document.addEventListener('visibilitychange', () => showUnread(panel));

  // Restore the open chat of an earlier page, then catch up on frames (the loader's backlog).
  restoreChat(panel);
  restoreRating(panel);
  render(panel);
  if (conn.store('open') === '1') toggle(panel, true, false, true);
  showUnread(panel);

  return {
    frame: (f) => {
      handleFrame(panel, f);
      showUnread(panel);
    },
    toggle: (open, focus) => {
      toggle(panel, open, focus);
      showUnread(panel);
    },
    // Frontdesk.setLanguage(): conn.t is the new table; the elements again, the log kept.
    relabel: () => {
      useLanguage(conn.lang, conn.t);
      const old = panel.dom;
      panel.dom = buildDom(conn, on);
      old.section.remove();
      old.invitation.remove();
      panel.dom.log.append(...old.log.childNodes);
      panel.dom.messageBox.value = old.messageBox.value;
      panel.dom.badge = old.badge;
      buildMail(panel);
      panel.state.ui.view = null;
      render(panel);
      showUnread(panel);
    },
  };
}

// ── frames: each one from the loader applied to the state, then one render ──

/** Applies one frame, then renders. */
function handleFrame(panel, f) {
  const { state } = panel;
  if (state.connection.skipUntilWelcome && f.type !== 'welcome' && f.type !== '_closed') return;
  switch (f.type) {
    case 'welcome': welcome(panel, f); break;
    case '_closed': closed(panel); break;
    case 'availability':
      state.connection.online = !!f.online;
      state.connection.opensAt = f.opens_at || null;
      break;
    case 'chat.queued':
      if (!adoptChat(panel, f.chat_id, 'pending')) return;
      state.chat.position = f.position;
      // Back in the queue after an agent had it: no queue number, another agent is coming.
      state.chat.requeued = !!f.requeued;
      saveChat(panel);
      break;
    case 'chat.waiting_long': if (isOurs(state, f.chat_id) && state.chat.state === 'pending') state.chat.waitingLong = true; break;
    case 'chat.accepted':
      if (!adoptChat(panel, f.chat_id, 'active')) return;
      state.chat.waitingLong = false;
      if (!state.offlineForm.edited) state.ui.leaveMessage = false; // answered: back to the chat
      state.chat.agent = f.agent_name;
      state.chat.position = null;
      state.chat.requeued = false;
      saveChat(panel);
      break;
    case 'message':
      if (!adoptChat(panel, f.chat_id)) return;
      if (f.from === 'agent' && state.chat.state === 'pending') state.chat.state = 'active';
      const m = fromWire(panel, f);
      if (addMessage(panel, m, true)) {
        saveChat(panel);
        panel.conn.fire('message', { chat_id: f.chat_id, seq: m.seq, from: m.from, kind: m.kind, text: m.body, name: m.name || null, at: m.at });
        if (f.from === 'agent') replyArrived(panel);
      }
      break;
    case 'chat.resync': if (adoptChat(panel, f.chat_id)) resynced(panel, f); break;
    case 'typing': if (isOurs(state, f.chat_id)) agentTyping(panel, !!f.typing); break;
    case 'open_url': openUrl(panel, f); break;
    case 'chat.ended': if (isOurs(state, f.chat_id) && state.chat.state !== 'ended') chatEnded(panel); break;
    case 'invitation': if (!isLive(state) && !state.connection.blocked) state.ui.invitation = f; break;
    case 'ack': ack(panel, f); break;
    case 'error': error(panel, f); break;
    default: return;
  }
  render(panel);
}

/** The socket closed: whatever was in flight is resent after the next welcome. */
function closed(panel) {
  const { state } = panel;
  state.connection.connected = false;
  state.typing.visitor = state.typing.agent = false;
  for (const m of state.outbox.unconfirmed) m.sent = false;
  state.outbox.inFlight = [];
}

/** "Agent is typing…", hidden again after 15 s without news. */
function agentTyping(panel, typing) {
  const { state } = panel;
  state.typing.agent = typing;
  clearTimeout(state.timers.agentTyping);
  if (typing) {
    state.timers.agentTyping = setTimeout(() => {
      state.typing.agent = false;
      render(panel);
    }, 15000);
  }
}

function welcome(panel, w) {
  const { state } = panel;
  const connection = state.connection;
  connection.skipUntilWelcome = false;
  connection.connected = connection.welcomed = true;
  connection.online = !!w.online;
  connection.opensAt = w.opens_at || null;
  state.departments = Array.isArray(w.departments) ? w.departments : null;
  state.rating.scale = (w.features && w.features.rating) || 'off';
  state.features = w.features || {};
  const open = w.chat;
  if (open) {
    // (A seq of another chat, or one the server does not have, comes back as chat.resync.)
    if (state.chat && state.chat.id == null) state.refs.request = null; // our request got through
    const chatState = open.state === 'active' ? 'active' : 'pending';
    state.transcript.endedChats.delete(open.chat_id); // the server's word wins
    if (isOurs(state, open.chat_id)) state.chat.state = chatState;
    else adoptChat(panel, open.chat_id, chatState);
    if (open.agent_name) state.chat.agent = open.agent_name;
    state.chat.position = open.position;
    state.chat.waitingLong = chatState === 'pending' && !!open.waiting_long;
    saveChat(panel);
    if (!state.ui.autoOpened && !state.ui.open && panel.conn.store('open') !== '0') toggle(panel, true, false);
    state.ui.autoOpened = true;
  } else if (state.chat) {
    if (state.chat.state === 'requesting') sendChatRequest(panel);
    else if (state.chat.state !== 'ended') chatEnded(panel); // it ended while we were away
  }
  flushOutbox(panel);
}

/** Send Link: a new tab, and a card in the log until the link message takes it over. */
function openUrl(panel, f) {
  const { state } = panel;
  if (!adoptChat(panel, f.chat_id)) return;
  const url = safeUrl(f.url);
  if (!url) return;
  try {
    window.open(url.href, '_blank', 'noopener');
  } catch (e) { /* popup blocked: the card below is the way */ }
  const transcript = state.transcript;
  for (const m of transcript.messages.values()) if (m.kind === 'link' && (m.body === f.url || m.body === url.href)) return;
  if (transcript.linkCards.has(f.url)) return;
  const card = messageElement({ from: 'agent', kind: 'link', body: f.url, name: state.chat && state.chat.agent });
  transcript.linkCards.set(f.url, card);
  placeInLog(panel, card, transcript.maxSeq + 0.5);
}

function ack(panel, f) {
  const { state } = panel;
  if (mailAnswered(panel, f)) return;
  const refs = state.refs;
  if (ratingAnswer(panel, f)) return;
  if (f.ref != null) {
    if (f.ref === refs.request) {
      refs.request = null;
      if (f.chat_id != null) adoptChat(panel, f.chat_id, state.chat && state.chat.state === 'requesting' ? 'pending' : undefined);
      flushOutbox(panel);
    } else if (f.ref === refs.offline) {
      offlineSent(panel);
    } else if (f.ref === refs.end) {
      chatEnded(panel);
    } else {
      // A message ack carries the message's client_id as its ref.
      const message = unconfirmed(panel, f.ref);
      if (message && f.seq != null) {
        if (state.transcript.messages.has(f.seq)) dropFromOutbox(panel, message);
        else confirmDelivery(panel, message, f.seq);
      }
    }
    return;
  }
  // An ack without ref but with a seq: the oldest message in flight on this socket.
  if (f.seq == null || state.transcript.messages.has(f.seq)) return;
  const message = f.client_id ? unconfirmed(panel, f.client_id) : state.outbox.inFlight[0];
  if (message) confirmDelivery(panel, message, f.seq);
}

function error(panel, f) {
  const { state } = panel;
  if (mailAnswered(panel, f)) return;
  const refs = state.refs;
  const code = f.code;
  const text = errorText(f);
  if (ratingAnswer(panel, f)) return;
  if (code === 'blocked') {
    // Whatever was refused (a chat request, a message, the offline form): the blocked view.
    state.connection.blocked = true;
    state.ui.invitation = null;
    if (isLive(state)) chatEnded(panel);
    return;
  }
  if (code === 'resync') return resync(panel);
  if (code === 'closed') state.connection.online = false; // closed by the opening hours: the form
  if (f.ref != null && f.ref === refs.offline) return offlineRefused(panel, text);
  const message = f.ref != null ? unconfirmed(panel, f.ref) : undefined; // its client_id is the ref
  if (f.ref != null && f.ref === refs.request) {
    refs.request = null;
    if (code === 'chat_open' && f.chat_id != null) {
      adoptChat(panel, f.chat_id, 'pending');
      return resync(panel); // another tab opened it: fetch it whole
    }
    for (const m of state.outbox.unconfirmed.slice()) markNotSent(panel, m, '');
    state.chat = null;
  } else if (code === 'chat_ended' || (code === 'not_found' && message)) {
    chatEnded(panel); // the chat is over (or gone): its unsent messages are marked "Not sent"
    return;
  } else if (f.ref != null && f.ref === refs.end) {
    refs.end = null;
  } else if (message) {
    if (code === 'rate_limited' || code === 'unavailable') {
      message.sent = false; // try again shortly, same client_id
      state.outbox.inFlight = filtered(state.outbox.inFlight, (m) => m !== message);
      setTimeout(() => {
        flushOutbox(panel);
        render(panel);
      }, 5000);
    } else markNotSent(panel, message, text);
  } else if (f.ref == null && code === 'rate_limited') {
    return; // typing or page views were throttled: nothing the visitor needs to see
  }
  state.ui.error = text;
}
