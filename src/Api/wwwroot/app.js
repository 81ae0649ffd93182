// The WellWon web client: sign-in, channels, history, live updates through the gateway.
import { Api, ApiError } from './api.js';
import { Gateway } from './gateway.js';
import { coalesce, compareIds, formatTime, mapLimited, newNonce, snowflakeTime, USERNAME, UUID } from './util.js';

const TOKEN_KEY = 'wellwon.token';
const PAGE_SIZE = 50;
const TYPING_SEND_INTERVAL_MS = 8_000;
const TYPING_DEFAULT_MS = 10_000;
const PRESENCE_INTERVAL_MS = 60_000;
const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'];
const MAX_CONTENT = 4000;

const $ = (id) => document.getElementById(id);

const state = {
  token: localStorage.getItem(TOKEN_KEY),
  me: null,
  /** channelId -> {channel, lastMessageId, unreadCount, peerId?} */
  channels: new Map(),
  /** userId -> Promise<profile> */
  users: new Map(),
  /** userId -> status */
  presence: new Map(),
  /** The open channel's view state, or null. */
  open: null,
  /** channelId -> Map(userId -> {expiresAt, timer}) */
  typing: new Map(),
  /** channelId -> Map(nonce -> {content, li}): sends not confirmed yet, kept across channel switches */
  pending: new Map(),
  presenceTimer: null,
  lastTypingSent: 0,
  registerMode: false,
};

const api = new Api(() => state.token, () => signOut('Your session has expired. Please sign in again.'));
const gateway = new Gateway(() => state.token);

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function toast(message) {
  const el = $('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 6000);
}

function showError(el, message) {
  el.textContent = message || '';
  el.hidden = !message;
}

function errorText(e) {
  return e instanceof ApiError ? e.message : 'Something went wrong. Please try again.';
}

function user(userId) {
  let profile = state.users.get(userId);
  if (!profile) {
    profile = api.user(userId).catch(() => ({ id: userId, username: 'unknown', displayName: 'Unknown user' }));
    state.users.set(userId, profile);
  }
  return profile;
}

function remember(profile) {
  state.users.set(profile.id, Promise.resolve(profile));
}

async function refreshPresence(userId) {
  try {
    const p = await api.presence(userId);
    setPresence(p.userId, p.status);
  } catch {
    // Presence is decoration; a failed read leaves the dot as it was.
  }
}

function setPresence(userId, status) {
  state.presence.set(userId, status);
  for (const dot of document.querySelectorAll(`[data-presence-user="${CSS.escape(userId)}"]`)) {
    dot.dataset.status = status;
    dot.title = status;
  }
}

function presenceDot(userId) {
  const dot = document.createElement('span');
  dot.className = 'dot';
  dot.dataset.presenceUser = userId;
  dot.dataset.status = state.presence.get(userId) || 'offline';
  dot.dataset.testid = 'presence-dot';
  dot.title = dot.dataset.status;
  dot.setAttribute('aria-hidden', 'true');
  return dot;
}

// ---------------------------------------------------------------------------------------------------------------
// Sign in / sign out

function setAuthMode(register) {
  state.registerMode = register;
  $('tab-login').setAttribute('aria-selected', String(!register));
  $('tab-register').setAttribute('aria-selected', String(register));
  $('display-name-row').hidden = !register;
  $('auth-submit').textContent = register ? 'Create account' : 'Sign in';
  $('auth-subtitle').textContent = register ? 'Create an account to start chatting.' : 'Sign in to chat.';
  $('auth-password').autocomplete = register ? 'new-password' : 'current-password';
  showError($('auth-error'), '');
}

function showAuth(message) {
  $('app').hidden = true;
  $('auth').hidden = false;
  showError($('auth-error'), message || '');
  $('auth-username').focus();
}

async function submitAuth(event) {
  event.preventDefault();
  const username = $('auth-username').value.trim().toLowerCase();
  const password = $('auth-password').value;
  const displayName = $('auth-display-name').value.trim();
  const error = $('auth-error');
  if (!USERNAME.test(username)) {
    showError(error, 'Username: 3 to 32 of a-z, 0-9, _ . -');
    return;
  }
  if (password.length < 8 || password.length > 128) {
    showError(error, 'Password: 8 to 128 characters.');
    return;
  }
  const button = $('auth-submit');
  button.disabled = true;
  try {
    const result = state.registerMode
      ? await api.register(username, password, displayName || undefined)
      : await api.login(username, password);
    state.token = result.token;
    localStorage.setItem(TOKEN_KEY, result.token);
    $('auth-password').value = '';
    await startSession(result.user);
  } catch (e) {
    showError(error, e instanceof ApiError && e.status === 401 ? 'Wrong username or password.' : errorText(e));
  } finally {
    button.disabled = false;
  }
}

async function startSession(me) {
  if (!me) {
    try {
      me = await api.me();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return; // signOut already ran
      showAuth(errorText(e));
      return;
    }
  }
  state.me = me;
  remember(me);
  $('me-name').textContent = me.displayName;
  $('me-dot').dataset.presenceUser = me.id;
  $('auth').hidden = true;
  $('app').hidden = false;

  gateway.start();
  heartbeatPresence();
  clearInterval(state.presenceTimer);
  state.presenceTimer = setInterval(heartbeatPresence, PRESENCE_INTERVAL_MS);
  await loadChannels();
  const wanted = decodeURIComponent(window.location.hash.slice(1));
  if (wanted && state.channels.has(wanted)) openChannel(wanted);
}

function heartbeatPresence() {
  api.setPresence('online').then(() => setPresence(state.me.id, 'online')).catch(() => {});
}

function signOut(message) {
  const token = state.token;
  gateway.stop();
  clearInterval(state.presenceTimer);
  if (token && !message) {
    // Best effort: tell the others we left; the heartbeat TTL covers a failure.
    api.setPresence('offline').catch(() => {});
  }
  state.token = null;
  localStorage.removeItem(TOKEN_KEY);
  state.me = null;
  state.channels.clear();
  state.users.clear();
  state.presence.clear();
  for (const typists of state.typing.values()) {
    for (const t of typists.values()) clearTimeout(t.timer);
  }
  state.typing.clear();
  state.pending.clear();
  closeChannel();
  renderChannels();
  history.replaceState(null, '', window.location.pathname);
  showAuth(message);
}

// ---------------------------------------------------------------------------------------------------------------
// Channels

function activity(entry) {
  return entry.lastMessageId ? snowflakeTime(entry.lastMessageId) : Date.parse(entry.channel.createdAt) || 0;
}

function title(entry) {
  if (entry.channel.type === 'direct') return entry.peerName || 'Direct message';
  return entry.channel.name || 'Untitled';
}

async function resolvePeer(entry) {
  if (entry.channel.type !== 'direct' || entry.peerId) return;
  const members = await api.members(entry.channel.id);
  const peer = members.find((m) => m.userId !== state.me.id);
  if (!peer) return;
  entry.peerId = peer.userId;
  entry.peerName = (await user(peer.userId)).displayName;
  refreshPresence(peer.userId);
}

async function loadChannels() {
  let list;
  try {
    list = await api.myChannels();
  } catch (e) {
    toast(`Could not load channels: ${errorText(e)}`);
    return;
  }
  const next = new Map();
  for (const item of list) {
    const old = state.channels.get(item.channel.id);
    // The list is a snapshot taken while dispatches kept arriving: messages counted live that are newer than the
    // snapshot's last message are not in its unread count yet.
    const newer = (old?.liveIds || []).filter((id) => !item.lastMessageId || compareIds(id, item.lastMessageId) > 0);
    const last = old?.lastMessageId && (!item.lastMessageId || compareIds(old.lastMessageId, item.lastMessageId) > 0)
      ? old.lastMessageId
      : item.lastMessageId;
    const entry = {
      channel: item.channel,
      lastMessageId: last,
      unreadCount: item.unreadCount + newer.length,
      liveIds: newer,
      peerId: old?.peerId,
      peerName: old?.peerName,
    };
    const view = state.open;
    if (view?.id === entry.channel.id && view.lastReadSent && last && compareIds(view.lastReadSent, last) >= 0) {
      // Read here after the snapshot was taken.
      entry.unreadCount = 0;
      entry.liveIds = [];
    }
    next.set(item.channel.id, entry);
  }
  state.channels = next;
  renderChannels();
  await mapLimited([...next.values()], 4, (entry) => resolvePeer(entry));
  renderChannels();
  if (state.open && !state.channels.has(state.open.id)) closeChannel();
  if (state.open) renderChannelHead();
}

const reloadChannelsSoon = coalesce(() => loadChannels(), 250);

async function addChannel(channel) {
  if (!state.channels.has(channel.id)) {
    state.channels.set(channel.id, { channel, lastMessageId: null, unreadCount: 0, liveIds: [] });
  }
  const entry = state.channels.get(channel.id);
  try {
    await resolvePeer(entry);
  } catch {
    // The name stays generic until the next list load.
  }
  renderChannels();
  return entry;
}

function renderChannels() {
  const list = $('channel-list');
  const entries = [...state.channels.values()].sort((a, b) => activity(b) - activity(a));
  list.replaceChildren(
    ...entries.map((entry) => {
      const li = document.createElement('li');
      li.dataset.testid = 'channel-item';
      li.dataset.channelId = entry.channel.id;
      li.dataset.channelType = entry.channel.type;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'channel';
      if (state.open?.id === entry.channel.id) button.setAttribute('aria-current', 'page');
      if (entry.channel.type === 'direct' && entry.peerId) {
        button.append(presenceDot(entry.peerId));
      } else {
        const sigil = document.createElement('span');
        sigil.className = 'sigil';
        sigil.setAttribute('aria-hidden', 'true');
        sigil.textContent = entry.channel.type === 'public' ? '#' : '◆';
        button.append(sigil);
      }
      const name = document.createElement('span');
      name.className = 'channel-name';
      name.dataset.testid = 'channel-name';
      name.textContent = title(entry);
      button.append(name);
      if (entry.unreadCount > 0) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.dataset.testid = 'unread-badge';
        badge.textContent = entry.unreadCount > 99 ? '99+' : String(entry.unreadCount);
        badge.setAttribute('aria-label', `${entry.unreadCount} unread`);
        button.append(badge);
        li.classList.add('unread');
      }
      button.addEventListener('click', () => {
        openChannel(entry.channel.id);
        setSidebar(false);
      });
      li.append(button);
      return li;
    }),
  );
  $('channel-empty').hidden = entries.length > 0;
}

async function usernamesToIds(text) {
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const ids = [];
  for (const name of names) {
    if (!USERNAME.test(name)) throw new ApiError(400, null, `"${name}" is not a valid username.`);
    let profile;
    try {
      profile = await api.userByUsername(name);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw new ApiError(404, null, `No user named "${name}".`);
      throw e;
    }
    remember(profile);
    if (profile.id !== state.me.id) ids.push(profile.id);
  }
  return ids;
}

function formHandler(form, run) {
  const error = form.querySelector('.error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    showError(error, '');
    try {
      await run();
      form.reset();
      form.closest('details').open = false;
    } catch (e) {
      showError(error, errorText(e));
    } finally {
      button.disabled = false;
    }
  });
}

function setupChannelForms() {
  formHandler($('new-channel-form'), async () => {
    const name = $('new-channel-name').value.trim();
    if (!name || name.length > 100) throw new ApiError(400, null, 'Name: 1 to 100 characters.');
    const memberIds = await usernamesToIds($('new-channel-members').value);
    const channel = await api.createChannel($('new-channel-type').value, name, memberIds);
    await addChannel(channel);
    openChannel(channel.id);
  });
  formHandler($('direct-form'), async () => {
    const name = $('direct-username').value.trim().toLowerCase();
    if (!USERNAME.test(name)) throw new ApiError(400, null, 'Username: 3 to 32 of a-z, 0-9, _ . -');
    const [id] = await usernamesToIds(name);
    if (!id) throw new ApiError(400, null, 'That is you. Pick someone else.');
    const channel = await api.directChannel(id);
    await addChannel(channel);
    openChannel(channel.id);
  });
  formHandler($('join-form'), async () => {
    const id = $('join-channel-id').value.trim().toLowerCase();
    if (!UUID.test(id)) throw new ApiError(400, null, 'A channel ID looks like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.');
    if (!state.channels.has(id)) {
      await api.addMember(id, state.me.id);
      await addChannel(await api.channel(id));
    }
    openChannel(id);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The open channel: history, rendering, infinite scroll

function newView(id) {
  return {
    id,
    /** messageId -> message */
    messages: new Map(),
    /** message IDs, oldest first */
    order: [],
    /** messageId -> <li> */
    elements: new Map(),
    /** messageId -> Map(emoji -> {count, me}) */
    reactions: new Map(),
    pinned: new Set(),
    /** nonce -> {content, li, state} */
    pending: pendingOf(id),
    hasMore: true,
    loadingOlder: false,
    lastReadSent: null,
    generation: 0,
  };
}

function pendingOf(channelId) {
  let pending = state.pending.get(channelId);
  if (!pending) {
    pending = new Map();
    state.pending.set(channelId, pending);
  }
  return pending;
}

function dropPending(channelId, nonce) {
  const pending = nonce && state.pending.get(channelId);
  if (!pending || !pending.has(nonce)) return;
  pending.get(nonce).li.remove();
  pending.delete(nonce);
}

function openChannel(id) {
  if (!state.channels.has(id)) return;
  if (state.open?.id === id) return;
  state.open = newView(id);
  state.lastTypingSent = 0;
  history.replaceState(null, '', `#${encodeURIComponent(id)}`);
  $('no-channel').hidden = true;
  $('channel-view').hidden = false;
  // Unconfirmed sends of this channel stay at the bottom; history is inserted above them.
  $('message-list').replaceChildren(...[...state.open.pending.values()].map((p) => p.li));
  $('composer-input').value = '';
  renderChannelHead();
  renderChannels();
  renderTyping();
  loadLatest();
  $('composer-input').focus();
}

function closeChannel() {
  state.open = null;
  $('channel-view').hidden = true;
  $('no-channel').hidden = false;
  $('message-list').replaceChildren();
  renderChannels();
}

function renderChannelHead() {
  const view = state.open;
  const entry = view && state.channels.get(view.id);
  if (!entry) return;
  $('channel-title').textContent = title(entry);
  const kinds = { direct: 'direct message', group: 'group', public: 'public channel' };
  $('channel-kind').textContent = kinds[entry.channel.type] || entry.channel.type;
  $('channel-id').textContent = entry.channel.id;
  const dot = $('channel-dot');
  if (entry.peerId) {
    dot.hidden = false;
    dot.dataset.presenceUser = entry.peerId;
    dot.dataset.status = state.presence.get(entry.peerId) || 'offline';
  } else {
    dot.hidden = true;
    delete dot.dataset.presenceUser;
  }
  $('composer-input').placeholder = `Message ${entry.channel.type === 'direct' ? '' : '#'}${title(entry)}`;
}

function setHistoryStatus(text) {
  $('history-status').textContent = text;
}

async function loadLatest() {
  const view = state.open;
  const generation = ++view.generation;
  setHistoryStatus('Loading…');
  let page;
  try {
    page = await api.messages(view.id, { limit: PAGE_SIZE });
  } catch (e) {
    if (state.open !== view || view.generation !== generation) return;
    setHistoryStatus(`Could not load messages: ${errorText(e)}`);
    return;
  }
  if (state.open !== view || view.generation !== generation) return;
  // After a gap in live updates, what is shown older than this page may have a hole before it: drop it. Messages
  // inside or after the page's range stay (the page overwrites them; newer ones arrived live meanwhile).
  const oldest = page.length ? page[page.length - 1].id : null;
  if (oldest) {
    const stale = view.order.filter((id) => compareIds(id, oldest) < 0);
    for (const id of stale) {
      view.elements.get(id)?.remove();
      view.elements.delete(id);
      view.messages.delete(id);
      view.reactions.delete(id);
    }
    view.order = view.order.filter((id) => compareIds(id, oldest) >= 0);
    regroup(view.elements.get(view.order[0]));
  }
  view.hasMore = page.length === PAGE_SIZE;
  await insertPage(view, page);
  updateHistoryStatus(view);
  scrollToBottom();
  loadPins(view);
  await fillViewport(view);
  checkRead();
}

async function loadOlder() {
  const view = state.open;
  if (!view || !view.hasMore || view.loadingOlder || view.order.length === 0) return;
  view.loadingOlder = true;
  const generation = view.generation;
  setHistoryStatus('Loading older messages…');
  let loaded = false;
  try {
    const page = await api.messages(view.id, { limit: PAGE_SIZE, before: view.order[0] });
    if (state.open !== view || view.generation !== generation) return;
    view.hasMore = page.length === PAGE_SIZE;
    const scroller = $('message-scroller');
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    await insertPage(view, page);
    // Keep what the reader was looking at in place while older messages appear above it.
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
    updateHistoryStatus(view);
    loaded = true;
  } catch (e) {
    setHistoryStatus(`Could not load older messages: ${errorText(e)}`);
  } finally {
    view.loadingOlder = false;
  }
  // The reader may have scrolled to the top again while this page loaded (no scroll event comes after that).
  if (loaded && state.open === view && view.hasMore && $('message-scroller').scrollTop < 200) loadOlder();
}

// Loads older pages until the list overflows the scroller (or history ends), so scrolling up can load more.
async function fillViewport(view) {
  const scroller = $('message-scroller');
  while (state.open === view && view.hasMore && scroller.scrollHeight <= scroller.clientHeight + 8) {
    const before = view.order.length;
    await loadOlder();
    if (view.order.length === before) break;
  }
}

function updateHistoryStatus(view) {
  setHistoryStatus(view.hasMore ? '' : view.order.length ? 'This is the beginning of the conversation.' : 'No messages yet. Say hello!');
}

async function insertPage(view, page) {
  await Promise.all([...new Set(page.map((m) => m.authorId))].map((id) => user(id)));
  if (state.open !== view) return;
  for (const message of page) await upsertMessage(view, message);
  // Reactions fill in as they come; the page (and the scroll position) does not wait for them.
  loadReactions(view, page.filter((m) => !m.deleted).map((m) => m.id));
}

async function loadReactions(view, ids) {
  await mapLimited(ids, 6, async (id) => {
    const list = await api.reactions(view.id, id);
    if (state.open !== view || !view.messages.has(id)) return;
    view.reactions.set(id, new Map(list.map((r) => [r.emoji, { count: r.count, me: r.me }])));
    renderReactions(view, id);
  });
}

async function loadPins(view) {
  try {
    const pins = await api.request('GET', `/api/channels/${encodeURIComponent(view.id)}/pins`);
    if (state.open !== view) return;
    for (const message of pins) {
      view.pinned.add(message.id);
      renderPinned(view, message.id);
    }
  } catch {
    // Pins are optional decoration.
  }
}

function insertionIndex(order, id) {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareIds(order[mid], id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function upsertMessage(view, message) {
  const author = await user(message.authorId);
  if (state.open !== view) return;
  const existing = view.elements.get(message.id);
  view.messages.set(message.id, message);
  if (existing) {
    fillMessage(existing, message, author);
    return;
  }
  const li = $('message-template').content.firstElementChild.cloneNode(true);
  li.dataset.messageId = message.id;
  li.dataset.authorId = message.authorId;
  li.dataset.createdAt = message.createdAt;
  wireMessage(li, view, message.id);
  fillMessage(li, message, author);
  const index = insertionIndex(view.order, message.id);
  view.order.splice(index, 0, message.id);
  view.elements.set(message.id, li);
  const list = $('message-list');
  const next = view.order[index + 1];
  const before = next ? view.elements.get(next) : list.querySelector('[data-testid="message-pending"]');
  list.insertBefore(li, before || null);
  regroup(li);
  regroup(li.nextElementSibling);
}

const GROUP_WINDOW_MS = 5 * 60 * 1000;

/** A message right after one by the same author (within 5 minutes) shows without its author line. */
function regroup(li) {
  if (!li || !li.dataset.messageId) return;
  const prev = li.previousElementSibling;
  const continued = !!prev && !!prev.dataset.messageId && prev.dataset.authorId === li.dataset.authorId
    && Date.parse(li.dataset.createdAt) - Date.parse(prev.dataset.createdAt) < GROUP_WINDOW_MS;
  li.classList.toggle('continued', continued);
}

function fillMessage(li, message, author) {
  const mine = message.authorId === state.me?.id;
  li.classList.toggle('mine', mine);
  li.classList.toggle('deleted', !!message.deleted);
  li.dataset.deleted = String(!!message.deleted);
  li.querySelector('.author').textContent = author.displayName;
  const time = li.querySelector('time');
  time.dateTime = message.createdAt;
  time.textContent = formatTime(message.createdAt);
  time.title = new Date(message.createdAt).toLocaleString();
  li.querySelector('.edited').hidden = !message.editedAt || message.deleted;
  const content = li.querySelector('.content');
  if (!li.classList.contains('editing')) {
    content.textContent = message.deleted ? 'This message was deleted.' : message.content;
  }
  li.querySelector('.edit').hidden = !mine || message.deleted;
  li.querySelector('.delete').hidden = !mine || message.deleted;
  li.querySelector('.react').hidden = !!message.deleted;
  if (message.deleted) li.querySelector('.reactions').replaceChildren();
}

function wireMessage(li, view, id) {
  li.querySelector('.edit').addEventListener('click', () => startEdit(view, id));
  const del = li.querySelector('.delete');
  del.addEventListener('click', async () => {
    // Two clicks instead of confirm(): no modal dialog, and it works the same for keyboard users.
    if (del.dataset.armed !== 'true') {
      del.dataset.armed = 'true';
      del.textContent = 'Really delete?';
      setTimeout(() => {
        del.dataset.armed = 'false';
        del.textContent = 'Delete';
      }, 4000);
      return;
    }
    try {
      await api.remove(view.id, id);
      const message = view.messages.get(id);
      if (message) await upsertMessage(view, { ...message, deleted: true });
    } catch (e) {
      toast(`Could not delete: ${errorText(e)}`);
    }
  });
  li.querySelector('.react').addEventListener('click', (event) => togglePicker(view, id, event.currentTarget));
}

function startEdit(view, id) {
  const li = view.elements.get(id);
  const message = view.messages.get(id);
  if (!li || !message || li.classList.contains('editing')) return;
  li.classList.add('editing');
  const content = li.querySelector('.content');
  const form = document.createElement('form');
  form.className = 'edit-form';
  const label = document.createElement('label');
  label.className = 'visually-hidden';
  label.textContent = 'Edit message';
  const input = document.createElement('textarea');
  input.value = message.content;
  input.maxLength = MAX_CONTENT;
  input.dataset.testid = 'edit-input';
  input.id = `edit-${id}`;
  label.htmlFor = input.id;
  const save = document.createElement('button');
  save.type = 'submit';
  save.className = 'primary small';
  save.textContent = 'Save';
  save.dataset.testid = 'edit-save';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'link-button small';
  cancel.textContent = 'Cancel';
  form.append(label, input, save, cancel);
  content.replaceChildren(form);
  input.focus();
  const finish = () => {
    li.classList.remove('editing');
    const current = view.messages.get(id);
    content.textContent = current.deleted ? 'This message was deleted.' : current.content;
  };
  cancel.addEventListener('click', finish);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') finish();
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text === view.messages.get(id).content) {
      finish();
      return;
    }
    save.disabled = true;
    try {
      const updated = await api.edit(view.id, id, text);
      li.classList.remove('editing');
      await upsertMessage(view, updated);
    } catch (e) {
      save.disabled = false;
      toast(`Could not edit: ${errorText(e)}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reactions and pins

function renderReactions(view, id) {
  const li = view.elements.get(id);
  if (!li) return;
  const box = li.querySelector('.reactions');
  const reactions = view.reactions.get(id) || new Map();
  box.replaceChildren(
    ...[...reactions.entries()]
      .filter(([, r]) => r.count > 0)
      .map(([emoji, r]) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'reaction';
        button.dataset.testid = 'reaction';
        button.dataset.emoji = emoji;
        button.setAttribute('aria-pressed', String(r.me));
        button.setAttribute('aria-label', `${emoji} ${r.count}${r.me ? ', including you' : ''}`);
        button.textContent = `${emoji} ${r.count}`;
        button.addEventListener('click', () => react(view, id, emoji, !r.me));
        return button;
      }),
  );
}

/** Applies one user's reaction change once: the REST answer and the gateway event for it are the same change. */
function applyReaction(view, id, emoji, userId, on) {
  let reactions = view.reactions.get(id);
  if (!reactions) {
    reactions = new Map();
    view.reactions.set(id, reactions);
  }
  const r = reactions.get(emoji) || { count: 0, me: false };
  if (userId === state.me.id) {
    if (r.me === on) return;
    r.me = on;
  }
  r.count = Math.max(0, r.count + (on ? 1 : -1));
  reactions.set(emoji, r);
  renderReactions(view, id);
}

async function react(view, id, emoji, on) {
  try {
    await api.react(view.id, id, emoji, on);
    if (state.open === view) applyReaction(view, id, emoji, state.me.id, on);
  } catch (e) {
    toast(`Could not react: ${errorText(e)}`);
  }
}

function closePicker() {
  document.querySelector('.picker')?.remove();
}

function togglePicker(view, id, anchor) {
  const open = document.querySelector('.picker');
  closePicker();
  if (open && open.dataset.messageId === id) return;
  const picker = document.createElement('div');
  picker.className = 'picker';
  picker.dataset.messageId = id;
  picker.dataset.testid = 'emoji-picker';
  picker.setAttribute('role', 'menu');
  picker.setAttribute('aria-label', 'Pick a reaction');
  for (const emoji of EMOJI) {
    const button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('role', 'menuitem');
    button.dataset.emoji = emoji;
    button.textContent = emoji;
    button.addEventListener('click', () => {
      closePicker();
      const mine = view.reactions.get(id)?.get(emoji)?.me;
      react(view, id, emoji, !mine);
    });
    picker.append(button);
  }
  anchor.closest('.actions').append(picker);
  picker.querySelector('button').focus();
}

function renderPinned(view, id) {
  const li = view.elements.get(id);
  if (!li) return;
  li.classList.toggle('pinned', view.pinned.has(id));
  li.querySelector('.message-head').dataset.pinned = view.pinned.has(id) ? 'pinned' : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Sending

function scroller() {
  return $('message-scroller');
}

function atBottom() {
  const s = scroller();
  return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
}

function scrollToBottom() {
  const s = scroller();
  s.scrollTop = s.scrollHeight;
}

async function sendMessage(event) {
  event?.preventDefault();
  const view = state.open;
  const input = $('composer-input');
  const content = input.value.trim();
  if (!view || !content) return;
  if ([...content].length > MAX_CONTENT) {
    toast(`A message is at most ${MAX_CONTENT} characters.`);
    return;
  }
  input.value = '';
  autosize();
  state.lastTypingSent = 0;
  const nonce = newNonce();
  const li = $('message-template').content.firstElementChild.cloneNode(true);
  li.dataset.testid = 'message-pending';
  li.dataset.nonce = nonce;
  li.classList.add('mine', 'pending');
  li.querySelector('.author').textContent = state.me.displayName;
  li.querySelector('.content').textContent = content;
  li.querySelector('time').textContent = 'sending…';
  li.querySelector('.react').hidden = true;
  const channelId = view.id;
  pendingOf(channelId).set(nonce, { content, li });
  li.querySelector('.retry').addEventListener('click', () => deliver(channelId, nonce));
  li.querySelector('.discard').addEventListener('click', () => dropPending(channelId, nonce));
  $('message-list').append(li);
  scrollToBottom();
  await deliver(channelId, nonce);
}

async function deliver(channelId, nonce) {
  const pending = pendingOf(channelId).get(nonce);
  if (!pending) return;
  const { li } = pending;
  li.classList.remove('failed');
  li.dataset.state = 'sending';
  li.querySelector('time').textContent = 'sending…';
  li.querySelector('.retry').hidden = true;
  li.querySelector('.discard').hidden = true;
  try {
    // The same nonce on a retry returns the original message: a lost answer never makes a duplicate.
    const message = await api.send(channelId, pending.content, nonce);
    if (state.open?.id === channelId) {
      settle(state.open, message);
    } else {
      dropPending(channelId, nonce);
      noteMessage(message);
    }
  } catch (e) {
    if (!pendingOf(channelId).has(nonce)) return;
    li.classList.add('failed');
    li.dataset.state = 'failed';
    li.querySelector('time').textContent = `Not sent: ${errorText(e)}`;
    li.querySelector('.retry').hidden = false;
    li.querySelector('.discard').hidden = false;
  }
}

/** A message of mine arrived (REST answer or gateway): it replaces its pending placeholder. */
function settle(view, message) {
  if (message.authorId === state.me.id) dropPending(view.id, message.nonce);
  if (state.open === view) {
    const stick = atBottom() || message.authorId === state.me.id;
    upsertMessage(view, message).then(() => {
      if (!view.hasMore && view.order.length === 1) updateHistoryStatus(view);
      if (stick) scrollToBottom();
      checkRead();
    });
  }
  noteMessage(message);
}

function noteMessage(message) {
  const entry = state.channels.get(message.channelId);
  if (!entry) return;
  if (!entry.lastMessageId || compareIds(message.id, entry.lastMessageId) > 0) entry.lastMessageId = message.id;
  renderChannels();
}

function autosize() {
  const input = $('composer-input');
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

function onComposerInput() {
  autosize();
  const view = state.open;
  if (!view || !$('composer-input').value.trim()) return;
  const now = Date.now();
  if (now - state.lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
  state.lastTypingSent = now;
  api.typing(view.id).catch(() => {
    state.lastTypingSent = 0;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Read state

let readInFlight = false;

async function checkRead() {
  const view = state.open;
  if (!view || readInFlight || document.visibilityState !== 'visible' || !atBottom()) return;
  const newest = view.order[view.order.length - 1];
  if (!newest || (view.lastReadSent && compareIds(newest, view.lastReadSent) <= 0)) return;
  const entry = state.channels.get(view.id);
  readInFlight = true;
  try {
    await api.markRead(view.id, newest);
    view.lastReadSent = newest;
    if (entry) entry.liveIds = [];
    if (entry && entry.unreadCount !== 0) {
      entry.unreadCount = 0;
      renderChannels();
    }
  } catch {
    // Retried on the next scroll or message.
  } finally {
    readInFlight = false;
  }
}

async function onReadUpdate({ channelId, lastReadMessageId }) {
  const entry = state.channels.get(channelId);
  if (!entry) return;
  entry.liveIds = [];
  if (lastReadMessageId && entry.lastMessageId && compareIds(lastReadMessageId, entry.lastMessageId) >= 0) {
    entry.unreadCount = 0;
  } else {
    try {
      const read = await api.request('GET', `/api/channels/${encodeURIComponent(channelId)}/read`);
      entry.unreadCount = read.unreadCount;
    } catch {
      return;
    }
  }
  renderChannels();
}

// ---------------------------------------------------------------------------------------------------------------
// Typing

function typingDuration(expiresAt) {
  const ms = Date.parse(expiresAt) - Date.now();
  // Clocks differ between browser and server; an answer outside (0, 15 s] is skew, use the contract's 10 s.
  return Number.isFinite(ms) && ms > 0 && ms <= 15_000 ? ms : TYPING_DEFAULT_MS;
}

function onTypingStart({ channelId, userId, expiresAt }) {
  if (userId === state.me.id) return;
  let typists = state.typing.get(channelId);
  if (!typists) {
    typists = new Map();
    state.typing.set(channelId, typists);
  }
  clearTimeout(typists.get(userId)?.timer);
  const timer = setTimeout(() => stopTyping(channelId, userId), typingDuration(expiresAt));
  typists.set(userId, { timer });
  user(userId).then(renderTyping);
}

function stopTyping(channelId, userId) {
  const typists = state.typing.get(channelId);
  const t = typists?.get(userId);
  if (!t) return;
  clearTimeout(t.timer);
  typists.delete(userId);
  renderTyping();
}

async function renderTyping() {
  const el = $('typing');
  const view = state.open;
  const ids = view ? [...(state.typing.get(view.id)?.keys() || [])] : [];
  if (ids.length === 0) {
    el.textContent = '';
    el.dataset.active = 'false';
    return;
  }
  const names = (await Promise.all(ids.map((id) => user(id)))).map((u) => u.displayName);
  if (state.open !== view) return;
  el.dataset.active = 'true';
  el.textContent =
    names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…`
        : 'Several people are typing…';
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway

const dispatchHandlers = {
  MESSAGE_CREATE(message) {
    stopTyping(message.channelId, message.authorId);
    const entry = state.channels.get(message.channelId);
    if (!entry) {
      reloadChannelsSoon();
      return;
    }
    const view = state.open;
    const viewing = view?.id === message.channelId;
    const mine = message.authorId === state.me.id;
    // Only a message newer than the newest one known counts: the channel list may already have counted it.
    const fresh = !entry.lastMessageId || compareIds(message.id, entry.lastMessageId) > 0;
    if (viewing) {
      settle(view, message);
    } else {
      if (mine) dropPending(message.channelId, message.nonce);
      noteMessage(message);
    }
    if (fresh && !mine && !(viewing && document.visibilityState === 'visible' && atBottom())) {
      entry.unreadCount += 1;
      entry.liveIds.push(message.id);
      renderChannels();
    }
  },
  MESSAGE_UPDATE(message) {
    const view = state.open;
    if (view?.id === message.channelId && view.messages.has(message.id)) upsertMessage(view, message);
  },
  MESSAGE_DELETE({ id, channelId }) {
    const view = state.open;
    const message = view?.id === channelId && view.messages.get(id);
    if (message) upsertMessage(view, { ...message, deleted: true });
  },
  REACTION_ADD({ channelId, messageId, userId, emoji }) {
    const view = state.open;
    if (view?.id === channelId && view.messages.has(messageId)) applyReaction(view, messageId, emoji, userId, true);
  },
  REACTION_REMOVE({ channelId, messageId, userId, emoji }) {
    const view = state.open;
    if (view?.id === channelId && view.messages.has(messageId)) applyReaction(view, messageId, emoji, userId, false);
  },
  PIN_ADD({ channelId, messageId }) {
    const view = state.open;
    if (view?.id !== channelId) return;
    view.pinned.add(messageId);
    renderPinned(view, messageId);
  },
  PIN_REMOVE({ channelId, messageId }) {
    const view = state.open;
    if (view?.id !== channelId) return;
    view.pinned.delete(messageId);
    renderPinned(view, messageId);
  },
  async MEMBER_ADD({ channelId, userId }) {
    if (userId === state.me.id && !state.channels.has(channelId)) {
      try {
        await addChannel(await api.channel(channelId));
      } catch {
        // The list reload below picks it up.
      }
    }
    reloadChannelsSoon();
  },
  MEMBER_REMOVE({ channelId, userId }) {
    if (userId !== state.me.id) return;
    state.channels.delete(channelId);
    state.typing.delete(channelId);
    if (state.open?.id === channelId) closeChannel();
    renderChannels();
  },
  READ_UPDATE(data) {
    onReadUpdate(data);
  },
  TYPING_START(data) {
    onTypingStart(data);
  },
  PRESENCE_UPDATE({ userId, status }) {
    setPresence(userId, status);
  },
};

function setConnection(status) {
  const el = $('connection');
  el.dataset.state = status;
  el.textContent = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…' }[status] || status;
}

gateway.addEventListener('status', (event) => setConnection(event.detail));
gateway.addEventListener('dispatch', (event) => {
  const { type, data } = event.detail;
  const handler = dispatchHandlers[type];
  if (handler && data && state.me) handler(data);
});
gateway.addEventListener('ready', (event) => {
  if (!state.me) return;
  // A fresh session (first connect, or after invalid_session) may have missed events: re-read what is shown.
  // A resumed one gets every missed dispatch replayed, so nothing needs reading.
  if (event.detail.fresh) {
    loadChannels();
    if (state.open) loadLatest();
  }
  // Sends that failed while offline get another go.
  for (const [channelId, pending] of state.pending) {
    for (const [nonce, p] of pending) {
      if (p.li.dataset.state === 'failed') deliver(channelId, nonce);
    }
  }
});
gateway.addEventListener('authfailed', () => signOut('Your session has expired. Please sign in again.'));

// ---------------------------------------------------------------------------------------------------------------
// Layout

function setSidebar(open) {
  document.body.classList.toggle('sidebar-open', open);
  $('toggle-sidebar').setAttribute('aria-expanded', String(open));
}

function wire() {
  $('auth-form').addEventListener('submit', submitAuth);
  $('tab-login').addEventListener('click', () => setAuthMode(false));
  $('tab-register').addEventListener('click', () => setAuthMode(true));
  $('logout').addEventListener('click', () => signOut());
  $('toggle-sidebar').addEventListener('click', () => setSidebar(!document.body.classList.contains('sidebar-open')));
  $('composer').addEventListener('submit', sendMessage);
  const input = $('composer-input');
  input.addEventListener('input', onComposerInput);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  });
  scroller().addEventListener('scroll', () => {
    if (scroller().scrollTop < 200) loadOlder();
    checkRead();
  });
  document.addEventListener('visibilitychange', () => checkRead());
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closePicker();
  });
  document.addEventListener('click', (event) => {
    if (!event.target.closest('.picker') && !event.target.closest('.react')) closePicker();
  });
  $('copy-channel-id').addEventListener('click', async () => {
    const id = $('channel-id').textContent;
    try {
      await navigator.clipboard.writeText(id);
      toast('Channel ID copied.');
    } catch {
      window.getSelection().selectAllChildren($('channel-id'));
    }
  });
  $('leave-channel').addEventListener('click', async () => {
    const view = state.open;
    if (!view) return;
    try {
      await api.removeMember(view.id, state.me.id);
      state.channels.delete(view.id);
      closeChannel();
    } catch (e) {
      toast(`Could not leave: ${errorText(e)}`);
    }
  });
  setupChannelForms();
  setSidebar(false);
  setAuthMode(false);
}

wire();
if (state.token) {
  startSession(null);
} else {
  showAuth();
}
