// "Assign automatically" (issue 12): a chat offered to this agent alone, with a countdown.
//
// `chat.offered` raises the chat's pop-up marked as an offer ("Offered to you", a `role="timer"`
// countdown); `chat.offer_ended` (the offer timed out or was withdrawn) takes it away. If the
// chat then falls back to everyone, the usual `chat.requested` raises a plain pop-up again.
//
// The countdown runs to `deadline`, a time on this browser's clock: the console has no server
// clock offset, so it is the receipt time + `seconds` (the server's `expires_at` would be off by
// however far the two clocks disagree). The server alone decides when the offer ends.

import { store } from './state.js';
import { beep, desktopNotify } from './notify.js';
import { visitorLabel } from './format.js';

const LEARN_AFTER_MS = 500;

/** Seconds left until `deadline` (ms on the local clock), never below 0. */
export function secondsLeft(deadline, now = Date.now()) {
  return Math.max(0, Math.ceil((Number(deadline) - now) / 1000));
}

/** The local deadline of an offer received at `now`: `seconds` from receipt. */
export function offerDeadline(frame, now = Date.now()) {
  const secs = Number(frame.seconds);
  if (Number.isFinite(secs) && secs >= 0) return now + secs * 1000;
  const expires = Number(frame.expires_at); // no `seconds`: trust the server's clock
  return Number.isFinite(expires) ? expires : now;
}

/** `chat.offered`: the pop-up for this agent alone, with its countdown. */
export function onOffered(ctrl, f) {
  const c = store.upsertChat(f.chat);
  if (c.state !== 'pending') return;
  const key = `req-${c.chat_id}`;
  ctrl.dropPopup(key); // a lingering "Taken by" of an earlier round, or a plain pop-up
  store.setPopup(key, {
    kind: 'request', chatId: Number(c.chat_id), status: 'open', offered: true, deadline: offerDeadline(f),
  });
  if (store.me?.status === 'online') {
    beep('request');
    desktopNotify('Chat offered to you', `${visitorLabel(c.visitor_name, c.visitor_id)} on ${c.site_name}`, {
      tag: key,
      onClick: () => {
        store.setPage('console');
        store.emit('focus-popup', Number(c.chat_id));
      },
    });
  }
}

/**
 * `chat.offer_ended`: the offer's pop-up goes (a plain pop-up of the fallback stays). Also while
 * "Start Chatting" is in flight: if the accept still wins, its window opens all the same. One
 * that already says "Taken by NAME" / "The visitor has left." (the frame follows `chat.taken` /
 * `chat.ended`) lingers as usual.
 */
export function onOfferEnded(ctrl, f) {
  const key = `req-${Number(f.chat_id)}`;
  const p = store.popups.get(key);
  if (p?.offered && p.status !== 'taken' && p.status !== 'gone') ctrl.dropPopup(key);
}

/**
 * `visitor.update`. A chat this agent got no `chat.requested` for (offered to someone else under
 * "Assign automatically", or the agent is at capacity) still shows in Chatting Visitors: its
 * visitor's update names it, and a `sync` brings its summary (`chat.history`), without a pop-up.
 * The agent may take it from the list on purpose.
 */
export function onVisitorUpdate(ctrl, v) {
  store.upsertVisitor(v);
  const id = Number(v.chat_id);
  const unknown = () => v.chat_id != null && Number.isFinite(id) && !store.chat(id)
    && store.sites.get(Number(v.site_id))?.monitoring !== false;
  if (!unknown()) return;
  // The `chat.requested` of a broadcast may follow this update: give it a moment first.
  setTimeout(() => { if (unknown()) ctrl.sync(id); }, LEARN_AFTER_MS);
}
