/**
 * TCP transport (node:net): each message is a 4-byte big-endian length, then the bytes. The
 * reader stops the socket while the inbox is full (in messages or in bytes), so a slow consumer
 * slows the sender through TCP's own flow control instead of growing memory. Received chunks
 * are kept as a list and copied once, when a whole message is in (transport/length-prefixed.ts);
 * the small messages written in one burst are copied with their prefixes into one buffer and
 * leave in one write (`BatchWriter`, transport/ws-batch.ts: its batches are this framing), large
 * ones in one `writev` with the rest of the burst (transport/write-batch.ts).
 * @module
 */
import type * as net from 'node:net';
import { M2MError } from '@m2m/core/internal';
import { ParkingQueue } from '../queue-park.js';
import { dial } from './dial.js';
import { ConnectionAccount } from './budget.js';
import { LengthPrefixedReader } from './length-prefixed.js';
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_TRANSPORT_MESSAGE, DEFAULT_SEND_TIMEOUT_MS, TAKEN, waitForDrain, type PollingIterator, type Transport, type TransportLimits } from './types.js';
import { SocketWriteBatch } from './write-batch.js';
import { BatchWriter } from './ws-batch.js';

/** Messages below this size are copied with their prefix into the burst's buffer (a copy is cheaper than an iovec and a `write`). */
const JOIN_BELOW = 1024;

/**
 * True when a length prefix is really the start of HTTP text ("HTTP" of a response, or a request
 * method), as when a tcp:// URL points at an HTTP server: those four bytes read as a length of
 * over 1 GB, which would otherwise be reported as LIMIT_EXCEEDED.
 */
const speaksHttp = (len: number): boolean => [0x48545450 /* HTTP */, 0x47455420 /* GET  */, 0x504f5354 /* POST */, 0x50555420 /* PUT  */, 0x48454144 /* HEAD */].includes(len);

/**
 * How long a connection lives after it refused a message for its size: time for the session to
 * send CLOSE with the reason and for the peer to read it and close, while what it still sends is
 * read and dropped (closing at once would reset the connection under the peer's unread CLOSE).
 */
const REFUSED_LINGER_MS = 2_000;

/** A {@link Transport} over one TCP socket. */
export class TcpTransport implements Transport {
  readonly kind = 'tcp';
  readonly remoteAddress: string;
  #socket: net.Socket;
  #inbox: ParkingQueue<Uint8Array>;
  /** Received bytes not yet part of a whole message. */
  #reader = new LengthPrefixedReader();
  #batch: SocketWriteBatch;
  /** The small messages of the current burst, prefixed, as one buffer for one `write`. */
  #writer: BatchWriter;
  #max: number;
  /** Longest message that waits (reading stopped) instead of ending the connection (`limitIncoming`). */
  #holdUpTo = 0;
  /** Set while reading is stopped before a message above `#max` but within `#holdUpTo`. */
  #holding = false;
  #closed = false;
  /** Set by `close()`: incoming bytes are dropped from then on. */
  #discarding = false;
  /** Set when a message was refused for its size (`#refuseMessage`): the socket lingers on its own timer. */
  #refused = false;
  /** Set when the peer ended gracefully while whole messages waited in `#reader` for inbox room. */
  #endWhenTaken = false;
  #drainWaiters: Array<() => void> = [];
  #sendTimeoutMs: number;
  #account: ConnectionAccount;
  #resolveEnded!: (error: unknown) => void;
  readonly ended: Promise<unknown> = new Promise((r) => (this.#resolveEnded = r));
  /** Bytes this connection holds unread, counted against a server's budget. */
  get account(): ConnectionAccount {
    return this.#account;
  }

  /**
   * @param account where a server counts the bytes this connection holds (default: its own,
   *   with no shared budget).
   */
  constructor(socket: net.Socket, limits: TransportLimits = {}, account: ConnectionAccount = new ConnectionAccount(undefined)) {
    this.#socket = socket;
    this.#max = limits.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#sendTimeoutMs = limits.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#account = account;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    this.#batch = new SocketWriteBatch(socket);
    this.#writer = new BatchWriter((burst) => {
      if (!socket.destroyed) socket.write(burst);
    }, process.nextTick);
    this.#inbox = new ParkingQueue({
      capacity: limits.highWaterMark ?? 64,
      maxBytes: limits.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
      onFull: () => socket.pause(),
      // Messages left in the reader while the inbox was full come out first.
      onDrain: () => {
        this.#takeMessages();
        if (!this.#inbox.full && !this.#holding) socket.resume();
      },
      onTake: (m) => this.#account.release(m.byteLength),
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#wakeWriters());
    socket.on('error', (e) => this.#finish(new M2MError('Network', { reason: `TCP: ${e.message}` }, { cause: e })));
    socket.on('close', () => this.#finish());
  }

  limitIncoming(maxMessageBytes: number, holdUpTo = 0): void {
    this.#max = maxMessageBytes;
    this.#holdUpTo = holdUpTo;
    if (!this.#holding) return;
    // The held message is checked again against the new limits.
    this.#holding = false;
    if (this.#closed) return;
    this.#takeMessages();
    if (!this.#holding && !this.#inbox.full && !this.#discarding) this.#socket.resume();
  }

  /**
   * Ends the connection for something the peer did; what it sent and nobody read is dropped.
   * With `reset` (a peer that stopped reading) a reset replaces the FIN, which would wait behind
   * the unsent bytes, so the kernel's buffers are freed at once.
   */
  #refuse(error: unknown, reset = false): void {
    this.#finish(error);
    this.#inbox.discard();
    if (reset) this.#socket.resetAndDestroy();
    else this.#socket.destroy();
  }

  /**
   * Refuses a message for its size, as a WebSocket peer does with close code 1009: TCP has no
   * close code, so the connection stays open for sending while the session reads what came
   * before it, then `error`, and tells the peer with CLOSE ERROR (session.ts `#readFailed`)
   * before it closes; what the peer still sends is dropped, and the socket goes after
   * {@link REFUSED_LINGER_MS} whatever happens.
   */
  #refuseMessage(error: M2MError): void {
    this.#discarding = true;
    this.#refused = true;
    this.#reader.clear();
    this.#socket.resume();
    const linger = setTimeout(() => this.#socket.destroy(), REFUSED_LINGER_MS);
    linger.unref();
    this.#socket.once('close', () => clearTimeout(linger));
    this.#inbox.end(error);
    this.#account.close();
    this.#resolveEnded(error);
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#discarding) return;
    try {
      this.#account.hold(chunk.length);
    } catch (e) {
      return this.#refuse(e);
    }
    this.#reader.push(chunk);
    this.#takeMessages();
  }

  /**
   * Moves whole messages from the received bytes into the inbox while it has room: a chunk of
   * many tiny messages stays bytes (as counted) instead of becoming thousands of arrays at once.
   */
  #takeMessages(): void {
    while (!this.#discarding) {
      if (this.#inbox.full) return;
      const len = this.#reader.nextLength();
      if (len > this.#max && len <= this.#holdUpTo) {
        // Too long for now, not for later (the handshake decides): stop reading here; what is
        // already in is at most the socket's last chunk, counted in the account.
        this.#holding = true;
        this.#socket.pause();
        return;
      }
      if (len > this.#max) {
        if (speaksHttp(len)) return this.#refuse(new M2MError('Network', { reason: 'the peer speaks HTTP, not M2M over TCP (use a ws:// or http:// URL for an HTTP server)' }));
        return this.#refuseMessage(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: len, max: this.#max }));
      }
      const message = len < 0 ? undefined : this.#reader.take();
      if (!message) break;
      this.#account.release(4);
      this.#inbox.offer(message);
    }
    // The peer ended while whole messages still waited here: the inbox ends after the last one.
    if (this.#endWhenTaken) {
      this.#endWhenTaken = false;
      this.#reader.clear();
      this.#inbox.end();
    }
  }

  #wakeWriters(): void {
    for (const w of this.#drainWaiters.splice(0)) w();
  }

  #finish(error?: unknown): void {
    if (!this.#closed) this.#closed = true;
    // A held message is not delivered after the end (only a limit call releases it).
    if (error === undefined && !this.#discarding && !this.#inbox.ended && !this.#holding) {
      this.#endWhenTaken = true;
      this.#takeMessages();
    } else {
      this.#endWhenTaken = false;
      this.#reader.clear();
      this.#inbox.end(error);
    }
    this.#account.close();
    this.#wakeWriters();
    this.#resolveEnded(error);
  }

  /**
   * Sends one message; the messages of one burst leave in one write. Waits while node:net's
   * socket buffer is over its own high-water mark (16 KiB, smaller than `sendHighWaterBytes`);
   * the burst's buffer is handed over once it reaches that mark too, so at most about twice the
   * mark plus this message is buffered.
   * @throws M2MError: Network when closed; Timeout when the peer takes nothing for
   *   `sendTimeoutMs` (the connection is then dropped).
   */
  send(data: Uint8Array): Promise<void> {
    if (this.#closed || this.#socket.destroyed) return Promise.reject(new M2MError('Network', { reason: 'TCP connection is closed' }));
    const n = data.length;
    const socket = this.#socket;
    if (n < JOIN_BELOW) {
      // Up to node:net's own mark waits in the burst's buffer (sent once the current microtasks
      // end); past it the buffer goes to the socket now, and `send` waits if the socket is full.
      this.#writer.add(data);
      if (socket.writableLength + this.#writer.pending <= socket.writableHighWaterMark) return TAKEN;
      this.#writer.flush();
      return socket.writableLength <= socket.writableHighWaterMark ? TAKEN : this.#waitForDrain();
    }
    // What the burst holds goes first.
    this.#writer.flush();
    this.#batch.add(4 + n);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(n, 0);
    socket.write(head);
    return socket.write(data) ? TAKEN : this.#waitForDrain();
  }

  async #waitForDrain(): Promise<void> {
    try {
      await waitForDrain((w) => this.#drainWaiters.push(w), this.#sendTimeoutMs);
    } catch (e) {
      this.#refuse(e, true);
      throw e;
    }
    if (this.#closed) throw new M2MError('Network', { reason: 'TCP connection is closed' });
  }

  abort(): void {
    // A held message is refused (LimitExceeded): nothing will raise the limit any more.
    if (this.#holding) {
      this.#holding = false;
      this.#finish(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: this.#reader.nextLength(), max: this.#max }));
    }
    // What `send` already took goes to the kernel before the reset, as it would have unbatched.
    this.#writer.flush();
    this.#batch.flush();
    this.#socket.resetAndDestroy();
  }

  /**
   * Closes gracefully: everything written is flushed before the FIN, and the socket is only
   * destroyed if the peer has not closed its side 10 s after that (a dead or hostile peer).
   */
  async close(): Promise<void> {
    // A held message is dropped with what else arrives.
    this.#holding = false;
    if (this.#socket.destroyed) return;
    // What `send` took leaves before the FIN.
    this.#writer.flush();
    // Nothing more is read after close; a socket paused by a full inbox would otherwise keep the
    // peer's last bytes (and its FIN) waiting until the destroy timer.
    this.#discarding = true;
    this.#socket.resume();
    // After a refusal the FIN follows the CLOSE, and the linger timer (#refuseMessage) bounds how
    // long the peer may keep the socket open. That time is still awaited: a handshake that ends
    // on a refusal keeps its connection in the listener's pending table (and evictable) until
    // the socket is gone, as any other failed handshake does (test/attack-tcp-refused-linger.test.ts).
    if (this.#refused) {
      return new Promise<void>((resolve) => {
        this.#socket.once('close', () => resolve());
        this.#socket.end();
      });
    }
    await new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.#socket.once('close', () => {
        if (timer) clearTimeout(timer);
        resolve();
      });
      this.#socket.end(() => {
        timer = setTimeout(() => this.#socket.destroy(), 10_000);
        timer.unref();
      });
    });
  }

  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}

/**
 * Opens a TCP connection.
 * @throws M2MError: Network when it fails, Aborted when `signal` fires first.
 */
export function connectTcp(host: string, port: number, options: TransportLimits & { signal?: AbortSignal } = {}): Promise<TcpTransport> {
  let socket!: net.Socket;
  return dial(
    options.signal,
    () => {
      // node:net on first use: a static import costs start-up time (bench/startup.ts).
      socket = process.getBuiltinModule('node:net').connect({ host, port });
      return {
        cancel: () => socket.destroy(),
        onOpen: (cb) => socket.once('connect', cb),
        onError: (cb) => socket.once('error', cb),
        result: () => new TcpTransport(socket, options),
      };
    },
    (e) => new M2MError('Network', { reason: `cannot connect to ${host}:${port}: ${(e as Error).message}` }, { cause: e }),
  );
}
