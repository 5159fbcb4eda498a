// Frontdesk visitor widget: the chat panel. An ES module imported by widget.js only when it
// is needed (launcher click, invitation, open chat, or a panel left open on the last page).
// widget.js owns the socket and hands us `conn`; we get every frame through `frame()`.
//
// The panel is one object, `panel = { conn, state, dom }`, that every function of its modules
// takes first (no globals, no classes):
//
//   panel-state.js       what the panel knows, grouped (connection, chat, transcript, outbox,
//                        refs, ui, offline form, typing, timers); the texts
//   panel-dom.js         element builder, message elements, plain-loop and JSON helpers
//   panel-views.js       the elements (built once), the offline form, render()
//   panel-transcript.js  the message log, its storage, the outbox (delivery)
//   panel-actions.js     what the visitor does, and the chat's lifecycle
//   panel-frames.js      every frame from the server, applied to the state
//
// Rules kept here: every text from the network or the visitor goes through textContent or
// text nodes (never markup); no inline styles; no globals.

import { newState } from './panel-state.js';
import { buildDom, render } from './panel-views.js';
import { restoreChat } from './panel-transcript.js';
import {
  requestChat, sendMessage, typed, stopTyping, endChat, newChat, acceptInvitation, dismissInvitation, toggle,
} from './panel-actions.js';
import { handleFrame } from './panel-frames.js';

/** Builds the panel into the loader's shadow root; returns what the loader calls. */
export function mount(conn) {
  const panel = { conn, state: newState(conn), dom: null };
  panel.dom = buildDom(conn, {
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
  });

  // Restore the open chat of an earlier page, then catch up on frames (the loader's backlog).
  restoreChat(panel);
  render(panel);
  if (conn.store('open') === '1') toggle(panel, true, false, true);

  return {
    frame: (f) => handleFrame(panel, f),
    toggle: (open, focus) => toggle(panel, open, focus),
  };
}
