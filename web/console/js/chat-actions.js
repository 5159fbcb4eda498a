// The Controller's actions that hand a chat on or end it (Transfer, to a department, Close,
// End, Block), invite a visitor, and set the agent's own status and monitoring. Mixed into
// Controller.prototype by controller.js (`this` is the controller).

import { store } from './state.js';
import { toast } from './ui/toast.js';

export const chatActions = {
  async transfer(chatId, agentId) {
    const id = Number(chatId);
    const target = store.agents.get(Number(agentId));
    this.closing.add(id);
    try {
      await this.conn.request({ type: 'transfer', chat_id: id, to: Number(agentId) });
    } catch (err) {
      this.closing.delete(id);
      toast(err.message, { kind: 'error' });
      return false;
    }
    toast(`Chat transferred to ${target ? target.name : 'the other agent'}.`);
    this.closing.delete(id);
    store.closeWindow(id);
    return true;
  },

  /** "Transfer" to a department: the chat goes back to the queue for its agents. */
  async transferToDepartment(chatId, departmentId) {
    const id = Number(chatId);
    const d = store.departments.find((x) => Number(x.department_id) === Number(departmentId));
    this.closing.add(id);
    try {
      await this.conn.request({ type: 'transfer_to_department', chat_id: id, department_id: Number(departmentId) });
    } catch (err) {
      this.closing.delete(id);
      toast(err.message, { kind: 'error' });
      return false;
    }
    toast(`Chat transferred to ${d ? d.name : 'the department'}.`);
    this.closing.delete(id);
    store.closeWindow(id);
    return true;
  },

  /** "Close": the window goes; an open chat of mine goes back to the queue. */
  async close(chatId) {
    const id = Number(chatId);
    const c = store.chat(id);
    if (!c || !store.isMine(c)) {
      store.closeWindow(id);
      return true;
    }
    this.closing.add(id);
    this.closedByMe.add(id); // before the request: chat.requested may come before the ack
    try {
      await this.conn.request({ type: 'close', chat_id: id });
    } catch (err) {
      this.closing.delete(id);
      this.closedByMe.delete(id);
      if (err.code === 'chat_ended' || err.code === 'not_your_chat' || err.code === 'not_found') {
        store.closeWindow(id);
        return true;
      }
      toast(err.message, { kind: 'error' });
      return false;
    }
    this.closing.delete(id);
    store.closeWindow(id);
    return true;
  },

  async end(chatId, wrapUp = '') {
    const id = Number(chatId);
    const note = typeof wrapUp === 'string' && wrapUp.trim() ? { wrap_up: wrapUp } : {};
    try {
      await this.conn.request({ type: 'end', chat_id: id, ...note });
    } catch (err) {
      if (err.code !== 'chat_ended') {
        toast(err.message, { kind: 'error' });
        return false;
      }
    }
    store.patchChat(id, { state: 'ended', end_reason: store.chat(id)?.end_reason || 'agent' });
    store.setTyping(id, false);
    return true;
  },

  async block(chatId) {
    const id = Number(chatId);
    try {
      await this.conn.request({ type: 'block', chat_id: id });
    } catch (err) {
      toast(err.message, { kind: 'error' });
      return false;
    }
    store.patchChat(id, { state: 'ended', end_reason: 'blocked' });
    toast('The visitor is blocked for the rest of the day.');
    return true;
  },

  /** "Show more visitors": the next page of "Visitors on Site" (the store adds it). */
  async moreVisitors() {
    const before = store.visitorsNext;
    if (!before) return;
    try {
      await this.conn.request({ type: 'visitors.more', before });
    } catch (err) {
      toast(err.message, { kind: 'error' });
    }
  },

  async invite(siteId, visitorId, greeting) {
    await this.conn.request({ type: 'invite', site_id: Number(siteId), visitor_id: visitorId, greeting });
    toast('Invitation sent.');
  },

  async setStatus(status) {
    const before = store.me?.status;
    store.setMe({ status });
    try {
      await this.conn.request({ type: 'status', status });
    } catch (err) {
      store.setMe({ status: before });
      toast(err.message, { kind: 'error' });
    }
  },

  async setMonitoring(siteId, monitoring) {
    store.setMonitoring(siteId, monitoring);
    try {
      await this.conn.request({ type: 'monitor', site_id: Number(siteId), monitoring });
    } catch (err) {
      store.setMonitoring(siteId, !monitoring);
      toast(err.message, { kind: 'error' });
    }
  },
};
