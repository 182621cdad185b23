/**
 * WebSocket transport: one binary WebSocket message per session message. Works with the `ws`
 * package on Node and the global WebSocket in browsers (the same event API). Browsers only
 * dial, and dial with it as it is; Node's dialer and server use its subclass in
 * transport/websocket-node.ts, which adds batching (`m2m.batch.v1`, transport/ws-batch.ts) and
 * the hooks into `ws`'s receiver, so a browser bundle carries neither.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { AsyncQueue, type AsyncQueueOptions } from '../queue.js';
import { Slab } from '#slab';
import type { ConnectionAccount } from './budget.js';
import { WS_BATCH_PROTOCOL } from './ws-batch.js';
import { onWsMessages, sendRoomFor, wsLimitError, wsPause, wsResume, wsTerminate, type SendRoom } from '#ws-node';
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_TRANSPORT_MESSAGE, DEFAULT_SEND_HIGH_WATER_BYTES, DEFAULT_SEND_TIMEOUT_MS, TAKEN, type PollingIterator, type Transport, type TransportLimits, type WriteBatch } from './types.js';

/** The part of the WebSocket API this transport uses (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  /** Set to `arraybuffer` (`nodebuffer` for `ws`) so binary messages arrive as bytes. */
  binaryType: string;
  /** Connection state; 1 (OPEN) is the only state in which this transport sends. */
  readonly readyState: number;
  /** Bytes queued by `send` and not yet written; sends wait while it is above the high-water mark. */
  readonly bufferedAmount: number;
  /** The subprotocol the server selected (`''` for none). */
  readonly protocol?: string;
  /** Sends one binary message; `ws` calls `cb` once written (with an error if the write failed). */
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  /** Starts the closing handshake (`1000` is used for a normal close). */
  close(code?: number, reason?: string): void;
  /** Subscribes to `message`, `close` and `error` events. */
  addEventListener(type: string, listener: (event: { data?: unknown; code?: number; message?: string }) => void): void;
  /** `ws` only: its message event (`isBinary` false for a text frame). */
  on?(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  /** `ws` only: stop and restart reading from the socket. */
  pause?(): void;
  /** `ws` only: restarts reading after `pause`. */
  resume?(): void;
}

const OPEN = 1;

/** A WebSocket's error event as our error (`ws`'s oversize refusal is LimitExceeded: transport/ws-node.ts). */
const wsError = (message: string | undefined, max: number) => wsLimitError(message, max) ?? new M2MError('Network', { reason: `WebSocket: ${message ?? 'error'}` });

/**
 * What one received message counts while it waits, besides its bytes: `ws` hands over every
 * message of a socket read at once, pause or not, each its own ArrayBuffer and Uint8Array
 * (about 200 bytes on V8 for a small one), so a read of thousands of tiny messages would
 * otherwise hold far more than the connection's account and the server's budget see.
 */
export const MESSAGE_OVERHEAD = 256;
const heldSize = (m: Uint8Array): number => m.byteLength + MESSAGE_OVERHEAD;

/** Options of {@link WebSocketTransport}. */
export interface WebSocketTransportOptions extends TransportLimits {
  /** The peer's address, for logs. */
  remoteAddress?: string;
  /** Where a server counts the bytes this connection holds (default: none, as on a client). */
  account?: ConnectionAccount;
  /** The write batch of the socket under a `ws` WebSocket (Node: `webSocketWriteBatch`, transport/write-batch.ts). */
  batch?: WriteBatch;
  /** `ws` on Node: receive Node buffers (views of the socket's chunk) instead of ArrayBuffers. */
  nodeBuffers?: boolean;
}

/**
 * A {@link Transport} over an open WebSocket: one session message per WebSocket message
 * (docs/PROTOCOL.md §6). Batching (`m2m.batch.v1`) is done by the SDK's Node dialer and server
 * only; this class refuses a WebSocket on which it was negotiated.
 */
export class WebSocketTransport implements Transport {
  /** Transport kind, always `ws`. */
  readonly kind = 'ws';
  /** The peer's address, when the server side knows it (from `options.remoteAddress`). */
  readonly remoteAddress?: string;
  #ws: WebSocketLike;
  /** Received messages not yet read (the Node subclass fills it from batches too). */
  protected readonly inbox: AsyncQueue<Uint8Array>;
  /** Set once the connection ended (or is ending): nothing more is received or sent. */
  protected closed = false;
  #closeWaiters: Array<() => void> = [];
  /** Senders waiting for `bufferedAmount` to fall to the send high-water mark (`ws`: transport/ws-node.ts; browsers poll). */
  readonly #room: SendRoom | undefined;
  #batch: WriteBatch | undefined;
  #paused = false;
  /** Set once we closed or refused: what arrives is dropped. */
  protected discarding = false;
  /** Largest session message received. */
  protected max: number;
  /** This connection's copies of received messages (codec/slab.ts: no other connection's bytes share them); the Node subclass copies into its own. */
  readonly #slab = new Slab();
  #sendHighWater: number;
  #sendTimeoutMs: number;
  #account: ConnectionAccount | undefined;
  #resolveEnded!: (error: unknown) => void;
  /**
   * Settles once the connection has ended and what it received was handed over or dropped.
   */
  readonly ended: Promise<unknown> = new Promise((r) => (this.#resolveEnded = r));
  /** Bytes this connection holds unread, counted against a server's budget (absent on a client). */
  get account(): ConnectionAccount | undefined {
    return this.#account;
  }

  /**
   * @param ws an open WebSocket
   * @param options limits, the peer's address, byte accounting and write batching
   *   ({@link WebSocketTransportOptions})
   * @throws M2MError Config when the WebSocket negotiated `m2m.batch.v1`: its peer sends
   *   batches, which only the SDK's Node dialer and server read.
   */
  constructor(ws: WebSocketLike, options: WebSocketTransportOptions = {}) {
    if (ws.protocol === WS_BATCH_PROTOCOL && !this.readsBatches()) throw new M2MError('Config', { reason: `this WebSocket negotiated ${WS_BATCH_PROTOCOL}; use connect() or listen(), which read batches` });
    this.#ws = ws;
    this.#room = sendRoomFor(ws);
    this.#batch = options.batch;
    this.remoteAddress = options.remoteAddress;
    this.max = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#sendHighWater = options.sendHighWaterBytes ?? DEFAULT_SEND_HIGH_WATER_BYTES;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#account = options.account;
    // `ws` on Node (`nodeBuffers`) hands over views of the socket's chunk, where 'arraybuffer'
    // would copy each message into an ArrayBuffer of its own (1.7-3 µs for a small one); the
    // message is then copied once into the message slab (#onMessage).
    ws.binaryType = options.nodeBuffers ? 'nodebuffer' : 'arraybuffer';
    this.inbox = this.newInbox({
      capacity: options.highWaterMark ?? 64,
      maxBytes: options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
      onFull: () => this.pause(),
      onDrain: () => this.drained(),
      sizeOf: heldSize,
      onTake: options.account ? (m) => this.#account?.release(heldSize(m)) : undefined,
    });
    // `ws` on Node: its own event, without a MessageEvent object per message (transport/ws-node.ts).
    if (!onWsMessages(ws, options.nodeBuffers, (data) => this.#onMessage(data))) ws.addEventListener('message', (e) => this.#onMessage(e.data));
    ws.addEventListener('close', () => this.finish());
    ws.addEventListener('error', (e) => this.finish(wsError(e.message, this.wireLimit)));
  }

  /** The inbox (Node's subclass: one the session's read loop parks on, queue-park.ts). */
  protected newInbox(options: AsyncQueueOptions<Uint8Array>): AsyncQueue<Uint8Array> {
    return new AsyncQueue(options);
  }

  /** Whether this class takes batches apart (the Node subclass). */
  protected readsBatches(): boolean {
    return false;
  }

  /** Largest WebSocket message received. */
  protected get wireLimit(): number {
    return this.max;
  }

  /** Sets the largest WebSocket message accepted from now on, in bytes; a larger one fails the connection with LimitExceeded. */
  limitIncoming(maxMessageBytes: number): void {
    this.max = maxMessageBytes;
  }

  /** Stops reading (`ws`; browsers cannot) while the inbox is full. */
  protected pause(): void {
    if (this.#paused || this.discarding) return;
    this.#paused = wsPause(this.#ws) === true;
  }

  /** Restarts reading (`ws`) after `pause`, once the inbox has room again. */
  protected resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    wsResume(this.#ws);
  }

  /** The inbox has room again. */
  protected drained(): void {
    this.resume();
  }

  /** Ends the connection for something the peer did; what it sent and nobody read is dropped. */
  protected refuse(error: unknown, code: number, reason: string): void {
    this.finish(error);
    this.inbox.discard();
    this.#ws.close(code, reason);
    this.#readToClose();
  }

  /**
   * After our close frame, reading resumes (what arrives is dropped) so the peer's close frame
   * and FIN are read: a socket paused by a full inbox would otherwise stay open until `ws`'s
   * close timer (30 s). TCP does the same (tcp.ts, `close`).
   */
  #readToClose(): void {
    this.discarding = true;
    this.#paused = false;
    wsResume(this.#ws);
  }

  #onMessage(data: unknown): void {
    if (this.closed || this.discarding) return;
    if (data instanceof ArrayBuffer) this.receive(new Uint8Array(data), false);
    else if (ArrayBuffer.isView(data)) this.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), true);
    // Text frames are not part of this transport: a peer sending them is broken.
    else this.refuse(new M2MError('InvalidMessage', { reason: 'WebSocket text frame received; M2M uses binary frames' }), 1003, 'binary frames only');
  }

  /**
   * One binary WebSocket message, as one session message.
   * @param chunkView whether `bytes` is a view of a socket chunk (`nodeBuffers`)
   */
  protected receive(bytes: Uint8Array, chunkView: boolean): void {
    // A view of a socket chunk (other frames' bytes around it) is copied out, into this
    // connection's slab, unless it is its own whole buffer (codec/slab.ts, keepOwn).
    if (chunkView) bytes = this.#slab.keepOwn(bytes);
    if (bytes.length > this.max) {
      return this.refuse(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: bytes.length, max: this.max }), 1009, 'message too big');
    }
    try {
      this.#account?.hold(heldSize(bytes));
    } catch (e) {
      return this.refuse(e, 1013, 'server buffers full');
    }
    this.inbox.offer(bytes);
  }

  /** Ends the inbox (after what it holds), gives back what the connection held, settles `ended`. */
  protected endNow(error?: unknown): void {
    this.inbox.end(error);
    this.#account?.close();
    this.#resolveEnded(error);
  }

  /** Whether the end waits for received messages still to be handed over (the Node subclass). */
  protected endsLater(_error: unknown): boolean {
    return false;
  }

  /** Marks the connection ended (with `error` when it failed) and wakes everyone waiting on a close or on send room. */
  protected finish(error?: unknown): void {
    this.closed = true;
    if (!this.endsLater(error)) this.endNow(error);
    for (const w of this.#closeWaiters.splice(0)) w();
    this.#room?.wake();
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
    if (this.closed || this.#ws.readyState !== OPEN) return Promise.reject(this.#closedError());
    this.write(data);
    const room = this.#room;
    if (!room) return this.#waitPolling();
    return this.buffered() <= this.#sendHighWater ? TAKEN : this.#waitForRoom(room);
  }

  /** Takes one session message for the WebSocket. */
  protected write(data: Uint8Array): void {
    this.sendMessage(data);
  }

  /** Bytes sent and not yet on the socket. */
  protected buffered(): number {
    return this.#ws.bufferedAmount;
  }

  /** Hands one WebSocket message to the WebSocket. */
  protected readonly sendMessage = (data: Uint8Array): void => {
    // What is flushed after the connection ended has nowhere to go; its senders learnt it already.
    if (this.#ws.readyState !== OPEN) return;
    this.#batch?.add(data.length);
    this.transmit(data, this.#afterWrite);
  };

  /** Gives one WebSocket message to the WebSocket (the Node subclass frames its own). */
  protected transmit(data: Uint8Array, cb: (err?: Error | null) => void): void {
    this.#ws.send(data, cb);
  }

  /** `ws` calls this once a message's bytes went to the socket (or failed to). */
  readonly #afterWrite = (err?: Error | null): void => {
    if (err) {
      if (!this.closed) this.#dropWith(new M2MError('Network', { reason: `WebSocket send: ${err.message}` }, { cause: err }));
      return;
    }
    if (this.#room?.waiting && this.buffered() <= this.#sendHighWater) this.#room.wake();
  };

  async #waitForRoom(room: SendRoom): Promise<void> {
    await room.wait(this.#sendTimeoutMs, (e) => this.#dropWith(e));
    if (this.closed) throw this.#closedError();
  }

  #closedError(): M2MError {
    return new M2MError('Network', { reason: 'WebSocket is closed' });
  }

  /** Browsers: no write callback, so `bufferedAmount` is polled while over the mark. */
  async #waitPolling(): Promise<void> {
    const deadline = Date.now() + this.#sendTimeoutMs;
    while (this.buffered() > this.#sendHighWater && !this.closed) {
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
    this.finish(error);
    this.abort();
  }

  /** Drops the connection at once (after flushing what `send` already accepted); no closing handshake. */
  abort(): void {
    // What `send` already took goes to the socket before it is dropped.
    this.#batch?.flush();
    if (!wsTerminate(this.#ws)) this.#ws.close();
  }

  /** Closes with code 1000 and resolves once the socket has closed, or after 2 s at most. No-op when already closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((r) => this.#closeWaiters.push(r));
    this.#ws.close(1000, 'session closed');
    this.#readToClose();
    const timer = setTimeout(() => this.finish(), 2000) as unknown as { unref?: () => void };
    timer.unref?.();
    await done;
  }

  /** Iterates received messages until the connection ends. */
  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]();
  }
}
