/**
 * HTTP adapter, client side (global `fetch`, so Node and browsers): outgoing messages go in
 * `POST /message`, one POST at a time: a lone message is the body by itself, as the reference's
 * endpoint takes it, and the messages sent while a POST is under way go together in the next
 * one as a framed body (up to {@link HTTP_BATCH_BYTES}). The response carries the server's
 * queued messages, and one long-poll `GET /message` at a time brings the rest. Messages are put
 * back in order by their sequence numbers, since two responses can arrive in either order.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { ParkingQueue } from '../queue-park.js';
import { CONNECTION_HEADER, FRAMES_CONTENT_TYPE, HTTP_BATCH_BYTES, HTTP_RESPONSE_BYTES, joinFrames, SEQUENCE_HEADER, countFrames, framesOf } from './http-frames.js';
import { readBoundedBody } from './rest-client.js';
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_TRANSPORT_MESSAGE, DEFAULT_SEND_HIGH_WATER_BYTES, DEFAULT_SEND_TIMEOUT_MS, TAKEN, waitForDrain, type PollingIterator, type Transport, type TransportLimits } from './types.js';


/**
 * Why a `fetch` failed: undici says only "fetch failed" and keeps the reason (ECONNREFUSED, a
 * reset) in `cause`, which a reader of the error message needs.
 */
function fetchFailure(e: unknown): string {
  const message = (e as Error | undefined)?.message;
  const cause = (e as { cause?: { message?: unknown } } | undefined)?.cause?.message;
  return typeof cause === 'string' && cause !== message ? `${message} (${cause})` : String(message);
}

/**
 * A refusing server's plain-text explanation, short and on one line (e.g. this SDK's WebSocket
 * server answers an HTTP request with 426 and "connect with a ws:// URL"); nothing for other bodies.
 */
function serverSays(res: Response, body: Uint8Array): string {
  if (!res.headers.get('content-type')?.startsWith('text/plain') || !body.length) return '';
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces.
  const text = new TextDecoder().decode(body.subarray(0, 200)).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text ? `: ${text}` : '';
}

/**
 * Said with a 415: the Rust reference's `/message` takes JSON only and refuses this transport's
 * frames with 415 (../shared/reference/http-api.md); its dialer is `restTransport`.
 */
const REST_HINT = ' (a server that takes only JSON at /message, such as the Rust reference\'s HTTP API, needs { transport: restTransport } from @m2m/session/http; m2m connect --transport rest)';

/** A {@link Transport} over HTTP requests to `{base}/message`. */
export class HttpClientTransport implements Transport {
  /** Transport kind, always `http`. */
  readonly kind = 'http';
  /** The server's base URL, as given. */
  readonly remoteAddress: string;
  #endpoint: string;
  #connection: string | undefined;
  #inbox: ParkingQueue<Uint8Array>;
  /** Sequence number of the next message to deliver. */
  #nextSeq = 0;
  /**
   * Response bodies not yet delivered, by the sequence number of their first message. At most
   * two requests (a POST, a poll) are answered at a time and each waits until its batch is
   * delivered, so more than two here is a server numbering batches wrongly.
   */
  #early = new Map<number, { body: Uint8Array; count: number }>();
  /** True while one `#take` moves batches into the inbox (the only one that does, so batches never interleave). */
  #delivering = false;
  /** `#take` calls waiting for their batch to be delivered. */
  #deliveryWaiters: Array<() => void> = [];
  /** Requests sent whose response batch is not known yet: the only ones that can fill a gap before an early batch. */
  #unanswered = 0;
  #closed = false;
  /** The long poll in flight, aborted on close (one controller per request: a shared signal would collect a listener per fetch). */
  #pollRequest: AbortController | undefined;
  /** The POST in flight, aborted when the transport ends (a send timeout must not leave it hanging). */
  #postRequest: AbortController | undefined;
  #polling = false;
  #max: number;
  /** Messages waiting for the next POST, and their bytes. */
  #outgoing: Uint8Array[] = [];
  #outgoingBytes = 0;
  #posting = false;
  /** Woken when the POST loop stops (everything queued was sent, or the transport ended), or a POST is overdue. */
  #idleWaiters: Array<() => void> = [];
  /** True once the POST in flight went unanswered for `sendTimeoutMs`: close() does not wait for it. */
  #postOverdue = false;
  #roomWaiters: Array<() => void> = [];
  #sendHighWater: number;
  #sendTimeoutMs: number;
  #error: unknown;

  constructor(baseUrl: string, limits: TransportLimits = {}) {
    this.#endpoint = `${baseUrl.replace(/\/$/, '')}/message`;
    this.remoteAddress = baseUrl;
    this.#max = limits.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#sendHighWater = limits.sendHighWaterBytes ?? DEFAULT_SEND_HIGH_WATER_BYTES;
    this.#sendTimeoutMs = limits.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#inbox = new ParkingQueue({ capacity: limits.highWaterMark ?? 64, maxBytes: limits.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES });
  }

  #headers(contentType = 'application/octet-stream'): Record<string, string> {
    const h: Record<string, string> = { accept: FRAMES_CONTENT_TYPE, 'content-type': contentType };
    if (this.#connection) h[CONNECTION_HEADER] = this.#connection;
    return h;
  }

  /** Counts a request as unanswered until its `answered()` (idempotent) is called. */
  #sent(): { answered: () => void } {
    this.#unanswered++;
    let open = true;
    return {
      answered: () => {
        if (!open) return;
        open = false;
        this.#unanswered--;
        for (const w of this.#deliveryWaiters.splice(0)) w();
      },
    };
  }

  /** Reads a response (calling `bodyRead` once its body is in) and delivers its batch in sequence order. */
  async #take(res: Response, request: { answered: () => void }, bodyRead?: () => void): Promise<void> {
    // Always read the body (an unread one keeps the request and its abort listener alive), up to
    // what a server may put in one response.
    const body = await readBoundedBody(res, Math.max(HTTP_RESPONSE_BYTES, this.#max + 4), 'responseBytes');
    bodyRead?.();
    const id = res.headers.get(CONNECTION_HEADER);
    if (id) this.#connection = id;
    if (res.status === 410) return this.#end();
    if (res.status === 204) return;
    if (!res.ok) throw new M2MError('Network', { reason: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${this.#endpoint}${serverSays(res, body)}${res.status === 415 ? REST_HINT : ''}` });
    const seq = Number(res.headers.get(SEQUENCE_HEADER));
    const count = countFrames(body, this.#max);
    if (!count) return;
    if (!Number.isSafeInteger(seq)) throw new M2MError('InvalidMessage', { reason: 'HTTP response without a sequence number' });
    if (seq < this.#nextSeq || this.#early.has(seq) || this.#early.size >= 2) {
      throw new M2MError('InvalidMessage', { reason: `HTTP response batch ${seq} out of sequence (next ${this.#nextSeq})` });
    }
    this.#early.set(seq, { body, count });
    request.answered();
    await this.#deliver(seq);
  }

  /**
   * Moves batches into the inbox in sequence order, one batch after the other; returns once the
   * batch numbered `seq` was delivered (or the transport ended), so a response's request waits
   * for inbox room as before.
   */
  async #deliver(seq: number): Promise<void> {
    if (!this.#delivering) {
      this.#delivering = true;
      try {
        for (let batch = this.#early.get(this.#nextSeq); batch && !this.#closed; batch = this.#early.get(this.#nextSeq)) {
          this.#early.delete(this.#nextSeq);
          this.#nextSeq += batch.count;
          for (const m of framesOf(batch.body)) await this.#inbox.push(m);
        }
      } finally {
        this.#delivering = false;
        for (const w of this.#deliveryWaiters.splice(0)) w();
      }
    }
    while (!this.#closed) {
      if (this.#early.has(seq)) {
        // Early, and no request left whose answer could carry the messages before it.
        if (!this.#unanswered && !this.#delivering) throw new M2MError('InvalidMessage', { reason: `HTTP response batch ${seq} skips messages from ${this.#nextSeq}` });
      } else if (!this.#delivering || this.#nextSeq <= seq) return;
      await new Promise<void>((r) => this.#deliveryWaiters.push(r));
    }
  }

  #end(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    this.#pollRequest?.abort();
    this.#postRequest?.abort();
    this.#inbox.end(error);
    this.#early.clear();
    for (const w of this.#deliveryWaiters.splice(0)) w();
    this.#outgoing = [];
    this.#outgoingBytes = 0;
    for (const w of this.#roomWaiters.splice(0)) w();
  }

  /** A failed POST's error, else a plain "closed". */
  #closedError(): unknown {
    return this.#error instanceof M2MError && this.#error.kind === 'Network' ? this.#error : new M2MError('Network', { reason: 'HTTP transport is closed' });
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    while (!this.#closed) {
      try {
        this.#pollRequest = new AbortController();
        const request = this.#sent();
        try {
          const res = await fetch(this.#endpoint, { method: 'GET', headers: this.#headers(), signal: this.#pollRequest.signal });
          await this.#take(res, request);
        } finally {
          request.answered();
        }
      } catch (e) {
        if (!this.#closed) this.#end(e instanceof M2MError ? e : new M2MError('Network', { reason: `HTTP poll failed: ${fetchFailure(e)}` }, { cause: e }));
      }
    }
  }

  /**
   * Queues one message for the next POST (sent at once when none is under way); waits while
   * more than `sendHighWaterBytes` is queued.
   * @throws M2MError: Network when closed or a POST failed; Timeout when the queue stays full
   *   for `sendTimeoutMs` (the transport is then closed).
   */
  send(data: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    this.#outgoing.push(data);
    this.#outgoingBytes += data.length;
    if (!this.#posting) void this.#post();
    return this.#outgoingBytes <= this.#sendHighWater ? TAKEN : this.#waitForRoom();
  }

  async #waitForRoom(): Promise<void> {
    try {
      while (!this.#closed && this.#outgoingBytes > this.#sendHighWater) await waitForDrain((w) => this.#roomWaiters.push(w), this.#sendTimeoutMs);
    } catch (e) {
      this.#end(e);
      throw e;
    }
    if (this.#closed) throw this.#closedError();
  }

  /** Takes the next POST body: one message alone, or as many as fit in a framed batch. */
  #nextBody(): { body: Uint8Array; framed: boolean } {
    let count = 1;
    let size = 4 + this.#outgoing[0].length;
    while (count < this.#outgoing.length && size + 4 + this.#outgoing[count].length <= HTTP_BATCH_BYTES) size += 4 + this.#outgoing[count++].length;
    const batch = this.#outgoing.splice(0, count);
    this.#outgoingBytes -= size - 4 * count;
    if (this.#outgoingBytes <= this.#sendHighWater) for (const w of this.#roomWaiters.splice(0)) w();
    return count === 1 ? { body: batch[0], framed: false } : { body: joinFrames(batch), framed: true };
  }

  /** The POST in flight went unanswered for `sendTimeoutMs`: a close() waiting for it goes on. */
  #overdue(): void {
    this.#postOverdue = true;
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  /** Sends POSTs, one at a time, until nothing is queued. */
  async #post(): Promise<void> {
    this.#posting = true;
    try {
      while (this.#outgoing.length && !this.#closed) {
        const { body, framed } = this.#nextBody();
        let res: Response;
        const request = this.#sent();
        // A POST unanswered for sendTimeoutMs is overdue: close() stops waiting for it then
        // (the session's own timers, HELLO and PING, decide what a silent server means).
        const late = setTimeout(() => this.#overdue(), this.#sendTimeoutMs);
        try {
          try {
            this.#postRequest = new AbortController();
            res = await fetch(this.#endpoint, { method: 'POST', headers: this.#headers(framed ? FRAMES_CONTENT_TYPE : undefined), body: body as Uint8Array<ArrayBuffer>, signal: this.#postRequest.signal });
          } catch (e) {
            throw new M2MError('Network', { reason: `HTTP POST to ${this.#endpoint} failed: ${fetchFailure(e)}` }, { cause: e });
          }
          // The body counts as the answer too; delivering it to the inbox (which waits for this
          // side's reader) does not.
          await this.#take(res, request, () => {
            clearTimeout(late);
            this.#postOverdue = false;
          });
        } finally {
          clearTimeout(late);
          request.answered();
        }
        void this.#poll();
      }
    } catch (e) {
      this.#end(e instanceof M2MError ? e : new M2MError('Network', { reason: `HTTP POST to ${this.#endpoint} failed: ${fetchFailure(e)}` }, { cause: e }));
    } finally {
      this.#posting = false;
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  /**
   * Sends what is queued, then ends the connection with a `DELETE`; all of it within
   * `sendTimeoutMs` from the call, and sooner when a POST goes unanswered for `sendTimeoutMs`
   * from its start (a silent server: its POST began before close() was called).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), this.#sendTimeoutMs);
    try {
      if (this.#posting && !this.#postOverdue) {
        await new Promise<void>((resolve) => {
          this.#idleWaiters.push(resolve);
          giveUp.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      if (this.#closed) return;
      const headers = this.#headers();
      this.#end();
      if (this.#connection && !giveUp.signal.aborted) await fetch(this.#endpoint, { method: 'DELETE', headers, signal: giveUp.signal }).catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Iterates messages received from the server (POST answers and long-poll GETs) until the transport closes. */
  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}
