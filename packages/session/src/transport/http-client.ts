/**
 * HTTP adapter, client side (global `fetch`, so Node and browsers): every outgoing message is
 * one `POST /message`, as the reference's endpoint; the response carries the server's queued
 * messages, and one long-poll `GET /message` at a time brings the rest. Messages are put back
 * in order by their sequence numbers, since two responses can arrive in either order.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { AsyncQueue } from '../queue.js';
import { CONNECTION_HEADER, FRAMES_CONTENT_TYPE, SEQUENCE_HEADER, splitFrames } from './http-frames.js';
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_TRANSPORT_MESSAGE, type Transport, type TransportLimits } from './types.js';

/** A {@link Transport} over HTTP requests to `{base}/message`. */
export class HttpClientTransport implements Transport {
  readonly kind = 'http';
  readonly remoteAddress: string;
  #endpoint: string;
  #connection: string | undefined;
  #inbox: AsyncQueue<Uint8Array>;
  #nextSeq = 0;
  #early = new Map<number, Uint8Array[]>();
  #closed = false;
  /** The long poll in flight, aborted on close (one controller per request: a shared signal would collect a listener per fetch). */
  #pollRequest: AbortController | undefined;
  #polling = false;
  #max: number;

  constructor(baseUrl: string, limits: TransportLimits = {}) {
    this.#endpoint = `${baseUrl.replace(/\/$/, '')}/message`;
    this.remoteAddress = baseUrl;
    this.#max = limits.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#inbox = new AsyncQueue({ capacity: limits.highWaterMark ?? 64, maxBytes: limits.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES });
  }

  #headers(): Record<string, string> {
    const h: Record<string, string> = { accept: FRAMES_CONTENT_TYPE, 'content-type': 'application/octet-stream' };
    if (this.#connection) h[CONNECTION_HEADER] = this.#connection;
    return h;
  }

  async #take(res: Response): Promise<void> {
    // Always read the body: an unread one keeps the request (and its abort listener) alive.
    const body = new Uint8Array(await res.arrayBuffer());
    const id = res.headers.get(CONNECTION_HEADER);
    if (id) this.#connection = id;
    if (res.status === 410) return this.#end();
    if (res.status === 204) return;
    if (!res.ok) throw new M2MError('Network', { reason: `HTTP ${res.status} from ${this.#endpoint}` });
    const seq = Number(res.headers.get(SEQUENCE_HEADER));
    const messages = splitFrames(body, this.#max);
    if (!messages.length) return;
    if (!Number.isSafeInteger(seq)) throw new M2MError('InvalidMessage', { reason: 'HTTP response without a sequence number' });
    this.#early.set(seq, messages);
    for (let batch = this.#early.get(this.#nextSeq); batch; batch = this.#early.get(this.#nextSeq)) {
      this.#early.delete(this.#nextSeq);
      this.#nextSeq += batch.length;
      for (const m of batch) await this.#inbox.push(m);
    }
  }

  #end(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pollRequest?.abort();
    this.#inbox.end(error);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    while (!this.#closed) {
      try {
        this.#pollRequest = new AbortController();
        const res = await fetch(this.#endpoint, { method: 'GET', headers: this.#headers(), signal: this.#pollRequest.signal });
        await this.#take(res);
      } catch (e) {
        if (!this.#closed) this.#end(e instanceof M2MError ? e : new M2MError('Network', { reason: `HTTP poll failed: ${(e as Error)?.message}` }, { cause: e }));
      }
    }
  }

  async send(data: Uint8Array): Promise<void> {
    if (this.#closed) throw new M2MError('Network', { reason: 'HTTP transport is closed' });
    let res: Response;
    try {
      res = await fetch(this.#endpoint, { method: 'POST', headers: this.#headers(), body: data as Uint8Array<ArrayBuffer> });
    } catch (e) {
      const err = new M2MError('Network', { reason: `HTTP POST failed: ${(e as Error)?.message}` }, { cause: e });
      this.#end(err);
      throw err;
    }
    await this.#take(res);
    void this.#poll();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const headers = this.#headers();
    this.#end();
    if (this.#connection) await fetch(this.#endpoint, { method: 'DELETE', headers }).catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}
