// Frontdesk visitor widget: replies that find the visitor, and the transcript for them.
//
// Unread replies: an agent's reply the visitor has not seen (panel closed or tab hidden) shows
// as a count on the launcher (its name says "1 unread message"), as "(1) " before the page
// title and, with "Sound on new replies" on (`welcome.features.unread_sound`), as a short beep
// (Web Audio, no asset). What is seen is told to the server, once per newly seen reply (`read
// {chat_id, seq}`; the server emails a visitor who left what they never saw) and kept per chat
// in the widget's storage, so the next page counts the same.
//
// "Email me this transcript" (`welcome.features.transcripts`), during the chat and after it: an
// "Email" field pre-filled with the address the visitor gave before (offline form, an earlier
// transcript; in the widget's storage), "Send" → `email_transcript`, then "Transcript sent to
// …" or why not. The server leaves internal notes out.
//
// Every function takes `panel`: { conn, state, dom } (see panel.js).

import { h, setText } from './panel-dom.js';
import { ERRORS, GENERIC, OFFLINE_NOW, nextRef } from './panel-state.js';

const PREFIX = /^\(\d+\) /;

/** The highest seq seen of the chat shown (from storage: the next page knows it too). */
function seenSeq(panel) {
  const chat = panel.state.chat;
  const [id, seq] = String(panel.conn.store('read') || '').split(':');
  return chat && chat.id != null && +id === chat.id ? +seq || 0 : 0;
}

/** The panel is open and the tab visible: the visitor sees the log. */
const visible = (panel) => panel.state.ui.open && document.visibilityState !== 'hidden';

/** Starts watching the tab's visibility; call once from mount(). */
export function watchUnread(panel) {
  document.addEventListener('visibilitychange', () => showUnread(panel));
}

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

/** After every change: mark what is seen (one `read` per newly seen reply), then show the
 * count of the rest on the launcher and in the page title. */
export function showUnread(panel) {
  const { state, conn } = panel;
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
  const name = conn.online ? 'Chat with us' : 'Leave a message';
  launcher.setAttribute('aria-label', count ? name + ', ' + count + (count > 1 ? ' unread messages' : ' unread message') : name);
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
  const send = h('button', { type: 'submit', class: 'fd-btn', text: 'Send' });
  const form = h('form', {
    class: 'fd-tmail', hidden: true,
    onsubmit: (e) => {
      e.preventDefault();
      const email = input.value.trim();
      if (!email || state.refs.transcript || !state.chat) return;
      const ref = nextRef(state, 't');
      if (!conn.send({ type: 'email_transcript', ref, chat_id: state.chat.id, email })) return setText(note, OFFLINE_NOW);
      state.refs.transcript = ref;
      state.mail = email;
      conn.store('email', email);
      setText(note, 'Sending…');
    },
  }, h('label', { for: 'fd-temail', class: 'fd-label', text: 'Email' }), input, send, note);
  const open = h('button', {
    type: 'button', class: 'fd-btn fd-ghost', text: 'Email me this transcript', 'aria-expanded': 'false',
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
  setText(dom.mail.note, f.type === 'ack' ? 'Transcript sent to ' + state.mail + '.'
    : f.code === 'rate_limited' ? 'Too many emails. Please try again later.' : f.message || ERRORS[f.code] || GENERIC);
  return true;
}

/** Shown for a chat the server numbered, while the site offers it. */
export function renderMail(panel) {
  const { state, dom } = panel;
  const features = state.features;
  const wrap = dom.mail.open.parentNode;
  wrap.hidden = !(features && features.transcripts && state.chat && state.chat.id != null);
}
