/**
 * HTTP adapter, server side (node:http): `POST /message` delivers one message (or, with
 * content type `application/x-m2m-frames`, several, read one by one as the body arrives) and answers with
 * what the session queued in reply (held up to `replyWindowMs`, so HELLO is answered by ACCEPT
 * in the same exchange, as the reference's endpoint); `GET /message` long-polls for more;
 * `DELETE /message` ends the connection. Clients that do not ask for
 * `application/x-m2m-frames` (a Rust reference client) get the first reply alone, as the body.
 * With a CORS policy, `OPTIONS /message` answers browsers' preflights (transport/http-cors.ts).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { M2MError } from '@m2m/core/internal';
import { ParkingQueue } from '../queue-park.js';
import { CONNECTION_HEADER, FRAMES_CONTENT_TYPE, HTTP_BATCH_BYTES, HTTP_RESPONSE_BYTES, joinFrames, SEQUENCE_HEADER } from './http-frames.js';
import { ConnectionAccount } from './budget.js';
import type { CorsPolicy } from './http-cors.js';
import { LengthPrefixedReader } from './length-prefixed.js';
import { DEFAULT_HIGH_WATER_BYTES, DEFAULT_MAX_TRANSPORT_MESSAGE, DEFAULT_SEND_HIGH_WATER_BYTES, DEFAULT_SEND_TIMEOUT_MS, waitForDrain, type PollingIterator, type Transport, type TransportLimits } from './types.js';

const POLL_MS = 25_000;

/** The part of a node:http response that {@link HttpServerTransport.drain} watches. */
export interface ClosableResponse {
  /** True once the response ended or its connection closed. */
  readonly closed: boolean;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** HELLO or PING, in either codec (JSON text, or a MessagePack array whose first item is the type). */
function expectsReply(body: Uint8Array): boolean {
  if (body[0] === 0x94) return body[1] === 0 || body[1] === 4;
  const head = new TextDecoder().decode(body.subarray(0, 64));
  return /"type"\s*:\s*"(HELLO|PING)"/.test(head);
}

/**
 * A POST that a page of another origin can make a browser send without a preflight: an `Origin`
 * that is not this server's, with a CORS-safelisted content type (text/plain, a form, or none),
 * which the SDK's clients never send. Without `allowOrigins` it is refused unprocessed, as
 * CorsPolicy.admits refuses it with one: the browser hides the answer, but a HELLO in it opened
 * a session (test/attack-http-cross-site.test.ts).
 */
function simpleCrossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  const host = req.headers.host;
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return false;
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === '' || type === 'text/plain' || type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

/** One HTTP adapter connection, seen from the server. */
export class HttpServerTransport implements Transport {
  readonly kind = 'http';
  readonly remoteAddress: string;
  readonly id = globalThis.crypto.randomUUID();
  readonly inbox: ParkingQueue<Uint8Array>;
  /** Bytes each POST body may carry now (small until the handshake is done). */
  maxIncoming: number;
  /** Longest message whose reading waits for the next limit (the handshake's outcome) instead of being refused. */
  holdUpTo = 0;
  /** Bodies waiting for the next `limitIncoming` (or the end). */
  #limitWaiters: Array<() => void> = [];
  /** What this connection holds (POST bodies being read, messages not yet read). */
  readonly account: ConnectionAccount;
  #outbox: Uint8Array[] = [];
  #outboxBytes = 0;
  #seq = 0;
  #waiters: Array<() => void> = [];
  #roomWaiters: Array<() => void> = [];
  #closed = false;
  #sendHighWater: number;
  #sendTimeoutMs: number;
  lastSeen = Date.now();
  #resolveEnded!: (error: unknown) => void;
  readonly ended: Promise<unknown> = new Promise((r) => (this.#resolveEnded = r));
  constructor(remoteAddress: string, limits: TransportLimits = {}, account: ConnectionAccount = new ConnectionAccount(undefined)) {
    this.remoteAddress = remoteAddress;
    this.maxIncoming = limits.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.#sendHighWater = limits.sendHighWaterBytes ?? DEFAULT_SEND_HIGH_WATER_BYTES;
    this.#sendTimeoutMs = limits.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.account = account;
    this.inbox = new ParkingQueue<Uint8Array>({
      capacity: limits.highWaterMark ?? 64,
      maxBytes: limits.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
      onTake: (m) => this.account.release(m.byteLength),
    });
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Bytes queued for the client and not yet taken by a response. */
  get outboxBytes(): number {
    return this.#outboxBytes;
  }
  limitIncoming(maxMessageBytes: number, holdUpTo = 0): void {
    this.maxIncoming = maxMessageBytes;
    this.holdUpTo = holdUpTo;
    for (const w of this.#limitWaiters.splice(0)) w();
  }
  /**
   * Whether a message of `length` bytes may be read: at once when within the limit; when within
   * `holdUpTo` only, once the handshake's outcome set the limit (the body's reading waits here,
   * holding what it read so far); false when too long or the connection ended.
   */
  async admits(length: number): Promise<boolean> {
    while (length > this.maxIncoming && length <= this.holdUpTo && !this.#closed) await new Promise<void>((r) => this.#limitWaiters.push(r));
    return length <= this.maxIncoming && !this.#closed;
  }
  /**
   * Queues one message for the client's next response; waits while more than the send
   * high-water mark is queued (the client is not polling).
   * @throws M2MError: Network when closed; Timeout when the client takes nothing for
   *   `sendTimeoutMs` (the connection is then closed).
   */
  async send(data: Uint8Array): Promise<void> {
    if (this.#closed) throw new M2MError('Network', { reason: 'HTTP connection is closed' });
    this.#outbox.push(data);
    this.#outboxBytes += data.length;
    for (const w of this.#waiters.splice(0)) w();
    if (this.#outboxBytes <= this.#sendHighWater) return;
    try {
      while (this.#outboxBytes > this.#sendHighWater && !this.#closed) await waitForDrain((w) => this.#roomWaiters.push(w), this.#sendTimeoutMs);
    } catch (e) {
      this.#end(e);
      throw e;
    }
    if (this.#closed) throw new M2MError('Network', { reason: 'HTTP connection is closed' });
  }
  /**
   * Waits until something is queued (or `ms` passes / the connection ends / `response` closes),
   * then takes it: with `all`, as many messages as fit in HTTP_RESPONSE_BYTES (at least one),
   * else one. A response already closed (its client went away while it waited) takes nothing:
   * the messages stay for the connection's next request instead of going to a dead socket
   * (test/attack-http-poll.test.ts).
   */
  async drain(ms: number, all: boolean, response?: ClosableResponse): Promise<{ seq: number; messages: Uint8Array[] }> {
    if (!this.#outbox.length && !this.#closed && ms > 0 && !response?.closed) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          response?.off('close', wake);
          // Gone from the list whichever way it woke: a poll that timed out or whose client
          // left must not stay behind for every later send to call.
          const i = this.#waiters.indexOf(wake);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve();
        };
        const t = setTimeout(wake, ms);
        this.#waiters.push(wake);
        response?.once('close', wake);
      });
    }
    if (response?.closed) return { seq: this.#seq, messages: [] };
    const seq = this.#seq;
    let count = Math.min(1, this.#outbox.length);
    for (let bytes = count ? 4 + this.#outbox[0].length : 0; all && count < this.#outbox.length && bytes + 4 + this.#outbox[count].length <= HTTP_RESPONSE_BYTES; count++) bytes += 4 + this.#outbox[count].length;
    const messages = this.#outbox.splice(0, count);
    this.#seq += messages.length;
    for (const m of messages) this.#outboxBytes -= m.length;
    if (messages.length) for (const w of this.#roomWaiters.splice(0)) w();
    return { seq, messages };
  }
  /** Ends the connection; with an error, iteration throws it and unread messages are dropped. */
  #end(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.inbox.end(error);
    if (error !== undefined) {
      this.inbox.discard();
      this.#outbox = [];
      this.#outboxBytes = 0;
    }
    this.account.close();
    this.#resolveEnded(error);
    for (const w of this.#waiters.splice(0)) w();
    for (const w of this.#roomWaiters.splice(0)) w();
    for (const w of this.#limitWaiters.splice(0)) w();
  }
  /** Ends the connection for something the client did (iteration fails with `error`). */
  refuse(error: unknown): void {
    this.#end(error);
  }
  async close(): Promise<void> {
    this.#end();
  }
  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]();
  }
}

/** Routes HTTP requests to connections; new connections go to `admit`. */
export function httpHandler(options: {
  admit: (t: HttpServerTransport) => void;
  maxMessageBytes: number;
  /** Largest body of a connection's first POST (its HELLO); default `maxMessageBytes`. */
  maxFirstMessageBytes?: number;
  /** Limits of each connection's transport. */
  limits?: TransportLimits;
  /** Makes the account of a new connection (a server's shared budget). */
  account?: () => ConnectionAccount;
  replyWindowMs?: number;
  idleMs?: number;
  /** Cross-origin access (transport/http-cors.ts); none: same origin only. */
  cors?: CorsPolicy;
}) {
  const connections = new Map<string, HttpServerTransport>();
  const replyWindow = options.replyWindowMs ?? 200;
  const idleMs = options.idleMs ?? 60_000;
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, c] of connections) if (c.closed || now - c.lastSeen > idleMs) {
      connections.delete(id);
      void c.close();
    }
  }, Math.min(idleMs, 10_000));
  sweeper.unref();

  const reply = (res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: Uint8Array) => {
    res.writeHead(status, headers);
    res.end(body);
  };
  /** Answers without reading the rest of the body, and drops the socket (it may still be sending). */
  const refuseBody = (req: IncomingMessage, res: ServerResponse, status: number) => {
    // The socket is taken now: node:http detaches it from the request once the response is done.
    const socket = req.socket;
    res.writeHead(status, { connection: 'close' });
    res.end(() => socket.destroy());
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/message') return reply(res, 404);
    if (options.cors) {
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
      if (req.method === 'OPTIONS') {
        const allow = options.cors.preflightHeaders(origin);
        // A refusal varies by Origin too (the vary header of responseHeaders), so caches key on it.
        return reply(res, allow ? 204 : 403, allow ?? options.cors.responseHeaders(origin));
      }
      // Refused before anything is read or opened: a cross-origin page's simple POST is not preflighted.
      if (!options.cors.admits(origin, req.headers.host)) return reply(res, 403, options.cors.responseHeaders(origin));
      // Set before any answer (410 and 413 included): a browser hides from the page every
      // response without them, and the client must see those statuses.
      const headers = options.cors.responseHeaders(origin);
      if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    } else if (req.method === 'POST' && simpleCrossOrigin(req)) return reply(res, 403);
    const id = req.headers[CONNECTION_HEADER];
    let conn = typeof id === 'string' ? connections.get(id) : undefined;
    if (typeof id === 'string' && !conn) return reply(res, 410);
    const framed = String(req.headers.accept ?? '').includes(FRAMES_CONTENT_TYPE);
    if (req.method === 'DELETE') {
      if (conn) {
        connections.delete(conn.id);
        await conn.close();
      }
      return reply(res, 204);
    }
    if (req.method === 'GET') {
      if (!conn) return reply(res, 400);
      conn.lastSeen = Date.now();
      const { seq, messages } = await conn.drain(POLL_MS, true, res);
      if (!messages.length) return reply(res, conn.closed ? 410 : 204, { [CONNECTION_HEADER]: conn.id });
      return reply(res, 200, { 'content-type': FRAMES_CONTENT_TYPE, [CONNECTION_HEADER]: conn.id, [SEQUENCE_HEADER]: String(seq) }, joinFrames(messages));
    }
    if (req.method !== 'POST') return reply(res, 405);
    if (String(req.headers['content-type'] ?? '').startsWith(FRAMES_CONTENT_TYPE)) {
      // A connection starts with its HELLO alone; batches come after.
      if (!conn) return reply(res, 400);
      return postBatch(req, res, conn, framed);
    }
    let max = conn ? conn.maxIncoming : (options.maxFirstMessageBytes ?? options.maxMessageBytes);
    const declared = Number(req.headers['content-length']);
    // A body over the handshake's limit waits for its outcome (conn.admits) before it is read.
    // A refused body ends its connection's session (LimitExceeded) as a refused batch does: the
    // client gave up on the 413, so the session must not live on until the idle sweep.
    const tooLarge = (actual: number) => {
      conn?.refuse(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual, max }));
      return refuseBody(req, res, 413);
    };
    if (declared > max && !(conn && (await conn.admits(declared)))) return tooLarge(declared);
    if (conn) max = conn.maxIncoming;
    // Small reads copied together (length-prefixed.ts): a trickled body costs its size.
    const chunks = new LengthPrefixedReader();
    let size = 0;
    // A body being read is held by its connection (a first POST is small-bounded instead).
    const holder = conn;
    let held = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max && !(holder && (await holder.admits(size)))) {
          holder?.account.release(held);
          return tooLarge(size);
        }
        if (holder) max = holder.maxIncoming;
        holder?.account.hold(chunk.length);
        held += chunk.length;
        chunks.push(chunk);
      }
    } catch (e) {
      holder?.account.release(held);
      if (!(e instanceof M2MError) || !holder) throw e;
      holder.refuse(e);
      return refuseBody(req, res, 503);
    }
    if (holder?.closed) return reply(res, 410);
    if (!conn) {
      conn = new HttpServerTransport(`${req.socket.remoteAddress}:${req.socket.remotePort}`, { ...options.limits, maxMessageBytes: max }, options.account?.());
      try {
        conn.account.hold(size);
      } catch {
        return reply(res, 503);
      }
      connections.set(conn.id, conn);
      options.admit(conn);
    }
    conn.lastSeen = Date.now();
    const body = chunks.takeAll();
    await conn.inbox.push(body);
    return answer(res, conn, expectsReply(body), framed);
  };

  /**
   * Answers a POST with what the connection queued for the client; held up to the reply window
   * when it carried a message that is answered (HELLO, PING), else at once.
   */
  const answer = async (res: ServerResponse, conn: HttpServerTransport, expects: boolean, framed: boolean) => {
    const { seq, messages } = await conn.drain(expects ? replyWindow : 0, framed, res);
    const headers: Record<string, string> = { [CONNECTION_HEADER]: conn.id };
    if (!messages.length) return reply(res, conn.closed ? 410 : 204, headers);
    if (framed) return reply(res, 200, { ...headers, 'content-type': FRAMES_CONTENT_TYPE, [SEQUENCE_HEADER]: String(seq) }, joinFrames(messages));
    return reply(res, 200, { ...headers, 'content-type': messages[0][0] === 0x7b ? 'application/json' : 'application/octet-stream' }, messages[0]);
  };

  /**
   * A framed POST: several length-prefixed messages, each handed to the connection as soon as
   * it is whole (one copy, transport/length-prefixed.ts), so the body's reading waits with a
   * full inbox. The body may be up to HTTP_BATCH_BYTES or one message's limit + 4, whichever is
   * larger; every message is held to the connection's limit.
   */
  const postBatch = async (req: IncomingMessage, res: ServerResponse, conn: HttpServerTransport, framed: boolean) => {
    let max = conn.maxIncoming;
    // During the handshake, a message up to `holdUpTo` may follow the AUTH: its reading waits
    // for the handshake's outcome (conn.admits).
    const bodyMax = Math.max(Math.max(max, conn.holdUpTo) + 4, HTTP_BATCH_BYTES);
    const reader = new LengthPrefixedReader();
    let size = 0;
    /** Bytes of this body held by the connection and not yet handed over as messages. */
    let held = 0;
    let expects = false;
    const fail = (error: unknown, status: number) => {
      conn.account.release(held);
      conn.refuse(error);
      return refuseBody(req, res, status);
    };
    // Refused from its declared length as from its bytes: the session ends with the limit too,
    // instead of living on until the idle sweep while its client already gave up on the 413.
    const declared = Number(req.headers['content-length']);
    if (declared > bodyMax) return fail(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: declared, max: bodyMax }), 413);
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > bodyMax) return fail(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: size, max: bodyMax }), 413);
        conn.account.hold(chunk.length);
        held += chunk.length;
        reader.push(chunk);
        for (let len = reader.nextLength(); len >= 0; len = reader.nextLength()) {
          if (len > max && !(await conn.admits(len))) return fail(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: len, max: conn.maxIncoming }), 413);
          max = conn.maxIncoming;
          const message = reader.take();
          if (!message) break;
          held -= 4 + message.length;
          conn.account.release(4);
          expects ||= expectsReply(message);
          await conn.inbox.push(message);
        }
      }
    } catch (e) {
      if (e instanceof M2MError) return fail(e, 503);
      conn.account.release(held);
      throw e;
    }
    if (reader.buffered > 0 || reader.nextLength() >= 0) return fail(new M2MError('InvalidMessage', { reason: 'truncated message in HTTP body' }), 400);
    if (conn.closed) return reply(res, 410);
    conn.lastSeen = Date.now();
    return answer(res, conn, expects, framed);
  };
  return {
    handle: (req: IncomingMessage, res: ServerResponse) => void handle(req, res).catch(() => reply(res, 500)),
    close: async () => {
      clearInterval(sweeper);
      await Promise.all([...connections.values()].map((c) => c.close()));
      connections.clear();
    },
  };
}
