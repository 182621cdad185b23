/**
 * The streams of one session: opens outgoing streams, routes incoming stream messages to their
 * {@link IncomingStream}, enforces the bounds (concurrent streams each way, bytes buffered per
 * stream) and the per-stream timeout, and ends every open stream when the session ends.
 * `Session` owns one and calls it from two hooks: DATA whose content is a stream envelope, and
 * the session's end.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { Clock } from '../clock.js';
import { AsyncQueue } from '../queue.js';
import { decodeStreamEnvelope, MAX_STREAM_ID_LENGTH } from './envelope.js';
import { IncomingStreamImpl, type IncomingStream } from './incoming.js';
import { StreamWriterImpl, type StreamWriter } from './writer.js';

/** Stream settings of a session. */
export interface StreamOptions {
  /** Open streams per direction (default 16). More incoming ones end the session: the peer broke the bound. */
  maxStreams?: number;
  /** Bytes of chunks buffered per incoming stream before the session stops reading (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Bytes a writer queues before `write` fails with `STREAM_BACKPRESSURE` (default 1 MiB). */
  maxPendingBytes?: number;
  /** Largest DATA a writer batches queued chunks into (default 64 KiB). */
  maxBatchBytes?: number;
  /** An incoming stream with no message for this long ends with `STREAM_TIMEOUT` (default 120 s). */
  timeoutMs?: number;
}

/** Options of `openStream` (`@m2m/session/streams`). */
export interface OpenStreamOptions {
  /** Stream id (default: the next number as text); unique among this side's open streams. */
  id?: string;
}

/** @internal */
export interface StreamMuxHost {
  /** Sends DATA content (the session's `send`). */
  send(content: string): Promise<void>;
  /** Whether both sides negotiated streaming. */
  streamingNegotiated(): boolean;
  /** The negotiated largest DATA content in bytes (0 = unlimited). */
  maxPayload(): number;
  clock: Clock;
}

/** Ids of ended incoming streams remembered so their late messages are dropped, not mistaken for new streams. */
const RECENTLY_ENDED = 64;

/** @internal One session's streams. */
export class StreamMux {
  #host: StreamMuxHost;
  #maxStreams: number;
  #maxBuffered: number;
  #maxPending: number;
  #maxBatch: number;
  #timeoutMs: number;
  #incoming = new Map<string, IncomingStreamImpl>();
  #outgoing = new Map<string, StreamWriterImpl>();
  #ended: string[] = [];
  #accepted: AsyncQueue<IncomingStream>;
  #nextId = 1;
  #timer: unknown;
  #closedWith: unknown;
  #isClosed = false;

  constructor(host: StreamMuxHost, options: StreamOptions = {}) {
    this.#host = host;
    this.#maxStreams = options.maxStreams ?? 16;
    this.#maxBuffered = options.maxBufferedBytes ?? 1 << 20;
    this.#maxPending = options.maxPendingBytes ?? 1 << 20;
    this.#maxBatch = options.maxBatchBytes ?? 64 << 10;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#accepted = new AsyncQueue({ capacity: this.#maxStreams });
  }

  /** Incoming streams in the order they opened. */
  get incoming(): AsyncIterable<IncomingStream> {
    return this.#accepted;
  }

  /**
   * Opens an outgoing stream.
   * @throws M2MError: CapabilityMismatch (streaming not negotiated), StreamBackpressure (already
   *   `maxStreams` open), StreamError (an id in use or not 1–64 characters), StreamClosed (the
   *   session ended).
   */
  open(options: OpenStreamOptions = {}): StreamWriter {
    if (this.#isClosed) throw new M2MError('StreamClosed', { reason: 'the session ended' }, { cause: this.#closedWith });
    if (!this.#host.streamingNegotiated()) throw new M2MError('CapabilityMismatch', { reason: 'streaming was not negotiated: the peer does not advertise it' });
    if (this.#outgoing.size >= this.#maxStreams) {
      throw new M2MError('StreamBackpressure', { reason: `${this.#maxStreams} streams already open`, limit: 'maxStreams', max: this.#maxStreams });
    }
    const id = options.id ?? String(this.#nextId++);
    if (id.length === 0 || id.length > MAX_STREAM_ID_LENGTH) throw new M2MError('StreamError', { reason: `stream ids are 1-${MAX_STREAM_ID_LENGTH} characters` });
    if (this.#outgoing.has(id)) throw new M2MError('StreamError', { reason: 'a stream with this id is open', streamId: id });
    // A batch must fit the negotiated DATA size once framed (base64 and headers add about a third).
    const maxPayload = this.#host.maxPayload();
    const maxBatchBytes = maxPayload > 0 ? Math.min(this.#maxBatch, Math.floor(maxPayload / 2)) : this.#maxBatch;
    const w = new StreamWriterImpl(id, (c) => this.#host.send(c), { maxPendingBytes: this.#maxPending, maxBatchBytes }, (x) => {
      if (this.#outgoing.get(x.id) === x) this.#outgoing.delete(x.id);
    });
    this.#outgoing.set(id, w);
    return w;
  }

  /**
   * Routes one stream message (DATA content with the envelope prefix). Resolves when the target
   * stream has buffer room again.
   * @throws M2MError: StreamError (malformed envelope), StreamBackpressure (the peer opened more
   *   than `maxStreams` streams). Both end the session: the peer broke the protocol.
   */
  async receive(content: string): Promise<void> {
    const e = decodeStreamEnvelope(content);
    let s = this.#incoming.get(e.id);
    if (!s) {
      if (this.#ended.includes(e.id) || this.#isClosed) return;
      if (this.#incoming.size >= this.#maxStreams) {
        throw new M2MError('StreamBackpressure', { reason: `the peer opened more than ${this.#maxStreams} streams`, streamId: e.id, limit: 'maxStreams', max: this.#maxStreams });
      }
      s = new IncomingStreamImpl(e.id, this.#maxBuffered, this.#host.clock.now(), (x) => this.#incomingDone(x));
      this.#incoming.set(e.id, s);
      this.#arm();
      // Streams the application has not taken yet are bounded too: reading stops until it does.
      await this.#accepted.push(s);
    }
    await s.accept(e, this.#host.clock.now());
  }

  /** The session ended: open incoming streams end with `STREAM_CLOSED`, writers fail. */
  sessionEnded(error: unknown): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closedWith = error;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    for (const s of [...this.#incoming.values()]) {
      s.fail(new M2MError('StreamClosed', { reason: 'the session ended before the stream did', streamId: s.id, chunksReceived: s.chunksReceived }, error === undefined ? undefined : { cause: error }));
    }
    for (const w of [...this.#outgoing.values()]) w.sessionEnded(error);
    this.#accepted.end();
  }

  #incomingDone(s: IncomingStreamImpl): void {
    if (this.#incoming.get(s.id) !== s) return;
    this.#incoming.delete(s.id);
    this.#ended.push(s.id);
    if (this.#ended.length > RECENTLY_ENDED) this.#ended.shift();
  }

  /** One timer for all incoming streams, at the earliest deadline. */
  #arm(): void {
    if (this.#timer !== undefined || this.#incoming.size === 0 || this.#isClosed) return;
    let earliest = Infinity;
    for (const s of this.#incoming.values()) earliest = Math.min(earliest, s.lastHeard);
    const wait = Math.max(0, earliest + this.#timeoutMs - this.#host.clock.now());
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#timer = undefined;
      const now = this.#host.clock.now();
      for (const s of [...this.#incoming.values()]) {
        if (now - s.lastHeard >= this.#timeoutMs) s.fail(new M2MError('StreamTimeout', { streamId: s.id, ms: this.#timeoutMs, chunksReceived: s.chunksReceived }));
      }
      this.#arm();
    }, wait);
  }
}
