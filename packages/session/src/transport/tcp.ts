/**
 * TCP transport (node:net): each message is a 4-byte big-endian length, then the bytes. The
 * reader stops the socket while the session's inbox is full, so a slow consumer slows the
 * sender through TCP's own flow control instead of growing memory.
 * @module
 */
import * as net from 'node:net';
import { M2MError } from '@m2m/core';
import { AsyncQueue } from '../queue.js';
import { dial } from './dial.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE, type Transport, type TransportLimits } from './types.js';

/** A {@link Transport} over one TCP socket. */
export class TcpTransport implements Transport {
  readonly kind = 'tcp';
  readonly remoteAddress: string;
  #socket: net.Socket;
  #inbox: AsyncQueue<Uint8Array>;
  #pending: Buffer | undefined;
  #max: number;
  #closed = false;
  #drainWaiters: Array<() => void> = [];

  constructor(socket: net.Socket, limits: TransportLimits = {}) {
    this.#socket = socket;
    this.#max = limits.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    this.#inbox = new AsyncQueue({ capacity: limits.highWaterMark ?? 64, onFull: () => socket.pause(), onDrain: () => socket.resume() });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#wakeWriters());
    socket.on('error', (e) => this.#finish(new M2MError('Network', { reason: `TCP: ${e.message}` }, { cause: e })));
    socket.on('close', () => this.#finish());
  }

  #onData(chunk: Buffer): void {
    let buf = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (len > this.#max) {
        this.#finish(new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: len, max: this.#max }));
        this.#socket.destroy();
        return;
      }
      if (buf.length - off - 4 < len) break;
      this.#inbox.offer(new Uint8Array(buf.buffer, buf.byteOffset + off + 4, len));
      off += 4 + len;
    }
    buf = buf.subarray(off);
    this.#pending = buf.length ? buf : undefined;
  }

  #wakeWriters(): void {
    for (const w of this.#drainWaiters.splice(0)) w();
  }

  #finish(error?: unknown): void {
    if (!this.#closed) this.#closed = true;
    this.#inbox.end(error);
    this.#wakeWriters();
  }

  async send(data: Uint8Array): Promise<void> {
    if (this.#closed || this.#socket.destroyed) throw new M2MError('Network', { reason: 'TCP connection is closed' });
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(data.length, 0);
    this.#socket.write(head);
    if (!this.#socket.write(data)) await new Promise<void>((r) => this.#drainWaiters.push(r));
  }

  abort(): void {
    this.#socket.resetAndDestroy();
  }

  /**
   * Closes gracefully: everything written is flushed before the FIN, and the socket is only
   * destroyed if the peer has not closed its side 10 s after that (a dead or hostile peer).
   */
  async close(): Promise<void> {
    if (this.#socket.destroyed) return;
    await new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.#socket.once('close', () => {
        if (timer) clearTimeout(timer);
        resolve();
      });
      this.#socket.end(() => {
        timer = setTimeout(() => this.#socket.destroy(), 10_000);
        timer.unref();
      });
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#inbox[Symbol.asyncIterator]();
  }
}

/**
 * Opens a TCP connection.
 * @throws M2MError: Network when it fails, Aborted when `signal` fires first.
 */
export function connectTcp(host: string, port: number, options: TransportLimits & { signal?: AbortSignal } = {}): Promise<TcpTransport> {
  let socket!: net.Socket;
  return dial(
    options.signal,
    () => {
      socket = net.connect({ host, port });
      return {
        cancel: () => socket.destroy(),
        onOpen: (cb) => socket.once('connect', cb),
        onError: (cb) => socket.once('error', cb),
        result: () => new TcpTransport(socket, options),
      };
    },
    (e) => new M2MError('Network', { reason: `cannot connect to ${host}:${port}: ${(e as Error).message}` }, { cause: e }),
  );
}
