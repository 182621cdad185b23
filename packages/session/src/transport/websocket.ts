/**
 * WebSocket transport: one binary WebSocket message per session message, or, when both ends
 * negotiated the `m2m.batch.v1` subprotocol, batches of them (transport/ws-batch.ts). Works with
 * the `ws` package on Node and the global WebSocket in browsers (the same event API).
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { AsyncQueue } from '../queue.js';
import { keepSmall } from '../codec/slab.js';
import { ConnectionAccount } from './budget.js';
import { BatchReader, BatchWriter, WS_BATCH_PROTOCOL, batchLimit, checkBatch } from './ws-batch.js';
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_TRANSPORT_MESSAGE, DEFAULT_SEND_HIGH_WATER_BYTES, DEFAULT_SEND_TIMEOUT_MS, TAKEN, waitForDrain, type PollingIterator, type Transport, type TransportLimits, type WriteBatch } from './types.js';

/** The part of the WebSocket API this transport uses (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** The subprotocol the server selected (`''` for none). */
  readonly protocol?: string;
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

/** The part of `ws`'s receiver (ws 8.x, lib/receiver.js) that {@link holdLongFrames} hooks. */
interface WsReceiver {
  _maxPayload: number;
  _payloadLength: number;
  _totalPayloadLength: number;
  _opcode: number;
  _loop: boolean;
  _errored: boolean;
  haveLength(cb: (error?: Error) => void): void;
  startLoop(cb: (error?: Error) => void): void;
}

const isWsReceiver = (r: unknown): r is WsReceiver => {
  const x = r as Partial<Record<keyof WsReceiver, unknown>> | undefined;
  return !!x && typeof x._maxPayload === 'number' && typeof x._payloadLength === 'number' && typeof x._totalPayloadLength === 'number' && typeof x._opcode === 'number' && typeof x._loop === 'boolean' && typeof x._errored === 'boolean' && typeof x.haveLength === 'function' && typeof x.startLoop === 'function';
};

/**
 * Makes `ws` stop parsing, instead of failing, at a data frame whose declared length is above
 * its receiver's limit but not above `holdLimit()`: the frame's header is read, nothing is
 * buffered for its payload, and the receiver takes no more socket bytes (its write callback is
 * held, so `ws` pauses the socket) until `onHold`'s resume runs, which checks the frame against
 * the receiver's limit then (failing it as `ws` does, or reading on). The hook is `ws` 8.x's
 * own deferral (a pending write callback); another version keeps failing at once.
 * @returns false when the receiver does not have the expected shape.
 */
function holdLongFrames(ws: WebSocketLike, holdLimit: () => number, onHold: (resume: () => void) => void): boolean {
  const receiver = (ws as unknown as { _receiver?: unknown })._receiver;
  if (!isWsReceiver(receiver)) return false;
  const haveLength = receiver.haveLength;
  receiver.haveLength = function (this: WsReceiver, cb) {
    const total = this._totalPayloadLength + this._payloadLength;
    if (this._payloadLength && this._opcode < 0x08 && total > this._maxPayload && total <= holdLimit()) {
      // startLoop ends without calling cb (it skips it for an errored receiver) until resumed.
      this._loop = false;
      this._errored = true;
      onHold(() => {
        this._errored = false;
        haveLength.call(this, cb);
        if (!this._errored) this.startLoop(cb);
      });
      return;
    }
    haveLength.call(this, cb);
  };
  return true;
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

/** Browsers have no `process.nextTick`: a batch leaves after the microtasks queued before it. */
const defaultDefer = (run: () => void): void => queueMicrotask(run);

/**
 * Entries a batched connection hands to its reader before it lets the event loop run (then
 * continues with `yieldTo`). The session reads every waiting message without a promise
 * (session.ts, `#readLoop`), so a 16 MiB batch of tiny entries otherwise held the loop for
 * seconds, where a socket read of unbatched messages is at most 64 KiB of them.
 */
const ENTRIES_PER_TURN = 1024;
const defaultYield = (run: () => void): void => void setTimeout(run, 0);

/** Options of {@link WebSocketTransport}. */
export interface WebSocketTransportOptions extends TransportLimits {
  /** The peer's address, for logs. */
  remoteAddress?: string;
  /** Where a server counts the bytes this connection holds (default: an account of its own, no shared budget). */
  account?: ConnectionAccount;
  /** The write batch of the socket under a `ws` WebSocket (Node: `webSocketWriteBatch`, transport/write-batch.ts). */
  batch?: WriteBatch;
  /** `ws` on Node: receive Node buffers (views of the socket's chunk) instead of ArrayBuffers. */
  nodeBuffers?: boolean;
  /**
   * Whether WebSocket messages are batches of session messages (docs/PROTOCOL.md §6); default:
   * whether the WebSocket's `protocol` is `m2m.batch.v1`.
   */
  batched?: boolean;
  /**
   * Runs the flush of a batch once the current burst is over (default `queueMicrotask`; Node
   * passes `process.nextTick`, which runs after all current microtasks, so a whole burst of
   * awaited sends fills one batch).
   */
  defer?: (run: () => void) => void;
  /**
   * Runs the rest of a large received batch once the event loop had a turn (default
   * `setTimeout(run, 0)`; Node passes `setImmediate`).
   */
  yieldTo?: (run: () => void) => void;
}

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
  /** Batches being filled (batched connections only). */
  #writer: BatchWriter | undefined;
  /** Received batches not yet taken apart (batched connections only). */
  #reader: BatchReader | undefined;
  /** The peer closed while entries of its batches still waited: the inbox ends after the last. */
  #endWhenTaken = false;
  #paused = false;
  /** Set once we closed: nothing more is read. */
  #discarding = false;
  /** Entries taken since the last yield, and whether the rest waits for the next turn. */
  #turnEntries = 0;
  #yielding = false;
  #yieldTo: (run: () => void) => void;
  /** Largest session message received. */
  #max: number;
  /** Longest session message that waits (reading stopped) instead of ending the connection (`limitIncoming`). */
  #holdUpTo = 0;
  /** Whether `ws`'s receiver is hooked ({@link holdLongFrames}). */
  #hooked = false;
  /** Restarts `ws`'s receiver stopped before a long frame. */
  #resumeFrame: (() => void) | undefined;
  /** Set while a batch entry above `#max` but within `#holdUpTo` waits (reading paused). */
  #holdingEntry = false;
  #sendHighWater: number;
  #sendTimeoutMs: number;
  #account: ConnectionAccount;
  #resolveEnded!: (error: unknown) => void;
  /**
   * Settles once the connection has ended and what it received was handed over or dropped: a
   * peer that closed right after its batches ends the connection after their last entry is read.
   */
  readonly ended: Promise<unknown> = new Promise((r) => (this.#resolveEnded = r));
  /** Bytes this connection holds unread, counted against a server's budget. */
  get account(): ConnectionAccount {
    return this.#account;
  }

  /**
   * @param ws an open WebSocket
   * @param options limits, the peer's address, byte accounting, write batching and whether
   *   messages are batched ({@link WebSocketTransportOptions})
   */
  constructor(ws: WebSocketLike, options: WebSocketTransportOptions = {}) {
    this.#ws = ws;
    this.#batch = options.batch;
    this.remoteAddress = options.remoteAddress;
    this.#max = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#sendHighWater = options.sendHighWaterBytes ?? DEFAULT_SEND_HIGH_WATER_BYTES;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#account = options.account ?? new ConnectionAccount(undefined);
    this.#yieldTo = options.yieldTo ?? defaultYield;
    // `ws` on Node (`nodeBuffers`) hands over views of the socket's chunk, where 'arraybuffer'
    // would copy each message into an ArrayBuffer of its own (1.7-3 µs for a small one); the
    // message is then copied once into the message slab (#onMessage).
    ws.binaryType = options.nodeBuffers ? 'nodebuffer' : 'arraybuffer';
    this.#inbox = new AsyncQueue({
      capacity: options.highWaterMark ?? 64,
      maxBytes: options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
      onFull: () => this.#pause(),
      // Entries of batches left while the inbox was full come out first.
      onDrain: () => {
        if (this.#reader) this.#takeEntries();
        if (!this.#inbox.full) this.#resume();
      },
      sizeOf: heldSize,
      onTake: (m) => this.#account.release(heldSize(m)),
    });
    if (options.batched ?? ws.protocol === WS_BATCH_PROTOCOL) {
      this.#reader = new BatchReader();
      this.#writer = new BatchWriter(this.#sendBatch, options.defer ?? defaultDefer);
      // A batch may be larger than one message (transport/ws-batch.ts, `batchLimit`).
      setReceiverLimit(ws, this.#wireLimit);
    }
    // `ws` on Node: its own event, without a MessageEvent object per message.
    if (options.nodeBuffers && ws.on) ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? data : ''));
    else ws.addEventListener('message', (e) => this.#onMessage(e.data));
    ws.addEventListener('close', () => this.#finish());
    ws.addEventListener('error', (e) => this.#finish(wsError(e.message, this.#wireLimit)));
  }

  /** Largest WebSocket message received: a session message, or a batch (transport/ws-batch.ts). */
  get #wireLimit(): number {
    return this.#wireLimitOf(this.#max);
  }

  #wireLimitOf(max: number): number {
    return this.#reader ? batchLimit(max) : max;
  }

  /** True when WebSocket messages carry batches of session messages (`m2m.batch.v1` negotiated). */
  get batched(): boolean {
    return this.#reader !== undefined;
  }

  limitIncoming(maxMessageBytes: number, holdUpTo = 0): void {
    this.#max = maxMessageBytes;
    this.#holdUpTo = holdUpTo;
    setReceiverLimit(this.#ws, this.#wireLimit);
    if (holdUpTo > maxMessageBytes && !this.#hooked) this.#hooked = holdLongFrames(this.#ws, () => this.#wireLimitOf(this.#holdUpTo), (resume) => (this.#resumeFrame = resume));
    // What waits is checked again against the new limits.
    if (this.#holdingEntry) {
      this.#holdingEntry = false;
      if (!this.#closed) this.#takeEntries();
      if (!this.#holdingEntry && !this.#inbox.full) this.#resume();
    }
    const resume = this.#resumeFrame;
    if (resume && !this.#holdingEntry) {
      this.#resumeFrame = undefined;
      resume();
    }
  }

  #pause(): void {
    if (this.#paused || this.#discarding || !this.#ws.pause) return;
    this.#paused = true;
    this.#ws.pause();
  }

  #resume(): void {
    if (!this.#paused || this.#yielding || this.#holdingEntry) return;
    this.#paused = false;
    this.#ws.resume?.();
  }

  /** Ends the connection for something the peer did; what it sent and nobody read is dropped. */
  #refuse(error: unknown, code: number, reason: string): void {
    this.#finish(error);
    this.#inbox.discard();
    this.#ws.close(code, reason);
    this.#readToClose();
  }

  /**
   * After our close frame, reading resumes (what arrives is dropped) so the peer's close frame
   * and FIN are read: a socket paused by a full inbox would otherwise stay open until `ws`'s
   * close timer (30 s). TCP does the same (tcp.ts, `close`).
   */
  #readToClose(): void {
    this.#discarding = true;
    this.#paused = false;
    this.#ws.resume?.();
  }

  #onMessage(data: unknown): void {
    if (this.#closed || this.#discarding) return;
    let bytes: Uint8Array;
    let chunkView = false;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      chunkView = true;
    } else {
      // Text frames are not part of this transport: a peer sending them is broken.
      return this.#refuse(new M2MError('InvalidMessage', { reason: 'WebSocket text frame received; M2M uses binary frames' }), 1003, 'binary frames only');
    }
    // A batch is kept as it came; its entries are copied out one by one (#takeEntries).
    if (this.#reader) return this.#onBatch(bytes);
    // A view of a socket chunk is copied out unless that would save nothing (codec/slab.ts).
    if (chunkView) bytes = keepSmall(bytes);
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

  /**
   * A batch: every entry is checked before any is taken (a bad one ends the connection and
   * nothing of the batch is delivered); the batch is counted as held (its bytes, and one
   * message's overhead for its object) until its last entry is taken.
   */
  #onBatch(batch: Uint8Array): void {
    // An entry within `#holdUpTo` is checked again when its turn comes (#takeEntries).
    const bad = checkBatch(batch, Math.max(this.#max, this.#holdUpTo));
    if (bad) return bad.code === 'LIMIT_EXCEEDED' ? this.#refuse(bad, 1009, 'message too big') : this.#refuse(bad, 1002, 'bad batch');
    try {
      this.#account.hold(batch.length + MESSAGE_OVERHEAD);
    } catch (e) {
      return this.#refuse(e, 1013, 'server buffers full');
    }
    this.#reader!.push(batch);
    this.#takeEntries();
  }

  /**
   * Moves entries from the received batches into the inbox while it has room: a batch of many
   * tiny messages stays bytes (as counted) instead of becoming thousands of arrays at once, and
   * reading stays paused until the inbox drains (its high-water mark counts entries).
   */
  #takeEntries(): void {
    const reader = this.#reader!;
    while (!this.#inbox.full && !this.#discarding && !reader.empty) {
      if (this.#turnEntries >= ENTRIES_PER_TURN) {
        this.#yieldTurn();
        break;
      }
      const len = reader.nextLength();
      if (len > this.#max) {
        if (len > this.#holdUpTo) return this.#refuse(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: len, max: this.#max }), 1009, 'message too big');
        // Too long for now, not for later (the handshake decides): reading stops; the batch
        // is already counted in the account.
        this.#holdingEntry = true;
        this.#pause();
        return;
      }
      this.#turnEntries++;
      const entry = reader.take()!;
      // One copy out of the batch (into the message slab when small), so no entry pins it.
      const message = keepSmall(entry);
      try {
        // The entry leaves the batch's count (its bytes and prefix) for the inbox's (its bytes
        // and an array's overhead); the batch's own overhead goes with its last entry.
        this.#account.hold(MESSAGE_OVERHEAD);
        this.#account.release(4 + (reader.batchDone ? MESSAGE_OVERHEAD : 0));
      } catch (e) {
        return this.#refuse(e, 1013, 'server buffers full');
      }
      this.#inbox.offer(message);
    }
    if (this.#endWhenTaken && reader.empty) this.#endNow();
  }

  /** Stops reading until the event loop had a turn; the rest of the batches comes out then. */
  #yieldTurn(): void {
    if (this.#yielding) return;
    this.#pause();
    this.#yielding = true;
    this.#yieldTo(this.#nextTurn);
  }

  readonly #nextTurn = (): void => {
    this.#yielding = false;
    this.#turnEntries = 0;
    if (this.#discarding || !this.#reader) return;
    this.#takeEntries();
    if (!this.#inbox.full && !this.#yielding) this.#resume();
  };

  /** Ends the inbox (after what it holds), gives back what the connection held, settles `ended`. */
  #endNow(error?: unknown): void {
    this.#endWhenTaken = false;
    this.#reader?.clear();
    this.#inbox.end(error);
    this.#account.close();
    this.#resolveEnded(error);
  }

  #finish(error?: unknown): void {
    this.#closed = true;
    this.#writer?.clear();
    if (error === undefined && !this.#discarding && this.#reader && !this.#reader.empty && !this.#inbox.ended) {
      // A peer that closed after its last batch: what it sent is still delivered. Its batches
      // stay counted and `ended` waits for the last entry: the session stops honouring its
      // inbox's mark once `ended` settles (session.ts, `#readLoop`), and a batch of 16 MiB
      // would then become 150 MB of unread messages outside the server's budget.
      this.#endWhenTaken = true;
    } else this.#endNow(error);
    for (const w of this.#closeWaiters.splice(0)) w();
    for (const w of this.#roomWaiters.splice(0)) w();
  }

  /**
   * Sends one message. `ws`: the message is handed to the socket at once (joined with the others
   * of this tick into one write, transport/write-batch.ts; on a batched connection into one
   * WebSocket message, transport/ws-batch.ts) and `send` resolves unless more than the send
   * high-water mark is buffered, in which case it waits for the socket to take bytes.
   * Browsers: the same mark, watched on `bufferedAmount`.
   * @throws M2MError: Network when closed (or the write failed); Timeout when the peer takes
   *   nothing for `sendTimeoutMs` (the connection is then dropped); InvalidMessage for an empty
   *   message on a batched connection.
   */
  send(data: Uint8Array): Promise<void> {
    if (this.#closed || this.#ws.readyState !== OPEN) return Promise.reject(this.#closedError());
    // The peer refuses a batch with an empty entry whole, with the messages sent before it.
    if (this.#writer && data.length === 0) return Promise.reject(new M2MError('InvalidMessage', { reason: 'an empty message cannot be sent in a WebSocket batch' }));
    if (this.#writer) this.#writer.add(data);
    else this.#sendBatch(data);
    if (!this.#ws.pause) return this.#waitPolling();
    return this.#buffered() <= this.#sendHighWater ? TAKEN : this.#waitForRoom();
  }

  /** Bytes sent and not yet on the socket: the WebSocket's buffer and the batch being filled. */
  #buffered(): number {
    return this.#ws.bufferedAmount + (this.#writer?.pending ?? 0);
  }

  /** Hands one WebSocket message (a session message, or a batch of them) to the WebSocket. */
  readonly #sendBatch = (data: Uint8Array): void => {
    // A batch flushed after the connection ended has nowhere to go; its senders learnt it already.
    if (this.#ws.readyState !== OPEN) return;
    this.#batch?.add(data.length);
    this.#ws.send(data, this.#afterWrite);
  };

  /** `ws` calls this once a message's bytes went to the socket (or failed to). */
  readonly #afterWrite = (err?: Error): void => {
    if (err) {
      if (!this.#closed) this.#dropWith(new M2MError('Network', { reason: `WebSocket send: ${err.message}` }, { cause: err }));
      return;
    }
    if (this.#roomWaiters.length && this.#buffered() <= this.#sendHighWater) for (const w of this.#roomWaiters.splice(0)) w();
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
  async #waitPolling(): Promise<void> {
    const deadline = Date.now() + this.#sendTimeoutMs;
    while (this.#buffered() > this.#sendHighWater && !this.#closed) {
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
    // What waits for a handshake that will not finish is refused (LimitExceeded).
    this.limitIncoming(this.#max);
    // Entries of a peer that has closed, which nobody will read now.
    if (this.#endWhenTaken) this.#endNow();
    // What `send` already took goes to the socket before it is dropped, as it would have unbatched.
    this.#writer?.flush();
    this.#batch?.flush();
    const ws = this.#ws as WebSocketLike & { terminate?: () => void };
    if (ws.terminate) ws.terminate();
    else ws.close();
  }

  async close(): Promise<void> {
    this.limitIncoming(this.#max);
    if (this.#endWhenTaken) {
      this.#inbox.discard();
      this.#endNow();
    }
    if (this.#closed) return;
    const done = new Promise<void>((r) => this.#closeWaiters.push(r));
    // What `send` took leaves before the close frame.
    this.#writer?.flush();
    this.#ws.close(1000, 'session closed');
    this.#readToClose();
    const timer = setTimeout(() => this.#finish(), 2000) as unknown as { unref?: () => void };
    timer.unref?.();
    await done;
  }

  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}
