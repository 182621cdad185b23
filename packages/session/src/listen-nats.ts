/**
 * `listen({ transport: 'nats' })`: joins the queue group of a subject, so a pool of server
 * instances shares the sessions opened to it; each HELLO that reaches this instance becomes a
 * session bound to a fresh session subject of this instance (docs/PROTOCOL.md §6.1). Loaded by
 * `listen.node.ts` only when asked for, so the NATS client stays off the cold import path.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { CloseReason } from '@m2m/core';
import type { ListenOptions, Server } from './listen-types.js';
import type { Message } from './message.js';
import { AsyncQueue } from './queue.js';
import { Session, type HelloDecision } from './session.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_HANDSHAKE_MESSAGE } from './listen-server.js';
import { ByteBudget, ConnectionAccount, DEFAULT_MAX_BUFFERED_BYTES } from './transport/budget.js';
import { checkListenSubject, isSessionSubject, NatsKind } from './transport/nats-frames.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE } from './transport/types.js';
import { NatsLink, natsConnect } from './transport/nats-link.js';
import type { NatsTransport } from './transport/nats-transport.js';
import { runOnSession } from './run-on-session.js';

/** A handshake in progress: its deadline, why the server ended it, and (once its HELLO was accepted) its admission, which `close()` waits for. */
interface Handshake {
  timer: ReturnType<typeof setTimeout>;
  closedBy?: 'timeout' | 'evicted';
  admitted?: boolean;
  admission?: Promise<void>;
}

/**
 * Starts a NATS listener.
 * @throws M2MError: Config (no subject, bad subject, client package missing), Network (cannot
 *   reach NATS).
 */
export async function listenNats(options: ListenOptions): Promise<Server> {
  const servers = typeof options.servers === 'string' ? options.servers.split(',') : (options.servers ?? ['127.0.0.1:4222']);
  if (!options.subject) throw new M2MError('Config', { reason: 'listen({ transport: "nats" }) needs a subject' });
  const subject = checkListenSubject(options.subject);
  const queue = options.queue ?? subject;
  if (!/^[A-Za-z0-9_.-]{1,256}$/.test(queue)) throw new M2MError('Config', { reason: 'NATS queue group: letters, digits, ".", "_" and "-"' });
  const limits = options.serverLimits ?? {};
  const maxSessions = limits.maxSessions ?? 10_000;
  const perSecond = limits.newSessionsPerSecond ?? Number.POSITIVE_INFINITY;
  const maxPending = Math.max(1, limits.maxPendingHandshakes ?? 1_000);
  const retryAfterMs = limits.retryAfterMs ?? 1_000;
  const handshakeMs = limits.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxHandshakeBytes = Math.min(options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE, limits.maxHandshakeMessageBytes ?? DEFAULT_MAX_HANDSHAKE_MESSAGE);
  // What every session end holds unread counts here (each holds 64 KiB on its own), as on TCP.
  const budget = new ByteBudget(limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
  // Handshakes in progress, oldest first, with their deadline.
  const handshakes = new Map<NatsTransport, Handshake>();
  let liveHandshakes = 0;
  const sessions = new Set<Session>();
  const ends = new Set<NatsTransport>();
  const recentAccepts: number[] = [];
  const incoming = new AsyncQueue<Session>({ capacity: Number.MAX_SAFE_INTEGER });
  const counters = { accepted: 0, rejected: {} as Record<string, number>, failedHandshakes: 0, evictedPending: 0, handshakeTimeouts: 0 };
  let pending = 0;
  let closing = false;
  /** The reason `close()` closes with, for sessions whose handshake finishes while it runs. */
  let closeReason: CloseReason = 'SERVER_SHUTDOWN';

  const nc = await natsConnect(servers, `m2m-server ${subject}`);
  const link = new NatsLink(nc);

  const decide = (_hello: Message): HelloDecision => {
    const now = Date.now();
    while (recentAccepts.length && recentAccepts[0] <= now - 1000) recentAccepts.shift();
    if (closing) return { reject: { code: 'SERVER_BUSY', message: 'server shutting down', retryAfterMs } };
    if (sessions.size + pending > maxSessions) return { reject: { code: 'SERVER_BUSY', message: `server at capacity (${maxSessions} sessions)`, retryAfterMs } };
    if (recentAccepts.length >= perSecond) return { reject: { code: 'RATE_LIMITED', message: `more than ${perSecond} new sessions per second`, retryAfterMs: Math.max(1, recentAccepts[0] + 1000 - now) } };
    recentAccepts.push(now);
    return {};
  };

  /** Ends a handshake in progress now (Session.server then fails); the client gets a BYE. */
  const dropHandshake = (end: NatsTransport, why: 'timeout' | 'evicted') => {
    const h = handshakes.get(end);
    if (!h || h.closedBy) return;
    h.closedBy = why;
    liveHandshakes--;
    if (why === 'timeout') counters.handshakeTimeouts++;
    else counters.evictedPending++;
    end.fail(new M2MError('Timeout', { operation: 'handshake', ms: handshakeMs }));
  };

  const admit = async (end: NatsTransport) => {
    ends.add(end);
    pending++;
    // One deadline for the whole handshake, from the HELLO: traffic does not renew it.
    const h: Handshake = { timer: setTimeout(() => dropHandshake(end, 'timeout'), handshakeMs) };
    (h.timer as { unref?: () => void }).unref?.();
    handshakes.set(end, h);
    liveHandshakes++;
    let decision: HelloDecision = {};
    let session: Session | undefined;
    try {
      session = await Session.server(end, {
        ...options,
        decide: (hello) => {
          decision = decide(hello);
          if (!decision.reject) h.admitted = true;
          return decision;
        },
      });
    } catch (e) {
      counters.failedHandshakes++;
      options.onHandshakeError?.(h.closedBy === 'timeout' ? new M2MError('Timeout', { operation: 'handshake', ms: handshakeMs }, { cause: e }) : e);
    } finally {
      clearTimeout(h.timer);
      handshakes.delete(end);
      if (!h.closedBy) liveHandshakes--;
      pending--;
    }
    if (!session) {
      const code = decision.reject?.code;
      if (code) counters.rejected[code] = (counters.rejected[code] ?? 0) + 1;
      ends.delete(end);
      return;
    }
    counters.accepted++;
    sessions.add(session);
    void session.closed.then(() => {
      sessions.delete(session);
      ends.delete(end);
    });
    // Established while the server closes (encrypted: the client's AUTH came after close()
    // began, and its `connect` may have resolved already): it reads the CLOSE with the reason.
    if (closing) {
      await session.close(closeReason);
      return;
    }
    incoming.offer(session);
    runOnSession(options.onSession, session);
  };

  const sub = nc.subscribe(subject, {
    queue,
    callback: (err, msg) => {
      // A HELLO: a FRAME whose reply subject is the client's session subject. Anything else on
      // the listen subject is dropped unanswered (a reply to an arbitrary subject would make
      // this server a reflector).
      if (err || closing || !isSessionSubject(msg.reply) || msg.data.length < 2 || msg.data[0] !== NatsKind.FRAME) return;
      if (msg.data.length - 1 > maxHandshakeBytes) {
        // Refused before anything is held or decoded (a HELLO is far smaller).
        counters.failedHandshakes++;
        options.onHandshakeError?.(new M2MError('LimitExceeded', { limit: 'maxHandshakeMessageBytes', actual: msg.data.length - 1, max: maxHandshakeBytes }));
        return;
      }
      // Fair accept: a full table makes room by ending its oldest handshake, not by ignoring the
      // newest HELLO (peers that never finish cannot lock real clients out).
      if (liveHandshakes >= maxPending) {
        for (const [oldest, h] of handshakes) {
          if (h.closedBy) continue;
          dropHandshake(oldest, 'evicted');
          break;
        }
      }
      const end = link.open(msg.reply, true, { ...options, account: new ConnectionAccount(budget) });
      end.deliver({ data: msg.data, reply: msg.reply });
      const admission = admit(end);
      // In `handshakes` from admit's synchronous start until its handshake ends.
      const h = handshakes.get(end);
      if (h) h.admission = admission;
    },
  });
  await nc.flush();

  const port = nc.info?.port ?? 4222;
  const first = servers[0].replace(/^nats:\/\//, '');
  // Built as a variable, not returned as a literal: Server gains fields on other branches
  // (bufferedBytes) and this object already has them.
  const server = {
    url: `nats://${first}/${subject}`,
    port,
    sessions,
    counters,
    /** Bytes this instance's sessions hold unread (counted as the NATS windows count them; bounded by `maxBufferedBytes` plus 64 KiB per session). */
    get bufferedBytes(): number {
      return budget.held;
    },
    async close(reason: CloseReason = 'SERVER_SHUTDOWN') {
      if (closing) return;
      closing = true;
      closeReason = reason;
      sub.unsubscribe();
      // Handshakes past an accepted HELLO finish (within their deadline) and are closed with
      // `reason` (admit above): their client may hold an established session already.
      const finishing: Array<Promise<void> | undefined> = [];
      for (const h of handshakes.values()) if (h.admitted && !h.closedBy) finishing.push(h.admission);
      const dropped = [...ends].filter((t) => !handshakes.get(t)?.admitted);
      await Promise.all([...sessions].map((s) => s.close(reason)));
      await Promise.all(dropped.map((t) => t.close().catch(() => undefined)));
      await Promise.all(finishing);
      incoming.end();
      await link.drain().catch(() => undefined);
    },
    [Symbol.asyncIterator]: () => incoming[Symbol.asyncIterator](),
  };
  return server;
}
