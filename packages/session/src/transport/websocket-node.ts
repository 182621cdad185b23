/**
 * The WebSocket transport of the SDK's Node dialer (platform/index.node.ts) and server
 * (listen.node.ts): {@link WebSocketTransport} plus batching, when both ends negotiated the
 * `m2m.batch.v1` subprotocol (transport/ws-batch.ts), and the hooks into `ws`'s receiver that
 * keep a pre-handshake message small or waiting. Browsers only dial, without offering batching
 * (their WebSocket costs little per message), so none of this is in a browser bundle.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { Slab } from '#slab';
import type { AsyncQueue, AsyncQueueOptions } from '../queue.js';
import { ParkingQueue } from '../queue-park.js';
import { BatchReader, BatchWriter, WS_BATCH_PROTOCOL, batchLimit, checkBatch } from './ws-batch.js';
import { directFrames, unmaskFaster, type DirectFrames } from './ws-direct.js';
import { MESSAGE_OVERHEAD, WebSocketTransport, type WebSocketLike, type WebSocketTransportOptions } from './websocket.js';
import { peerCloseError } from './ws-close-codes.js';

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

/** A plain array of `n` bytes over a buffer of its own, not zeroed (the batch reader overwrites all of it). */
function uninitialized(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/**
 * Entries a batched connection hands to its reader before it lets the event loop run (then
 * continues with `yieldTo`). The session reads every waiting message without a promise
 * (session.ts, `#readLoop`), so a 16 MiB batch of tiny entries otherwise held the loop for
 * seconds, where a socket read of unbatched messages is at most 64 KiB of them.
 */
const ENTRIES_PER_TURN = 1024;

/** Options of {@link NodeWebSocketTransport}. */
export interface NodeWebSocketTransportOptions extends WebSocketTransportOptions {
  /**
   * Whether WebSocket messages are batches of session messages (docs/PROTOCOL.md §6); default:
   * whether the WebSocket's `protocol` is `m2m.batch.v1`.
   */
  batched?: boolean;
  /**
   * Runs the flush of a batch once the current burst is over (default `process.nextTick`, which
   * runs after all current microtasks, so a whole burst of awaited sends fills one batch).
   */
  defer?: (run: () => void) => void;
  /** Runs the rest of a large received batch once the event loop had a turn (default `setImmediate`). */
  yieldTo?: (run: () => void) => void;
}

/**
 * A {@link WebSocketTransport} over a `ws` WebSocket (Node) that batches when `m2m.batch.v1` was
 * negotiated and can hold a pre-handshake message (`limitIncoming`'s `holdUpTo`). Also works
 * over any {@link WebSocketLike} (tests), with the `ws` hooks left out when the shapes differ.
 */
export class NodeWebSocketTransport extends WebSocketTransport {
  #ws: WebSocketLike;
  /** This connection's copies of received messages and batch entries (codec/slab.ts: no other connection's bytes share them). */
  readonly #slab = new Slab();
  /** Batches being filled (batched connections only). */
  #writer: BatchWriter | undefined;
  /** Received batches not yet taken apart (batched connections only). */
  #reader: BatchReader | undefined;
  /** The peer closed while entries of its batches still waited: the inbox ends after the last. */
  #endWhenTaken = false;
  /** Entries taken since the last yield, and whether the rest waits for the next turn. */
  #turnEntries = 0;
  #yielding = false;
  #yieldTo: (run: () => void) => void;
  /** Longest session message that waits (reading stopped) instead of ending the connection (`limitIncoming`). */
  #holdUpTo = 0;
  /** Whether `ws`'s receiver is hooked ({@link holdLongFrames}). */
  #hooked = false;
  /** Restarts `ws`'s receiver stopped before a long frame. */
  #resumeFrame: (() => void) | undefined;
  /** Set while a batch entry above the limit but within `#holdUpTo` waits (reading paused). */
  #holdingEntry = false;
  /** Our own frames past `ws`'s sender (transport/ws-direct.ts), when `ws` has the expected shape. */
  #direct: DirectFrames | undefined;
  /** The batch being handed to {@link transmit}: ours to mask in place. */
  #ownBatch: Uint8Array | undefined;
  /** What the peer's close code said, when it refused us (transport/ws-close-codes.ts). */
  #peerClose: unknown;

  /**
   * @param ws an open WebSocket (`ws`)
   * @param options as {@link WebSocketTransport}'s, and whether messages are batched
   *   ({@link NodeWebSocketTransportOptions})
   */
  constructor(ws: WebSocketLike, options: NodeWebSocketTransportOptions = {}) {
    super(ws, options);
    this.#ws = ws;
    // Before the base class's `close` listener, which ends the connection (`ws` is an EventEmitter;
    // the browser build has no such table and keeps its bytes, bench/startup.ts).
    (ws as WebSocketLike & { prependListener?(e: 'close', l: (code: number, reason: Buffer) => void): unknown }).prependListener?.('close', (code, reason) => {
      this.#peerClose = peerCloseError(code, String(reason));
    });
    this.#yieldTo = options.yieldTo ?? setImmediate;
    this.#direct = directFrames(ws);
    unmaskFaster(ws);
    if (options.batched ?? ws.protocol === WS_BATCH_PROTOCOL) {
      this.#reader = new BatchReader(uninitialized);
      this.#writer = new BatchWriter(this.#sendBatch, options.defer ?? process.nextTick);
      // A batch may be larger than one message (transport/ws-batch.ts, `batchLimit`).
      setReceiverLimit(ws, this.wireLimit);
    }
  }

  protected override newInbox(options: AsyncQueueOptions<Uint8Array>): AsyncQueue<Uint8Array> {
    return new ParkingQueue(options);
  }

  protected override readsBatches(): boolean {
    return true;
  }

  /** Largest WebSocket message received: a session message, or a batch (transport/ws-batch.ts). */
  protected override get wireLimit(): number {
    return this.#wireLimitOf(this.max);
  }

  #wireLimitOf(max: number): number {
    return this.#reader ? batchLimit(max) : max;
  }

  /** True when WebSocket messages carry batches of session messages (`m2m.batch.v1` negotiated). */
  get batched(): boolean {
    return this.#reader !== undefined;
  }

  override limitIncoming(maxMessageBytes: number, holdUpTo = 0): void {
    super.limitIncoming(maxMessageBytes);
    this.#holdUpTo = holdUpTo;
    setReceiverLimit(this.#ws, this.wireLimit);
    if (holdUpTo > maxMessageBytes && !this.#hooked) this.#hooked = holdLongFrames(this.#ws, () => this.#wireLimitOf(this.#holdUpTo), (resume) => (this.#resumeFrame = resume));
    // What waits is checked again against the new limits.
    if (this.#holdingEntry) {
      this.#holdingEntry = false;
      if (!this.closed) this.#takeEntries();
      if (!this.#holdingEntry && !this.inbox.full) this.resume();
    }
    const resume = this.#resumeFrame;
    if (resume && !this.#holdingEntry) {
      this.#resumeFrame = undefined;
      resume();
    }
  }

  protected override resume(): void {
    if (this.#yielding || this.#holdingEntry) return;
    super.resume();
  }

  protected override drained(): void {
    // Entries of batches left while the inbox was full come out first.
    if (this.#reader) this.#takeEntries();
    if (!this.inbox.full) this.resume();
  }

  protected override receive(bytes: Uint8Array, chunkView: boolean): void {
    // A batch is kept as it came (never handed over); its entries are copied out one by one (#takeEntries).
    if (this.#reader) this.#onBatch(bytes);
    // `ws` hands over views of socket reads (with other frames' bytes) or of Node's shared Buffer
    // pool (a message that spanned reads, lib/buffer-util.js `concat`): copied into this
    // connection's slab unless the view is its own whole buffer (codec/slab.ts, keepOwn).
    else super.receive(chunkView ? this.#slab.keepOwn(bytes) : bytes, false);
  }

  /**
   * A batch: every entry is checked before any is taken (a bad one ends the connection and
   * nothing of the batch is delivered); the batch is counted as held (its bytes, and one
   * message's overhead for its object) until its last entry is taken.
   */
  #onBatch(batch: Uint8Array): void {
    // An entry within `#holdUpTo` is checked again when its turn comes (#takeEntries).
    const bad = checkBatch(batch, Math.max(this.max, this.#holdUpTo));
    if (bad) return bad.code === 'LIMIT_EXCEEDED' ? this.refuse(bad, 1009, 'message too big') : this.refuse(bad, 1002, 'bad batch');
    try {
      this.account?.hold(batch.length + MESSAGE_OVERHEAD);
    } catch (e) {
      return this.refuse(e, 1013, 'server buffers full');
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
    while (!this.inbox.full && !this.discarding && !reader.empty) {
      if (this.#turnEntries >= ENTRIES_PER_TURN) {
        this.#yieldTurn();
        break;
      }
      const len = reader.nextLength();
      if (len > this.max) {
        if (len > this.#holdUpTo) return this.refuse(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: len, max: this.max }), 1009, 'message too big');
        // Too long for now, not for later (the handshake decides): reading stops; the batch
        // is already counted in the account.
        this.#holdingEntry = true;
        this.pause();
        return;
      }
      this.#turnEntries++;
      // Copied out of the batch with the entries next to it (a run of this connection's own,
      // BatchReader): no entry pins the batch or shows its other bytes.
      let message: Uint8Array;
      try {
        message = reader.take()!;
      } catch (e) {
        return this.refuse(e, 1011, 'received buffer detached');
      }
      try {
        // The entry leaves the batch's count (its bytes and prefix) for the inbox's (its bytes
        // and an array's overhead); the batch's own overhead goes with its last entry.
        this.account?.hold(MESSAGE_OVERHEAD);
        this.account?.release(4 + (reader.batchDone ? MESSAGE_OVERHEAD : 0));
      } catch (e) {
        return this.refuse(e, 1013, 'server buffers full');
      }
      this.inbox.offer(message);
    }
    if (this.#endWhenTaken && reader.empty) this.endNow();
  }

  /** Stops reading until the event loop had a turn; the rest of the batches comes out then. */
  #yieldTurn(): void {
    if (this.#yielding) return;
    this.pause();
    this.#yielding = true;
    this.#yieldTo(this.#nextTurn);
  }

  readonly #nextTurn = (): void => {
    this.#yielding = false;
    this.#turnEntries = 0;
    if (this.discarding || !this.#reader) return;
    this.#takeEntries();
    if (!this.inbox.full && !this.#yielding) this.resume();
  };

  protected override endNow(error?: unknown): void {
    this.#endWhenTaken = false;
    this.#reader?.clear();
    super.endNow(error);
  }

  protected override endsLater(error: unknown): boolean {
    // A peer that closed after its last batch: what it sent is still delivered. Its batches
    // stay counted and `ended` waits for the last entry: the session stops honouring its
    // inbox's mark once `ended` settles (session.ts, `#readLoop`), and a batch of 16 MiB
    // would then become 150 MB of unread messages outside the server's budget.
    this.#endWhenTaken = error === undefined && !this.discarding && this.#reader !== undefined && !this.#reader.empty && !this.inbox.ended;
    return this.#endWhenTaken;
  }

  protected override finish(error?: unknown): void {
    this.#writer?.clear();
    // The base class ends on `close` without reading its code: a peer's refusal is the cause.
    if (error === undefined && !this.closed) error = this.#peerClose;
    super.finish(error);
  }

  /**
   * Sends one message; on a batched connection it joins the other messages of this burst in
   * one WebSocket message (transport/ws-batch.ts).
   * @throws M2MError: as {@link WebSocketTransport.send}; InvalidMessage for an empty message on
   *   a batched connection.
   */
  override send(data: Uint8Array): Promise<void> {
    // The peer refuses a batch with an empty entry whole, with the messages sent before it.
    if (this.#writer && data.length === 0 && !this.closed) return Promise.reject(new M2MError('InvalidMessage', { reason: 'an empty message cannot be sent in a WebSocket batch' }));
    return super.send(data);
  }

  /** A batch {@link BatchWriter} filled: a fresh array nobody else holds. */
  readonly #sendBatch = (batch: Uint8Array): void => {
    this.#ownBatch = batch;
    try {
      this.sendMessage(batch);
    } finally {
      this.#ownBatch = undefined;
    }
  };

  protected override transmit(data: Uint8Array, cb: (err?: Error | null) => void): void {
    if (!this.#direct?.write(data, data === this.#ownBatch, cb)) super.transmit(data, cb);
  }

  protected override write(data: Uint8Array): void {
    if (this.#writer) this.#writer.add(data);
    else this.sendMessage(data);
  }

  /** Bytes sent and not yet on the socket: the WebSocket's buffer and the batch being filled. */
  protected override buffered(): number {
    return super.buffered() + (this.#writer?.pending ?? 0);
  }

  override abort(): void {
    // What waits for a handshake that will not finish is refused (LimitExceeded).
    this.limitIncoming(this.max);
    // Entries of a peer that has closed, which nobody will read now.
    if (this.#endWhenTaken) this.endNow();
    // What `send` already took goes to the socket before it is dropped, as it would have unbatched.
    this.#writer?.flush();
    super.abort();
  }

  override async close(): Promise<void> {
    this.limitIncoming(this.max);
    if (this.#endWhenTaken) {
      this.inbox.discard();
      this.endNow();
    }
    // What `send` took leaves before the close frame.
    if (!this.closed) this.#writer?.flush();
    return super.close();
  }
}
