/**
 * The receiving end of one stream: chunks wait here, bounded in bytes, until the application
 * reads them with `for await`. Order is checked here: the next message must start at the next
 * sequence number, so a lost, repeated or reordered chunk ends the stream with `STREAM_ERROR`.
 * @module
 */
import { M2MError, utf8ByteLength } from '@m2m/core/internal';
import type { StreamEnvelope } from './envelope.js';

/**
 * What one buffered chunk counts beyond its UTF-8 bytes (about what the JS string and its array
 * slot cost): empty chunks counted nothing, so a flood of `""` never filled the buffer.
 */
const CHUNK_OVERHEAD = 16;

/** A chunk's weight against the buffer's byte bound. */
const weight = (c: string) => utf8ByteLength(c) + CHUNK_OVERHEAD;

/** A stream the peer opened, read as an async iterable of its chunks. */
export interface IncomingStream extends AsyncIterable<string> {
  /** The sender's stream id. */
  readonly id: string;
  /** Chunks received so far. */
  readonly chunksReceived: number;
  /** True once the stream ended (its last chunk arrived, it failed, or it was cancelled). */
  readonly ended: boolean;
  /** Stops reading: buffered chunks are dropped and later ones ignored (the sender is not told). */
  cancel(): void;
}

/** @internal The receiver's state of one stream; {@link StreamMux} feeds it. */
export class IncomingStreamImpl implements IncomingStream {
  readonly id: string;
  #chunks: string[] = [];
  #head = 0;
  #bytes = 0;
  #received = 0;
  #next = 0;
  #finished = false;
  #error: M2MError | undefined;
  #reader: (() => void) | undefined;
  #room: Array<() => void> = [];
  #maxBytes: number;
  #onDone: (s: IncomingStreamImpl) => void;
  /** Clock time of the last chunk (for the mux's timeout check). */
  lastHeard: number;

  constructor(id: string, maxBytes: number, now: number, onDone: (s: IncomingStreamImpl) => void) {
    this.id = id;
    this.#maxBytes = maxBytes;
    this.lastHeard = now;
    this.#onDone = onDone;
  }

  get chunksReceived(): number {
    return this.#received;
  }
  get ended(): boolean {
    return this.#finished;
  }

  /**
   * Takes one stream message. Resolves once the buffer is back under its byte bound, so the
   * session's read loop (and through it the transport and the sender) waits for a slow reader.
   */
  accept(e: StreamEnvelope, now: number): Promise<void> {
    if (this.#finished) return Promise.resolve();
    this.lastHeard = now;
    if (e.seq !== this.#next) {
      const what = e.seq < this.#next ? 'duplicate' : 'missing or reordered';
      this.fail(new M2MError('StreamError', { reason: `${what} chunk: expected sequence ${this.#next}, received ${e.seq}`, streamId: this.id, expected: this.#next, received: e.seq }));
      return Promise.resolve();
    }
    if (e.op === 'abort') {
      this.fail(new M2MError('StreamClosed', { reason: `aborted by the sender${e.reason ? `: ${e.reason}` : ''}`, streamId: this.id, chunksReceived: this.#received }));
      return Promise.resolve();
    }
    for (const c of e.chunks) {
      this.#chunks.push(c);
      this.#bytes += weight(c);
    }
    this.#next += e.chunks.length;
    this.#received += e.chunks.length;
    if (e.op === 'end') this.#finish(undefined);
    this.#wake();
    if (this.#bytes <= this.#maxBytes || this.#finished) return Promise.resolve();
    return new Promise((r) => this.#room.push(r));
  }

  /** Ends the stream with an error after the chunks already buffered. */
  fail(error: M2MError): void {
    this.#finish(error);
  }

  cancel(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#finish(undefined);
  }

  #finish(error: M2MError | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error;
    this.#wake();
    for (const r of this.#room.splice(0)) r();
    this.#onDone(this);
  }

  #wake(): void {
    const r = this.#reader;
    this.#reader = undefined;
    r?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string, void, undefined> {
    try {
      for (;;) {
        if (this.#head < this.#chunks.length) {
          const c = this.#chunks[this.#head];
          this.#chunks[this.#head++] = '';
          if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
            this.#chunks = this.#chunks.slice(this.#head);
            this.#head = 0;
          }
          this.#bytes -= weight(c);
          if (this.#bytes <= this.#maxBytes) for (const r of this.#room.splice(0)) r();
          yield c;
          continue;
        }
        if (this.#finished) {
          if (this.#error) throw this.#error;
          return;
        }
        await new Promise<void>((r) => (this.#reader = r));
      }
    } finally {
      // A reader that stops early (break) cancels: nothing would ever drain the buffer.
      if (!this.#finished || this.#head < this.#chunks.length) this.cancel();
    }
  }
}
