/**
 * Write batching for Node sockets (TCP, and the socket under a `ws` WebSocket): the messages a
 * writer sends in one burst (one run of the event loop's microtasks) leave in one `writev`
 * instead of one system call each. The first write of a burst corks the socket and schedules
 * the uncork with `process.nextTick`, which runs once the current microtasks are done, so a
 * lone message still goes out before the event loop polls again: batching adds no timer and no
 * latency, it only joins what was written while the writer was ahead. A burst is cut every
 * {@link WRITE_BATCH_BYTES} so one writer cannot hold a large buffer corked.
 * @module
 */
import type { Socket } from 'node:net';
import type { WriteBatch } from './types.js';

/** Bytes written under one cork before it is flushed anyway. */
export const WRITE_BATCH_BYTES = 64 * 1024;

/** Corks a socket for the rest of the current tick, from its first write on. */
export class SocketWriteBatch implements WriteBatch {
  #socket: Socket;
  #corked = false;
  #bytes = 0;
  readonly #flush = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#bytes = 0;
    this.#socket.uncork();
  };
  constructor(socket: Socket) {
    this.#socket = socket;
  }
  /** Hands what this tick wrote to the socket now (before a reset, so what `send` took is not lost). */
  flush(): void {
    this.#flush();
  }
  add(bytes: number): void {
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(this.#flush);
    } else if (this.#bytes >= WRITE_BATCH_BYTES) {
      // The batch is full: send it now and start the next one under the cork it keeps.
      this.#socket.uncork();
      this.#socket.cork();
      this.#bytes = 0;
    }
    this.#bytes += bytes;
  }
}

/**
 * The batch for a `ws` WebSocket's socket (`ws` 8 keeps it in `_socket`; a shape check, so
 * another implementation just sends unbatched).
 */
export function webSocketWriteBatch(ws: unknown): WriteBatch | undefined {
  const socket = (ws as { _socket?: Partial<Socket> } | null)?._socket;
  return socket && typeof socket.cork === 'function' && typeof socket.uncork === 'function' ? new SocketWriteBatch(socket as Socket) : undefined;
}
