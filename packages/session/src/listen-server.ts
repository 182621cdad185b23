/**
 * `listen` on Node, loaded on its first call (listen.node.ts: a client never compiles it): a WebSocket (`ws`), TCP or HTTP server that admits sessions within its
 * limits. Connections that have not finished their handshake live in a separate pending table
 * with a deadline and small message limit; established sessions count toward `maxSessions`; every
 * connection's unread bytes draw on one server-wide budget (docs/ARCHITECTURE.md).
 * @module
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type * as net from 'node:net';
import { M2MError } from '@m2m/core/internal';
import type { CloseReason } from '@m2m/core';
import { checkListenOptions } from './listen-check.js';
import type { ListenOptions, Server, ServerCounters } from './listen-types.js';
import { Session, type HelloDecision } from './session.js';
import { ByteBudget, ConnectionAccount, DEFAULT_MAX_BUFFERED_BYTES } from './transport/budget.js';
import { httpHandler } from './transport/http-server.js';
import { corsPolicy } from './transport/http-cors.js';
import { TcpTransport } from './transport/tcp.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE, type Transport, type TransportLimits } from './transport/types.js';
import type { WebSocketLike } from './transport/websocket.js';
import { NodeWebSocketTransport } from './transport/websocket-node.js';
import { webSocketWriteBatch } from './transport/write-batch.js';
import { batchLimit, selectProtocol } from './transport/ws-batch.js';
import { runOnSession } from './run-on-session.js';
import { listenNats } from './listen-nats.js';

const hostOf = (address: string | undefined) => (address ?? '?').replace(/:\d+$/, '');

/** Default deadline for a connection's whole handshake. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
/** Default largest message before the handshake is done. */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 64 * 1024;

/**
 * Closes sockets whose first HTTP request (or WebSocket upgrade) has not arrived whole within
 * `ms` of accept, whether they sent nothing or trickle their headers: node:http's own
 * `headersTimeout` (60 s) ignores a socket that sends nothing.
 */
function closeSilentSockets(server: HttpServer, ms: number, upgrades: 'handled' | 'answered as requests'): void {
  const timers = new WeakMap<net.Socket, ReturnType<typeof setTimeout>>();
  const settled = (socket: net.Socket) => {
    clearTimeout(timers.get(socket));
    timers.delete(socket);
  };
  server.on('connection', (socket: net.Socket) => {
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    timers.set(socket, timer);
    socket.once('close', () => settled(socket));
  });
  server.on('request', (req: IncomingMessage) => settled(req.socket));
  // Listening for 'upgrade' tells node:http that someone takes the socket over: only the ws
  // server does. Without that listener, node:http hands an upgrade request to the request
  // handler, which answers it (an upgrade to the HTTP server was held forever with no reply).
  if (upgrades === 'handled') server.on('upgrade', (req: IncomingMessage) => settled(req.socket));
}

/** A connection that has not finished its handshake. */
interface PendingConnection {
  timer: ReturnType<typeof setTimeout>;
  /** Why the server closed it, when it did. */
  closedBy?: 'timeout' | 'evicted';
  /** Set once its HELLO was accepted: the client may hold an established session already (encrypted: it sent AUTH). */
  admitted?: boolean;
  /** Its whole admission (`admit`), which `close()` waits for once the HELLO was accepted. */
  admission?: Promise<void>;
}

/**
 * Sessions waiting for the server's async iterator: only open ones (a session that closes is
 * dropped), so the iterator holds no more than `maxSessions`, and nothing when `onSession` is
 * used and nobody iterates.
 */
class SessionArrivals {
  #waiting = new Set<Session>();
  #readers: Array<(r: IteratorResult<Session>) => void> = [];
  #iterated = false;
  #ended = false;
  #keepUnclaimed: boolean;
  constructor(keepUnclaimed: boolean) {
    this.#keepUnclaimed = keepUnclaimed;
  }
  offer(session: Session): void {
    if (this.#ended) return;
    const reader = this.#readers.shift();
    if (reader) return reader({ value: session, done: false });
    if (!this.#keepUnclaimed && !this.#iterated) return;
    this.#waiting.add(session);
    void session.closed.then(() => this.#waiting.delete(session));
  }
  end(): void {
    this.#ended = true;
    this.#waiting.clear();
    for (const r of this.#readers.splice(0)) r({ value: undefined, done: true });
  }
  iterator(): AsyncIterator<Session> {
    this.#iterated = true;
    return {
      next: () => {
        for (const s of this.#waiting) {
          this.#waiting.delete(s);
          return Promise.resolve({ value: s, done: false });
        }
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((r) => this.#readers.push(r));
      },
      return: async () => ({ value: undefined, done: true }),
    };
  }
}

/** The whole of {@link listen} (listen.node.ts), loaded on its first call. */
export async function listen(options: ListenOptions = {}): Promise<Server> {
  checkListenOptions(options);
  // NATS: its own admission over a queue group (the NATS client library loads on first use).
  if (options.transport === 'nats') return listenNats(options);
  const limits = options.serverLimits ?? {};
  const maxSessions = limits.maxSessions ?? 10_000;
  const maxPerAddress = limits.maxSessionsPerAddress ?? 1_000;
  const perSecond = limits.newSessionsPerSecond ?? Number.POSITIVE_INFINITY;
  const maxPending = Math.max(1, limits.maxPendingHandshakes ?? 1_000);
  const handshakeMs = limits.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxPayload = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
  const maxHandshakeBytes = Math.min(maxPayload, limits.maxHandshakeMessageBytes ?? DEFAULT_MAX_HANDSHAKE_MESSAGE);
  const budget = new ByteBudget(limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
  const retryAfterMs = limits.retryAfterMs ?? 1_000;
  const host = options.host ?? '127.0.0.1';
  const sessions = new Set<Session>();
  /** Sessions per address, established ones and those admitted whose handshake is finishing. */
  const perAddress = new Map<string, number>();
  const recentAccepts: number[] = [];
  const arrivals = new SessionArrivals(!options.onSession);
  const counters: ServerCounters = { accepted: 0, rejected: {}, failedHandshakes: 0, evictedPending: 0, handshakeTimeouts: 0 };
  const transports = new Set<Transport>();
  const pending = new Map<Transport, PendingConnection>();
  /** Handshakes past `decide` that will become sessions: they hold a place under maxSessions. */
  let admitting = 0;
  /** Pending connections not yet closed by the server (closed ones leave the table a moment later). */
  let livePending = 0;
  let closing = false;
  /** The reason `close()` closes with, for sessions whose handshake finishes while it runs. */
  let closeReason: CloseReason = 'SERVER_SHUTDOWN';

  const addAddress = (address: string, n: number) => {
    const v = (perAddress.get(address) ?? 0) + n;
    if (v > 0) perAddress.set(address, v);
    else perAddress.delete(address);
  };

  const decide = (address: string): HelloDecision => {
    const now = Date.now();
    while (recentAccepts.length && recentAccepts[0] <= now - 1000) recentAccepts.shift();
    if (closing) return { reject: { code: 'SERVER_BUSY', message: 'server shutting down', retryAfterMs } };
    if (sessions.size + admitting >= maxSessions) return { reject: { code: 'SERVER_BUSY', message: `server at capacity (${maxSessions} session${maxSessions === 1 ? '' : 's'})`, retryAfterMs } };
    if ((perAddress.get(address) ?? 0) >= maxPerAddress) return { reject: { code: 'SERVER_BUSY', message: `too many sessions from ${address} (${maxPerAddress})`, retryAfterMs } };
    if (recentAccepts.length >= perSecond) return { reject: { code: 'RATE_LIMITED', message: `more than ${perSecond} new sessions per second`, retryAfterMs: Math.max(1, recentAccepts[0] + 1000 - now) } };
    recentAccepts.push(now);
    return {};
  };

  /** Closes a pending connection now (its handshake then fails). */
  const dropPending = (transport: Transport, why: 'timeout' | 'evicted') => {
    const p = pending.get(transport);
    if (!p || p.closedBy) return;
    p.closedBy = why;
    livePending--;
    if (why === 'timeout') counters.handshakeTimeouts++;
    else counters.evictedPending++;
    if (transport.abort) transport.abort();
    else void transport.close().catch(() => undefined);
  };

  const admit = (transport: Transport) => {
    const admission = establish(transport);
    // The entry is in `pending` from establish's synchronous start until its handshake ends.
    const entry = pending.get(transport);
    if (entry) entry.admission = admission;
  };

  const establish = async (transport: Transport) => {
    if (closing) {
      await transport.close().catch(() => undefined);
      return;
    }
    transports.add(transport);
    // Fair accept: a full table makes room by closing its oldest connection, not by refusing the newest.
    if (livePending >= maxPending) {
      for (const [oldest, p] of pending) {
        if (p.closedBy) continue;
        dropPending(oldest, 'evicted');
        break;
      }
    }
    transport.limitIncoming?.(maxHandshakeBytes);
    const entry: PendingConnection = { timer: setTimeout(() => dropPending(transport, 'timeout'), handshakeMs) };
    entry.timer.unref?.();
    pending.set(transport, entry);
    livePending++;
    const address = hostOf(transport.remoteAddress);
    let admitted = false;
    let decision: HelloDecision = {};
    let session: Session | undefined;
    try {
      session = await Session.server(transport, {
        ...options,
        decide: () => {
          decision = decide(address);
          if (!decision.reject && !admitted) {
            // From this HELLO on, a longer message (the client's first DATA, read with its
            // AUTH) waits for the handshake's outcome instead of ending the connection.
            transport.limitIncoming?.(maxHandshakeBytes, maxPayload);
            admitted = true;
            entry.admitted = true;
            admitting++;
            addAddress(address, 1);
          }
          return decision;
        },
      });
    } catch (e) {
      // A message held for the handshake's outcome is refused (LimitExceeded).
      transport.limitIncoming?.(maxHandshakeBytes);
      counters.failedHandshakes++;
      options.onHandshakeError?.(entry.closedBy === 'timeout' ? new M2MError('Timeout', { operation: 'handshake', ms: handshakeMs }, { cause: e }) : e);
    } finally {
      clearTimeout(entry.timer);
      pending.delete(transport);
      if (!entry.closedBy) livePending--;
      if (admitted) admitting--;
    }
    // A session that was established and has ended already (its peer sent AUTH, its last DATA
    // and CLOSE in one burst, read at once) is still delivered, as listen-nats.ts does: what it
    // received is the application's to read.
    if (!session) {
      const code = decision.reject?.code;
      if (code) counters.rejected[code] = (counters.rejected[code] ?? 0) + 1;
      if (admitted) addAddress(address, -1);
      transports.delete(transport);
      return;
    }
    transport.limitIncoming?.(maxPayload);
    counters.accepted++;
    sessions.add(session);
    void session.closed.then(() => {
      sessions.delete(session);
      transports.delete(transport);
      addAddress(address, -1);
    });
    // Established while the server closes (an encrypted session: the client's AUTH came after
    // close() began, and its `connect` may have resolved already): it gets the server's CLOSE
    // with the reason, not a dropped connection.
    if (closing) {
      await session.close(closeReason);
      return;
    }
    arrivals.offer(session);
    runOnSession(options.onSession, session);
  };

  const account = () => new ConnectionAccount(budget);
  const transportLimits: TransportLimits = { maxMessageBytes: maxPayload, highWaterMark: options.highWaterMark, highWaterBytes: options.highWaterBytes, sendHighWaterBytes: options.sendHighWaterBytes, sendTimeoutMs: options.sendTimeoutMs };
  let port: number;
  let stop: () => Promise<void>;
  const kind = options.transport ?? 'ws';
  if (kind === 'http') {
    const cors = options.allowOrigins === undefined ? undefined : corsPolicy(options.allowOrigins);
    const handler = httpHandler({ admit, maxMessageBytes: maxPayload, maxFirstMessageBytes: maxHandshakeBytes, limits: transportLimits, account, cors });
    // node:http and ws are loaded by the servers that use them, not by every import (bench/startup.ts).
    const http = await import('node:http');
    const server = http.createServer(handler.handle);
    closeSilentSockets(server, handshakeMs, 'answered as requests');
    port = await new Promise<number>((resolve, reject) => {
      server.once('error', (e) => reject(new M2MError('Network', { reason: `cannot listen on ${host}:${options.port ?? 0}: ${e.message}` }, { cause: e })));
      server.listen(options.port ?? 0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
    stop = async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    };
  } else if (kind === 'tcp') {
    // node:net on first use: a static import costs start-up time (bench/startup.ts).
    const server = process.getBuiltinModule('node:net').createServer((socket) => admit(new TcpTransport(socket, transportLimits, account())));
    port = await new Promise<number>((resolve, reject) => {
      server.once('error', (e) => reject(new M2MError('Network', { reason: `cannot listen on ${host}:${options.port ?? 0}: ${e.message}` }, { cause: e })));
      server.listen(options.port ?? 0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
    stop = () => new Promise((r) => server.close(() => r()));
  } else {
    const http = await import('node:http');
    const { WebSocketServer } = await import('ws');
    // A plain HTTP request (an `http://` client dialing a ws port) gets an answer, not silence.
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { connection: 'close', upgrade: 'websocket', 'content-type': 'text/plain' }).end('an M2M WebSocket endpoint: connect with a ws:// URL\n');
    });
    // A client that offers `m2m.batch.v1` gets it (several session messages per WebSocket message,
    // transport/ws-batch.ts); others keep one per message, and `ws`'s own choice (the first
    // offered) for any other subprotocol. Each transport sets its connection's payload limit.
    const wss = new WebSocketServer({ server, maxPayload: batchLimit(maxPayload), handleProtocols: selectProtocol });
    closeSilentSockets(server, handshakeMs, 'handled');
    wss.on('connection', (ws, req) => admit(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { ...transportLimits, remoteAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`, account: account(), batch: webSocketWriteBatch(ws), nodeBuffers: true })));
    port = await new Promise<number>((resolve, reject) => {
      server.once('error', (e) => reject(new M2MError('Network', { reason: `cannot listen on ${host}:${options.port ?? 0}: ${e.message}` }, { cause: e })));
      server.listen(options.port ?? 0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
    stop = async () => {
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    };
  }
  const scheme = kind;
  return {
    url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sessions,
    counters,
    get bufferedBytes() {
      return budget.held;
    },
    async close(reason: CloseReason = 'SERVER_SHUTDOWN') {
      closing = true;
      closeReason = reason;
      // Connections whose HELLO was accepted finish their handshake (within its deadline) and
      // are then closed with `reason` (establish above): their client may have an established
      // session already (encrypted: connect resolves once AUTH is sent) and must read why it
      // ends. Other pending connections close gracefully with the transports below; their
      // deadlines stop.
      const finishing: Array<Promise<void> | undefined> = [];
      for (const p of pending.values()) {
        if (p.admitted && !p.closedBy) finishing.push(p.admission);
        else clearTimeout(p.timer);
      }
      const dropped = [...transports].filter((t) => !pending.get(t)?.admitted);
      await Promise.all([...sessions].map((s) => s.close(reason)));
      await Promise.all(dropped.map((t) => t.close().catch(() => undefined)));
      await Promise.all(finishing);
      arrivals.end();
      await stop();
    },
    [Symbol.asyncIterator]: () => arrivals.iterator(),
  };
}
