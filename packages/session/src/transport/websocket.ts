/**
 * WebSocket transport: one binary WebSocket message per session message. Works with the `ws`
 * package on Node and the global WebSocket in browsers (the same event API).
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { AsyncQueue } from '../queue.js';
import { keepSmall } from '../codec/slab.js';
import { ConnectionAccount } from './budget.js';
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_TRANSPORT_MESSAGE, DEFAULT_SEND_HIGH_WATER_BYTES, DEFAULT_SEND_TIMEOUT_MS, TAKEN, waitForDrain, type PollingIterator, type Transport, type TransportLimits, type WriteBatch } from './types.js';

/** The part of the WebSocket API this transport uses (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: { data?: unknown; code?: number; message?: string }) => void): void;
  /** `ws` only: its message event (`isBinary` false for a text frame). */
  on?(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  /** `ws` only: stop and restart reading from the socket. */
  pause?(): void;
  resume?(): void;
}

const OPEN = 1;

/**
 * `ws` checks each frame's declared length against its receiver's `_maxPayload` before it buffers
 * the payload; moving that field is the only per-connection way to keep a pre-handshake message
 * small there (ws 8.x; a shape check, so another version just keeps the server-wide limit).
 */
function setReceiverLimit(ws: WebSocketLike, max: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = max;
}

/**
 * `ws` refuses an oversize frame from its header, before buffering it; that is our size limit
 * (`ws` does not say the declared size, so `actual` is reported as just over the limit).
 */
const wsError = (message: string | undefined, max: number) =>
  message?.startsWith('Max payload size exceeded') ? new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: max + 1, max }) : new M2MError('Network', { reason: `WebSocket: ${message ?? 'error'}` });


/**
 * What one received message counts while it waits, besides its bytes: `ws` hands over every
 * message of a socket read at once, pause or not, each its own ArrayBuffer and Uint8Array
 * (about 200 bytes on V8 for a small one), so a read of thousands of tiny messages would
 * otherwise hold far more than the connection's account and the server's budget see.
 */
const MESSAGE_OVERHEAD = 256;
const heldSize = (m: Uint8Array): number => m.byteLength + MESSAGE_OVERHEAD;

/** A {@link Transport} over an open WebSocket. */
export class WebSocketTransport implements Transport {
  readonly kind = 'ws';
  readonly remoteAddress?: string;
  #ws: WebSocketLike;
  #inbox: AsyncQueue<Uint8Array>;
  #closed = false;
  #closeWaiters: Array<() => void> = [];
  /** Senders waiting for `bufferedAmount` to fall to the send high-water mark (`ws`). */
  #roomWaiters: Array<() => void> = [];
  #batch: WriteBatch | undefined;
  #max: number;
  #sendHighWater: number;
  #sendTimeoutMs: number;
  #account: ConnectionAccount;
  #resolveEnded!: (error: unknown) => void;
  readonly ended: Promise<unknown> = new Promise((r) => (this.#resolveEnded = r));
  /** Bytes this connection holds unread, counted against a server's budget. */
  get account(): ConnectionAccount {
    return this.#account;
  }

  /**
   * @param options limits, the peer's address, where a server counts the bytes this
   *   connection holds (default: its own account, with no shared budget), and the write batch
   *   of the socket under a `ws` WebSocket (Node: `webSocketWriteBatch`, transport/write-batch.ts);
   *   `nodeBuffers` for a `ws` WebSocket on Node: receive Node buffers instead of ArrayBuffers.
   */
  constructor(ws: WebSocketLike, options: TransportLimits & { remoteAddress?: string; account?: ConnectionAccount; batch?: WriteBatch; nodeBuffers?: boolean } = {}) {
    this.#ws = ws;
    this.#batch = options.batch;
    this.remoteAddress = options.remoteAddress;
    this.#max = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#sendHighWater = options.sendHighWaterBytes ?? DEFAULT_SEND_HIGH_WATER_BYTES;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#account = options.account ?? new ConnectionAccount(undefined);
    // `ws` on Node (`nodeBuffers`) hands over views of the socket's chunk, where 'arraybuffer'
    // would copy each message into an ArrayBuffer of its own (1.7-3 µs for a small one); the
    // message is then copied once into the message slab (#onMessage).
    ws.binaryType = options.nodeBuffers ? 'nodebuffer' : 'arraybuffer';
    this.#inbox = new AsyncQueue({
      capacity: options.highWaterMark ?? 64,
      maxBytes: options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
      onFull: () => ws.pause?.(),
      onDrain: () => ws.resume?.(),
      sizeOf: heldSize,
      onTake: (m) => this.#account.release(heldSize(m)),
    });
    // `ws` on Node: its own event, without a MessageEvent object per message.
    if (options.nodeBuffers && ws.on) ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? data : ''));
    else ws.addEventListener('message', (e) => this.#onMessage(e.data));
    ws.addEventListener('close', () => this.#finish());
    ws.addEventListener('error', (e) => this.#finish(wsError(e.message, this.#max)));
  }

  limitIncoming(maxMessageBytes: number): void {
    this.#max = maxMessageBytes;
    setReceiverLimit(this.#ws, maxMessageBytes);
  }

  /** Ends the connection for something the peer did; what it sent and nobody read is dropped. */
  #refuse(error: unknown, code: number, reason: string): void {
    this.#finish(error);
    this.#inbox.discard();
    this.#ws.close(code, reason);
  }

  #onMessage(data: unknown): void {
    if (this.#closed) return;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    // A view of a socket chunk is copied out unless that would save nothing (codec/slab.ts).
    else if (ArrayBuffer.isView(data)) bytes = keepSmall(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else {
      // Text frames are not part of this transport: a peer sending them is broken.
      return this.#refuse(new M2MError('InvalidMessage', { reason: 'WebSocket text frame received; M2M uses binary frames' }), 1003, 'binary frames only');
    }
    if (bytes.length > this.#max) {
      return this.#refuse(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: bytes.length, max: this.#max }), 1009, 'message too big');
    }
    try {
      this.#account.hold(heldSize(bytes));
    } catch (e) {
      return this.#refuse(e, 1013, 'server buffers full');
    }
    this.#inbox.offer(bytes);
  }

  #finish(error?: unknown): void {
    this.#closed = true;
    this.#inbox.end(error);
    this.#account.close();
    this.#resolveEnded(error);
    for (const w of this.#closeWaiters.splice(0)) w();
    for (const w of this.#roomWaiters.splice(0)) w();
  }

  /**
   * Sends one message. `ws`: the message is handed to the socket at once (joined with the others
   * of this tick into one write, transport/write-batch.ts) and `send` resolves unless more than
   * the send high-water mark is buffered, in which case it waits for the socket to take bytes.
   * Browsers: the same mark, watched on `bufferedAmount`.
   * @throws M2MError: Network when closed (or the write failed); Timeout when the peer takes
   *   nothing for `sendTimeoutMs` (the connection is then dropped).
   */
  send(data: Uint8Array): Promise<void> {
    if (this.#closed || this.#ws.readyState !== OPEN) return Promise.reject(this.#closedError());
    if (!this.#ws.pause) return this.#sendPolling(data);
    this.#batch?.add(data.length);
    this.#ws.send(data, this.#afterWrite);
    return this.#ws.bufferedAmount <= this.#sendHighWater ? TAKEN : this.#waitForRoom();
  }

  /** `ws` calls this once a message's bytes went to the socket (or failed to). */
  readonly #afterWrite = (err?: Error): void => {
    if (err) {
      if (!this.#closed) this.#dropWith(new M2MError('Network', { reason: `WebSocket send: ${err.message}` }, { cause: err }));
      return;
    }
    if (this.#roomWaiters.length && this.#ws.bufferedAmount <= this.#sendHighWater) for (const w of this.#roomWaiters.splice(0)) w();
  };

  async #waitForRoom(): Promise<void> {
    try {
      await waitForDrain((w) => this.#roomWaiters.push(w), this.#sendTimeoutMs);
    } catch (e) {
      this.#dropWith(e);
      throw e;
    }
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): M2MError {
    return new M2MError('Network', { reason: 'WebSocket is closed' });
  }

  /** Browsers: no write callback, so `bufferedAmount` is polled while over the mark. */
  async #sendPolling(data: Uint8Array): Promise<void> {
    const deadline = Date.now() + this.#sendTimeoutMs;
    this.#ws.send(data);
    while (this.#ws.bufferedAmount > this.#sendHighWater && !this.#closed) {
      if (Date.now() > deadline) {
        const e = new M2MError('Timeout', { operation: 'send', ms: this.#sendTimeoutMs });
        this.#dropWith(e);
        throw e;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Ends the connection on our side's failure (a timed-out or failed send). */
  #dropWith(error: unknown): void {
    this.#finish(error);
    this.abort();
  }

  abort(): void {
    // What `send` already took goes to the socket before it is dropped, as it would have unbatched.
    this.#batch?.flush();
    const ws = this.#ws as WebSocketLike & { terminate?: () => void };
    if (ws.terminate) ws.terminate();
    else ws.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const done = new Promise<void>((r) => this.#closeWaiters.push(r));
    this.#ws.close(1000, 'session closed');
    const timer = setTimeout(() => this.#finish(), 2000) as unknown as { unref?: () => void };
    timer.unref?.();
    await done;
  }

  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}
