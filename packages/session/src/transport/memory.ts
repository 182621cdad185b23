/**
 * An in-memory transport pair for tests and same-process agents, with real backpressure:
 * `send` waits while the peer's inbox is full (`capacity` messages or 1 MiB). A message goes
 * straight to the peer's inbox (or to its waiting reader): no copy, no timer, no promise unless
 * the inbox is full.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { ParkingQueue } from '../queue-park.js';
import { DEFAULT_HIGH_WATER_BYTES, TAKEN, type PollingIterator, type Transport } from './types.js';

class MemoryTransport implements Transport {
  readonly kind = 'memory';
  readonly remoteAddress = 'memory';
  inbox: ParkingQueue<Uint8Array>;
  peer!: MemoryTransport;
  #closed = false;
  constructor(capacity: number) {
    this.inbox = new ParkingQueue({ capacity, maxBytes: DEFAULT_HIGH_WATER_BYTES });
  }
  /**
   * Hands `data` itself to the peer (no copy: a sender does not change what it sent, see
   * `Transport.send`); waits while the peer's inbox is full.
   * @throws M2MError Network when either side closed.
   */
  send(data: Uint8Array): Promise<void> {
    if (this.#closed || this.peer.inbox.ended) return Promise.reject(new M2MError('Network', { reason: 'memory transport is closed' }));
    return this.peer.inbox.push(data);
  }
  /** Ends both inboxes; resolves at once (the transports' shared resolved promise: no promise per close). */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.inbox.end();
      this.peer.inbox.end();
    }
    return TAKEN;
  }
  [Symbol.asyncIterator](): PollingIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]();
  }
}

/**
 * Two connected transports.
 * @example `const [a, b] = memoryTransportPair(); await a.send(bytes); for await (const m of b) …`
 */
export function memoryTransportPair(capacity = 64): [Transport, Transport] {
  const a = new MemoryTransport(capacity);
  const b = new MemoryTransport(capacity);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
