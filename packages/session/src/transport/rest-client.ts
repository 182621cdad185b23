/**
 * The `rest` transport, client side: speaks the Rust reference's `POST /message` API as its own
 * clients do (global `fetch`, so Node and browsers). Every outgoing message is one request whose
 * body is the `json` codec's text with `content-type: application/json`; the reply body, when
 * there is one, is the next incoming message. DATA, PING and CLOSE find their session by the
 * `session_id` inside the message, so the transport keeps no connection state of its own.
 * Replies are bounded while they are read (`maxMessageBytes`), never buffered past the limit.
 * @module
 */
import { M2MError, isM2MError } from '@m2m/core/internal';
import { ByteRuns } from './byte-runs.js';
import { ParkingQueue } from '../queue-park.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE, type PollingIterator, type Transport, type TransportLimits } from './types.js';

/** Options of {@link RestClientTransport}. */
export interface RestClientOptions extends TransportLimits {
  /** Extra request headers (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** Aborts every request in flight when it fires. */
  signal?: AbortSignal;
}

/**
 * Reads the body of a `Response` or `Request` up to `max` bytes, counting as it reads.
 * @throws M2MError: LimitExceeded (details `limit`) as soon as the declared length or the bytes
 *   read pass `max`; the rest is not read.
 */
export async function readBoundedBody(res: { headers: Headers; body: ReadableStream<Uint8Array> | null }, max: number, limit = 'bodyBytes'): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new M2MError('LimitExceeded', { limit, actual: declared, max });
  }
  if (!res.body) return new Uint8Array(0);
  // A declared length within the limit bounds the body already (HTTP framing stops there), and
  // arrayBuffer() skips a stream reader per chunk; but not a body with a content encoding, which
  // fetch inflates by itself (its length bounds only the compressed bytes): that one is counted
  // as it is read.
  const encoding = res.headers.get('content-encoding');
  const plain = encoding === null || encoding.trim().toLowerCase() === 'identity';
  if (plain && Number.isFinite(declared) && 'arrayBuffer' in res && typeof res.arrayBuffer === 'function') return new Uint8Array(await (res as Response).arrayBuffer());
  const reader = res.body.getReader();
  const parts = new ByteRuns();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const total = parts.bytes + value.length;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new M2MError('LimitExceeded', { limit, actual: total, max });
    }
    parts.push(value);
  }
  return parts.join();
}

/**
 * A {@link Transport} over the reference's `POST {base}/message` (one JSON session message per
 * request, the reply in the response). Use it with the `json` codec: `connect(url, { transport: restTransport })` (`@m2m/session/http`).
 */
export class RestClientTransport implements Transport {
  /** Transport kind, always `rest`. */
  readonly kind = 'rest';
  /** The server's `host[:port]`, from the base URL. */
  readonly remoteAddress: string;
  #endpoint: string;
  #inbox: ParkingQueue<Uint8Array>;
  #closed = false;
  #max: number;
  #headers: Record<string, string>;
  #abort = new AbortController();

  /** @throws M2MError: Config when `baseUrl` is not an http(s) URL. */
  constructor(baseUrl: string, options: RestClientOptions = {}) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch (e) {
      throw new M2MError('Config', { reason: `not a URL: ${String(baseUrl)}` }, { cause: e });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new M2MError('Config', { reason: `rest transport needs an http: or https: URL, got ${u.protocol}` });
    this.#endpoint = `${baseUrl.replace(/\/+$/, '')}/message`;
    this.remoteAddress = u.host;
    this.#max = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#inbox = new ParkingQueue({ capacity: options.highWaterMark ?? 64 });
    this.#headers = { ...options.headers, 'content-type': 'application/json', accept: 'application/json' };
    options.signal?.addEventListener('abort', () => this.abort(), { once: true });
  }

  /**
   * POSTs one message; the reply (if any) becomes the next incoming message. A reply that is not
   * a JSON message (the reference's 415/422/500 texts) ends the transport with an error.
   * @throws M2MError: Network (request failed, non-JSON reply), LimitExceeded (reply too large).
   */
  async send(data: Uint8Array): Promise<void> {
    if (this.#closed) throw new M2MError('Network', { reason: 'rest transport is closed' });
    let res: Response;
    try {
      res = await fetch(this.#endpoint, { method: 'POST', headers: this.#headers, body: data as Uint8Array<ArrayBuffer>, signal: this.#abort.signal });
    } catch (e) {
      throw this.#fail(new M2MError('Network', { reason: `POST ${this.#endpoint} failed: ${(e as Error)?.message}` }, { cause: e }));
    }
    let body: Uint8Array;
    try {
      body = await readBoundedBody(res, this.#max, 'responseBytes');
    } catch (e) {
      throw this.#fail(isM2MError(e) ? e : new M2MError('Network', { reason: `reading the reply failed: ${(e as Error)?.message}` }, { cause: e }));
    }
    if (body.length === 0) {
      if (res.ok) return;
      throw this.#fail(new M2MError('Network', { reason: `HTTP ${res.status} from ${this.#endpoint}` }));
    }
    // A JSON message (ACCEPT, REJECT, DATA, PONG, CLOSE) goes to the session whatever the status:
    // the reference answers 400/404 with a REJECT message. Anything else is a transport failure.
    if (!(res.headers.get('content-type') ?? '').includes('application/json')) {
      const text = new TextDecoder().decode(body.subarray(0, 200));
      throw this.#fail(new M2MError('Network', { reason: `HTTP ${res.status} from ${this.#endpoint}: ${text}` }));
    }
    if (!this.#closed) await this.#inbox.push(body);
  }

  #fail(error: M2MError): M2MError {
    if (!this.#closed) {
      this.#closed = true;
      this.#inbox.end(error);
    }
    return error;
  }

  /** Ends incoming iteration; nothing is sent (the session sends CLOSE itself). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.end();
  }

  /** Aborts requests in flight and ends the transport. */
  abort(): void {
    this.#abort.abort();
    void this.close();
  }

  /** Iterates messages received in the server's answers until the transport closes. */
  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}
