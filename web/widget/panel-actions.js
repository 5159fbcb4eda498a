// Frontdesk visitor widget: what the visitor does (ask for a chat, send, type, end, start a new
// chat, answer an invitation, open and minimise, "Email me this transcript") and the chat's
// lifecycle that follows from it (adopting the chat the server names, ending it, resyncing it);
// the unread replies (launcher count, title, beep, `read`).
//
// Every function takes `panel`: { conn, state, dom } (see panel.js).

import { filtered, h, setText, t } from './panel-dom.js';
import { errorText, isLive, nextRef } from './panel-state.js';
import { clearLog, saveChat, saveOutbox, dropFromOutbox, markNotSent, queueMessage, flushOutbox } from './panel-transcript.js';
import { render, firstFocusable, askRating, introReady } from './panel-views.js';

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
  panel.conn.fire('chat.started', { chat_id: id, state: state.chat.state });
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
  render(panel); // the intro shown again, when an ended chat had hidden it
  if (!introReady(panel)) return false;
  const name = dom.nameInput.value.trim();
  if (name) conn.store('name', name);
  const email = dom.emailInput.value.trim();
  if (email && !dom.emailField.hidden) conn.store('email', email);
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
  // "Ask for an email": the address given before the chat (also "Email me this transcript"'s).
  const email = panel.conn.store('email');
  if (email && (panel.conn.look || {}).ask_email && panel.conn.look.ask_email !== 'hidden') frame.email = email;
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
  if (!isLive(state)) {
    if (state.chat) newChat(panel, true); // after "This chat has ended."
    render(panel);
    if (!introReady(panel)) return; // a name or email the site asks for: first
  }
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
  if (!panel.conn.send({ type: 'chat_end', ref: state.refs.end })) state.ui.error = t('offlineNow');
  render(panel);
}

/** The chat is over: "This chat has ended."; its unsent messages are marked "Not sent". */
export function chatEnded(panel) {
  const { state, conn } = panel;
  if (!state.chat) return;
  if (state.chat.id != null) state.transcript.endedChats.add(state.chat.id);
  if (state.chat.state !== 'ended') {
    if (!state.connection.blocked) askRating(panel, state.chat.id);
    conn.fire('chat.ended', { chat_id: state.chat.id });
  }
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
  // The visitor moved on: the ended chat's rating is no longer asked for, here or on the
  // next page.
  state.rating.chat = null;
  panel.conn.store('rating', null);
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
  // unless the visitor is to choose a "Department" first, or the site asks for an email or
  // requires a name ("Appearance"): then "Start chat" or the first message asks.
  const connection = state.connection;
  const look = conn.look || {};
  const asks = look.ask_name === 'required' || (look.ask_email || 'hidden') !== 'hidden';
  if (open && !restore && connection.online && !state.chat && !connection.blocked && connection.welcomed && dom.departmentField.hidden && !asks) requestChat(panel);
  render(panel);
  if (open) dom.log.scrollTop = dom.log.scrollHeight;
  if (focus) (open ? firstFocusable(panel) : conn.launcher).focus();
}

// ── replies that find the visitor, and the transcript for them ──
//
// Unread replies: an agent's reply the visitor has not seen (panel closed or tab hidden) shows
// as a count on the launcher (its name says "1 unread message"), as "(1) " before the page
// title and, with "Sound on new replies" on (`welcome.features.unread_sound`), as a short beep
// (Web Audio, no asset). What is seen is told to the server, once per newly seen reply (`read
// {chat_id, seq}`; the server emails a visitor who left what they never saw) and kept per chat
// in the widget's storage, so the next page counts the same. panel.js calls showUnread() after
// every frame and every action.
//
// "Email me this transcript" (`welcome.features.transcripts`), during the chat and after it: an
// "Email" field pre-filled with the address the visitor gave before (offline form, an earlier
// transcript; in the widget's storage), "Send" → `email_transcript`, then "Transcript sent to
// …" or why not. The server leaves internal notes out.

const PREFIX = /^\(\d+\) /;

/** The highest seq seen of the chat shown (from storage: the next page knows it too). */
function seenSeq(panel) {
  const chat = panel.state.chat;
  const stored = String(panel.conn.store('read') || '');
  const at = stored.indexOf(':');
  return chat && chat.id != null && +stored.slice(0, at) === chat.id ? +stored.slice(at + 1) || 0 : 0;
}

/** The panel is open and the tab visible: the visitor sees the log. */
const visible = (panel) => panel.state.ui.open && document.visibilityState !== 'hidden';

/** A reply came live: a beep when the site wants one and the visitor does not see it. */
export function replyArrived(panel) {
  const features = panel.state.features;
  if (visible(panel) || !features || !features.unread_sound) return;
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const tone = ctx.createOscillator();
    const gain = ctx.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.06;
    tone.connect(gain).connect(ctx.destination);
    tone.onended = () => ctx.close();
    tone.start();
    tone.stop(ctx.currentTime + 0.15);
  } catch (e) { /* no audio (or not allowed yet): the badge and title still say it */ }
}

/** After every change: the "Email me this transcript" button; what is seen marked (one
 * `read` per newly seen reply); the count of the rest on the launcher and in the title. */
export function showUnread(panel) {
  const { state, conn } = panel;
  if (panel.dom.mail) renderMail(panel);
  const chat = state.chat;
  let last = 0;
  let seen = seenSeq(panel);
  let count = 0;
  for (const m of state.transcript.messages.values()) {
    if (m.from !== 'agent') continue;
    if (m.seq > last) last = m.seq;
    if (m.seq > seen) count++;
  }
  if (count && visible(panel) && chat.id != null && state.connection.connected &&
    conn.send({ type: 'read', chat_id: chat.id, seq: last })) {
    conn.store('read', chat.id + ':' + last);
    seen = last;
    count = 0;
  } else if (visible(panel)) count = 0; // seen; told once the socket is back
  const launcher = conn.launcher;
  let badge = panel.dom.badge;
  if (!badge) badge = panel.dom.badge = h('span', { class: 'fd-badge', 'aria-hidden': 'true' });
  if (count) launcher.append(badge);
  else badge.remove();
  setText(badge, String(count));
  // The launcher's own text (the loader's: the site's "Launcher label" or the table's).
  const text = launcher.querySelector('.fd-ltext');
  const name = (text && text.textContent) || t(conn.online ? 'chat' : 'leave');
  launcher.setAttribute('aria-label', count ? t('unread', { name, n: count }) : name);
  const title = document.title.replace(PREFIX, '');
  const want = count ? '(' + count + ') ' + title : title;
  if (document.title !== want && (count || PREFIX.test(document.title))) document.title = want;
}

// ── "Email me this transcript" ──

/** The "Email me this transcript" button and its form, built once into the chat view. */
export function buildMail(panel) {
  const { dom, conn, state } = panel;
  const input = h('input', { id: 'fd-temail', class: 'fd-input', type: 'email', autocomplete: 'email', required: true, maxlength: 254 });
  const note = h('p', { class: 'fd-hint', role: 'status' });
  const send = h('button', { type: 'submit', class: 'fd-btn', text: t('send') });
  const form = h('form', {
    class: 'fd-tmail', hidden: true,
    onsubmit: (e) => {
      e.preventDefault();
      const email = input.value.trim();
      if (!email || state.refs.transcript || !state.chat) return;
      const ref = nextRef(state, 't');
      if (!conn.send({ type: 'email_transcript', ref, chat_id: state.chat.id, email })) return setText(note, t('offlineNow'));
      state.refs.transcript = ref;
      state.mail = email;
      conn.store('email', email);
      setText(note, t('sending'));
    },
  }, h('label', { for: 'fd-temail', class: 'fd-label', text: t('email') }), input, send, note);
  const open = h('button', {
    type: 'button', class: 'fd-btn fd-ghost', text: t('mailTranscript'), 'aria-expanded': 'false',
    onclick: () => {
      form.hidden = !form.hidden;
      open.setAttribute('aria-expanded', String(!form.hidden));
      if (!form.hidden) {
        if (!input.value) input.value = conn.store('email') || '';
        input.focus();
      }
    },
  });
  dom.mail = { open, form, note };
  dom.chatView.insertBefore(h('div', { class: 'fd-tm' }, open, form), dom.compose);
}

/** The answer to our `email_transcript`: true when `f` was it. */
export function mailAnswered(panel, f) {
  const { state, dom } = panel;
  if (f.ref == null || f.ref !== state.refs.transcript) return false;
  state.refs.transcript = null;
  setText(dom.mail.note, f.type === 'ack' ? t('mailSent', { email: state.mail })
    : f.code === 'rate_limited' ? t('mailLimited') : f.message || errorText(f));
  return true;
}

/** Shown for a chat the server numbered, while the site offers it. */
export function renderMail(panel) {
  const { state, dom } = panel;
  const features = state.features;
  const wrap = dom.mail.open.parentNode;
  wrap.hidden = !(features && features.transcripts && state.chat && state.chat.id != null);
}
