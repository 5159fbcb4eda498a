// Frontdesk visitor widget: the panel's elements and their rendering. buildDom() makes them
// once (the chat view, the blocked view, the invitation; the offline form is made fresh each
// time it is shown); render() sets everything but the message list from the state.
//
// The views never send a frame about the chat: their buttons call the handlers panel.js
// gives them (`on`). The offline form is the one exception: it sends its own message.

import { h, icon, setText, setLines } from './panel-dom.js';
import { BLOCKED, ENDED, THANKS, OFFLINE_NOW, nextRef, opensText, isLive } from './panel-state.js';

/** The panel's elements. `on`: { endChat, minimise, startChat, sendMessage, typed, stopTyping,
 * newChat, acceptInvitation, dismissInvitation, attach }. */
export function buildDom(conn, on) {
  const { box, launcher, store } = conn;
  const dom = { offline: null, on };

  dom.title = h('h2', { id: 'fd-title', class: 'fd-title', text: 'Chat with us' });
  dom.subtitle = h('p', { class: 'fd-sub' });
  dom.endButton = h('button', { type: 'button', class: 'fd-btn fd-ghost fd-end', text: 'End chat', onclick: on.endChat });
  dom.minimiseButton = h('button', { type: 'button', class: 'fd-icon', 'aria-label': 'Minimise chat', title: 'Minimise', onclick: on.minimise },
    icon('M5 12h14'));
  dom.body = h('div', { class: 'fd-body' });
  dom.section = h('section', { id: 'fd-panel', class: 'fd-panel', role: 'dialog', 'aria-labelledby': 'fd-title', hidden: true },
    h('header', { class: 'fd-head' }, h('div', { class: 'fd-head-text' }, dom.title, dom.subtitle), dom.endButton, dom.minimiseButton),
    dom.body);
  dom.section.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      on.minimise();
    }
  });

  // Chat view.
  dom.log = h('div', { class: 'fd-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' });
  dom.typing = h('p', { class: 'fd-typing', 'aria-live': 'polite' });
  dom.status = h('div', { class: 'fd-status', role: 'status' });
  dom.error = h('p', { class: 'fd-error', role: 'alert' });
  dom.nameInput = h('input', { id: 'fd-name', class: 'fd-input', type: 'text', autocomplete: 'name', maxlength: 80, 'aria-describedby': 'fd-name-hint', value: store('name') || '' });
  // "Department": shown only when the welcome offers two or more (the site asks).
  dom.department = h('select', { id: 'fd-dept', class: 'fd-input' });
  dom.departmentField = h('div', { hidden: true },
    h('label', { for: 'fd-dept', class: 'fd-label', text: 'Department' }), dom.department);
  dom.intro = h('div', { class: 'fd-intro' },
    h('p', { class: 'fd-lead', text: 'Hi! How can we help? Type your question below.' }),
    h('label', { for: 'fd-name', class: 'fd-label', text: 'Your name' }),
    h('span', { id: 'fd-name-hint', class: 'fd-hint', text: '(optional)' }),
    dom.nameInput, dom.departmentField,
    h('button', { type: 'button', class: 'fd-btn fd-ghost', text: 'Start chat', onclick: on.startChat }));
  dom.messageBox = h('textarea', { id: 'fd-msg', class: 'fd-input fd-ta', rows: 2, placeholder: 'Type your message…', enterkeyhint: 'send' });
  // "Attach a file" (only while a chat is open on a site with files): a hidden file input;
  // paste and drop into the message box too. The upload code loads when first used.
  dom.fileInput = h('input', { type: 'file', hidden: true, multiple: true,
    onchange: () => { on.attach(dom.fileInput.files); dom.fileInput.value = ''; } });
  dom.attachButton = h('button', { type: 'button', class: 'fd-icon fd-attach', 'aria-label': 'Attach a file', title: 'Attach a file', hidden: true,
    onclick: () => dom.fileInput.click() }, icon('M16 6.5 8.4 14.1a2 2 0 0 0 2.8 2.8l7.1-7.1a4 4 0 0 0-5.6-5.6l-7.1 7.1a6 6 0 0 0 8.5 8.5L19 14'));
  dom.compose = h('form', { class: 'fd-compose', onsubmit: (e) => { e.preventDefault(); on.sendMessage(); } },
    h('label', { for: 'fd-msg', class: 'fd-vh', text: 'Message' }),
    dom.fileInput, dom.attachButton,
    dom.messageBox,
    h('button', { type: 'submit', class: 'fd-btn fd-send', text: 'Send' }));
  // A pasted or dropped file (a screenshot) is attached, when files can be sent now.
  const dropped = (e) => {
    const files = (e.clipboardData || e.dataTransfer || {}).files;
    if (files && files.length && !dom.attachButton.hidden) {
      e.preventDefault();
      on.attach(files);
    }
  };
  dom.messageBox.addEventListener('paste', dropped);
  dom.messageBox.addEventListener('drop', dropped);
  dom.messageBox.addEventListener('dragover', (e) => {
    const types = e.dataTransfer ? e.dataTransfer.types : [];
    for (let i = 0; i < types.length; i++) if (types[i] === 'Files' && !dom.attachButton.hidden) e.preventDefault();
  });
  dom.leaveButton = h('button', { type: 'button', class: 'fd-btn fd-ghost', text: 'Leave a message instead', hidden: true, onclick: on.leaveMessage });
  dom.newChatButton = h('button', { type: 'button', class: 'fd-btn fd-new', text: 'Start a new chat', hidden: true, onclick: on.newChat });
  dom.chatView = h('div', { class: 'fd-chat' }, dom.log, dom.typing, dom.status, dom.leaveButton, dom.error, dom.intro, dom.newChatButton, dom.compose);

  // Enter sends, Shift+Enter is a new line; an IME composition is left alone.
  dom.messageBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      on.sendMessage();
    }
  });
  dom.messageBox.addEventListener('input', on.typed);
  dom.messageBox.addEventListener('blur', on.stopTyping);

  // Blocked view.
  dom.blockedView = h('div', { class: 'fd-blocked' }, h('p', { role: 'alert', class: 'fd-lead', text: BLOCKED }));

  // Invitation: a small dialog; floats above the launcher, or sits in the open panel.
  dom.invitationName = h('p', { id: 'fd-inv-name', class: 'fd-inv-name' });
  dom.invitationText = h('p', { id: 'fd-inv-text', class: 'fd-inv-text' });
  dom.invitation = h('div', { class: 'fd-invite', role: 'dialog', 'aria-labelledby': 'fd-inv-name', 'aria-describedby': 'fd-inv-text', hidden: true },
    dom.invitationName, dom.invitationText,
    h('div', { class: 'fd-row' },
      h('button', { type: 'button', class: 'fd-btn', text: 'Accept', onclick: on.acceptInvitation }),
      h('button', { type: 'button', class: 'fd-btn fd-ghost', text: 'Dismiss', onclick: on.dismissInvitation })));
  dom.invitation.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') on.dismissInvitation();
  });

  box.append(dom.section, dom.invitation);
  launcher.setAttribute('aria-controls', 'fd-panel');
  launcher.hidden = false;
  return dom;
}

// ── the offline form ("Leave a message") ──

/** A fresh offline form; it sends `offline_message` itself and waits for its ack or error. */
function offlineView(panel) {
  const { state, conn } = panel;
  const leaving = state.ui.leaveMessage; // "Leave a message instead": the chat stays queued
  const error = h('p', { class: 'fd-error', role: 'alert' });
  const opens = h('p', { class: 'fd-lead fd-opens' }); // "We open again …" (set by render)
  const thanks = h('p', { class: 'fd-thanks', role: 'status' });
  const sendButton = h('button', { type: 'submit', class: 'fd-btn fd-send', text: 'Send' });
  const name = h('input', { id: 'fd-oname', class: 'fd-input', type: 'text', autocomplete: 'name', maxlength: 80, value: conn.store('name') || '' });
  const email = h('input', { id: 'fd-oemail', class: 'fd-input', type: 'email', autocomplete: 'email', required: true, maxlength: 254 });
  const body = h('textarea', { id: 'fd-obody', class: 'fd-input fd-ta', rows: 5, required: true });
  const form = h('form', {
    class: 'fd-offline',
    oninput: () => { state.offlineForm.edited = true; },
    onsubmit: (e) => {
      e.preventDefault();
      if (state.refs.offline) return; // one at a time
      const visitorName = name.value.trim();
      if (visitorName) conn.store('name', visitorName);
      const ref = nextRef(state, 'o');
      if (!conn.send({ type: 'offline_message', ref, name: visitorName, email: email.value.trim(), body: body.value.trim() })) {
        error.textContent = OFFLINE_NOW;
        return;
      }
      state.refs.offline = ref;
      error.textContent = '';
      sendButton.setAttribute('aria-disabled', 'true'); // not .disabled: Firefox would drop its focus
    },
  },
  h('p', { class: 'fd-lead', text: leaving ? 'Leave a message and we will reply by email. You keep your place in the queue.'
    : 'Nobody is available to chat right now. Leave a message and we will reply by email.' }),
  opens,
  h('label', { for: 'fd-oname', class: 'fd-label', text: 'Your name' }), name,
  h('label', { for: 'fd-oemail', class: 'fd-label', text: 'Email' }), email,
  h('label', { for: 'fd-obody', class: 'fd-label', text: 'Message' }), body,
  error, sendButton);
  panel.dom.offline = { form, error, thanks, sendButton, opens };
  return h('div', { class: 'fd-off' }, thanks, form,
    leaving ? h('button', { type: 'button', class: 'fd-btn fd-ghost', text: 'Back to the chat', onclick: panel.dom.on.backToChat }) : null);
}

/** The offline message was acked: the form gives way to "Thank you — we will reply by email." */
export function offlineSent(panel) {
  const { state, dom } = panel;
  state.refs.offline = null;
  state.offlineForm.thanked = true;
  state.offlineForm.edited = false;
  const offline = dom.offline;
  if (!offline) return;
  const hadFocus = offline.form.contains(panel.conn.root.activeElement);
  offline.form.remove();
  offline.thanks.textContent = THANKS;
  if (hadFocus) dom.minimiseButton.focus(); // the focused Send button is gone: keep focus in the panel
}

/** The offline message was refused: the form says why and may be sent again. */
export function offlineRefused(panel, text) {
  panel.state.refs.offline = null;
  const offline = panel.dom.offline;
  if (!offline) return;
  offline.error.textContent = text;
  offline.sendButton.removeAttribute('aria-disabled');
}

// ── render: everything but the message list, from the state ──

/** Which view the state calls for: 'blocked', 'offline' or 'chat'. */
function currentView(state) {
  if (state.connection.blocked) return 'blocked';
  if (state.ui.leaveMessage && isLive(state)) return 'offline';
  if (state.offlineForm.thanked) return 'offline';
  const offlineWanted = !state.connection.online || (state.ui.view === 'offline' && state.offlineForm.edited);
  if (!state.chat && state.connection.welcomed && offlineWanted) return 'offline';
  return 'chat';
}

/** The control that should have focus in the panel now. */
export function firstFocusable(panel) {
  const { state, dom } = panel;
  if (state.ui.view === 'chat') return !dom.compose.hidden ? dom.messageBox : !dom.newChatButton.hidden ? dom.newChatButton : dom.minimiseButton;
  return dom.body.querySelector('input, textarea') || dom.minimiseButton;
}

/** Fills the "Department" choice from the welcome's list (names as text), the snippet's
 * `data-department` chosen when it names one; "Any department" leaves it to the server. */
function departments(panel) {
  const { state, dom, conn } = panel;
  const list = dom.departments = state.departments;
  const want = String(conn.department || '').trim().toLowerCase();
  const select = dom.department;
  select.replaceChildren(h('option', { value: '', text: 'Any department' }));
  for (let i = 0; list && i < list.length; i++) {
    const d = list[i];
    if (!d || typeof d.name !== 'string' || !Number.isSafeInteger(d.id)) continue;
    const option = h('option', { value: d.id, text: d.name });
    if (want && d.name.toLowerCase() === want) option.selected = true;
    select.append(option);
  }
  dom.departmentField.hidden = select.options.length < 3;
}

export function render(panel) {
  const { state, dom, conn } = panel;
  const focused = conn.root.activeElement;
  const hadFocus = focused && dom.section.contains(focused);
  const view = currentView(state);
  if (view !== state.ui.view) {
    state.ui.view = view;
    dom.offline = null;
    dom.body.replaceChildren(view === 'chat' ? dom.chatView : view === 'blocked' ? dom.blockedView : offlineView(panel));
  }
  if (dom.offline) {
    const opens = opensText(state.connection.opensAt);
    setText(dom.offline.opens, opens);
    dom.offline.opens.hidden = !opens;
  }
  const chat = state.chat;
  const chatState = chat ? chat.state : null;
  setText(dom.title, view === 'offline' ? 'Leave a message' : chatState === 'active' && chat.agent ? chat.agent : 'Chat with us');
  setText(dom.subtitle, state.connection.connected ? '' : state.connection.welcomed ? 'Reconnecting…' : 'Connecting…');
  dom.endButton.hidden = view !== 'chat' || !(chatState === 'pending' || chatState === 'active' || chatState === 'requesting');

  let lines = [];
  if (chatState === 'requesting' || chatState === 'pending') {
    lines = ['Waiting for an agent…'];
    // Back in the queue after an agent had the chat: no queue number.
    if (chat.requeued) lines.push('Connecting you to another agent…');
    else if (chat.position) lines.push('You are number ' + chat.position + ' in the queue');
  } else if (chatState === 'active') lines = ['You are chatting with ' + (chat.agent || 'an agent') + '.'];
  else if (chatState === 'ended') lines = [ENDED];
  setLines(dom.status, lines);
  setText(dom.typing, state.typing.agent && chatState === 'active' ? 'Agent is typing…' : '');
  setText(dom.error, state.ui.error);
  dom.intro.hidden = !!chat;
  if (dom.departments !== state.departments) departments(panel);
  dom.compose.hidden = chatState === 'ended';
  dom.attachButton.hidden = !(state.features.file_max_bytes && isLive(state) && chat.id != null);
  dom.newChatButton.hidden = chatState !== 'ended';
  dom.leaveButton.hidden = !(chatState === 'pending' && chat.waitingLong);

  const open = state.ui.open;
  const invitation = state.ui.invitation;
  if (invitation) {
    setText(dom.invitationName, String(invitation.agent_name || ''));
    setText(dom.invitationText, String(invitation.greeting || ''));
    if (open) dom.section.insertBefore(dom.invitation, dom.body);
    else if (dom.invitation.parentNode !== conn.box) conn.box.insertBefore(dom.invitation, conn.launcher);
    dom.invitation.classList.toggle('fd-inline', open);
  }
  dom.invitation.hidden = !invitation;

  dom.section.hidden = !open;
  conn.box.classList.toggle('fd-open', open);
  conn.launcher.setAttribute('aria-expanded', String(open));
  if (hadFocus && open && (!dom.section.contains(focused) || focused.closest('[hidden]'))) firstFocusable(panel).focus();
}
