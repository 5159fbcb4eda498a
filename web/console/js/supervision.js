// Supervisors: "Watch" (a chat read-only and live; the visitor is not told), "Stop watching",
// "Take over" (the chat becomes mine) and "Join" (as a colleague in the chat). Mixed into
// Controller.prototype by controller.js (`this` is the controller). A watch belongs to the
// socket: after every reconnect the watched chats are watched again (`rewatch`).

import { store } from './state.js';
import { toast } from './ui/toast.js';

export const supervisionActions = {
  /** "Watch": the chat's history comes with the answer, then its frames live. */
  async watch(chatId) {
    const id = Number(chatId);
    store.setWatching(id, true);
    try {
      await this.conn.request({ type: 'watch', chat_id: id, watching: true });
    } catch (err) {
      store.setWatching(id, false);
      toast(err.message, { kind: 'error' });
      return false;
    }
    store.setPage('console');
    store.openWindow(id, { activate: true });
    return true;
  },

  /** "Stop watching": the window closes. */
  async stopWatching(chatId) {
    const id = Number(chatId);
    store.setWatching(id, false);
    store.closeWindow(id);
    try {
      await this.conn.request({ type: 'watch', chat_id: id, watching: false });
    } catch {
      /* the watch ends with the socket anyway */
    }
  },

  /** After a snapshot: the server forgot this socket's watches; ask again. */
  rewatch() {
    for (const id of store.watching) {
      if (!store.windows.includes(id)) {
        store.setWatching(id, false);
        continue;
      }
      this.conn.request({ type: 'watch', chat_id: id, watching: true }).catch(() => {
        store.setWatching(id, false);
      });
    }
  },

  /** "Take over": the chat becomes mine (a waiting one is accepted). */
  async takeOver(chatId) {
    const id = Number(chatId);
    this.takingOver.add(id);
    try {
      await this.conn.request({ type: 'take_over', chat_id: id });
    } catch (err) {
      this.takingOver.delete(id);
      toast(err.message, { kind: 'error' });
      return false;
    }
    // In a cluster `chat.transferred` may come after the ack: no pop-up for it either.
    setTimeout(() => this.takingOver.delete(id), 10_000);
    if (store.watching.has(id)) {
      store.setWatching(id, false);
      this.conn.request({ type: 'watch', chat_id: id, watching: false }).catch(() => {});
    }
    store.patchChat(id, { state: 'active', agent_id: store.me.agent_id, agent_name: store.me.name, released: false });
    this.dropPopup(`req-${id}`);
    this.dropPopup(`xfer-${id}`);
    store.setPage('console');
    store.openWindow(id, { activate: true });
    store.emit('focus-composer', id);
    this.sync(id);
    return true;
  },

  /** "Join": in the chat as a colleague (the colleagues' rules decide). */
  async joinChat(chatId) {
    const id = Number(chatId);
    try {
      await this.conn.request({ type: 'join', chat_id: id });
    } catch (err) {
      toast(err.message, { kind: 'error' });
      return false;
    }
    if (store.watching.has(id)) {
      store.setWatching(id, false);
      this.conn.request({ type: 'watch', chat_id: id, watching: false }).catch(() => {});
    }
    store.setPage('console');
    store.openWindow(id, { activate: true });
    this.sync(id);
    return true;
  },
};
