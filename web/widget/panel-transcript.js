// Frontdesk visitor widget: the transcript and the outbox. Messages are keyed and ordered by
// seq, each shown once; the visitor's own messages wait in the outbox ("Sending…") until the
// server numbers them, and are resent with the same client_id after a reconnect. Both are
// stored, so the next page (or a second tab) shows the chat at once. See README.md, "Delivery".
//
// Every function takes `panel`: { conn, state, dom } (see panel.js).

import { h, messageElement, sendingElement, setMeta, clock, toJson, parseJson, uuid, filtered, findFirst, t } from './panel-dom.js';
import { isLive } from './panel-state.js';

/** Sort key base for messages not yet numbered by the server: after every seq. */
export const PENDING_KEY = 1e12;
const KEEP = 200; // messages kept in localStorage for the open chat

/** Puts a message element at its place in the log, ordered by sort key. */
export function placeInLog(panel, el, key) {
  const log = panel.dom.log;
  el.fdSortKey = key;
  let next = null;
  for (let n = log.lastElementChild; n && (n === el || n.fdSortKey > key); n = n.previousElementSibling) if (n !== el) next = n;
  if (el.parentNode === log && el.nextElementSibling === next) return; // already there
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  log.insertBefore(el, next);
  if (atBottom || key >= PENDING_KEY) log.scrollTop = log.scrollHeight;
}

/** Stores the open chat and its last messages for the next page. */
export function saveChat(panel) {
  const { state, conn } = panel;
  if (!isLive(state) || state.chat.id == null) return;
  const transcript = state.transcript;
  const msgs = [...transcript.messages.values()].sort((a, b) => a.seq - b.seq).slice(-KEEP);
  conn.store('chat', toJson({ chat: state.chat.id, seq: transcript.maxSeq, state: state.chat.state, agent: state.chat.agent || null, msgs }));
}

/** Empties the log; the unconfirmed messages stay, at its end. */
export function clearLog(panel) {
  const { transcript, outbox } = panel.state;
  transcript.messages.clear();
  transcript.linkCards.clear();
  transcript.maxSeq = 0;
  panel.dom.log.replaceChildren();
  for (const m of outbox.unconfirmed) placeInLog(panel, m.element, m.element.fdSortKey);
}

/** Adds a numbered message unless its seq is known. `fresh`: it came live (not a replay). */
export function addMessage(panel, m, fresh) {
  const { state } = panel;
  const transcript = state.transcript;
  if (transcript.messages.has(m.seq)) return false;
  transcript.messages.set(m.seq, m);
  if (m.seq > transcript.maxSeq) transcript.maxSeq = m.seq;
  let el = null;
  const mine = m.client_id && unconfirmed(panel, m.client_id);
  if (mine) {
    el = mine.element; // our "Sending…" message, now confirmed
    dropFromOutbox(panel, mine);
    saveOutbox(panel);
  } else if (m.kind === 'link' && transcript.linkCards.has(m.body)) {
    el = transcript.linkCards.get(m.body); // the card its open_url showed
    transcript.linkCards.delete(m.body);
  }
  if (el) setMeta(el, clock(m.at));
  else el = messageElement(m, panel.conn);
  placeInLog(panel, el, m.seq);
  if (fresh && m.from === 'agent') {
    state.typing.agent = false;
  }
  return true;
}

/** A `message` frame (or a message of `chat.resync`) as a transcript entry. An agent's reply
 * shows its `author_name` when the server gives one (a colleague's, with "Show all agents'
 * names" on), else the chat's agent name. */
export function fromWire(panel, f) {
  const agent = panel.state.chat.agent;
  return { seq: f.seq, from: f.from, kind: f.kind, body: f.body, client_id: f.client_id, at: f.created_at, name: f.from === 'agent' ? f.author_name || agent : undefined, file: f.file };
}

/** The gap was too big or too old to replay: the server's latest messages replace ours up
 * to its last_seq (later ones came live); a note says when earlier ones are left out. */
export function resynced(panel, f) {
  const later = filtered([...panel.state.transcript.messages.values()], (m) => m.seq > f.last_seq);
  clearLog(panel);
  if (!f.complete) placeInLog(panel, h('p', { class: 'fd-msg fd-system', text: t('gap') }), 0);
  for (const m of f.messages || []) addMessage(panel, fromWire(panel, m), false);
  for (const m of later) addMessage(panel, m, false);
  saveChat(panel);
}

// ── the outbox ──

/** The unconfirmed message with this client_id, or undefined. */
export function unconfirmed(panel, clientId) {
  return findFirst(panel.state.outbox.unconfirmed, (m) => m.clientId === clientId);
}

/** Stores the unconfirmed messages that belong to a chat: a navigation must not lose them. */
export function saveOutbox(panel) {
  const stored = [];
  for (const m of panel.state.outbox.unconfirmed) if (m.chatId != null) stored.push({ c: m.clientId, b: m.body, chat: m.chatId });
  panel.conn.store('out', stored.length ? toJson(stored) : null);
}

/** Forgets an outbox message (confirmed, failed or discarded); returns it. */
export function dropFromOutbox(panel, message) {
  const outbox = panel.state.outbox;
  outbox.unconfirmed = filtered(outbox.unconfirmed, (m) => m !== message);
  outbox.inFlight = filtered(outbox.inFlight, (m) => m !== message);
  return message;
}

/** Gives up on a message: it stays in the log as "Not sent: reason". */
export function markNotSent(panel, message, reason) {
  dropFromOutbox(panel, message);
  setMeta(message.element, t('notSent') + (reason ? ': ' + reason : ''), 'fd-failed');
  saveOutbox(panel);
}

/** Queues a message the visitor typed: shown at once as "Sending…", stored before anything else. */
export function queueMessage(panel, body) {
  const { state } = panel;
  const element = sendingElement(body);
  state.outbox.unconfirmed.push({ clientId: uuid(), body, chatId: state.chat && state.chat.id, element, sent: false });
  saveOutbox(panel); // a navigation (or a socket that is down) must not lose it
  placeInLog(panel, element, PENDING_KEY + ++state.serial);
}

/** Sends every outgoing message not yet on this socket (a resend keeps its client_id). */
export function flushOutbox(panel) {
  const { state, conn } = panel;
  if (!state.connection.connected || !isLive(state) || state.chat.id == null) return;
  for (const m of state.outbox.unconfirmed) {
    if (m.sent) continue;
    m.chatId = state.chat.id;
    if (!conn.send({ type: 'message', client_id: m.clientId, body: m.body })) break;
    m.sent = true;
    state.outbox.inFlight.push(m);
  }
  saveOutbox(panel);
}

/** The server numbered one of our messages (its ack came before its message frame). */
export function confirmDelivery(panel, message, seq) {
  addMessage(panel, { seq, from: 'visitor', kind: 'text', body: message.body, client_id: message.clientId, at: Date.now() }, false);
  saveChat(panel);
}

/** Restores the open chat of an earlier page: its transcript, then its unconfirmed messages. */
export function restoreChat(panel) {
  const { state, conn } = panel;
  const saved = parseJson(conn.store('chat'));
  if (!saved || saved.chat == null) return;
  state.chat = { id: saved.chat, state: saved.state === 'active' ? 'active' : 'pending', agent: saved.agent || null, position: null };
  if (Array.isArray(saved.msgs)) for (const m of saved.msgs) if (m && typeof m.seq === 'number') addMessage(panel, m, false);
  if (saved.seq > state.transcript.maxSeq) state.transcript.maxSeq = saved.seq;
  const stored = parseJson(conn.store('out'));
  if (!Array.isArray(stored)) return;
  for (const o of stored) {
    if (!o || o.chat !== state.chat.id || typeof o.b !== 'string') continue;
    const element = sendingElement(o.b);
    state.outbox.unconfirmed.push({ clientId: String(o.c), body: o.b, chatId: o.chat, element, sent: false });
    placeInLog(panel, element, PENDING_KEY + ++state.serial);
  }
}
