// The store: everything the console shows, and change events. No DOM, no network.
//
// Topics emitted (detail in parentheses):
//   me, sites, agents, visitors, chats, windows, active, unread, conn, page, offline,
//   popups, messages (chatId), typing (chatId), chat (chatId), detail (chatId)

export class Store {
  constructor() {
    this.listeners = new Map();
    this.reset();
  }

  reset() {
    this.me = null; // {agent_id, name, email, is_admin, status}
    this.epoch = null;
    this.sites = new Map(); // site_id -> {site_id, name, base_url, monitoring}
    this.chats = new Map(); // chat_id -> ChatSummary (+ end_reason, released)
    this.messages = new Map(); // chat_id -> Map(seq -> AgentMessageView)
    this.contiguous = new Map(); // chat_id -> highest seq with no gap below it
    this.floor = new Map(); // chat_id -> seq up to which messages were left out by a resync
    this.local = new Map(); // chat_id -> Map(client_id -> {client_id, kind, body, status, error})
    this.agents = new Map(); // agent_id -> AgentPresence
    this.departments = []; // DepartmentView of my sites (snapshot)
    this.visitors = new Map(); // "site/visitor" -> VisitorOnSite
    this.visitorsTotal = 0; // visitors on my monitored sites, held here or not
    this.visitorsNext = null; // cursor of the next page of visitors (`visitors.more`), or null
    this.dismissedInvitations = new Set(); // "site/visitor" who dismissed an invitation
    this.windows = []; // chat ids with an open window, in opening order
    this.active = null; // chat id of the shown window
    this.unread = new Map(); // chat_id -> count
    this.typing = new Map(); // chat_id -> until (ms)
    this.offline = []; // offline messages received live
    this.popups = new Map(); // key -> {key, kind, chatId, status, by, fromName}
    this.watching = new Set(); // chat ids I watch as a supervisor (read-only windows)
    this.conn = { state: 'idle', info: {} };
    this.page = 'console';
    this.focused = typeof document === 'undefined' ? true : document.hasFocus();
  }

  on(topic, fn) {
    if (!this.listeners.has(topic)) this.listeners.set(topic, new Set());
    this.listeners.get(topic).add(fn);
    return () => this.listeners.get(topic)?.delete(fn);
  }

  emit(topic, detail) {
    for (const fn of [...(this.listeners.get(topic) || [])]) {
      try {
        fn(detail);
      } catch (e) {
        console.error(`listener for ${topic} failed`, e);
      }
    }
  }

  // ── identity, sites, agents, visitors ──

  setMe(me) {
    this.me = { ...(this.me || {}), ...me };
    this.emit('me');
  }

  isMe(agentId) {
    return this.me != null && agentId != null && Number(agentId) === Number(this.me.agent_id);
  }

  setSites(list) {
    this.sites = new Map(list.map((s) => [Number(s.site_id), { ...s }]));
    this.emit('sites');
  }

  setMonitoring(siteId, monitoring) {
    const s = this.sites.get(Number(siteId));
    if (!s) return;
    s.monitoring = monitoring;
    this.emit('sites');
  }

  siteName(siteId) {
    return this.sites.get(Number(siteId))?.name || `Site ${siteId}`;
  }

  setAgents(list) {
    this.agents = new Map(list.map((a) => [Number(a.agent_id), a]));
    this.emit('agents');
  }

  upsertAgent(a) {
    this.agents.set(Number(a.agent_id), a);
    if (this.isMe(a.agent_id) && this.me.status !== a.status) {
      this.me.status = a.status;
      this.emit('me');
    }
    this.emit('agents');
  }

  /** Agents a chat on `siteId` may be transferred to: On-Line, connected, monitoring, not me. */
  transferTargets(siteId) {
    return [...this.agents.values()]
      .filter((a) => !this.isMe(a.agent_id) && a.status === 'online' && a.connected
        && (a.monitoring || []).map(Number).includes(Number(siteId)))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  setDepartments(list) {
    this.departments = Array.isArray(list) ? list : [];
    this.emit('agents');
  }

  /** One site's departments changed: its whole list. */
  setSiteDepartments(siteId, list) {
    const others = this.departments.filter((d) => Number(d.site_id) !== Number(siteId));
    this.setDepartments([...others, ...(Array.isArray(list) ? list : [])]);
  }

  /** Departments a chat on `siteId` may be transferred to, by name. */
  departmentTargets(siteId) {
    return this.departments.filter((d) => Number(d.site_id) === Number(siteId))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }

  /** Whether a waiting chat's pop-up is for me: no department, I am in it, or none of its
   * agents is On-Line for the site (then it goes to everyone, as the server does). */
  departmentWantsMe(chat) {
    const d = chat.department_id == null ? null
      : this.departments.find((x) => Number(x.department_id) === Number(chat.department_id));
    if (!d) return true;
    const members = (d.agents || []).map(Number);
    if (this.me && members.includes(Number(this.me.agent_id))) return true;
    return !members.some((id) => {
      const a = this.agents.get(id);
      return a && a.status === 'online' && a.connected && (a.monitoring || []).map(Number).includes(Number(chat.site_id));
    });
  }

  /** The snapshot's visitors: its newest page, how many there are in all, the next page's
   * cursor (null when the page is all). */
  setVisitors(list, total = list.length, next = null) {
    this.visitors = new Map(list.map((v) => [`${v.site_id}/${v.visitor_id}`, v]));
    this.visitorsTotal = Math.max(Number(total) || 0, this.visitors.size);
    this.visitorsNext = next || null;
    this.emit('visitors');
  }

  /** A `visitors.page`: older visitors, added to those held (live updates may have brought
   * some of them already: each is held once). */
  addVisitors(list, total, next) {
    for (const v of list) this.visitors.set(`${v.site_id}/${v.visitor_id}`, v);
    this.visitorsTotal = Math.max(Number(total) || 0, this.visitors.size);
    this.visitorsNext = next || null;
    this.emit('visitors');
  }

  /** Whether `v` is older than the next page's cursor: counted in the total already. */
  notPagedYet(v) {
    const started = Number(String(this.visitorsNext || '').split('.')[0]);
    return this.visitorsNext != null && Number(v.started_at) < started;
  }

  upsertVisitor(v) {
    const key = `${v.site_id}/${v.visitor_id}`;
    if (!this.visitors.has(key) && !this.notPagedYet(v)) this.visitorsTotal += 1;
    this.visitors.set(key, v);
    this.visitorsTotal = Math.max(this.visitorsTotal, this.visitors.size);
    this.emit('visitors');
  }

  /** `visitor.invitation_dismissed` (true), or an agent invited them again (false). Kept apart
   * from the visitor's entry: a page change (`visitor.left`, then `visitor.update`) keeps it. */
  setInvitationDismissed(siteId, visitorId, dismissed) {
    const key = `${siteId}/${visitorId}`;
    if (this.dismissedInvitations.has(key) === dismissed) return;
    if (dismissed) this.dismissedInvitations.add(key);
    else this.dismissedInvitations.delete(key);
    this.emit('visitors');
  }

  invitationDismissed(v) {
    return this.dismissedInvitations.has(`${v.site_id}/${v.visitor_id}`);
  }

  removeVisitor(siteId, visitorId) {
    const held = this.visitors.delete(`${siteId}/${visitorId}`);
    // One not held here is on a page not loaded yet (when there is one): still counted.
    if (held || this.visitorsTotal > this.visitors.size) this.visitorsTotal = Math.max(this.visitorsTotal - 1, this.visitors.size);
    if (held || this.visitorsNext) this.emit('visitors');
  }

  // ── chats ──

  /** Replaces the chat list with a snapshot's, keeping chats that have a window open. */
  setChats(list) {
    const next = new Map(list.map((c) => [Number(c.chat_id), { ...c }]));
    for (const id of this.windows) {
      if (!next.has(id) && this.chats.has(id)) next.set(id, this.chats.get(id));
    }
    this.chats = next;
    this.emit('chats');
  }

  upsertChat(summary) {
    const id = Number(summary.chat_id);
    const prev = this.chats.get(id) || {};
    const merged = { ...prev, ...summary };
    merged.joined = Array.isArray(summary.joined) ? summary.joined : []; // left out when none
    if (merged.state !== 'ended') delete merged.end_reason;
    if (merged.state === 'active' && this.inChat(merged)) delete merged.released;
    this.chats.set(id, merged);
    this.emit('chats');
    this.emit('chat', id);
    return merged;
  }

  patchChat(chatId, patch) {
    const c = this.chats.get(Number(chatId));
    if (!c) return null;
    Object.assign(c, patch);
    this.emit('chats');
    this.emit('chat', Number(chatId));
    return c;
  }

  chat(chatId) {
    return this.chats.get(Number(chatId)) || null;
  }

  /** Forget a chat that has neither a window nor a place in the list. */
  dropChat(chatId) {
    const id = Number(chatId);
    if (this.windows.includes(id)) return;
    this.chats.delete(id);
    this.messages.delete(id);
    this.contiguous.delete(id);
    this.floor.delete(id);
    this.local.delete(id);
    this.unread.delete(id);
    this.emit('chats');
  }

  waitingChats() {
    return [...this.chats.values()]
      .filter((c) => c.state === 'pending')
      .sort((a, b) => a.queued_at - b.queued_at || a.chat_id - b.chat_id);
  }

  isMine(chat) {
    return chat != null && chat.state === 'active' && this.isMe(chat.agent_id) && !chat.released;
  }

  /** Am I in the chat, as its owner or a colleague who joined (released or not)? */
  inChat(chat) {
    return chat != null && (this.isMe(chat.agent_id) || this.isColleague(chat));
  }

  /** Did I join the chat as a colleague (not its owner)? */
  isColleague(chat) {
    return chat != null && (chat.joined || []).some((j) => this.isMe(j.agent_id));
  }

  /** May I write in the chat: mine, or an active chat I joined. */
  mayWrite(chat) {
    return this.isMine(chat)
      || (chat != null && chat.state === 'active' && this.isColleague(chat) && !chat.released);
  }

  // ── messages ──

  /** Adds messages, dropping any seq already held. Returns the ones that were new. */
  addMessages(chatId, list) {
    const id = Number(chatId);
    if (!this.messages.has(id)) this.messages.set(id, new Map());
    const byseq = this.messages.get(id);
    const added = [];
    for (const m of list) {
      const seq = Number(m.seq);
      if (!Number.isFinite(seq) || byseq.has(seq)) continue;
      byseq.set(seq, m);
      added.push(m);
      if (m.client_id) this.removeLocal(id, m.client_id, false);
    }
    let c = Math.max(this.contiguous.get(id) || 0, this.floor.get(id) || 0);
    while (byseq.has(c + 1)) c += 1;
    this.contiguous.set(id, c);
    if (added.length) this.emit('messages', id);
    return added;
  }

  /**
   * `chat.resync`: the server's latest messages replace those held up to `upto` (later ones
   * came live). `incomplete`: earlier messages were left out; `floor(chatId)` says up to where.
   */
  replaceMessages(chatId, list, upto, incomplete) {
    const id = Number(chatId);
    const byseq = this.messages.get(id) || new Map();
    for (const seq of [...byseq.keys()]) if (seq <= upto) byseq.delete(seq);
    this.messages.set(id, byseq);
    const first = list.length ? Math.min(...list.map((m) => Number(m.seq))) : upto + 1;
    this.floor.set(id, incomplete ? first - 1 : 0);
    this.contiguous.set(id, 0);
    if (!this.addMessages(id, list).length) this.emit('messages', id);
  }

  /** The full transcript (over REST) fills what a resync left out. */
  fillMessages(chatId, list) {
    this.floor.delete(Number(chatId));
    this.addMessages(chatId, list);
    this.emit('messages', Number(chatId));
  }

  /** Highest seq a resync left out (0: none): those are only in the transcript. */
  leftOut(chatId) {
    return this.floor.get(Number(chatId)) || 0;
  }

  /** Highest seq seen with nothing missing below it: what `sync` asks after. */
  lastSeq(chatId) {
    return this.contiguous.get(Number(chatId)) || 0;
  }

  highestSeq(chatId) {
    const m = this.messages.get(Number(chatId));
    return m && m.size ? Math.max(...m.keys()) : 0;
  }

  sortedMessages(chatId) {
    const m = this.messages.get(Number(chatId));
    return m ? [...m.values()].sort((a, b) => a.seq - b.seq) : [];
  }

  clearMessages(chatId) {
    this.messages.delete(Number(chatId));
    this.contiguous.delete(Number(chatId));
    this.floor.delete(Number(chatId));
    this.emit('messages', Number(chatId));
  }

  addLocal(chatId, entry) {
    const id = Number(chatId);
    if (!this.local.has(id)) this.local.set(id, new Map());
    this.local.get(id).set(entry.client_id, { status: 'sending', ...entry });
    this.emit('messages', id);
  }

  patchLocal(chatId, clientId, patch) {
    const e = this.local.get(Number(chatId))?.get(clientId);
    if (!e) return;
    Object.assign(e, patch);
    this.emit('messages', Number(chatId));
  }

  removeLocal(chatId, clientId, emit = true) {
    const m = this.local.get(Number(chatId));
    if (m && m.delete(clientId) && emit) this.emit('messages', Number(chatId));
  }

  localMessages(chatId) {
    const m = this.local.get(Number(chatId));
    return m ? [...m.values()] : [];
  }

  // ── windows, unread, typing ──

  openWindow(chatId, { activate = true } = {}) {
    const id = Number(chatId);
    if (!this.windows.includes(id)) {
      this.windows.push(id);
      this.emit('windows');
    }
    if (activate || this.active == null) this.setActive(id);
  }

  closeWindow(chatId) {
    const id = Number(chatId);
    const i = this.windows.indexOf(id);
    if (i < 0) return;
    this.windows.splice(i, 1);
    this.unread.delete(id);
    this.typing.delete(id);
    if (this.active === id) {
      this.active = this.windows[Math.min(i, this.windows.length - 1)] ?? null;
      this.emit('active');
    }
    const c = this.chats.get(id);
    if (c && ((c.state === 'ended' && !c.missed) || c.released)) this.dropChat(id);
    this.emit('windows');
    this.emit('unread');
  }

  setActive(chatId) {
    const id = chatId == null ? null : Number(chatId);
    if (this.active !== id) {
      this.active = id;
      this.emit('active');
    }
    this.markRead(id);
  }

  /** Counts a message as unread unless its window is the one being looked at. */
  bumpUnread(chatId) {
    const id = Number(chatId);
    if (this.isLookingAt(id)) return;
    this.unread.set(id, (this.unread.get(id) || 0) + 1);
    this.emit('unread');
  }

  isLookingAt(chatId) {
    return this.page === 'console' && this.active === Number(chatId) && this.focused
      && (typeof document === 'undefined' || document.visibilityState === 'visible');
  }

  markRead(chatId) {
    if (chatId == null || !this.isLookingAt(chatId)) return;
    if (this.unread.get(Number(chatId))) {
      this.unread.delete(Number(chatId));
      this.emit('unread');
    }
  }

  setFocused(focused) {
    this.focused = focused;
    if (focused) this.markRead(this.active);
  }

  totalUnread() {
    let n = 0;
    for (const [id, v] of this.unread) if (this.windows.includes(id)) n += v;
    return n;
  }

  setTyping(chatId, typing) {
    const id = Number(chatId);
    if (typing) this.typing.set(id, Date.now() + 15_000);
    else this.typing.delete(id);
    this.emit('typing', id);
  }

  isTyping(chatId) {
    const until = this.typing.get(Number(chatId));
    return until != null && until > Date.now();
  }

  // ── supervisors ──

  /** Whether I supervise any site ("All Chats"): admins and agents with the role. */
  isSupervisor() {
    return [...this.sites.values()].some((s) => s.supervisor);
  }

  setWatching(chatId, on) {
    const id = Number(chatId);
    if (on === this.watching.has(id)) return;
    if (on) this.watching.add(id);
    else this.watching.delete(id);
    this.emit('watching', id);
    this.emit('chat', id);
  }

  // ── popups, page, connection ──

  setPopup(key, popup) {
    if (popup) this.popups.set(key, { key, ...popup });
    else this.popups.delete(key);
    this.emit('popups');
  }

  setPage(page) {
    if (this.page === page) return;
    this.page = page;
    this.emit('page');
    this.markRead(this.active);
  }

  setConn(state, info) {
    this.conn = { state, info: info || {} };
    this.emit('conn');
  }

  addOffline(msg) {
    this.offline.unshift(msg);
    this.emit('offline');
  }
}

export const store = new Store();
