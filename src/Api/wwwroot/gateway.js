// The real-time gateway client (docs/gateway.md): identify or resume, heartbeats, dead-connection detection,
// reconnect with backoff and jitter, in-order dispatches by seq.

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
// How long to wait for `ready` after identify/resume before treating the connection as dead.
const READY_TIMEOUT_MS = 15_000;
// Closes after which the session cannot be resumed: start a fresh one.
const FRESH_SESSION_CODES = new Set([4000, 4001, 4002, 4003, 4005, 4008]);
const AUTH_FAILED = 4004;

/**
 * Events (EventTarget): `status` {detail: 'connecting'|'connected'|'reconnecting'}, `ready` {detail: {resumed,
 * fresh}} where `fresh` means dispatches may have been missed (re-read state), `dispatch` {detail: {type, data,
 * seq}}, `authfailed`.
 */
export class Gateway extends EventTarget {
  /** @param {() => string | null} getToken */
  constructor(getToken, url = Gateway.defaultUrl()) {
    super();
    this.getToken = getToken;
    this.url = url;
    this.ws = null;
    this.sessionId = null;
    this.seq = 0;
    this.status = 'connecting';
    this.attempt = 0;
    this.heartbeatTimer = null;
    this.readyTimer = null;
    this.reconnectTimer = null;
    this.awaitingAck = false;
    this.everReady = false;
    this.stopped = true;
    this.onOnline = () => {
      // The browser says the network is back: try now rather than at the end of the backoff.
      if (!this.stopped && !this.ws) {
        clearTimeout(this.reconnectTimer);
        this.open();
      }
    };
  }

  static defaultUrl() {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${window.location.host}/gateway`;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.open();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.reconnectTimer);
    this.teardown(1000);
    this.sessionId = null;
    this.seq = 0;
    this.attempt = 0;
    this.everReady = false;
    this.setStatus('connecting');
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: status }));
  }

  open() {
    this.reconnectTimer = null;
    const token = this.getToken();
    if (!token || this.stopped) return;
    this.setStatus(this.everReady ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.sessionId) {
        this.send({ op: 'resume', token: this.getToken(), sessionId: this.sessionId, seq: this.seq });
      } else {
        this.send({ op: 'identify', token: this.getToken() });
      }
      this.armReadyTimeout();
    };
    ws.onmessage = (event) => this.receive(event.data);
    ws.onerror = () => this.dropped();
    ws.onclose = (event) => this.closed(event.code);
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  armReadyTimeout() {
    clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => this.dropped(), READY_TIMEOUT_MS);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.op) {
      case 'ready': {
        clearTimeout(this.readyTimer);
        const fresh = !frame.resumed;
        this.sessionId = frame.sessionId;
        if (fresh) this.seq = 0;
        this.attempt = 0;
        this.everReady = true;
        this.startHeartbeat(Number(frame.heartbeatIntervalMs) || 30_000);
        this.setStatus('connected');
        this.dispatchEvent(new CustomEvent('ready', { detail: { resumed: !!frame.resumed, fresh } }));
        break;
      }
      case 'dispatch': {
        const seq = Number(frame.seq);
        // A replay may overlap what this client already processed; each seq is handled once.
        if (Number.isFinite(seq) && seq <= this.seq) return;
        if (Number.isFinite(seq)) this.seq = seq;
        this.dispatchEvent(new CustomEvent('dispatch', { detail: { type: frame.type, data: frame.data, seq } }));
        break;
      }
      case 'heartbeat_ack':
        this.awaitingAck = false;
        break;
      case 'invalid_session':
        // The server forgot the session (or it lived on another node): identify on this same socket; the next
        // `ready` is fresh, so the app re-reads what it shows.
        this.sessionId = null;
        this.seq = 0;
        this.send({ op: 'identify', token: this.getToken() });
        this.armReadyTimeout();
        break;
      default:
        break;
    }
  }

  startHeartbeat(intervalMs) {
    clearInterval(this.heartbeatTimer);
    this.awaitingAck = false;
    this.heartbeatTimer = setInterval(() => {
      if (this.awaitingAck) {
        // No heartbeat_ack for a whole interval: the connection is dead even if the socket has not noticed.
        this.dropped();
        return;
      }
      this.awaitingAck = true;
      this.send({ op: 'heartbeat', seq: this.seq });
    }, intervalMs);
  }

  /** Forgets the current socket without waiting for its close handshake. */
  teardown(code) {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.readyTimer);
    this.heartbeatTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    try {
      ws.close(code);
    } catch {
      // Already closed or closing.
    }
  }

  dropped() {
    if (!this.ws) return;
    this.teardown(4000);
    this.scheduleReconnect();
  }

  closed(code) {
    this.teardown(1000);
    if (code === AUTH_FAILED) {
      this.sessionId = null;
      this.stopped = true;
      this.dispatchEvent(new CustomEvent('authfailed'));
      return;
    }
    if (FRESH_SESSION_CODES.has(code)) {
      this.sessionId = null;
      this.seq = 0;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    this.setStatus('reconnecting');
    const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt);
    this.attempt += 1;
    // Jitter (half to all of the ceiling) so clients cut off together do not come back together.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }
}
