// REST client for the WellWon API (shared/API.md): bearer token, JSON, problem details as errors.

/** An HTTP error with the server's problem details, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** True when the request never got an answer (offline, connection refused, aborted). */
  get isNetwork() {
    return this.status === 0;
  }
}

function describe(status, problem) {
  if (problem && problem.errors && typeof problem.errors === 'object') {
    const first = Object.values(problem.errors).flat()[0];
    if (first) return String(first);
  }
  if (problem && problem.detail) return String(problem.detail);
  if (problem && problem.title) return String(problem.title);
  return `Request failed (${status}).`;
}

export class Api {
  /** @param {() => string | null} getToken @param {() => void} onUnauthorized */
  constructor(getToken, onUnauthorized) {
    this.getToken = getToken;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    const token = this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, null, 'You appear to be offline. Check your connection and try again.');
    }
    if (response.status === 204) return null;
    let payload = null;
    const type = response.headers.get('Content-Type') || '';
    if (type.includes('json')) {
      try {
        payload = await response.json();
      } catch {
        payload = null;
      }
    }
    if (!response.ok) {
      if (response.status === 401 && token) this.onUnauthorized();
      let message = describe(response.status, payload);
      if (response.status === 429) {
        const wait = response.headers.get('Retry-After');
        message = `Too many requests${wait ? `; try again in ${wait} s` : ''}.`;
      }
      throw new ApiError(response.status, payload, message);
    }
    return payload;
  }

  register(username, password, displayName) {
    const body = { username, password };
    if (displayName) body.displayName = displayName;
    return this.request('POST', '/api/auth/register', body);
  }

  login(username, password) {
    return this.request('POST', '/api/auth/login', { username, password });
  }

  me() {
    return this.request('GET', '/api/users/@me');
  }

  user(userId) {
    return this.request('GET', `/api/users/${encodeURIComponent(userId)}`);
  }

  userByUsername(username) {
    return this.request('GET', `/api/users/by-username/${encodeURIComponent(username)}`);
  }

  myChannels() {
    return this.request('GET', '/api/users/@me/channels');
  }

  setPresence(status) {
    return this.request('PUT', '/api/users/@me/presence', { status });
  }

  presence(userId) {
    return this.request('GET', `/api/users/${encodeURIComponent(userId)}/presence`);
  }

  createChannel(type, name, memberIds) {
    const body = { type, name };
    if (memberIds && memberIds.length) body.memberIds = memberIds;
    return this.request('POST', '/api/channels', body);
  }

  directChannel(userId) {
    return this.request('POST', '/api/channels/direct', { userId });
  }

  channel(channelId) {
    return this.request('GET', `/api/channels/${encodeURIComponent(channelId)}`);
  }

  members(channelId) {
    return this.request('GET', `/api/channels/${encodeURIComponent(channelId)}/members`);
  }

  addMember(channelId, userId) {
    return this.request('POST', `/api/channels/${encodeURIComponent(channelId)}/members`, { userId });
  }

  removeMember(channelId, userId) {
    return this.request('DELETE', `/api/channels/${encodeURIComponent(channelId)}/members/${encodeURIComponent(userId)}`);
  }

  messages(channelId, { limit = 50, before, after } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before) query.set('before', before);
    if (after) query.set('after', after);
    return this.request('GET', `/api/channels/${encodeURIComponent(channelId)}/messages?${query}`);
  }

  send(channelId, content, nonce) {
    return this.request('POST', `/api/channels/${encodeURIComponent(channelId)}/messages`, { content, nonce });
  }

  edit(channelId, messageId, content) {
    return this.request('PATCH', `/api/channels/${encodeURIComponent(channelId)}/messages/${encodeURIComponent(messageId)}`, { content });
  }

  remove(channelId, messageId) {
    return this.request('DELETE', `/api/channels/${encodeURIComponent(channelId)}/messages/${encodeURIComponent(messageId)}`);
  }

  reactions(channelId, messageId) {
    return this.request('GET', `/api/channels/${encodeURIComponent(channelId)}/messages/${encodeURIComponent(messageId)}/reactions`);
  }

  react(channelId, messageId, emoji, on) {
    const path = `/api/channels/${encodeURIComponent(channelId)}/messages/${encodeURIComponent(messageId)}/reactions/${encodeURIComponent(emoji)}`;
    return this.request(on ? 'PUT' : 'DELETE', path);
  }

  markRead(channelId, messageId) {
    return this.request('POST', `/api/channels/${encodeURIComponent(channelId)}/read`, { messageId });
  }

  typing(channelId) {
    return this.request('POST', `/api/channels/${encodeURIComponent(channelId)}/typing`);
  }
}
