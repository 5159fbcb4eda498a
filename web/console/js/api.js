// Fetch wrapper for the REST API: JSON in and out, same-origin cookies, typed errors.

/** An error from the API or the socket, with a machine code (crates/core/src/error.rs). */
export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message || messageFor(code));
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

const MESSAGES = {
  bad_request: 'The request was not understood.',
  unknown_type: 'The server did not understand that action.',
  too_long: 'That text is too long.',
  empty: 'Please type something first.',
  unauthorized: 'Your session has ended. Please sign in again.',
  forbidden: 'You are not allowed to do that.',
  not_found: 'Not found (it may have been removed).',
  chat_taken: 'Another agent has already taken this chat.',
  chat_ended: 'This chat has ended.',
  not_your_chat: 'This chat is not yours any more.',
  blocked: 'This visitor is blocked.',
  invalid_target: 'That agent cannot take the chat now.',
  invalid_link: 'Only http and https links can be sent.',
  rate_limited: 'Too many requests. Please wait a moment and try again.',
  chat_open: 'The visitor already has an open chat.',
  bad_credentials: 'Wrong email or password.',
  origin_refused: 'The request came from an origin that is not allowed.',
  conflict: 'That already exists.',
  resync: 'Catching up with the server…',
  unavailable: 'The server could not do that just now. Please try again.',
  internal: 'Something went wrong on the server.',
  network: 'Cannot reach the server. Check your connection.',
  offline: 'Not connected to the server.',
  timeout: 'The server did not answer in time.',
  file_too_large: 'File too large for this site.',
  file_type_not_allowed: 'This type of file is not allowed.',
  too_many_files: 'This chat already has as many files as it may hold.',
  file_refused: 'This file cannot be accepted (damaged, or an image with too many pixels).',
  search_off: 'Search is turned off on this server.',
};

export function messageFor(code) {
  return MESSAGES[code] || 'Something went wrong.';
}

const STATUS_CODES = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found',
  409: 'conflict', 413: 'too_long', 415: 'file_type_not_allowed', 429: 'rate_limited', 503: 'unavailable',
};

let unauthorizedHandler = null;

/** Called when any API call (other than sign-in) answers 401: the session is gone. */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

/** Builds a path, encoding every interpolated value: path`/api/chats/${id}`. */
export function path(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => {
    out += encodeURIComponent(String(v)) + strings[i + 1];
  });
  return out;
}

// Writes (any method but GET) answered so far: a list fetched while one was answered may
// predate it (see `writesDone`).
let writes = 0;

/** How many writes have been answered: a view that fetched a list compares the count before
 * and after, and fetches again when a save landed meanwhile (its list may predate the save). */
export function writesDone() {
  return writes;
}

export async function request(method, url, body, { quietAuth = false } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError('network');
  } finally {
    if (method !== 'GET') writes += 1;
  }
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (res.status !== 204 && type.includes('json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const code = (data && typeof data.code === 'string' && data.code)
      || STATUS_CODES[res.status] || (res.status >= 500 ? 'internal' : 'bad_request');
    const message = data && typeof data.message === 'string' && data.message ? data.message : '';
    const err = new ApiError(code, message || messageFor(code), res.status);
    // Prefer our wording for the codes people see most.
    if (code === 'bad_credentials' || code === 'rate_limited') err.message = messageFor(code);
    if (res.status === 401 && !quietAuth && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  return data;
}

export const get = (url, opts) => request('GET', url, undefined, opts);
export const post = (url, body, opts) => request('POST', url, body ?? {}, opts);
export const put = (url, body, opts) => request('PUT', url, body ?? {}, opts);
export const del = (url, opts) => request('DELETE', url, undefined, opts);

// ── The endpoints the console uses (docs/rest-plan.md) ──

export const auth = {
  login: (email, password) => post('/api/auth/login', { email, password }, { quietAuth: true }),
  logout: () => post('/api/auth/logout', {}, { quietAuth: true }),
  me: () => get('/api/me', { quietAuth: true }),
  changePassword: (current_password, new_password) =>
    post('/api/me/password', { current_password, new_password }),
};

export const chats = {
  get: (id) => get(path`/api/chats/${id}`),
  transcriptUrl: (id, ext) => path`/api/chats/${id}/transcript.` + ext,
  mailto: (id, to) => get(path`/api/chats/${id}/mailto` + `?to=${encodeURIComponent(to)}`),
  email: (id, to, includeNotes = false) => post(path`/api/chats/${id}/email`, { to, include_notes: !!includeNotes }),
};

export const visitors = {
  /** Visit Detail; `chatId` is the chat in the window, which "Chat History" leaves out. */
  detail: (siteId, visitorId, chatId) => get(path`/api/sites/${siteId}/visitors/${visitorId}`
    + (chatId == null ? '' : `?chat_id=${encodeURIComponent(chatId)}`)),
};

export const canned = {
  list: (siteId) => get(path`/api/sites/${siteId}/canned`),
  create: (siteId, title, body, scope, shortcut = null) =>
    post(path`/api/sites/${siteId}/canned`, { title, body, scope, shortcut }),
  /** `shortcut` undefined: kept as it is; null or '': removed. */
  update: (id, title, body, shortcut) => put(path`/api/canned/${id}`, { title, body, shortcut }),
  remove: (id) => del(path`/api/canned/${id}`),
};

export const offline = {
  list: (siteId) => get(path`/api/sites/${siteId}/offline-messages`),
};

export const supervision = {
  /** "All Chats": the live chats of the sites I supervise. */
  chats: () => get('/api/supervision/chats'),
};

/** The "Archive" (issue 15): a page of chats of my sites for `filters` ({site, agent, from,
 * to, state, tag, rating, q, cursor, limit}; empty values left out), and how many match. */
function archiveQuery(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters || {})) {
    if (v !== undefined && v !== null && String(v) !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const archive = {
  page: (filters) => get(`/api/archive${archiveQuery(filters)}`),
  count: (filters) => get(`/api/archive/count${archiveQuery(filters)}`),
};

export const admin = {
  sites: () => get('/api/admin/sites'),
  createSite: (site) => post('/api/admin/sites', site),
  updateSite: (id, site) => put(path`/api/admin/sites/${id}`, site),
  siteSettings: (id, settings) => put(path`/api/admin/sites/${id}/settings`, settings),
  rotateIdentitySecret: (id) => post(path`/api/admin/sites/${id}/identity-secret`, {}),
  agents: () => get('/api/admin/agents'),
  createAgent: (agent) => post('/api/admin/agents', agent),
  updateAgent: (id, changes) => put(path`/api/admin/agents/${id}`, changes),
  deleteAgent: (id) => del(path`/api/admin/agents/${id}`),
  blocks: (siteId) => get(path`/api/admin/sites/${siteId}/blocks`),
  liftBlock: (id) => del(path`/api/admin/blocks/${id}`),
  exportVisitor: (siteId, visitorId) => get(path`/api/admin/sites/${siteId}/visitors/${visitorId}/export`),
  eraseVisitor: (siteId, visitorId) => del(path`/api/admin/sites/${siteId}/visitors/${visitorId}`),
  departments: (siteId) => get(path`/api/admin/sites/${siteId}/departments`),
  createDepartment: (siteId, department) => post(path`/api/admin/sites/${siteId}/departments`, department),
  updateDepartment: (id, changes) => put(path`/api/admin/departments/${id}`, changes),
  deleteDepartment: (id) => del(path`/api/admin/departments/${id}`),
  tokens: () => get('/api/admin/tokens'),
  createToken: (token) => post('/api/admin/tokens', token),
  revokeToken: (id) => del(path`/api/admin/tokens/${id}`),
  audit: (query) => get(`/api/admin/audit?${new URLSearchParams(query)}`),
  webhooks: (siteId) => get(path`/api/admin/sites/${siteId}/webhooks`),
  createWebhook: (siteId, hook) => post(path`/api/admin/sites/${siteId}/webhooks`, hook),
  updateWebhook: (id, changes) => put(path`/api/admin/webhooks/${id}`, changes),
  deleteWebhook: (id) => del(path`/api/admin/webhooks/${id}`),
  testWebhook: (id) => post(path`/api/admin/webhooks/${id}/test`, {}),
  webhookDeliveries: (id) => get(path`/api/admin/webhooks/${id}/deliveries`),
};

/** A chat's "Tags" and "Wrap-up note", and a site's tags as suggestions (issue 13). */
export const tags = {
  set: (chatId, list) => put(path`/api/chats/${chatId}/tags`, { tags: list }),
  setWrapUp: (chatId, note) => put(path`/api/chats/${chatId}/wrap-up`, { wrap_up: note }),
  ofSite: (siteId) => get(path`/api/sites/${siteId}/tags`),
};

/** Files in chats (issue 14): download URLs, and the agent's upload with progress. */
export const files = {
  url: (id) => path`/api/files/${id}`,
  thumbUrl: (id) => path`/api/files/${id}/thumb`,
  /**
   * Uploads `file` into chat `chatId` (multipart `file`, `client_id`); resolves with the stored
   * message (the 201), rejects with ApiError. XMLHttpRequest, not fetch: fetch has no upload
   * progress. `onProgress(fraction)` as the bytes go out. Same origin, so the browser sends the
   * session cookie and our Origin (the CSRF check).
   */
  upload(chatId, file, clientId, onProgress) {
    return new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open('POST', path`/api/chats/${chatId}/files`);
      x.setRequestHeader('Accept', 'application/json');
      x.upload.onprogress = (e) => { if (e.lengthComputable && e.total) onProgress?.(e.loaded / e.total); };
      x.onload = () => {
        let data = null;
        try { data = JSON.parse(x.responseText); } catch { data = null; }
        if (x.status === 201 && data && data.seq != null) return resolve(data);
        const code = (data && typeof data.code === 'string' && data.code)
          || (x.status === 413 ? 'file_too_large' : STATUS_CODES[x.status])
          || (x.status >= 500 ? 'internal' : 'bad_request');
        const err = new ApiError(code, messageFor(code), x.status);
        if (x.status === 401 && unauthorizedHandler) unauthorizedHandler(err);
        reject(err);
      };
      x.onerror = () => reject(new ApiError('network'));
      const form = new FormData();
      form.append('client_id', clientId);
      form.append('file', file, file.name || 'file');
      x.send(form);
    });
  },
};

/** "Reports" (issue 15): `query` is the query string of the page's controls (reports/model.js). */
export const reports = {
  get: (query) => get(`/api/reports?${query}`),
};
