/**
 * HTTP adapter, server side (node:http): `POST /message` delivers one message and answers with
 * what the session queued in reply (held up to `replyWindowMs`, so HELLO is answered by ACCEPT
 * in the same exchange, as the reference's endpoint); `GET /message` long-polls for more;
 * `DELETE /message` ends the connection. Clients that do not ask for
 * `application/x-m2m-frames` (a Rust reference client) get the first reply alone, as the body.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { M2MError } from '@m2m/core';
import { AsyncQueue } from '../queue.js';
import { CONNECTION_HEADER, FRAMES_CONTENT_TYPE, joinFrames, SEQUENCE_HEADER } from './http-frames.js';
import type { Transport } from './types.js';

const POLL_MS = 25_000;

/** HELLO or PING, in either codec (JSON text, or a MessagePack array whose first item is the type). */
function expectsReply(body: Uint8Array): boolean {
  if (body[0] === 0x94) return body[1] === 0 || body[1] === 4;
  const head = new TextDecoder().decode(body.subarray(0, 64));
  return /"type"\s*:\s*"(HELLO|PING)"/.test(head);
}

/** One HTTP adapter connection, seen from the server. */
export class HttpServerTransport implements Transport {
  readonly kind = 'http';
  readonly remoteAddress: string;
  readonly id = globalThis.crypto.randomUUID();
  inbox = new AsyncQueue<Uint8Array>({ capacity: 64 });
  #outbox: Uint8Array[] = [];
  #seq = 0;
  #waiters: Array<() => void> = [];
  #closed = false;
  lastSeen = Date.now();
  constructor(remoteAddress: string) {
    this.remoteAddress = remoteAddress;
  }
  get closed(): boolean {
    return this.#closed;
  }
  async send(data: Uint8Array): Promise<void> {
    if (this.#closed) throw new M2MError('Network', { reason: 'HTTP connection is closed' });
    this.#outbox.push(data.slice());
    for (const w of this.#waiters.splice(0)) w();
  }
  /** Waits until something is queued (or `ms` passes / the connection ends), then takes it all. */
  async drain(ms: number, all: boolean): Promise<{ seq: number; messages: Uint8Array[] }> {
    if (!this.#outbox.length && !this.#closed && ms > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const seq = this.#seq;
    const messages = all ? this.#outbox.splice(0) : this.#outbox.splice(0, 1);
    this.#seq += messages.length;
    return { seq, messages };
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.inbox.end();
    for (const w of this.#waiters.splice(0)) w();
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]();
  }
}

/** Routes HTTP requests to connections; new connections go to `admit`. */
export function httpHandler(options: { admit: (t: HttpServerTransport) => void; maxMessageBytes: number; replyWindowMs?: number; idleMs?: number }) {
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

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/message') return reply(res, 404);
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
      const { seq, messages } = await conn.drain(POLL_MS, true);
      if (!messages.length) return reply(res, conn.closed ? 410 : 204, { [CONNECTION_HEADER]: conn.id });
      return reply(res, 200, { 'content-type': FRAMES_CONTENT_TYPE, [CONNECTION_HEADER]: conn.id, [SEQUENCE_HEADER]: String(seq) }, joinFrames(messages));
    }
    if (req.method !== 'POST') return reply(res, 405);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxMessageBytes) return reply(res, 413);
      chunks.push(chunk);
    }
    if (!conn) {
      conn = new HttpServerTransport(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
      connections.set(conn.id, conn);
      options.admit(conn);
    }
    conn.lastSeen = Date.now();
    const body = new Uint8Array(Buffer.concat(chunks));
    await conn.inbox.push(body);
    // Hold the response only for messages that are answered (HELLO, PING); DATA returns at once.
    const { seq, messages } = await conn.drain(expectsReply(body) ? replyWindow : 0, framed);
    const headers: Record<string, string> = { [CONNECTION_HEADER]: conn.id };
    if (!messages.length) return reply(res, conn.closed ? 410 : 204, headers);
    if (framed) return reply(res, 200, { ...headers, 'content-type': FRAMES_CONTENT_TYPE, [SEQUENCE_HEADER]: String(seq) }, joinFrames(messages));
    return reply(res, 200, { ...headers, 'content-type': messages[0][0] === 0x7b ? 'application/json' : 'application/octet-stream' }, messages[0]);
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
