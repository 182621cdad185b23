/**
 * Types of `listen`, shared by the Node implementation and the browser stub.
 * @module
 */
import type { CloseReason } from '@m2m/core';
import type { Session, SessionOptions } from './session.js';
import type { TransportLimits } from './transport/types.js';

/**
 * Admission and memory limits of a server. A HELLO over a session limit gets REJECT with
 * `retryAfterMs`; connections that have not finished their handshake are a separate, smaller
 * pool with a deadline (docs/PROTOCOL.md §6 lists every default).
 */
export interface ServerLimits {
  /** Established sessions open at once (default 10 000); one more HELLO → SERVER_BUSY. Handshakes in progress do not count. */
  maxSessions?: number;
  /** Established sessions from one remote address (default 1 000) → SERVER_BUSY. */
  maxSessionsPerAddress?: number;
  /** New sessions accepted per second (default unlimited) → RATE_LIMITED. */
  newSessionsPerSecond?: number;
  /**
   * Connections that have not finished their handshake (default 1 000). When a new connection
   * arrives with the table full, the oldest one is closed to make room (a flood of idle
   * connections cannot lock others out: each legitimate client gets the time the flood takes
   * to refill the table).
   */
  maxPendingHandshakes?: number;
  /**
   * Deadline for the whole handshake, from accept (default 5 000 ms). Not renewed by traffic:
   * a peer trickling its HELLO byte by byte is closed on time.
   */
  handshakeTimeoutMs?: number;
  /** Largest message before the handshake is done (default 64 KiB; a HELLO is far smaller). */
  maxHandshakeMessageBytes?: number;
  /**
   * Server-wide budget for received bytes nobody has read yet: partial messages and messages
   * waiting in transports (default 256 MiB). Each connection holds 64 KiB on its own; beyond
   * that it draws on this budget, and a connection that cannot draw is closed with
   * LimitExceeded (`maxBufferedBytes`) while the others keep working.
   */
  maxBufferedBytes?: number;
  /** `retryAfterMs` sent with SERVER_BUSY (default 1 000). */
  retryAfterMs?: number;
}

/** What a server counted since it started. */
export interface ServerCounters {
  /** Sessions that completed the handshake and were delivered. */
  accepted: number;
  /** HELLOs answered with REJECT, keyed by rejection code (`SERVER_BUSY`, `RATE_LIMITED`, ...). */
  rejected: Record<string, number>;
  /** Connections whose handshake failed or timed out (also passed to `onHandshakeError`). */
  failedHandshakes: number;
  /** Pending connections closed to make room for a new one. */
  evictedPending: number;
  /** Connections closed for missing the handshake deadline. */
  handshakeTimeouts: number;
}

/** Options of `listen`. */
export interface ListenOptions extends SessionOptions, TransportLimits {
  /**
   * `ws` (default), `tcp`, `http` (one message per POST /message, long-poll GET for the rest), or
   * `nats` (join `subject`'s queue group on `servers`; needs the optional `@nats-io/transport-node`).
   */
  transport?: 'ws' | 'tcp' | 'http' | 'nats';
  /** `nats`: the NATS servers (`host:port`, a list or comma-separated; default `127.0.0.1:4222`). */
  servers?: string | string[];
  /** `nats`: the subject clients address (`nats://host:port/<subject>`), e.g. `agentSubject(id)`. */
  subject?: string;
  /** `nats`: the queue group shared by the pool's instances (default: the subject). */
  queue?: string;
  /**
   * `http`: page origins a browser may let call this server from another origin, e.g.
   * `['https://app.example.com']` (as browsers send them: scheme, host, port), or `'*'` for any.
   * Those get answers to CORS preflights (`OPTIONS /message`) and the CORS headers on every
   * response; a request from another origin (its `Origin` neither listed nor the server's own)
   * gets 403 unprocessed, so even a preflight-free `text/plain` POST opens nothing.
   * Default: none (same origin only). CONFIG_ERROR for anything else, or with another transport.
   */
  allowOrigins?: '*' | readonly string[];
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port; read it from `server.port`). */
  port?: number;
  /** Admission and memory limits; every field has a default (see {@link ServerLimits}). */
  serverLimits?: ServerLimits;
  /**
   * Called with each established session. With `onSession` the server's async iterator only
   * sees sessions that arrive once iteration has started (nothing is kept for an iterator
   * nobody runs); without it, open sessions wait for the iterator (closed ones are dropped).
   * An async handler that rejects once its session has ended (`for await` over a session whose
   * peer vanished throws SESSION_CLOSED) is absorbed, so one lost client cannot end the process;
   * a rejection while the session is still open stays unhandled (run-on-session.ts).
   */
  onSession?: (session: Session) => void;
  /** Called when a connection fails before becoming a session (bad HELLO, timeout). */
  onHandshakeError?: (error: unknown) => void;
}

/** A listening server. */
export interface Server extends AsyncIterable<Session> {
  /** `ws://host:port`, `tcp://host:port`, `http://host:port` or `nats://host:port/<subject>`. */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** Established sessions. */
  readonly sessions: ReadonlySet<Session>;
  /** Counters: accepted, rejected (by code), failed handshakes, evicted and timed-out pending connections. */
  readonly counters: ServerCounters;
  /** Bytes received and not yet read, across all connections (what `maxBufferedBytes` bounds, allowances included). */
  readonly bufferedBytes: number;
  /** Stops accepting, closes every session with `reason`, and releases the port. */
  close(reason?: CloseReason): Promise<void>;
}
