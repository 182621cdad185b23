/**
 * Types of `listen`, shared by the Node implementation and the browser stub.
 * @module
 */
import type { CloseReason } from '@m2m/core';
import type { Session, SessionOptions } from './session.js';
import type { TransportLimits } from './transport/types.js';

/** Admission limits of a server; a HELLO over a limit gets REJECT with `retryAfterMs`. */
export interface ServerLimits {
  /** Sessions open at once, handshakes included (default 10 000) → SERVER_BUSY. */
  maxSessions?: number;
  /** Sessions from one remote address (default 1 000) → SERVER_BUSY. */
  maxSessionsPerAddress?: number;
  /** New sessions accepted per second (default unlimited) → RATE_LIMITED. */
  newSessionsPerSecond?: number;
  /** Connections waiting for their HELLO; more are closed unread (default 1 000). */
  maxPendingHandshakes?: number;
  /** `retryAfterMs` sent with SERVER_BUSY (default 1 000). */
  retryAfterMs?: number;
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
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port; read it from `server.port`). */
  port?: number;
  serverLimits?: ServerLimits;
  /** Called with each established session. */
  onSession?: (session: Session) => void;
  /** Called when a connection fails before becoming a session (bad HELLO, timeout). */
  onHandshakeError?: (error: unknown) => void;
}

/** A listening server. */
export interface Server extends AsyncIterable<Session> {
  /** `ws://host:port`, `tcp://host:port`, `http://host:port` or `nats://host:port/<subject>`. */
  readonly url: string;
  readonly port: number;
  /** Established sessions. */
  readonly sessions: ReadonlySet<Session>;
  /** Counters: accepted, rejected (by code), failed handshakes. */
  readonly counters: { accepted: number; rejected: Record<string, number>; failedHandshakes: number };
  /** Stops accepting, closes every session with `reason`, and releases the port. */
  close(reason?: CloseReason): Promise<void>;
}
