// Frontdesk visitor widget: what the visitor does (ask for a chat, send, type, end, start a new
// chat, answer an invitation, open and minimise) and the chat's lifecycle that follows from
// it (adopting the chat the server names, ending it, resyncing it).
//
// Every function takes `panel`: { conn, state, dom } (see panel.js).

import { filtered } from './panel-dom.js';
import { OFFLINE_NOW, isLive, nextRef } from './panel-state.js';
import { clearLog, saveChat, saveOutbox, dropFromOutbox, markNotSent, queueMessage, flushOutbox } from './panel-transcript.js';
import { render, firstFocusable } from './panel-views.js';

/** Makes chat `id` ours (a new one starts with a fresh transcript). False: a chat that ended
 * here (late frames about it are ignored). `chatState`: what the frame says it is. */
export function adoptChat(panel, id, chatState) {
  const { state } = panel;
  if (id == null) return !!state.chat;
  if (state.chat && state.chat.id === id) {
    if (chatState && state.chat.state !== 'ended') state.chat.state = chatState;
    return true;
  }
  if (state.transcript.endedChats.has(id)) return false;
  if (state.chat && state.chat.id != null) {
    clearLog(panel);
    for (const m of filtered(state.outbox.unconfirmed, (o) => o.chatId != null && o.chatId !== id)) dropFromOutbox(panel, m).element.remove();
  }
  state.chat = { id, state: chatState || 'pending', agent: null, position: null };
  for (const m of state.outbox.unconfirmed) m.chatId = id;
  saveChat(panel);
  saveOutbox(panel);
  return true;
}

/** "Start chat", or the first message, or opening the panel while an agent is On-Line. */
export function requestChat(panel) {
  const { state, dom, conn } = panel;
  if (isLive(state)) return;
  if (state.chat) newChat(panel, true);
  const name = dom.nameInput.value.trim();
  if (name) conn.store('name', name);
  state.chat = { id: null, state: 'requesting', agent: null, position: null };
  state.refs.request = nextRef(state, 'r');
  state.ui.error = '';
  sendChatRequest(panel);
}

/** Sends (or, after a reconnect, resends) our pending `chat_request`. */
export function sendChatRequest(panel) {
  const frame = { type: 'chat_request', ref: panel.state.refs.request };
  const name = panel.conn.store('name');
  if (name) frame.name = name;
  const chosen = panel.dom.department.value;
  if (chosen) frame.department_id = +chosen;
  if (panel.conn.department) frame.department = panel.conn.department;
  panel.conn.send(frame);
}

/** Sends what is in the message box (asking for a chat first if there is none). */
export function sendMessage(panel) {
  const { state, dom } = panel;
  const body = dom.messageBox.value.trim();
  if (!body || state.connection.blocked) return;
  dom.messageBox.value = '';
  stopTyping(panel);
  state.ui.error = '';
  if (state.chat && !isLive(state)) newChat(panel, true); // after "This chat has ended."
  queueMessage(panel, body);
  if (!isLive(state)) requestChat(panel);
  flushOutbox(panel);
  render(panel);
}

/** The visitor typed in the message box: "typing: true", and "false" after 3 s of quiet. */
export function typed(panel) {
  const { state, dom, conn } = panel;
  if (!dom.messageBox.value) return stopTyping(panel);
  if (!isLive(state) || state.chat.id == null) return;
  if (!state.typing.visitor) state.typing.visitor = conn.send({ type: 'typing', typing: true });
  clearTimeout(state.timers.visitorTyping);
  state.timers.visitorTyping = setTimeout(() => stopTyping(panel), 3000);
}

export function stopTyping(panel) {
  const { state } = panel;
  clearTimeout(state.timers.visitorTyping);
  if (state.typing.visitor) {
    state.typing.visitor = false;
    panel.conn.send({ type: 'typing', typing: false });
  }
}

/** "End chat". A request that never reached the server just ends here. */
export function endChat(panel) {
  const { state } = panel;
  if (!isLive(state)) return;
  stopTyping(panel);
  if (state.chat.state === 'requesting' && !state.connection.connected) {
    chatEnded(panel);
    return render(panel);
  }
  state.refs.end = nextRef(state, 'e');
  if (!panel.conn.send({ type: 'chat_end', ref: state.refs.end })) state.ui.error = OFFLINE_NOW;
  render(panel);
}

/** The chat is over: "This chat has ended."; its unsent messages are marked "Not sent". */
export function chatEnded(panel) {
  const { state, conn } = panel;
  if (!state.chat) return;
  if (state.chat.id != null) state.transcript.endedChats.add(state.chat.id);
  state.chat.state = 'ended';
  state.refs.request = state.refs.end = null;
  state.typing.agent = false;
  clearTimeout(state.timers.visitorTyping);
  state.typing.visitor = false;
  for (const m of state.outbox.unconfirmed.slice()) markNotSent(panel, m, '');
  conn.store('chat', null);
  conn.store('out', null);
}

/** "Start a new chat": an empty log. `quiet`: part of another action (no render, no focus). */
export function newChat(panel, quiet) {
  const { state } = panel;
  state.chat = null;
  state.refs.request = state.refs.end = null;
  for (const m of state.outbox.unconfirmed.slice()) dropFromOutbox(panel, m);
  clearLog(panel);
  saveOutbox(panel);
  state.ui.error = '';
  if (quiet !== true) {
    render(panel);
    firstFocusable(panel).focus();
  }
}

export function acceptInvitation(panel) {
  panel.state.ui.invitation = null;
  toggle(panel, true, false);
  requestChat(panel);
  render(panel);
  panel.dom.messageBox.focus();
}

export function dismissInvitation(panel) {
  const { state, dom, conn } = panel;
  const focused = conn.root.activeElement;
  const hadFocus = focused && dom.invitation.contains(focused);
  state.ui.invitation = null;
  conn.send({ type: 'invitation_dismiss' });
  render(panel);
  if (hadFocus) (state.ui.open ? firstFocusable(panel) : conn.launcher).focus();
}

/** Our view of the chat cannot be repaired: clear the log, reconnect with last_seq 0. */
export function resync(panel) {
  const { state } = panel;
  state.connection.skipUntilWelcome = true;
  state.connection.connected = false;
  clearLog(panel);
  panel.conn.resync();
}

/** Opens (`open` true), minimises (false) or flips the panel. `restore`: reopening a panel left
 * open on an earlier page, which must not ask for a chat by itself (the last one may have
 * ended there). */
export function toggle(panel, open, focus, restore) {
  const { state, dom, conn } = panel;
  if (open === undefined) open = !state.ui.open;
  if (focus === undefined) focus = true;
  state.ui.open = open;
  conn.store('open', open ? '1' : '0');
  if (!open && state.offlineForm.thanked) {
    state.offlineForm.thanked = state.offlineForm.edited = false;
    state.ui.view = null; // a fresh form next time
  }
  // Opening the panel while an agent is On-Line asks for a chat at once ("Chat with us"),
  // unless the visitor is to choose a "Department" first (then the first message asks).
  const connection = state.connection;
  if (open && !restore && connection.online && !state.chat && !connection.blocked && connection.welcomed && dom.departmentField.hidden) requestChat(panel);
  render(panel);
  if (open) dom.log.scrollTop = dom.log.scrollHeight;
  if (focus) (open ? firstFocusable(panel) : conn.launcher).focus();
}
