/**
 * WebSocket transport: one binary WebSocket message per session message. Works with the `ws`
 * package on Node and the global WebSocket in browsers (the same event API).
 * @module
 */
import { M2MError } from '@m2m/core';
import { AsyncQueue } from '../queue.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE, type Transport, type TransportLimits } from './types.js';

/** The part of the WebSocket API this transport uses (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: { data?: unknown; code?: number; message?: string }) => void): void;
  /** `ws` only: stop and restart reading from the socket. */
  pause?(): void;
  resume?(): void;
}

const OPEN = 1;
/** Outgoing bytes buffered before `send` waits (browsers, which have no write callback). */
const SEND_HIGH_WATER = 1 << 20;

/** A {@link Transport} over an open WebSocket. */
export class WebSocketTransport implements Transport {
  readonly kind = 'ws';
  readonly remoteAddress?: string;
  #ws: WebSocketLike;
  #inbox: AsyncQueue<Uint8Array>;
  #closed = false;
  #closeWaiters: Array<() => void> = [];
  #max: number;

  constructor(ws: WebSocketLike, options: TransportLimits & { remoteAddress?: string } = {}) {
    this.#ws = ws;
    this.remoteAddress = options.remoteAddress;
    this.#max = options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    ws.binaryType = 'arraybuffer';
    this.#inbox = new AsyncQueue({ capacity: options.highWaterMark ?? 64, onFull: () => ws.pause?.(), onDrain: () => ws.resume?.() });
    ws.addEventListener('message', (e) => this.#onMessage(e.data));
    ws.addEventListener('close', () => this.#finish());
    ws.addEventListener('error', (e) => this.#finish(new M2MError('Network', { reason: `WebSocket: ${e.message ?? 'error'}` })));
  }

  #onMessage(data: unknown): void {
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else {
      // Text frames are not part of this transport: a peer sending them is broken.
      this.#finish(new M2MError('InvalidMessage', { reason: 'WebSocket text frame received; M2M uses binary frames' }));
      this.#ws.close(1003, 'binary frames only');
      return;
    }
    if (bytes.length > this.#max) {
      this.#finish(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: bytes.length, max: this.#max }));
      this.#ws.close(1009, 'message too big');
      return;
    }
    this.#inbox.offer(bytes);
  }

  #finish(error?: unknown): void {
    this.#closed = true;
    this.#inbox.end(error);
    for (const w of this.#closeWaiters.splice(0)) w();
  }

  async send(data: Uint8Array): Promise<void> {
    if (this.#closed || this.#ws.readyState !== OPEN) throw new M2MError('Network', { reason: 'WebSocket is closed' });
    if (this.#ws.pause) {
      // `ws`: the callback fires once the bytes are handed to the socket.
      await new Promise<void>((resolve, reject) => this.#ws.send(data, (err) => (err ? reject(new M2MError('Network', { reason: `WebSocket send: ${err.message}` }, { cause: err })) : resolve())));
      return;
    }
    this.#ws.send(data);
    while (this.#ws.bufferedAmount > SEND_HIGH_WATER && !this.#closed) await new Promise((r) => setTimeout(r, 5));
  }

  abort(): void {
    const ws = this.#ws as WebSocketLike & { terminate?: () => void };
    if (ws.terminate) ws.terminate();
    else ws.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const done = new Promise<void>((r) => this.#closeWaiters.push(r));
    this.#ws.close(1000, 'session closed');
    const timer = setTimeout(() => this.#finish(), 2000) as unknown as { unref?: () => void };
    timer.unref?.();
    await done;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}
