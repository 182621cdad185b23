/**
 * One end of one session over NATS: a {@link Transport} that publishes to the peer's session
 * subject and receives what the connection's mux (`nats-link.ts`) routes to its own, with
 * credit-based flow control (a sender never has more than the receiver's window unconsumed at
 * the receiver) and a record of what was sent and not yet acknowledged, reported when the peer
 * disappears. Mapping: docs/PROTOCOL.md §6.1.
 * @module
 */
import { bufferOf, byteOffsetOf, lengthOf, M2MError } from '@m2m/core/internal';
import { AsyncQueue } from '../queue.js';
import { markOwn, Slab, SLAB_BYTES } from '#slab';
import { BATCH_LENGTH_BYTES, BYE, checkBatch, decodeCredit, DEFAULT_PROBE_INTERVAL_MS, encodeCredit, encodeFrame, INITIAL_WINDOW, isSessionSubject, MAX_WINDOW, NatsKind, natsMessageCost, PROBE } from './nats-frames.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE, TAKEN, type BufferAccount, type PollingIterator, type Transport } from './types.js';

/** What a session transport needs from its NATS connection. */
export interface NatsPort {
  /** Publishes the NATS message `data` (kind byte first) to `subject` with `reply` as the reply subject. */
  publish(subject: string, data: Uint8Array, reply: string): void;
  /**
   * Publishes one whole session message (without a kind byte, not to be changed afterwards) as a
   * FRAME, or in one BATCH with the whole messages the same end publishes next in this
   * event-loop turn (docs/PROTOCOL.md §6.1); anything else the end publishes ends its batch, so
   * order is kept. Without it, the transport publishes a FRAME of its own.
   */
  publishMessage?(subject: string, message: Uint8Array, reply: string): void;
  /** The broker's `max_payload`. */
  readonly maxPayload: number;
  /** Stops routing messages to this transport (it closed). */
  release(transport: NatsTransport): void;
  /**
   * A promise to wait for when the connection has enough queued for this event-loop turn (it
   * resolves once the queue is handed over, in a later turn, so sockets and timers run in
   * between); otherwise undefined. Without it a busy sender yields with `setTimeout` every
   * 256 KiB of its own.
   */
  pace?(): Promise<void> | undefined;
  /**
   * A byte array of `length` bytes with its own buffer (byte offset 0) and unspecified contents,
   * for a copy that overwrites all of it (Node: unzeroed memory); without it, a zeroed one.
   */
  allocateUninitialized?(length: number): Uint8Array;
}

/** An incoming NATS message, as the mux hands it over. */
export interface NatsIncoming {
  /** The message body (kind byte first). */
  data: Uint8Array;
  /** The sender's reply subject: the peer session end it came from; messages without a session reply subject are ignored. */
  reply?: string;
  /** The NATS status code of a status message (503: no responders). */
  status?: number;
}

/** Options of a {@link NatsTransport}. */
export interface NatsTransportOptions {
  /** Largest incoming session message (default 16 MiB + 64 KiB; NATS's `max_payload` bounds it anyway). */
  maxMessageBytes?: number;
  /** Bytes this end lets its peer have unconsumed (default 2 MiB, within [1 MiB, 64 MiB]). */
  windowBytes?: number;
  /**
   * Interval of liveness probes (default 1 000 ms; 0: none). A probe to a peer whose process or
   * connection is gone draws NATS's no-responders status, which ends the session at once
   * instead of after the PING/PONG timeout.
   */
  probeIntervalMs?: number;
  /**
   * Where a server counts what this end holds unread (its share of the server's
   * `maxBufferedBytes`; listen gives each end one). Each FRAME or PART is counted as it arrives,
   * at its window cost, and given back when the session takes the message.
   */
  account?: BufferAccount & { close(): void };
}

/** What a NATS session transport sent and the peer has not acknowledged (consumed) yet. */
export interface NatsInFlight {
  /** Session messages sent and not acknowledged, oldest first (encoded, as sent). */
  messages: Uint8Array[];
  /** Their total size in bytes. */
  bytes: number;
}

/** The `u32` little-endian length at `at` of a BATCH (checked by checkBatch before it is read here). */
function readLength(data: Uint8Array, at: number): number {
  return (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
}

/**
 * Where the first message over `max` starts in a BATCH that checkBatch refused for it (the
 * entries before it passed its checks), and what those entries cost.
 */
function beforeOversize(data: Uint8Array, max: number): { stop: number; cost: number } {
  let at = 1;
  let cost = 0;
  for (let length = readLength(data, at); at < data.length && length <= max; length = readLength(data, at)) {
    cost += natsMessageCost(length + 1);
    at += BATCH_LENGTH_BYTES + length;
  }
  return { stop: at, cost };
}

/**
 * Consecutive messages of a received BATCH copied together (each `u32 length` then the message,
 * as in the BATCH; checked by checkBatch before the copy): one inbox item for up to a slab of
 * messages, read one view at a time as the session takes them.
 */
class BatchRun {
  constructor(readonly bytes: Uint8Array) {}
}

const noSize = (): number => 0;

/** Initial slots of the ring of in-flight records (a power of two). */
const UNACKED_SLOTS = 64;
/** Float64 entries per in-flight slot: end, byte offset, length. */
const SPAN = 3;

/** A session's end over NATS. Created by `connect('nats://…')` and by `listen({ transport: 'nats' })`. */
export class NatsTransport implements Transport {
  /** Transport kind, always `nats`. */
  readonly kind = 'nats';
  /** The subject this end receives on. */
  readonly subject: string;
  #port: NatsPort;
  #peer: string;
  /** This session end's message buffers (codec/slab.ts): one NATS link carries many sessions, so the slab is the end's, not the link's. */
  readonly #slab = new Slab();
  #bound: boolean;
  #bindWaiters: Array<(e?: unknown) => void> = [];
  // Bounded in bytes by the window this end grants, not in count (so the queue's own byte count,
  // a `byteLength` read per offer and per take, is not kept).
  // A message counts natsMessageCost(its length + 1) against the window and the account, as the
  // FRAME it came in (or stands for in a BATCH), so the inbox holds the bytes alone (no object
  // per message); a message reassembled from PARTs counts otherwise and is noted here. A BATCH
  // goes in as runs (BatchRun): the iterator makes each message's view as the session takes it.
  #inbox = new AsyncQueue<Uint8Array | BatchRun>({ capacity: Number.MAX_SAFE_INTEGER, sizeOf: noSize });
  // The run the iterator reads from (its messages are the oldest held), and where its next message starts.
  #run: Uint8Array | undefined;
  #runAt = 0;
  #reassembled = new Map<Uint8Array, { size: number; held: number }>();
  #account: (BufferAccount & { close(): void }) | undefined;
  // What the pieces of the message being reassembled hold in the account.
  #partHeld = 0;
  // Pieces of a message are copied into one buffer (grown by doubling): one view per PART would
  // cost a JS object that no byte count sees, so empty or 1-byte PARTs grew the heap unbounded.
  #partBuf = new Uint8Array(0);
  #partBytes = 0;
  #closed = false;
  #maxIncoming: number;
  #window: number;
  // Sender side: cumulative FRAME bytes sent, and what the peer allows (consumed + window).
  #sent = 0;
  #peerConsumed = 0;
  #peerLimit = INITIAL_WINDOW;
  #creditWaiters: Array<() => void> = [];
  // Messages sent and not acknowledged (the bytes the session passed: the Transport contract says
  // it does not change them), with the cumulative count at which each ends, oldest first, in a
  // ring of reused slots (capacity a power of two, doubled when full; an acknowledged slot is
  // cleared at once). A record is the message's buffer and its place in it, not its view: a
  // window holds thousands of records for several event-loop turns, and a view (a heap object of
  // about 100 bytes) that lives that long is copied by the scavenges it survives, then promoted to
  // the old space, whose growth starts mark-compacts; the buffers are one per slab
  // (docs/ARCHITECTURE.md, NATS). `inFlight` makes views when asked.
  // Ends, offsets and lengths are in a Float64Array (counts pass 2^31): no write barrier, no
  // elements-kind change. Moving long-lived records to the front of plain arrays with
  // `copyWithin` went through generic element access (docs/ARCHITECTURE.md, NATS).
  #unacked: Array<ArrayBufferLike | undefined> = new Array<ArrayBufferLike | undefined>(UNACKED_SLOTS).fill(undefined);
  /** Per slot: the cumulative count at which the message ends, its byte offset and its length. */
  #unackedSpans = new Float64Array(UNACKED_SLOTS * SPAN);
  #unackedHead = 0;
  #unackedCount = 0;
  #piece: number;
  #sinceYield = 0;
  #published = false;
  // Receiver side: cumulative FRAME bytes received and consumed, and the limit granted so far.
  #received = 0;
  #consumed = 0;
  #reported = 0;
  #granted = INITIAL_WINDOW;
  #creditTimer: ReturnType<typeof setTimeout> | undefined;
  #probeMs: number;
  #probeTimer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param port the connection's mux.
   * @param subject this end's session subject.
   * @param peer the peer's session subject (server side), or the listen subject (client side:
   *   bound to the server instance's session subject by its first reply).
   * @param bound true when `peer` is a session subject already.
   */
  constructor(port: NatsPort, subject: string, peer: string, bound: boolean, options: NatsTransportOptions = {}) {
    this.#port = port;
    this.subject = subject;
    this.#peer = peer;
    this.#bound = bound;
    this.#maxIncoming = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#window = Math.min(MAX_WINDOW, Math.max(INITIAL_WINDOW, options.windowBytes ?? 2 * INITIAL_WINDOW));
    this.#probeMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.#account = options.account;
    this.#piece = Math.min(port.maxPayload, INITIAL_WINDOW) - 1;
    if (bound) this.#startProbes();
  }

  #startProbes(): void {
    if (this.#probeMs <= 0 || this.#probeTimer) return;
    this.#probeTimer = setInterval(() => {
      // Any message since the last tick would have drawn the same status: probe idle ends only.
      if (this.#published) {
        this.#published = false;
        return;
      }
      try {
        this.#port.publish(this.#peer, PROBE, this.subject);
      } catch (e) {
        this.fail(new M2MError('Network', { reason: `NATS publish failed: ${(e as Error).message}` }, { cause: e }));
      }
    }, this.#probeMs);
    (this.#probeTimer as { unref?: () => void }).unref?.();
  }

  /** The peer's session subject (the listen subject until a client end is bound). */
  get remoteAddress(): string {
    return this.#peer;
  }

  /** Where a server counts what this end holds (absent on client ends); the session counts its inbox here too. */
  get account(): BufferAccount | undefined {
    return this.#account;
  }

  /** Bytes received and not yet taken by the session (at most the window this end granted, plus a message in pieces). */
  get bufferedBytes(): number {
    return this.#received - this.#consumed + this.#partBytes;
  }

  /** What was sent and not acknowledged yet (the peer's transport has not handed it to its session). */
  get inFlight(): NatsInFlight {
    const messages: Uint8Array[] = [];
    const mask = this.#unacked.length - 1;
    let bytes = 0;
    const spans = this.#unackedSpans;
    for (let i = 0; i < this.#unackedCount; i++) {
      const at = (this.#unackedHead + i) & mask;
      const buffer = this.#unacked[at]!;
      const offset = spans[at * SPAN + 1];
      // A buffer the caller detached (transferred) since reads as its view would: empty.
      const length = offset + spans[at * SPAN + 2] <= buffer.byteLength ? spans[at * SPAN + 2] : 0;
      messages.push(length === 0 ? new Uint8Array(0) : new Uint8Array(buffer, offset, length));
      bytes += length;
    }
    return { messages, bytes };
  }

  /**
   * Sends one session message (in pieces when it is larger than one NATS message may be); waits
   * while the peer's window is full.
   * @throws M2MError: Network (closed, peer gone, NATS connection lost).
   */
  send(data: Uint8Array): Promise<void> {
    // The common case, one piece within the peer's window on a bound end, is published at once
    // and costs no promise unless the connection asks this sender to wait a turn.
    const cost = natsMessageCost(data.length + 1);
    if (this.#closed || !this.#bound || data.length > this.#piece || this.#sent + cost > this.#peerLimit) return this.#sendWaiting(data);
    try {
      this.#publishWhole(data, cost);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#turn();
  }

  /**
   * Publishes a whole session message of one piece (batchable, no copy of its own: the port
   * copies it into the NATS message once) and keeps it for in-flight reports.
   * @throws M2MError Network.
   */
  #publishWhole(data: Uint8Array, cost: number): void {
    try {
      if (this.#port.publishMessage) this.#port.publishMessage(this.#peer, data, this.subject);
      else this.#port.publish(this.#peer, encodeFrame(data, NatsKind.FRAME, this.#slab), this.subject);
    } catch (e) {
      throw this.#publishFailed(e);
    }
    this.#counted(cost);
    this.#keepUnacked(data);
  }

  /** Records `data` as sent and unacknowledged, ending at the current cumulative count. */
  #keepUnacked(data: Uint8Array): void {
    let slots = this.#unacked;
    if (this.#unackedCount === slots.length) slots = this.#growUnacked();
    const at = (this.#unackedHead + this.#unackedCount++) & (slots.length - 1);
    // The intrinsic getters: a subclass's own `buffer` or `byteOffset` must not redirect the record.
    slots[at] = bufferOf.call(data);
    const spans = this.#unackedSpans;
    spans[at * SPAN] = this.#sent;
    spans[at * SPAN + 1] = byteOffsetOf.call(data);
    spans[at * SPAN + 2] = lengthOf.call(data);
  }

  /** Doubles the ring of in-flight records (full), oldest first from slot 0. */
  #growUnacked(): Array<ArrayBufferLike | undefined> {
    const old = this.#unacked;
    const oldSpans = this.#unackedSpans;
    const n = old.length;
    const slots = new Array<ArrayBufferLike | undefined>(2 * n).fill(undefined);
    const spans = new Float64Array(2 * n * SPAN);
    for (let i = 0; i < n; i++) {
      const from = (this.#unackedHead + i) & (n - 1);
      slots[i] = old[from];
      spans.set(oldSpans.subarray(from * SPAN, from * SPAN + SPAN), i * SPAN);
    }
    this.#unacked = slots;
    this.#unackedSpans = spans;
    this.#unackedHead = 0;
    return slots;
  }

  /** Drops the records the peer acknowledged (`consumed`), clearing their slots. */
  #acknowledge(consumed: number): void {
    const slots = this.#unacked;
    const spans = this.#unackedSpans;
    const mask = slots.length - 1;
    let head = this.#unackedHead;
    let count = this.#unackedCount;
    while (count > 0 && spans[head * SPAN] <= consumed) {
      slots[head] = undefined;
      head = (head + 1) & mask;
      count--;
    }
    this.#unackedHead = count === 0 ? 0 : head;
    this.#unackedCount = count;
  }

  /** Publishes one FRAME or PART (a piece of a larger message, or the unbound first message) and counts it. @throws M2MError Network. */
  #publishPiece(chunk: Uint8Array, kind: number): void {
    const frame = encodeFrame(chunk, kind, this.#slab);
    try {
      this.#port.publish(this.#peer, frame, this.subject);
    } catch (e) {
      throw this.#publishFailed(e);
    }
    this.#counted(natsMessageCost(frame.length));
  }

  #publishFailed(e: unknown): unknown {
    this.fail(new M2MError('Network', { reason: `NATS publish failed: ${(e as Error).message}` }, { cause: e }));
    return this.#closedError();
  }

  #counted(cost: number): void {
    this.#sent += cost;
    this.#sinceYield += cost;
    this.#published = true;
  }

  /**
   * A publish never waits, so busy senders would run on microtasks alone: nothing would be
   * written, no CREDIT, PROBE or no-responders status read, and no timer would run (300
   * sessions sending 100 messages each held the event loop for 5 s, past the servers'
   * handshake deadline). Wait when the connection has a turn's worth queued.
   */
  #turn(): Promise<void> {
    if (this.#port.pace) return this.#port.pace() ?? TAKEN;
    if (this.#sinceYield < INITIAL_WINDOW / 4) return TAKEN;
    this.#sinceYield = 0;
    return new Promise<void>((r) => setTimeout(r, 0));
  }

  /** {@link NatsTransport.send} when it has to wait: for the binding, for credit, or between pieces. */
  async #sendWaiting(data: Uint8Array): Promise<void> {
    if (this.#closed) throw this.#closedError();
    if (!this.#bound && this.#sent > 0) await new Promise<void>((resolve, reject) => this.#bindWaiters.push((e) => (e ? reject(e) : resolve())));
    const piece = this.#piece;
    for (let at = 0; ; at += piece) {
      const last = data.length - at <= piece;
      const chunk = data.subarray(at, last ? data.length : at + piece);
      const size = natsMessageCost(chunk.length + 1);
      while (this.#sent + size > this.#peerLimit) {
        if (this.#closed) throw this.#closedError();
        await new Promise<void>((r) => this.#creditWaiters.push(r));
      }
      if (this.#closed) throw this.#closedError();
      // Only a whole message to a bound peer may join a batch (never a piece of one).
      if (at === 0 && last && this.#bound) {
        this.#publishWhole(data, size);
        break;
      }
      this.#publishPiece(chunk, last ? NatsKind.FRAME : NatsKind.PART);
      if (last) {
        this.#keepUnacked(data);
        break;
      }
    }
    await this.#turn();
  }

  /** Appends a piece to the message being reassembled (`whole` ≤ maxMessageBytes, checked by the caller). */
  #holdPart(body: Uint8Array, whole: number): void {
    if (whole > this.#partBuf.length) {
      const grown = new Uint8Array(Math.min(this.#maxIncoming, Math.max(whole, 2 * this.#partBuf.length, 4096)));
      grown.set(this.#partBuf.subarray(0, this.#partBytes));
      this.#partBuf = grown;
    }
    this.#partBuf.set(body, this.#partBytes);
    this.#partBytes = whole;
  }

  /** Routes one NATS message to this end (called by the mux). */
  deliver(msg: NatsIncoming): void {
    if (this.#closed) return;
    if (msg.status !== undefined) {
      // 503: nobody subscribes to the subject we last published to: the peer (or every server
      // of the pool) is gone. Unbound, that was the HELLO: no server, and no application data lost.
      if (msg.status === 503) this.fail(this.#bound ? this.#goneError('the peer is gone (no subscriber on its session subject)') : new M2MError('Network', { reason: `NATS: no server answers on ${this.#peer} (no responders: nothing subscribes to it)` }));
      return;
    }
    if (!isSessionSubject(msg.reply)) return; // not from a session end: ignore
    if (!this.#bound) {
      this.#peer = msg.reply;
      this.#bound = true;
      this.#startProbes();
      for (const w of this.#bindWaiters.splice(0)) w();
    } else if (msg.reply !== this.#peer) return; // someone else's bytes: not this session's
    const data = msg.data;
    if (data.length === 0) return this.fail(new M2MError('InvalidMessage', { reason: 'empty NATS message on a session subject' }));
    if (this.#refused && (data[0] === NatsKind.FRAME || data[0] === NatsKind.PART || data[0] === NatsKind.BATCH)) return;
    if (data[0] === NatsKind.FRAME || data[0] === NatsKind.PART) {
      // Counted before anything is held: at least NATS_MESSAGE_COST per message, so the window
      // bounds the objects held as well as the bytes.
      const cost = natsMessageCost(data.length);
      this.#received += cost;
      if (this.#received > this.#granted) return this.fail(new M2MError('LimitExceeded', { limit: 'NATS flow-control window', actual: this.#received - this.#consumed, max: this.#granted - this.#consumed }));
      const body = data.subarray(1);
      const whole = this.#partBytes + body.length;
      if (whole > this.#maxIncoming) return this.#refuseMessage(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: whole, max: this.#maxIncoming }));
      if (this.#account) {
        try {
          this.#account.hold(cost);
        } catch (e) {
          return this.fail(e); // the server's maxBufferedBytes: this end goes, the others stay
        }
      }
      if (data[0] === NatsKind.PART) {
        // Held until the last piece: counted as consumed now, so a message larger than the
        // window cannot stall; the held bytes are bounded by maxMessageBytes instead.
        this.#holdPart(body, whole);
        this.#partHeld += cost;
        this.#onConsumed(cost);
        return;
      }
      if (this.#partBytes === 0) {
        // The client hands over views of its socket reads, which hold the protocol lines and
        // other subjects' messages (other sessions on this link): always copied, into this
        // end's message slab when small (codec/slab.ts), so `.buffer` shows only this end's bytes.
        this.#inbox.offer(this.#slab.copyOut(body));
        return;
      }
      this.#holdPart(body, whole);
      const joined = this.#partBuf.subarray(0, whole);
      markOwn(joined); // this message's parts alone, and zeros after them
      this.#partBuf = new Uint8Array(0);
      this.#partBytes = 0;
      this.#reassembled.set(joined, { size: cost, held: this.#partHeld + cost });
      this.#inbox.offer(joined);
      this.#partHeld = 0;
    } else if (data[0] === NatsKind.BATCH) {
      this.#deliverBatch(data);
    } else if (data[0] === NatsKind.CREDIT) {
      let credit;
      try {
        credit = decodeCredit(data);
      } catch (e) {
        return this.fail(e);
      }
      if (credit.consumed > this.#sent) return this.fail(new M2MError('InvalidMessage', { reason: 'NATS credit acknowledges bytes never sent' }));
      this.#peerConsumed = Math.max(this.#peerConsumed, credit.consumed);
      // Honour at most our own window: what we keep for in-flight reports stays bounded by our
      // setting, whatever window a peer announces.
      this.#peerLimit = Math.max(this.#peerLimit, this.#peerConsumed + Math.min(credit.window, this.#window));
      this.#acknowledge(this.#peerConsumed);
      for (const w of this.#creditWaiters.splice(0)) w();
    } else if (data[0] === NatsKind.PROBE) {
      // Nothing to do: its only use is the no-responders status it draws when we are gone.
    } else if (data[0] === NatsKind.BYE) {
      this.#closed = true;
      this.#cleanup();
      this.#inbox.end();
    } else this.fail(new M2MError('InvalidMessage', { reason: `unknown NATS message kind ${data[0]}` }));
  }

  /**
   * Takes a BATCH: checked whole and counted before anything of it is held, each message as the
   * FRAME it stands for (same window and account cost), then offered in order.
   */
  #deliverBatch(data: Uint8Array): void {
    // A batch holds whole messages only: none may arrive between the pieces of one.
    if (this.#partBytes !== 0) return this.fail(new M2MError('InvalidMessage', { reason: 'NATS batch message between the pieces of a message' }));
    let cost: number;
    let stop = data.length;
    let refusal: M2MError | undefined;
    try {
      cost = checkBatch(data, this.#maxIncoming);
    } catch (e) {
      if ((e as M2MError).kind !== 'LimitExceeded') return this.fail(e);
      // The messages before the one over the limit are taken first, as over TCP: an encrypted
      // client's AUTH batched with an oversize DATA completes the handshake, so the refusal goes
      // back as a sealed CLOSE naming the limit, not as a lost connection.
      refusal = e as M2MError;
      ({ stop, cost } = beforeOversize(data, this.#maxIncoming));
      if (cost === 0) return this.#refuseMessage(refusal);
    }
    this.#received += cost;
    if (this.#received > this.#granted) return this.fail(new M2MError('LimitExceeded', { limit: 'NATS flow-control window', actual: this.#received - this.#consumed, max: this.#granted - this.#consumed }));
    if (this.#account) {
      try {
        this.#account.hold(cost);
      } catch (e) {
        return this.fail(e);
      }
    }
    // Consecutive messages are copied together, in runs of at most a slab, and handed over as
    // views of their run: one copy and allocation per run instead of one per message, and a kept
    // view pins at most a slab as any received message does (codec/slab.ts), and the run holds only
    // this end's bytes and is marked so (markOwn), so the session's decoder keeps it as it is. A message larger than a slab is copied alone. A run is one inbox
    // item; the iterator makes its messages' views as the session takes them (#fromRun).
    const port = this.#port;
    const buffer = data.buffer;
    const offset = data.byteOffset;
    for (let at = 1; at < stop; ) {
      let end = at + BATCH_LENGTH_BYTES + readLength(data, at);
      while (end < stop) {
        const next = end + BATCH_LENGTH_BYTES + readLength(data, end);
        if (next - at > SLAB_BYTES) break;
        end = next;
      }
      // Not data.slice: the client may hand over a Node Buffer, whose slice is a view. Written
      // whole at once, so it needs no zeroing. The source is a plain view (`subarray` looks up
      // the species constructor: a Buffer's).
      const run = port.allocateUninitialized?.(end - at) ?? new Uint8Array(end - at);
      run.set(new Uint8Array(buffer, offset + at, end - at));
      markOwn(run); // this end's messages alone: the session keeps views of them as they are
      this.#inbox.offer(new BatchRun(run));
      at = end;
    }
    if (refusal) this.#refuseMessage(refusal);
  }

  /** The next message of the run being read (a view of it), or undefined when no run is open. */
  #fromRun(): Uint8Array | undefined {
    const run = this.#run;
    if (run === undefined) return undefined;
    if (run.length === 0) throw this.#runDetached(); // never empty otherwise: every entry has its length
    const at = this.#runAt + BATCH_LENGTH_BYTES;
    const length = readLength(run, at - BATCH_LENGTH_BYTES);
    if (at + length >= run.length) this.#run = undefined;
    else this.#runAt = at + length;
    // A view made with the constructor: `subarray` looks up the species constructor each time,
    // about twice the cost for a message of a few hundred bytes.
    return new Uint8Array(run.buffer, run.byteOffset + at, length);
  }

  /**
   * The application detached the buffer of a message it was handed, which the rest of its run
   * shares (runs are untransferable, codec/slab.ts `markOwn`, but a byte stream's `enqueue`
   * detaches anyway): those messages are gone, so this end fails with a typed error.
   */
  #runDetached(): unknown {
    this.#run = undefined;
    this.fail(new M2MError('Io', { reason: 'the buffer of a received message was detached (transferred) while the messages after it in the same buffer were unread: copy received bytes before transferring them' }));
    return this.#closedError();
  }

  /** An inbox item as the next message: itself, or the first of a run (which stays open for the rest). */
  #first(item: Uint8Array | BatchRun): Uint8Array {
    if (!(item instanceof BatchRun)) return item;
    this.#run = item.bytes;
    this.#runAt = 0;
    return this.#fromRun()!;
  }

  /**
   * Refuses a message over maxMessageBytes as TCP does (transport/tcp.ts `#refuseMessage`): the
   * session reads what came before it, then `error`, and tells the peer why with CLOSE ERROR
   * (session.ts `#readFailed`) before it closes this end (BYE); the peer's messages are dropped
   * from here on, and the end fails on its own if the session has not closed it within 2 s.
   */
  #refuseMessage(error: M2MError): void {
    this.#refused = true;
    this.#partBuf = new Uint8Array(0);
    this.#partBytes = 0;
    this.#inbox.end(error);
    const linger = setTimeout(() => this.fail(error), 2_000);
    (linger as { unref?: () => void }).unref?.();
  }

  #refused = false;

  /** Ends this end with `error` (the peer is gone, the connection was lost, the peer misbehaved). */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure = error;
    if (this.#bound) {
      try {
        // Tell a live peer at once (it may be waiting for credit); a gone one never reads it.
        this.#port.publish(this.#peer, BYE, this.subject);
      } catch {
        // The connection is gone too.
      }
    }
    this.#cleanup();
    this.#inbox.end(error);
  }

  #failure: unknown;

  #goneError(why: string): M2MError {
    const f = this.inFlight;
    const note = f.messages.length ? `; ${f.messages.length} message${f.messages.length === 1 ? '' : 's'} (${f.bytes} bytes) sent and not acknowledged` : '';
    return new M2MError('Network', { reason: `NATS: ${why}${note}` });
  }

  #closedError(): unknown {
    return this.#failure ?? new M2MError('Network', { reason: 'NATS session transport is closed' });
  }

  #cleanup(): void {
    if (this.#creditTimer) clearTimeout(this.#creditTimer);
    this.#creditTimer = undefined;
    if (this.#probeTimer) clearInterval(this.#probeTimer);
    this.#probeTimer = undefined;
    for (const w of this.#bindWaiters.splice(0)) w(this.#closedError());
    for (const w of this.#creditWaiters.splice(0)) w();
    this.#account?.close();
    this.#port.release(this);
  }

  #onConsumed(size: number): void {
    this.#consumed += size;
    if (this.#closed || !this.#bound) return;
    // Acknowledge promptly enough for senders' in-flight records, without one credit per frame.
    if (this.#consumed - this.#reported >= this.#window / 4) this.#sendCredit();
    else if (!this.#creditTimer) {
      this.#creditTimer = setTimeout(() => this.#sendCredit(), 5);
      (this.#creditTimer as { unref?: () => void }).unref?.();
    }
  }

  #sendCredit(): void {
    if (this.#creditTimer) clearTimeout(this.#creditTimer);
    this.#creditTimer = undefined;
    if (this.#closed || this.#consumed === this.#reported) return;
    this.#reported = this.#consumed;
    this.#granted = Math.max(this.#granted, this.#consumed + this.#window);
    try {
      this.#port.publish(this.#peer, encodeCredit(this.#window, this.#consumed), this.subject);
    } catch (e) {
      this.fail(new M2MError('Network', { reason: `NATS publish failed: ${(e as Error).message}` }, { cause: e }));
    }
  }

  /** Drops this end without a BYE (a crash, as the peer sees it: it learns from no-responders or PING). */
  abort(): void {
    this.fail(new M2MError('Network', { reason: 'NATS session transport aborted' }));
  }

  /** Sends BYE to the peer and stops receiving. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#bound) {
      try {
        this.#port.publish(this.#peer, BYE, this.subject);
      } catch {
        // The connection is gone: the peer learns it from no-responders or its PING timeout.
      }
    }
    this.#cleanup();
    this.#inbox.end();
  }

  /** Iterates received session messages until the session's end closes. */
  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    const it = this.#inbox[Symbol.asyncIterator]();
    const taken = (bytes: Uint8Array): Uint8Array => {
      let size = natsMessageCost(bytes.length + 1);
      let held = size;
      const reassembled = this.#reassembled.size === 0 ? undefined : this.#reassembled.get(bytes);
      if (reassembled) {
        this.#reassembled.delete(bytes);
        ({ size, held } = reassembled);
      }
      this.#account?.release(held);
      this.#onConsumed(size);
      return bytes;
    };
    // One reader at a time (as the session reads): the open run is the transport's, not the iterator's.
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        let v = this.#fromRun();
        if (v === undefined) {
          const r = await it.next();
          if (r.done) return { value: undefined, done: true };
          v = this.#first(r.value);
        }
        return { value: taken(v), done: false };
      },
      poll: () => {
        let v = this.#fromRun();
        if (v === undefined) {
          const item = this.#inbox.poll();
          if (item === undefined) return undefined;
          v = this.#first(item);
        }
        return taken(v);
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }
}

/**
 * What a session over NATS sent and its peer has not acknowledged, e.g. after it ended with a
 * Network error: `natsInFlight(session.transport)`. Messages leave in order, so the DATA among
 * them are the last ones the application sent. `undefined` for other transports.
 */
export function natsInFlight(transport: Transport): NatsInFlight | undefined {
  return transport instanceof NatsTransport ? transport.inFlight : undefined;
}
