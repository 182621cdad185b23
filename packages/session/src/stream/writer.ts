/**
 * The sending end of one stream. Writes queue up while the previous DATA is still with the
 * transport and leave together as one DATA (up to a batch size), so a fast producer costs one
 * frame per batch rather than per chunk while a slow one sends each chunk at once. The queue is
 * bounded in bytes: a producer that does not await its writes gets `STREAM_BACKPRESSURE`.
 * @module
 */
import { isM2MError, M2MError, utf8ByteLength } from '@m2m/core/internal';
import { encodeStreamEnvelope, type StreamOp } from './envelope.js';

/** Writes chunks to a stream the peer reads as an {@link IncomingStream}. */
export interface StreamWriter {
  /** The stream id the peer sees. */
  readonly id: string;
  /** Chunks written so far (sent or queued). */
  readonly chunksWritten: number;
  /** True after `end`, `abort`, or a failure. */
  readonly closed: boolean;
  /**
   * Queues one chunk; resolves once the transport took the DATA that carries it.
   * @throws M2MError: StreamBackpressure (more than `maxPendingBytes` queued: await earlier
   *   writes), StreamClosed (after end or abort, or the session ended), and the session's send
   *   errors (e.g. LimitExceeded).
   */
  write(chunk: string): Promise<void>;
  /** Sends the last chunks (if any) and ends the stream; resolves once sent. @throws as {@link StreamWriter.write}. */
  end(...lastChunks: string[]): Promise<void>;
  /** Tells the peer the stream is abandoned (its reader gets `STREAM_CLOSED`); queued chunks are dropped. */
  abort(reason?: string): Promise<void>;
}

/** Bounds of a {@link StreamWriterImpl}. */
export interface WriterLimits {
  /** Bytes of chunks queued before `write` fails with `STREAM_BACKPRESSURE`. */
  maxPendingBytes: number;
  /** Largest batch in bytes (a single larger chunk still goes alone). */
  maxBatchBytes: number;
}

interface Pending {
  chunk: string;
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** @internal */
export class StreamWriterImpl implements StreamWriter {
  readonly id: string;
  #send: (content: string) => Promise<void>;
  #limits: WriterLimits;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #seq = 0;
  #written = 0;
  #pumping = false;
  #ending: Pending | undefined;
  #closed = false;
  #failure: unknown;
  #onDone: (w: StreamWriterImpl) => void;

  constructor(id: string, send: (content: string) => Promise<void>, limits: WriterLimits, onDone: (w: StreamWriterImpl) => void) {
    this.id = id;
    this.#send = send;
    this.#limits = limits;
    this.#onDone = onDone;
  }

  get chunksWritten(): number {
    return this.#written;
  }
  get closed(): boolean {
    return this.#closed || this.#ending !== undefined;
  }

  write(chunk: string): Promise<void> {
    if (typeof chunk !== 'string') return Promise.reject(new M2MError('StreamError', { reason: 'a stream chunk must be a string', streamId: this.id }));
    if (this.closed) return Promise.reject(this.#closedError());
    const bytes = utf8ByteLength(chunk);
    if (this.#queue.length > 0 && this.#queuedBytes + bytes > this.#limits.maxPendingBytes) {
      return Promise.reject(new M2MError('StreamBackpressure', { reason: `more than ${this.#limits.maxPendingBytes} bytes queued; await earlier writes`, streamId: this.id, limit: 'maxPendingBytes', max: this.#limits.maxPendingBytes }));
    }
    this.#written++;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ chunk, bytes, resolve, reject });
      this.#queuedBytes += bytes;
      this.#pump();
    });
  }

  async end(...lastChunks: string[]): Promise<void> {
    if (this.closed) throw this.#closedError();
    const writes = lastChunks.map((c) => this.write(c));
    const done = new Promise<void>((resolve, reject) => (this.#ending = { chunk: '', bytes: 0, resolve, reject }));
    this.#pump();
    await Promise.all([...writes, done]);
  }

  async abort(reason = ''): Promise<void> {
    if (this.#closed) return;
    const dropped = this.#queue.splice(0);
    this.#queuedBytes = 0;
    const err = new M2MError('StreamClosed', { reason: 'aborted', streamId: this.id, chunksReceived: this.#seq });
    for (const p of dropped) p.reject(err);
    this.#ending?.reject(err);
    this.#ending = undefined;
    this.#finish(err);
    await this.#send(encodeStreamEnvelope({ id: this.id, seq: this.#seq, op: 'abort', chunks: [], reason })).catch(() => undefined);
  }

  /** The session ended: everything queued fails. */
  sessionEnded(error: unknown): void {
    if (this.#closed) return;
    const err = new M2MError('StreamClosed', { reason: 'the session ended', streamId: this.id }, { cause: error });
    for (const p of this.#queue.splice(0)) p.reject(err);
    this.#ending?.reject(err);
    this.#ending = undefined;
    this.#finish(err);
  }

  #finish(failure: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure = failure;
    this.#onDone(this);
  }

  #closedError(): M2MError {
    return isM2MError(this.#failure) && this.#failure.code === 'STREAM_CLOSED' ? this.#failure : new M2MError('StreamClosed', { reason: 'the stream was ended', streamId: this.id });
  }

  #pump(): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (!this.#closed && (this.#queue.length > 0 || this.#ending)) {
        const batch: Pending[] = [];
        let bytes = 0;
        while (this.#queue.length > 0 && (batch.length === 0 || bytes + this.#queue[0].bytes <= this.#limits.maxBatchBytes)) {
          const p = this.#queue.shift()!;
          bytes += p.bytes;
          batch.push(p);
        }
        this.#queuedBytes -= bytes;
        const ending = this.#queue.length === 0 ? this.#ending : undefined;
        const op: StreamOp = ending ? 'end' : 'data';
        const seq = this.#seq;
        this.#seq += batch.length;
        try {
          await this.#send(encodeStreamEnvelope({ id: this.id, seq, op, chunks: batch.map((p) => p.chunk) }));
        } catch (e) {
          for (const p of batch) p.reject(e);
          for (const p of this.#queue.splice(0)) p.reject(e);
          this.#ending?.reject(e);
          this.#ending = undefined;
          this.#finish(e);
          return;
        }
        for (const p of batch) p.resolve();
        if (ending) {
          this.#ending = undefined;
          this.#finish(undefined);
          ending.resolve();
        }
      }
    } finally {
      this.#pumping = false;
    }
  }
}
