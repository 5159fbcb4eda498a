// Frontdesk visitor widget: the panel's state (what it knows, grouped by concern), the error
// texts and the opening time. No DOM, no network: panel.js (the frames) and panel-actions.js
// change the state, panel-views.js renders it. The texts themselves: l10n-XX.js.

import { t, language } from './panel-dom.js';

/** "We open again Monday 09:00.": the next opening in the visitor's own zone, in the widget's
 * language; a date too when it is a week or more away. Empty when unknown. */
export function opensText(at) {
  if (!at) return '';
  const far = at - Date.now() > 6 * 864e5;
  const f = new Intl.DateTimeFormat(language(), { weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(far ? { day: 'numeric', month: 'long' } : {}) });
  return t('opens', { when: f.format(at) });
}

/** The text key for an `error` frame's code (else its `message`, else 'generic'). */
const ERRORS = {
  blocked: 'blocked',
  closed: 'closed',
  too_long: 'tooLong',
  empty: 'empty',
  rate_limited: 'rateLimited',
  chat_ended: 'ended',
  rating_closed: 'ratingClosed',
  unavailable: 'generic',
  internal: 'generic',
};

/** What the visitor reads for an `error` frame: ours for a known code, else the server's. */
export const errorText = (f) => (ERRORS[f.code] ? t(ERRORS[f.code]) : f.message || t('generic'));

/** Everything the panel knows. `conn` is the loader's handle (socket state at mount time). */
export function newState(conn) {
  return {
    connection: {
      online: conn.online, // an agent is On-Line: "Chat with us" (else "Leave a message")
      opensAt: conn.opensAt, // outside opening hours: when the site opens next (ms), else null
      connected: conn.connected, // the socket is up and has had its welcome
      welcomed: conn.connected, // a welcome came at least once (else "Connecting…")
      blocked: false, // an `error` `blocked` came: "Chat is unavailable today."
      skipUntilWelcome: false, // after a resync: frames before the next welcome are stale
    },
    // The chat shown: { id (null until the server numbers it), state: 'requesting' | 'pending' |
    // 'active' | 'ended', agent (name), position (in the queue), waitingLong (chat.waiting_long:
    // offer "Leave a message instead") }, or null before the first.
    chat: null,
    // What the site offers (`welcome.features`): `file_max_bytes` (null: no files),
    // `transcripts`, `unread_sound`, `rating`; empty until welcomed.
    features: {},
    // The departments to choose from (`welcome.departments`), or null: no "Department" choice.
    departments: null,
    transcript: {
      messages: new Map(), // seq -> { seq, from, kind, body, client_id, at, name }
      maxSeq: 0, // highest seq held (sent as hello.last_seq on the next page)
      linkCards: new Map(), // url -> card element from open_url, until its link message arrives
      endedChats: new Set(), // ids of chats that ended here: late frames about them are ignored
    },
    outbox: {
      // The visitor's messages not yet numbered by the server, in the order typed:
      // { clientId, body, chatId, element, sent (on this socket) }.
      unconfirmed: [],
      inFlight: [], // those sent on this socket and not yet acked, oldest first
    },
    // The `ref`s of our frames still waiting for their ack or error.
    refs: { request: null, end: null, offline: null, transcript: null },
    mail: '', // the address our `email_transcript` in flight goes to
    serial: 0, // one counter: new refs ('r1', 'e2', 'o3') and the order of unsent messages
    ui: {
      open: false, // the panel is open (else minimised to the launcher)
      view: null, // 'chat' | 'offline' | 'blocked', as last rendered
      autoOpened: false, // opened once by itself for a chat the server had open
      invitation: null, // the `invitation` frame shown, or null
      error: '', // the chat view's error line
      leaveMessage: false, // "Leave a message instead" (waiting too long): the form, chat kept
    },
    offlineForm: {
      thanked: false, // its message was acked: "Thank you — we will reply by email."
      edited: false, // typed in: keep showing the form even if an agent comes On-Line
    },
    typing: {
      visitor: false, // we told the agent "typing: true"
      agent: false, // "Agent is typing…"
    },
    // "How was this chat?": the site's scale (welcome.features.rating), the ended chat it is
    // for, the score chosen, when it was first sent (ms; 1: closed), the `ref` awaiting an answer.
    rating: { scale: 'off', chat: null, ended: 0, score: null, comment: '', rated: 0, editing: false, ref: null, error: '' },
    timers: {
      visitorTyping: 0, // sends "typing: false" after 3 s without a keystroke
      agentTyping: 0, // hides "Agent is typing…" after 15 s without news
    },
  };
}

/** A chat is live from the request until it has ended. */
export const isLive = (state) => !!state.chat && state.chat.state !== 'ended';

/** The frame is about the chat shown. */
export const isOurs = (state, chatId) => !!state.chat && state.chat.id === chatId;

/** A new `ref` for a frame: `prefix` and the next serial number. */
export const nextRef = (state, prefix) => prefix + ++state.serial;
