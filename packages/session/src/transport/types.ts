/**
 * The transport seam: something that carries whole messages, in order, both ways.
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** A message-oriented, ordered, reliable connection. */
export interface Transport extends AsyncIterable<Uint8Array> {
  /**
   * Sends one message; resolves when the transport has taken it (slow peers make this wait,
   * bounded in bytes by `sendHighWaterBytes`). The transport may keep `data` until it is
   * written: the caller must not change it afterwards.
   * @throws M2MError: Network when closed; Timeout when the peer takes nothing for `sendTimeoutMs`.
   */
  send(data: Uint8Array): Promise<void>;
  /** Closes the connection; incoming iteration ends. Safe to call twice. */
  close(): Promise<void>;
  /** Drops the connection at once, without a goodbye (a crash, as the peer sees it). */
  abort?(): void;
  /**
   * Sets the largest incoming message from now on (a server keeps it small until the handshake
   * is done, then raises it to `maxMessageBytes`). With `holdUpTo` (the handshake is in
   * progress), a message whose declared length is above `maxMessageBytes` but not above
   * `holdUpTo` does not end the connection: reading stops before it (nothing is allocated for
   * it) until the next call decides, which refuses it (LimitExceeded) if it is still too long.
   * A peer's AUTH and its first DATA arrive in one read, before the server could raise the limit.
   */
  limitIncoming?(maxMessageBytes: number, holdUpTo?: number): void;
  /**
   * Settles once the connection has ended (with the error that ended it, if any), so a reader
   * that is not iterating right now (its consumer is full) still learns the peer is gone.
   */
  readonly ended?: Promise<unknown>;
  /**
   * Where a server counts the bytes this connection holds unread (its share of the server's
   * buffer budget); a session counts its inbox here too. Absent on client transports.
   * (`| undefined`: classes expose it as a getter that may return undefined, which a consumer's
   * `exactOptionalPropertyTypes` would otherwise refuse in our declarations.)
   */
  readonly account?: BufferAccount | undefined;
  /** The peer's address (`ip:port`), when the transport knows it. */
  readonly remoteAddress?: string;
  /** Transport name for logs (`memory`, `tcp`, `ws`, `http`). */
  readonly kind: string;
}

/** Byte accounting of one connection (see transport/budget.ts). */
export interface BufferAccount {
  /**
   * Counts `n` more bytes held.
   * @throws M2MError LimitExceeded (`maxBufferedBytes`) when the server's budget cannot cover them.
   */
  hold(n: number): void;
  /** Counts `n` bytes as no longer held. */
  release(n: number): void;
}

/** Limits every transport applies to what it buffers, both ways. */
export interface TransportLimits {
  /** Largest message in bytes (default 16 MiB + 64 KiB, room for a maximal frame in a message). */
  maxMessageBytes?: number;
  /** Incoming messages buffered before the transport stops reading (default 64). */
  highWaterMark?: number;
  /** Incoming bytes buffered (whole messages not yet read) before the transport stops reading (default 1 MiB). */
  highWaterBytes?: number;
  /** Outgoing bytes buffered before `send` waits for the peer to take them (default 1 MiB). */
  sendHighWaterBytes?: number;
  /**
   * How long one `send` may wait for the peer to take buffered bytes (default 30 000 ms). A peer
   * that reads nothing for that long is dropped: `send` and iteration fail with Timeout.
   */
  sendTimeoutMs?: number;
}

/**
 * Joins the writes of one burst into one system call (Node sockets: transport/write-batch.ts).
 * A transport calls `add` before each write.
 */
export interface WriteBatch {
  /** Announces a write of `bytes` bytes. */
  add(bytes: number): void;
  /** Writes out the current batch now. */
  flush(): void;
}

/**
 * What a transport's `send` returns when it took the message at once: one shared, already
 * resolved promise instead of one per message. A caller that sees this very object knows the
 * message was taken without waiting (session.ts skips its send-queue bookkeeping then).
 */
export const TAKEN: Promise<void> = Promise.resolve();

/**
 * An iterator of received messages that can also hand over a message already waiting without a
 * promise (`poll`: `undefined` when none is waiting or the iteration has ended; then `next`
 * tells which). The transports' iterators have it; a session's read loop drains with it and
 * awaits `next` only when nothing is waiting (one promise and microtask fewer per message).
 */
export interface PollingIterator<T> extends AsyncIterator<T> {
  /** The next message if one is already waiting (taken as `next` would take it), else `undefined`. */
  poll?(): T | undefined;
  /**
   * Instead of a pending `next` when nothing is waiting: `wake` is called once, with the next
   * message (taken, inside the producer's call) or with nothing once a message is waiting or the
   * iteration ended (then `poll` or `next` tells which); false when it would not wait. The
   * session's read loop uses it so that a message delivered to an idle session costs no promise
   * (queue-park.ts, `ParkingQueue`: Node's transports).
   */
  park?(wake: (message?: T) => void): boolean;
}

/** Default largest transport message. */
export const DEFAULT_MAX_TRANSPORT_MESSAGE = 16 * 1024 * 1024 + 64 * 1024;
/** Default incoming bytes buffered before reading stops. */
export const DEFAULT_HIGH_WATER_BYTES = 1024 * 1024;
/** Default outgoing bytes buffered before `send` waits. */
export const DEFAULT_SEND_HIGH_WATER_BYTES = 1024 * 1024;
/** Default wait for a peer to take outgoing bytes. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;

/**
 * Waits until `wake` is called (the transport drained) or `ms` pass.
 * @throws M2MError Timeout (`operation: 'send'`) when `ms` pass first.
 */
export function waitForDrain(register: (wake: () => void) => void, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new M2MError('Timeout', { operation: 'send', ms })), ms);
    register(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
