/**
 * `listen` on Node: a WebSocket (`ws`) or TCP server that admits sessions within its limits.
 * @module
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { WebSocketServer } from 'ws';
import { M2MError } from '@m2m/core';
import type { CloseReason } from '@m2m/core';
import type { ListenOptions, Server } from './listen-types.js';
import type { Message } from './message.js';
import { AsyncQueue } from './queue.js';
import { Session, type HelloDecision } from './session.js';
import { httpHandler } from './transport/http-server.js';
import { TcpTransport } from './transport/tcp.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE, type Transport } from './transport/types.js';
import { WebSocketTransport, type WebSocketLike } from './transport/websocket.js';

// Node-only like listen: a rate shared through NATS JetStream (browsers get a stub, listen.browser.ts).
export { SharedRateLimiter } from './nats-rate-limit.js';

const hostOf = (address: string | undefined) => (address ?? '?').replace(/:\d+$/, '');

/**
 * Starts a server.
 * @throws M2MError of kind Network when the port cannot be bound.
 * @example
 * ```ts
 * const server = await listen({ port: 7400, onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
 * ```
 */
export async function listen(options: ListenOptions = {}): Promise<Server> {
  // NATS: its own admission over a queue group, loaded on demand (keeps the client off the cold path).
  if (options.transport === 'nats') return (await import('./listen-nats.js')).listenNats(options);
  const limits = options.serverLimits ?? {};
  const maxSessions = limits.maxSessions ?? 10_000;
  const maxPerAddress = limits.maxSessionsPerAddress ?? 1_000;
  const perSecond = limits.newSessionsPerSecond ?? Number.POSITIVE_INFINITY;
  const maxPending = limits.maxPendingHandshakes ?? 1_000;
  const retryAfterMs = limits.retryAfterMs ?? 1_000;
  const host = options.host ?? '127.0.0.1';
  const sessions = new Set<Session>();
  const perAddress = new Map<string, number>();
  const recentAccepts: number[] = [];
  const incoming = new AsyncQueue<Session>({ capacity: Number.MAX_SAFE_INTEGER });
  const counters = { accepted: 0, rejected: {} as Record<string, number>, failedHandshakes: 0 };
  const transports = new Set<Transport>();
  let pending = 0;
  let closing = false;

  const decide = (address: string) => (_hello: Message): HelloDecision => {
    const now = Date.now();
    while (recentAccepts.length && recentAccepts[0] <= now - 1000) recentAccepts.shift();
    if (closing) return { reject: { code: 'SERVER_BUSY', message: 'server shutting down', retryAfterMs } };
    if (sessions.size + pending > maxSessions) return { reject: { code: 'SERVER_BUSY', message: `server at capacity (${maxSessions} session${maxSessions === 1 ? '' : 's'})`, retryAfterMs } };
    if ((perAddress.get(address) ?? 0) >= maxPerAddress) return { reject: { code: 'SERVER_BUSY', message: `too many sessions from ${address} (${maxPerAddress})`, retryAfterMs } };
    if (recentAccepts.length >= perSecond) return { reject: { code: 'RATE_LIMITED', message: `more than ${perSecond} new sessions per second`, retryAfterMs: Math.max(1, recentAccepts[0] + 1000 - now) } };
    recentAccepts.push(now);
    return {};
  };

  const admit = async (transport: Transport) => {
    transports.add(transport);
    if (pending >= maxPending || closing) {
      transports.delete(transport);
      await transport.close();
      return;
    }
    pending++;
    const address = hostOf(transport.remoteAddress);
    let decision: HelloDecision = {};
    let session: Session | undefined;
    try {
      session = await Session.server(transport, {
        ...options,
        decide: (hello) => (decision = decide(address)(hello)),
      });
    } catch (e) {
      counters.failedHandshakes++;
      options.onHandshakeError?.(e);
    } finally {
      pending--;
    }
    if (!session) {
      const code = decision.reject?.code;
      if (code) counters.rejected[code] = (counters.rejected[code] ?? 0) + 1;
      transports.delete(transport);
      return;
    }
    counters.accepted++;
    sessions.add(session);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    void session.closed.then(() => {
      sessions.delete(session);
      transports.delete(transport);
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n) perAddress.set(address, n);
      else perAddress.delete(address);
    });
    incoming.offer(session);
    options.onSession?.(session);
  };

  const maxPayload = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
  let port: number;
  let stop: () => Promise<void>;
  const kind = options.transport ?? 'ws';
  if (kind === 'http') {
    const handler = httpHandler({ admit: (t) => void admit(t), maxMessageBytes: maxPayload });
    const server = http.createServer(handler.handle);
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
    const server = net.createServer((socket) => void admit(new TcpTransport(socket, options)));
    port = await new Promise<number>((resolve, reject) => {
      server.once('error', (e) => reject(new M2MError('Network', { reason: `cannot listen on ${host}:${options.port ?? 0}: ${e.message}` }, { cause: e })));
      server.listen(options.port ?? 0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
    stop = () => new Promise((r) => server.close(() => r()));
  } else {
    const wss = new WebSocketServer({ host, port: options.port ?? 0, maxPayload });
    wss.on('connection', (ws, req) => void admit(new WebSocketTransport(ws as unknown as WebSocketLike, { ...options, remoteAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}` })));
    port = await new Promise<number>((resolve, reject) => {
      wss.once('error', (e) => reject(new M2MError('Network', { reason: `cannot listen on ${host}:${options.port ?? 0}: ${e.message}` }, { cause: e })));
      wss.once('listening', () => resolve((wss.address() as net.AddressInfo).port));
    });
    stop = () => new Promise((r) => wss.close(() => r()));
  }
  const scheme = kind;
  return {
    url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sessions,
    counters,
    async close(reason: CloseReason = 'SERVER_SHUTDOWN') {
      closing = true;
      await Promise.all([...sessions].map((s) => s.close(reason)));
      await Promise.all([...transports].map((t) => t.close().catch(() => undefined)));
      incoming.end();
      await stop();
    },
    [Symbol.asyncIterator]: () => incoming[Symbol.asyncIterator](),
  };
}
