/**
 * Several session messages in one WebSocket message, when both ends negotiated the
 * {@link WS_BATCH_PROTOCOL} subprotocol (docs/PROTOCOL.md §6). `ws` does a fixed amount of work per
 * WebSocket message (framing, masking, parsing, an event), about what a whole small session
 * message costs otherwise; a writer that is ahead of the socket puts what it sends in one burst
 * into one WebSocket message instead. A batch is a sequence of entries, each a 4-byte big-endian
 * length then that many bytes (the TCP framing, transport/length-prefixed.ts); a lone message is
 * a batch of one entry and still leaves at once.
 *
 * Sending: {@link BatchWriter} collects the messages of one burst (until the end of the current
 * microtasks, as transport/write-batch.ts, so no timer and no added latency) up to
 * {@link WS_BATCH_BYTES}, or one larger message alone. Receiving: {@link checkBatch} checks every
 * entry's length against the bytes left and the message limit before anything is taken, then
 * {@link BatchReader} hands the entries out one at a time, so the transport moves only as many
 * into its inbox as its high-water mark allows and the rest stay bytes; consecutive entries are
 * copied out of the batch together, as a NATS transport copies a BATCH (transport/nats-transport.ts).
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { markOwn, Slab, SLAB_BYTES } from '#slab';
import { WS_BATCH_PROTOCOL } from './ws-protocol.js';

// The subprotocol names are a file of their own: the WebSocket transport and `@m2m/session`
// need them where nothing else of this file runs (Node's build keeps batching out of the main module).
export { WS_BATCH_PROTOCOL, WS_OFFERED_PROTOCOLS } from './ws-protocol.js';

/**
 * A server's choice among the subprotocols a client offers: {@link WS_BATCH_PROTOCOL} when
 * offered, else `ws`'s default (the first offered), else none.
 */
export function selectProtocol(offered: ReadonlySet<string>): string | false {
  if (offered.has(WS_BATCH_PROTOCOL)) return WS_BATCH_PROTOCOL;
  for (const p of offered) return p;
  return false;
}

/** Bytes of one batch a sender fills before sending it (64 KiB; a larger message goes alone). */
// A literal: esbuild keeps an unused `64 * 1024` declaration, and with it this whole file in
// Node's main module (scripts/bundle.ts --node-over-module).
export const WS_BATCH_BYTES = 65_536;

const PREFIX = 4;

/**
 * The largest WebSocket message a receiver with message limit `max` accepts under
 * {@link WS_BATCH_PROTOCOL}: a full batch, or one entry of the limit alone.
 */
export function batchLimit(max: number): number {
  return Math.max(WS_BATCH_BYTES, max + PREFIX);
}

/**
 * Checks a received batch: at least one entry, each length inside what is left of the batch,
 * not zero, and at most `max`. Reads only the 4-byte lengths (cost bounded by the batch's size).
 * @returns the error that ends the connection, or `undefined` when the batch is sound.
 */
export function checkBatch(batch: Uint8Array, max: number): M2MError | undefined {
  const n = batch.length;
  if (n === 0) return new M2MError('InvalidMessage', { reason: 'empty WebSocket batch' });
  let at = 0;
  while (at < n) {
    if (n - at < PREFIX) return new M2MError('InvalidMessage', { reason: `WebSocket batch: truncated length at byte ${at}` });
    const len = ((batch[at] << 24) | (batch[at + 1] << 16) | (batch[at + 2] << 8) | batch[at + 3]) >>> 0;
    if (len === 0) return new M2MError('InvalidMessage', { reason: `WebSocket batch: empty entry at byte ${at}` });
    if (len > max) return new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: len, max });
    at += PREFIX;
    if (len > n - at) return new M2MError('InvalidMessage', { reason: `WebSocket batch: entry of ${len} bytes runs past the batch's end (${n - at} left)` });
    at += len;
  }
  return undefined;
}

/** The big-endian length at `at` (checked by {@link checkBatch} before it is read). */
const lengthAt = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/**
 * Checked batches waiting to be taken apart (only those `ws` handed over in one socket read
 * while the transport's inbox was full). Consecutive entries are copied out of their batch
 * together, in runs of at most a slab ({@link SLAB_BYTES}, prefixes included), into a buffer of
 * this connection's alone, marked so (codec/slab.ts `markOwn`: the session keeps the entries'
 * views as they are, and the buffer cannot be transferred under the entries that share it);
 * entries come out as views of their run: one allocation and copy per run instead of one per
 * entry. An entry larger than a slab is copied alone, into a buffer of its own.
 */
export class BatchReader {
  #batches: Uint8Array[] = [];
  #head = 0;
  /** Read position in `#batches[#head]`: where the next run starts. */
  #at = 0;
  /** The run being handed out, where its next entry starts, and whether it ends its batch. */
  #run: Uint8Array | undefined;
  #runAt = 0;
  #runEndsBatch = false;
  readonly #allocate: (n: number) => Uint8Array;

  /**
   * @param allocate a plain byte array of `n` bytes with its own buffer (byte offset 0), every
   *   byte of which is overwritten (Node: over `Buffer.allocUnsafeSlow`, no zero fill); default a
   *   zeroed one.
   */
  constructor(allocate: (n: number) => Uint8Array = (n) => new Uint8Array(n)) {
    this.#allocate = allocate;
  }

  /** True while no entry is waiting. */
  get empty(): boolean {
    return this.#run === undefined && this.#head === this.#batches.length;
  }

  /** Adds a batch that passed {@link checkBatch}. */
  push(batch: Uint8Array): void {
    this.#batches.push(batch);
  }

  /** True when the last {@link take} finished its batch (the batch is no longer held). */
  batchDone = false;

  /** The length of the next entry, or -1 when none is waiting. */
  nextLength(): number {
    if (this.#run !== undefined) return lengthAt(this.#run, this.#runAt);
    return this.#head === this.#batches.length ? -1 : lengthAt(this.#batches[this.#head], this.#at);
  }

  /**
   * The next entry, or `undefined` when none is waiting.
   * @throws M2MError Io when the application detached the buffer of an entry it was handed,
   *   which the entries after it share (a byte stream's `enqueue` does, whatever the mark): they
   *   are gone.
   */
  take(): Uint8Array | undefined {
    let run = this.#run;
    if (run === undefined) {
      if (this.#head === this.#batches.length) return undefined;
      const alone = this.#cut();
      if (alone) return alone;
      run = this.#run!;
    } else if (run.length === 0) {
      this.clear();
      throw new M2MError('Io', { reason: 'the buffer of a received message was detached (transferred) while the messages after it in the same buffer were unread: copy received bytes before transferring them' });
    }
    const at = this.#runAt + PREFIX;
    const end = at + lengthAt(run, this.#runAt);
    this.batchDone = end === run.length && this.#runEndsBatch;
    if (end === run.length) this.#run = undefined;
    else this.#runAt = end;
    // A view made with the constructor: `subarray` looks up the species constructor (a Buffer's).
    return new Uint8Array(run.buffer, run.byteOffset + at, end - at);
  }

  /**
   * Copies the next run out of the head batch (a plain view of it as the source: `subarray` of a
   * Buffer makes a Buffer), or returns an entry larger than a slab copied alone.
   */
  #cut(): Uint8Array | undefined {
    const batch = this.#batches[this.#head];
    const from = this.#at;
    let end = from + PREFIX + lengthAt(batch, from);
    let alone: Uint8Array | undefined;
    if (end - from > SLAB_BYTES) {
      alone = this.#allocate(end - from - PREFIX);
      alone.set(new Uint8Array(batch.buffer, batch.byteOffset + from + PREFIX, end - from - PREFIX));
    } else {
      while (end < batch.length) {
        const next = end + PREFIX + lengthAt(batch, end);
        if (next - from > SLAB_BYTES) break;
        end = next;
      }
      const run = this.#allocate(end - from);
      run.set(new Uint8Array(batch.buffer, batch.byteOffset + from, end - from));
      markOwn(run);
      this.#run = run;
      this.#runAt = 0;
      this.#runEndsBatch = end === batch.length;
    }
    if (end === batch.length) {
      // A batch cut to its end is let go at once.
      this.#batches[this.#head++] = undefined as unknown as Uint8Array;
      this.#at = 0;
      if (this.#head === this.#batches.length) {
        this.#batches = [];
        this.#head = 0;
      }
    } else {
      this.#at = end;
    }
    if (alone) this.batchDone = end === batch.length;
    return alone;
  }

  /** Drops every waiting entry. */
  clear(): void {
    this.#batches = [];
    this.#head = 0;
    this.#at = 0;
    this.#run = undefined;
  }
}

/**
 * Collects the messages sent in one burst into batches: the first message of a burst schedules
 * the flush with `defer` (Node: `process.nextTick`, after the current microtasks; browsers:
 * `queueMicrotask`); a batch that would pass {@link WS_BATCH_BYTES} is sent at once and the next
 * one started. Each message is copied once, into its batch. A batch is also the TCP framing, so
 * the TCP transport joins a burst's small messages with it (transport/tcp.ts).
 */
export class BatchWriter {
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #scheduled = false;
  /** This connection's batch buffers (codec/slab.ts: no other connection's bytes share them). */
  readonly #slab = new Slab();
  readonly #write: (batch: Uint8Array) => void;
  readonly #defer: (run: () => void) => void;
  readonly #deferred = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /**
   * @param write sends one batch as one binary WebSocket message
   * @param defer runs its argument once the current burst is over
   */
  constructor(write: (batch: Uint8Array) => void, defer: (run: () => void) => void) {
    this.#write = write;
    this.#defer = defer;
  }

  /** Bytes taken and not yet handed to the WebSocket (prefixes included). */
  get pending(): number {
    return this.#bytes;
  }

  /** Takes one message for the current batch (the caller does not change it afterwards). */
  add(message: Uint8Array): void {
    const size = PREFIX + message.length;
    if (this.#bytes > 0 && this.#bytes + size > WS_BATCH_BYTES) this.flush();
    this.#parts.push(message);
    this.#bytes += size;
    if (!this.#scheduled) {
      this.#scheduled = true;
      // Called unbound: browsers' `queueMicrotask` throws when called on another object.
      const defer = this.#defer;
      defer(this.#deferred);
    }
  }

  /** Sends the current batch now (nothing when empty). */
  flush(): void {
    const parts = this.#parts;
    if (parts.length === 0) return;
    const out = this.#slab.allocate(this.#bytes);
    let at = 0;
    for (const p of parts) {
      const len = p.length;
      out[at] = len >>> 24;
      out[at + 1] = len >>> 16;
      out[at + 2] = len >>> 8;
      out[at + 3] = len;
      out.set(p, at + PREFIX);
      at += PREFIX + len;
    }
    this.#parts = [];
    this.#bytes = 0;
    this.#write(out);
  }

  /** Drops what was not sent (a connection that is gone). */
  clear(): void {
    this.#parts = [];
    this.#bytes = 0;
  }
}
