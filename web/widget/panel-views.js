// Frontdesk visitor widget: the panel's elements and their rendering. buildDom() makes them
// once (the chat view, the blocked view, the invitation; the offline form is made fresh each
// time it is shown); render() sets everything but the message list from the state.
//
// The views never send a frame about the chat: their buttons call the handlers panel.js
// gives them (`on`). The offline form and the rating are the exceptions: each sends its own
// frame and hears its answer.

import { h, icon, setText, setLines, toJson, parseJson, t } from './panel-dom.js';
import { errorText, nextRef, opensText, isLive } from './panel-state.js';

/** The panel's elements. `on`: { endChat, minimise, startChat, sendMessage, typed, stopTyping,
 * newChat, acceptInvitation, dismissInvitation, attach }. */
export function buildDom(conn, on) {
  const { box, launcher, store } = conn;
  const dom = { offline: null, on };

  dom.title = h('h2', { id: 'fd-title', class: 'fd-title', text: t('chat') });
  dom.subtitle = h('p', { class: 'fd-sub' });
  dom.endButton = h('button', { type: 'button', class: 'fd-btn fd-ghost fd-end', text: t('endChat'), onclick: on.endChat });
  dom.minimiseButton = h('button', { type: 'button', class: 'fd-icon', 'aria-label': t('minimise'), title: t('minimiseTip'), onclick: on.minimise },
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
  dom.log = h('div', { class: 'fd-log', role: 'log', 'aria-live': 'polite', 'aria-label': t('conversation'), tabindex: '0' });
  dom.typing = h('p', { class: 'fd-typing', 'aria-live': 'polite' });
  dom.status = h('div', { class: 'fd-status', role: 'status' });
  dom.error = h('p', { class: 'fd-error', role: 'alert' });
  dom.nameInput = h('input', { id: 'fd-name', class: 'fd-input', type: 'text', autocomplete: 'name', maxlength: 80, 'aria-describedby': 'fd-name-hint', value: store('name') || '' });
  // "Department": shown only when the welcome offers two or more (the site asks).
  dom.department = h('select', { id: 'fd-dept', class: 'fd-input' });
  dom.departmentField = h('div', { hidden: true },
    h('label', { for: 'fd-dept', class: 'fd-label', text: t('department') }), dom.department);
  // The site's "Appearance" (conn.look, from welcome) is applied by render(): the greeting,
  // and "Ask for a name" / "Ask for an email" (optional, required or hidden).
  dom.greeting = h('p', { class: 'fd-lead fd-greet', text: t('intro') });
  dom.nameField = h('div', null,
    h('label', { for: 'fd-name', class: 'fd-label', text: t('yourName') }),
    h('span', { id: 'fd-name-hint', class: 'fd-hint', text: t('optional') }), dom.nameInput);
  dom.emailInput = h('input', { id: 'fd-email', class: 'fd-input', type: 'email', autocomplete: 'email', maxlength: 254, 'aria-describedby': 'fd-email-hint', value: store('email') || '' });
  dom.emailField = h('div', { hidden: true },
    h('label', { for: 'fd-email', class: 'fd-label', text: t('email') }),
    h('span', { id: 'fd-email-hint', class: 'fd-hint', text: t('optional') }), dom.emailInput);
  dom.intro = h('div', { class: 'fd-intro' },
    dom.greeting, dom.nameField, dom.emailField, dom.departmentField,
    h('button', { type: 'button', class: 'fd-btn fd-ghost', text: t('startChat'), onclick: on.startChat }));
  dom.messageBox = h('textarea', { id: 'fd-msg', class: 'fd-input fd-ta', rows: 2, placeholder: t('typeMessage'), enterkeyhint: 'send' });
  // "Attach a file" (only while a chat is open on a site with files): a hidden file input;
  // paste and drop into the message box too. The upload code loads when first used.
  dom.fileInput = h('input', { type: 'file', hidden: true, multiple: true,
    onchange: () => { on.attach(dom.fileInput.files); dom.fileInput.value = ''; } });
  dom.attachButton = h('button', { type: 'button', class: 'fd-icon fd-attach', 'aria-label': t('attach'), title: t('attach'), hidden: true,
    onclick: () => dom.fileInput.click() }, icon('M16 6.5 8.4 14.1a2 2 0 0 0 2.8 2.8l7.1-7.1a4 4 0 0 0-5.6-5.6l-7.1 7.1a6 6 0 0 0 8.5 8.5L19 14'));
  dom.compose = h('form', { class: 'fd-compose', onsubmit: (e) => { e.preventDefault(); on.sendMessage(); } },
    h('label', { for: 'fd-msg', class: 'fd-vh', text: t('message') }),
    dom.fileInput, dom.attachButton,
    dom.messageBox,
    h('button', { type: 'submit', class: 'fd-btn fd-send', text: t('send') }));
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
  dom.leaveButton = h('button', { type: 'button', class: 'fd-btn fd-ghost', text: t('leaveInstead'), hidden: true, onclick: on.leaveMessage });
  dom.newChatButton = h('button', { type: 'button', class: 'fd-btn fd-new', text: t('newChat'), hidden: true, onclick: on.newChat });
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
  dom.blockedView = h('div', { class: 'fd-blocked' }, h('p', { role: 'alert', class: 'fd-lead', text: t('blocked') }));

  // Invitation: a small dialog; floats above the launcher, or sits in the open panel.
  dom.invitationName = h('p', { id: 'fd-inv-name', class: 'fd-inv-name' });
  dom.invitationText = h('p', { id: 'fd-inv-text', class: 'fd-inv-text' });
  dom.invitation = h('div', { class: 'fd-invite', role: 'dialog', 'aria-labelledby': 'fd-inv-name', 'aria-describedby': 'fd-inv-text', hidden: true },
    dom.invitationName, dom.invitationText,
    h('div', { class: 'fd-row' },
      h('button', { type: 'button', class: 'fd-btn', text: t('accept'), onclick: on.acceptInvitation }),
      h('button', { type: 'button', class: 'fd-btn fd-ghost', text: t('dismiss'), onclick: on.dismissInvitation })));
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
  const sendButton = h('button', { type: 'submit', class: 'fd-btn fd-send', text: t('send') });
  const look = conn.look || {};
  const name = h('input', { id: 'fd-oname', class: 'fd-input', type: 'text', autocomplete: 'name', maxlength: 80, value: conn.store('name') || '' });
  const nameField = h('div', null, h('label', { for: 'fd-oname', class: 'fd-label', text: t('yourName') }), name);
  ask(nameField, name, look.ask_name);
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
      conn.store('email', email.value.trim()); // pre-fills "Email me this transcript"
      const ref = nextRef(state, 'o');
      if (!conn.send({ type: 'offline_message', ref, name: visitorName, email: email.value.trim(), body: body.value.trim() })) {
        error.textContent = t('offlineNow');
        return;
      }
      state.refs.offline = ref;
      error.textContent = '';
      sendButton.setAttribute('aria-disabled', 'true'); // not .disabled: Firefox would drop its focus
    },
  },
  h('p', { class: 'fd-lead fd-greet', text: (!leaving && look.offline_text) || t(leaving ? 'leavingLead' : 'offlineLead') }),
  opens,
  nameField,
  h('label', { for: 'fd-oemail', class: 'fd-label', text: t('email') }), email,
  h('label', { for: 'fd-obody', class: 'fd-label', text: t('message') }), body,
  error, sendButton);
  panel.dom.offline = { form, error, thanks, sendButton, opens };
  return h('div', { class: 'fd-off' }, thanks, form,
    leaving ? h('button', { type: 'button', class: 'fd-btn fd-ghost', text: t('backToChat'), onclick: panel.dom.on.backToChat }) : null);
}

/** "Ask for a name" / "Ask for an email": the field `wrap` shown or not, `input` required or
 * not, and its "(optional)" hint (if any) only when it is optional. */
function ask(wrap, input, how = 'optional') {
  wrap.hidden = how === 'hidden';
  input.required = how === 'required';
  const hint = wrap.querySelector('.fd-hint');
  if (hint) hint.hidden = how !== 'optional';
}

/** The first of the intro's fields the site asks for that the visitor left wrong (a required
 * one empty, an email not an address), or null. */
function introMissing(panel) {
  const { dom } = panel;
  for (const input of [dom.nameInput, dom.emailInput]) if (!input.closest('[hidden]') && !input.checkValidity()) return input;
  return null;
}

/** Whether a chat may be asked for: else the field is pointed out (the browser says why). */
export function introReady(panel, quiet) {
  const input = introMissing(panel);
  if (input && !quiet) {
    input.focus();
    input.reportValidity();
  }
  return !input;
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
  offline.thanks.textContent = t('thanks');
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
  if (state.ui.view === 'chat') return (!dom.intro.hidden && introMissing(panel)) || (!dom.compose.hidden ? dom.messageBox : !dom.newChatButton.hidden ? dom.newChatButton : dom.minimiseButton);
  return dom.body.querySelector('input, textarea') || dom.minimiseButton;
}

/** Fills the "Department" choice from the welcome's list (names as text), the snippet's
 * `data-department` chosen when it names one; "Any department" leaves it to the server. */
function departments(panel) {
  const { state, dom, conn } = panel;
  const list = dom.departments = state.departments;
  const want = String(conn.department || '').trim().toLowerCase();
  const select = dom.department;
  select.replaceChildren(h('option', { value: '', text: t('anyDepartment') }));
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
  setText(dom.title, view === 'offline' ? t('leave') : chatState === 'active' && chat.agent ? chat.agent : t('chat'));
  setText(dom.subtitle, state.connection.connected ? '' : state.connection.welcomed ? t('reconnecting') : t('connecting'));
  dom.endButton.hidden = view !== 'chat' || !(chatState === 'pending' || chatState === 'active' || chatState === 'requesting');

  let lines = [];
  if (chatState === 'requesting' || chatState === 'pending') {
    lines = [t('waiting')];
    // Back in the queue after an agent had the chat: no queue number.
    if (chat.requeued) lines.push(t('another'));
    else if (chat.position) lines.push(t('position', { n: chat.position }));
  } else if (chatState === 'active') lines = [t('chattingWith', { name: chat.agent || t('anAgent') })];
  else if (chatState === 'ended') lines = [t('ended')];
  setLines(dom.status, lines);
  setText(dom.typing, state.typing.agent && chatState === 'active' ? t('typing') : '');
  setText(dom.error, state.ui.error);
  dom.intro.hidden = !!chat;
  const look = conn.look || {};
  setText(dom.greeting, look.greeting || t('intro'));
  ask(dom.nameField, dom.nameInput, look.ask_name);
  ask(dom.emailField, dom.emailInput, look.ask_email || 'hidden');
  if (dom.departments !== state.departments) departments(panel);
  dom.compose.hidden = chatState === 'ended';
  dom.attachButton.hidden = !(state.features.file_max_bytes && isLive(state) && chat.id != null);
  dom.newChatButton.hidden = chatState !== 'ended';
  dom.leaveButton.hidden = !(chatState === 'pending' && chat.waitingLong);
  renderRating(panel);

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

// ── the rating ("How was this chat?"), shown under an ended chat ──
// The second view that sends its own frame (`rate`, docs/protocol.md). The rated chat is
// remembered (localStorage 'rating': { chat, ended, score, comment, rated }) so that the next
// page still asks, or still offers "Change rating" while the server allows it (10 minutes).

const RATE_WINDOW = 6e5; // the server's change window

/** The rating's elements, built once into the chat view (before "Start a new chat"). */
function ratingDom(panel) {
  const { dom, state } = panel;
  const r = state.rating;
  const comment = h('textarea', { id: 'fd-rate-c', class: 'fd-input fd-ta', rows: 2, maxlength: 1000, 'aria-describedby': 'fd-rate-h' });
  const scores = h('div', { class: 'fd-row fd-scores' });
  const error = h('p', { class: 'fd-error', role: 'alert' });
  const send = h('button', { type: 'submit', class: 'fd-btn', text: t('sendRating') });
  const form = h('form', { class: 'fd-rate', 'aria-labelledby': 'fd-rate-q', onsubmit: (e) => { e.preventDefault(); sendRating(panel); } },
    h('p', { id: 'fd-rate-q', class: 'fd-lead', text: t('howWas') }), scores,
    h('label', { for: 'fd-rate-c', class: 'fd-label', text: t('comment') }),
    h('span', { id: 'fd-rate-h', class: 'fd-hint', text: t('optional') }), comment, error, send);
  const change = h('button', { type: 'button', class: 'fd-btn fd-ghost', text: t('changeRating'), onclick: () => {
    r.editing = true;
    render(panel);
    const pressed = scores.querySelector('[aria-pressed="true"]');
    (pressed || comment).focus();
  } });
  const thanks = h('div', { class: 'fd-rated' }, h('p', { class: 'fd-thanks', role: 'status', text: t('rated') }), change);
  const box = h('div', { class: 'fd-rating' }, form, thanks);
  dom.chatView.insertBefore(box, dom.newChatButton);
  dom.rating = { box, form, thanks, change, scores, comment, error, send, scale: null };
}

/** The score buttons of the site's scale ("Good"/"Bad", or "1 star" … "5 stars"). */
function scoreButtons(panel) {
  const { rating: r } = panel.state;
  const d = panel.dom.rating;
  d.scale = r.scale;
  const pick = (score) => () => {
    r.score = score;
    r.error = '';
    render(panel);
  };
  const list = [];
  if (r.scale === 'stars') for (let n = 1; n <= 5; n++) list.push([n, t('stars', { n }), '★']);
  else list.push([5, t('good'), t('good')], [1, t('bad'), t('bad')]);
  d.scores.replaceChildren();
  for (const [score, name, text] of list) {
    d.scores.append(h('button', { type: 'button', class: 'fd-btn fd-ghost fd-score', 'aria-label': name, 'data-score': score, text, onclick: pick(score) }));
  }
}

/** The ended chat `chatId` asks for its rating (remembered for the next page). */
export function askRating(panel, chatId) {
  const { state, conn } = panel;
  const r = state.rating;
  if (chatId == null || r.chat === chatId) return;
  Object.assign(r, { chat: chatId, ended: Date.now(), score: null, comment: '', rated: 0, editing: false, ref: null, error: '' });
  if (panel.dom.rating) panel.dom.rating.comment.value = '';
  conn.store('rating', toJson({ chat: chatId, ended: r.ended }));
}

/** After a page load with the panel left open: the remembered ended chat the visitor rated,
 * while the rating may still be changed. An ended chat not rated is not brought back: the
 * next page opens as it always did (intro, or the offline form when nobody is On-Line). */
export function restoreRating(panel) {
  const { state, conn } = panel;
  const saved = parseJson(conn.store('rating'));
  if (!saved || saved.chat == null || conn.store('open') !== '1') return;
  const now = Date.now();
  if (!saved.rated || now >= saved.rated + RATE_WINDOW) return conn.store('rating', null);
  Object.assign(state.rating, { chat: saved.chat, ended: saved.ended, score: saved.score || null, comment: saved.comment || '', rated: saved.rated || 0 });
  if (!state.chat) state.chat = { id: saved.chat, state: 'ended', agent: null, position: null };
}

function sendRating(panel) {
  const { state, conn, dom } = panel;
  const r = state.rating;
  if (r.ref) return;
  if (!r.score) {
    r.error = t('chooseRating');
    return render(panel);
  }
  r.comment = dom.rating.comment.value;
  const ref = nextRef(state, 't');
  if (!conn.send({ type: 'rate', ref, chat_id: r.chat, score: r.score, comment: r.comment.trim() || null })) {
    r.error = t('offlineNow');
    return render(panel);
  }
  r.ref = ref;
  r.error = '';
  render(panel);
}

/** An ack or error about our `rate`: true when it was one. */
export function ratingAnswer(panel, f) {
  const { state, conn, dom } = panel;
  const r = state.rating;
  if (f.ref == null || f.ref !== r.ref) return false;
  r.ref = null;
  const hadFocus = dom.rating.box.contains(conn.root.activeElement);
  if (f.type === 'ack' || f.code === 'rating_closed') {
    if (f.type === 'ack') r.rated = r.rated || Date.now();
    else r.rated = 1; // closed: thanks, no change
    r.editing = false;
    conn.store('rating', toJson({ chat: r.chat, ended: r.ended, score: r.score, comment: r.comment, rated: r.rated }));
    clearTimeout(state.timers.rating);
    state.timers.rating = setTimeout(() => render(panel), Math.max(0, r.rated + RATE_WINDOW - Date.now()) + 50);
  } else r.error = errorText(f);
  render(panel);
  if (hadFocus && !dom.rating.box.contains(conn.root.activeElement)) {
    const target = !dom.rating.change.hidden ? dom.rating.change : dom.newChatButton;
    if (!target.closest('[hidden]')) target.focus();
  }
  return true;
}

/** Shows the rating under the ended chat it belongs to (when the site asks for one). */
function renderRating(panel) {
  const { state, dom } = panel;
  const r = state.rating;
  const chat = state.chat;
  const show = !!chat && chat.state === 'ended' && chat.id != null && chat.id === r.chat && r.scale !== 'off' && !state.connection.blocked;
  if (!show && !dom.rating) return;
  if (!dom.rating) ratingDom(panel);
  const d = dom.rating;
  d.box.hidden = !show;
  if (!show) return;
  if (d.scale !== r.scale) scoreButtons(panel);
  const asking = !r.rated || r.editing;
  d.form.hidden = !asking;
  d.thanks.hidden = asking;
  d.change.hidden = !(r.rated > 1 && Date.now() < r.rated + RATE_WINDOW);
  if (asking && d.comment.value === '' && r.comment && !r.ref) d.comment.value = r.comment;
  for (const b of d.scores.children) b.setAttribute('aria-pressed', String(Number(b.getAttribute('data-score')) === r.score));
  setText(d.error, r.error);
  if (r.ref) d.send.setAttribute('aria-disabled', 'true');
  else d.send.removeAttribute('aria-disabled');
}
