// A colleague in the chat (issue 13): "Invite Agent", the "Join chat" pop-up, "Leave chat".
//
// `chat.join_invite` raises the pop-up "NAME invites you to a chat" with "Join chat";
// `chat.updated` (someone joined or left) refreshes the chat, and opens its window when this
// agent is now in it (joined from another tab). The actions are mixed into the Controller
// (`this` is the controller), like chat-actions.js.

import { store } from './state.js';
import { beep, desktopNotify } from './notify.js';
import { toast } from './ui/toast.js';
import { visitorLabel } from './format.js';

/** `chat.join_invite`: the "Join chat" pop-up. */
export function onJoinInvite(ctrl, f) {
  const c = store.upsertChat(f.chat);
  const id = Number(c.chat_id);
  const key = `join-${id}`;
  store.setPopup(key, { kind: 'join', chatId: id, fromName: f.from_agent_name, status: 'open' });
  beep('transfer');
  desktopNotify('Join chat', `${f.from_agent_name} invites you to the chat with ${visitorLabel(c.visitor_name, c.visitor_id)}`, {
    tag: key,
    onClick: () => {
      store.setPage('console');
      store.emit('focus-popup', id);
    },
  });
}

/** `chat.updated`: a colleague joined or left, or the chat was handed over. */
export function onChatUpdated(ctrl, f) {
  if (!f.chat) return;
  // Colleagues, tags or wrap-up note changed: a summary leaves them out when there are none.
  const c = store.upsertChat({ joined: [], tags: [], wrap_up: null, ...f.chat });
  const id = Number(c.chat_id);
  if (store.inChat(c) && c.state === 'active' && !store.windows.includes(id) && !ctrl.closing.has(id)) {
    store.openWindow(id, { activate: store.active == null });
    ctrl.sync(id);
  }
}

export const colleagueActions = {
  /** "Invite Agent": ask an On-Line colleague into a chat I hold. */
  async inviteAgent(chatId, agentId) {
    const target = store.agents.get(Number(agentId));
    try {
      await this.conn.request({ type: 'invite_agent', chat_id: Number(chatId), agent: Number(agentId) });
    } catch (err) {
      toast(err.message, { kind: 'error' });
      return false;
    }
    toast(`Invitation sent to ${target ? target.name : 'your colleague'}.`);
    return true;
  },

  /** "Join chat": become a colleague in the chat; its window opens and catches up. */
  async joinChat(chatId) {
    const id = Number(chatId);
    const key = `join-${id}`;
    const p = store.popups.get(key);
    if (p) store.setPopup(key, { ...p, status: 'joining' });
    try {
      await this.conn.request({ type: 'join', chat_id: id });
    } catch (err) {
      if (store.popups.has(key)) store.setPopup(key, null);
      toast(err.message, { kind: 'error' });
      return false;
    }
    if (store.popups.has(key)) store.setPopup(key, null);
    const c = store.chat(id);
    if (c && !store.inChat(c)) {
      store.patchChat(id, { joined: [...(c.joined || []), { agent_id: store.me.agent_id, name: store.me.name }] });
    }
    store.patchChat(id, { released: false });
    store.openWindow(id, { activate: true });
    store.emit('focus-composer', id);
    this.sync(id);
    return true;
  },

  /** "Leave chat": a colleague leaves; the owner hands the chat to the first colleague. */
  async leaveChat(chatId) {
    const id = Number(chatId);
    const c = store.chat(id);
    const heir = c && store.isMe(c.agent_id) ? (c.joined || [])[0] : null;
    this.closing.add(id);
    try {
      await this.conn.request({ type: 'leave', chat_id: id });
    } catch (err) {
      this.closing.delete(id);
      toast(err.message, { kind: 'error' });
      return false;
    }
    this.closing.delete(id);
    store.closeWindow(id);
    toast(heir ? `You left the chat; ${heir.name} has it now.` : 'You left the chat.');
    return true;
  },
};
