/**
 * A bounded async queue: producers await room, one consumer iterates. It carries backpressure
 * from a slow reader back to whoever fills it (a socket, the session's read loop). It is full
 * at `capacity` items or at `maxBytes` bytes (as `sizeOf` counts them), whichever comes first,
 * so a few large messages stop the source as surely as many small ones.
 * @module
 */
import { TAKEN, type PollingIterator } from './transport/types.js';

/** Options of {@link AsyncQueue}. */
export interface AsyncQueueOptions<T = unknown> {
  /** Items held before `push` waits (default 64). */
  capacity?: number;
  /**
   * Bytes held before `push` waits (default unlimited). An item is always taken into an empty
   * queue, so one item larger than this cannot deadlock the queue.
   */
  maxBytes?: number;
  /** The size of an item in bytes (default: `byteLength` of byte arrays, else 0). */
  sizeOf?: (item: T) => number;
  /** Called when the queue fills (pause the source). */
  onFull?: () => void;
  /** Called when it has drained to half (resume the source). */
  onDrain?: () => void;
  /** Called with each item as the consumer takes it (give back what it held). */
  onTake?: (item: T) => void;
}

/** What `push` returns while the queue has room: the transports' shared resolved promise (transport/types.ts). */
const ROOM: Promise<void> = TAKEN;

const byteLengthOf = (item: unknown): number => (item instanceof Uint8Array ? item.byteLength : 0);

/** Bounded FIFO with async push and async iteration; `end(error?)` finishes it. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  // Items live in #items[#head, #tail); slots past #tail are reused (no push, no shrinking).
  #items: T[] = [];
  #head = 0;
  #tail = 0;
  #capacity: number;
  #maxBytes: number;
  #bytes = 0;
  #sizeOf: (item: T) => number;
  #ended = false;
  #error: unknown;
  #readers: Array<(r: IteratorResult<T>) => void> = [];
  #rejecters: Array<(e: unknown) => void> = [];
  #spaceWaiters: Array<() => void> = [];
  #full = false;
  #opts: AsyncQueueOptions<T>;
  #onTake: ((item: T) => void) | undefined;

  constructor(options: AsyncQueueOptions<T> = {}) {
    this.#capacity = options.capacity ?? 64;
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#sizeOf = options.sizeOf ?? byteLengthOf;
    this.#onTake = options.onTake;
    this.#opts = options;
  }

  /** Bytes of the items waiting (as `sizeOf` counts them). */
  get bytes(): number {
    return this.#bytes;
  }

  #isFull(): boolean {
    return this.size >= this.#capacity || this.#bytes >= this.#maxBytes;
  }

  /** True while the queue holds `capacity` items or `maxBytes` bytes (`push` would wait). */
  get full(): boolean {
    return this.#isFull();
  }

  /** Items waiting. */
  get size(): number {
    return this.#tail - this.#head;
  }
  /** @internal Whether a `next` waits for an item (queue-park.ts parks no consumer beside it). */
  get reading(): boolean {
    return this.#readers.length !== 0;
  }
  /** True once `end` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds an item without waiting (returns false once ended). Fires `onFull` at capacity. */
  offer(item: T): boolean {
    if (this.#ended) return false;
    // A reader waits only while the queue is empty: the common case is the plain push below.
    if (this.#readers.length !== 0) {
      const reader = this.#readers.shift()!;
      this.#rejecters.shift();
      this.#onTake?.(item);
      reader({ value: item, done: false });
      return true;
    }
    if (this.#tail === this.#items.length) this.#items.push(item);
    else this.#items[this.#tail] = item;
    this.#tail++;
    this.#bytes += this.#sizeOf(item);
    if (!this.#full && (this.#tail - this.#head >= this.#capacity || this.#bytes >= this.#maxBytes)) {
      this.#full = true;
      this.#opts.onFull?.();
    }
    return true;
  }

  /** Adds an item, resolving once the queue has room again (at once, without a new promise, while it has). */
  push(item: T): Promise<void> {
    if (!this.offer(item) || !this.#isFull()) return ROOM;
    return this.#waitForRoom();
  }

  async #waitForRoom(): Promise<void> {
    while (!this.#ended && this.#isFull()) await new Promise<void>((r) => this.#spaceWaiters.push(r));
  }

  /**
   * Drops every waiting item (each passes through `onTake`, so what it held is given back); for
   * a connection that ends with unread data nobody will read.
   */
  discard(): void {
    while (this.size > 0) {
      const value = this.#items[this.#head];
      this.#items[this.#head++] = undefined as T;
      this.#bytes -= this.#sizeOf(value);
      this.#onTake?.(value);
    }
    this.#items = [];
    this.#head = 0;
    this.#tail = 0;
  }

  /** Finishes the queue: readers get the remaining items, then `done` (or `error` thrown). */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    for (const w of this.#spaceWaiters.splice(0)) w();
    if (this.size === 0) this.#flushReaders();
  }

  /**
   * {@link end} with an error made only when a reader reaches it: a session that ends unread
   * never builds the error (session.ts, `#onClosed`).
   */
  endWithError(makeError: () => unknown): void {
    if (this.#ended) return;
    this.#makeError = makeError;
    this.end();
  }
  #makeError: (() => unknown) | undefined;

  /** The error readers get after the last item (made now if it was deferred), or `undefined`. */
  #failure(): unknown {
    if (this.#makeError) {
      this.#error = this.#makeError();
      this.#makeError = undefined;
    }
    return this.#error;
  }

  #flushReaders(): void {
    if (this.#readers.length === 0) return;
    const readers = this.#readers.splice(0);
    const rejecters = this.#rejecters.splice(0);
    const error = this.#failure();
    readers.forEach((r, i) => (error !== undefined ? rejecters[i](error) : r({ value: undefined, done: true })));
  }

  /** The next item, or `done` after `end`. */
  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.#take();
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      const error = this.#failure();
      return error !== undefined ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#readers.push(resolve);
      this.#rejecters.push(reject);
    });
  }

  /** The next item if one is waiting (taken as `next` takes it), else `undefined`; never waits. */
  poll(): T | undefined {
    return this.size > 0 ? this.#take() : undefined;
  }

  /** Takes the head item: its bytes leave the count; the source resumes once half is free. */
  #take(): T {
    const items = this.#items;
    const value = items[this.#head];
    items[this.#head++] = undefined as T;
    this.#bytes -= this.#sizeOf(value);
    this.#onTake?.(value);
    if (this.#head === this.#tail) {
      // Emptied: start over at slot 0 (no copy), so a queue that keeps up never compacts.
      this.#head = 0;
      this.#tail = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#tail) {
      this.#items = items.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
    // Only a full queue has waiting producers or a paused source (no array made per take).
    if ((this.#full || this.#spaceWaiters.length !== 0) && this.size <= this.#capacity / 2 && this.#bytes <= this.#maxBytes / 2) {
      for (const w of this.#spaceWaiters.splice(0)) w();
      if (this.#full) {
        this.#full = false;
        this.#opts.onDrain?.();
      }
    }
    return value;
  }

  /** Iteration over the items; the iterator's `poll` takes a waiting item without a promise. */
  [Symbol.asyncIterator](): PollingIterator<T> {
    return new QueueIterator(this);
  }
}

/**
 * @internal An {@link AsyncQueue}'s iterator: methods on a prototype, so each iteration started
 * makes no closures (a session handshake starts two); queue-park.ts's adds `park`.
 */
export class QueueIterator<T> implements PollingIterator<T> {
  readonly #queue: AsyncQueue<T>;
  constructor(queue: AsyncQueue<T>) {
    this.#queue = queue;
  }
  next(): Promise<IteratorResult<T>> {
    return this.#queue.next();
  }
  async return(): Promise<IteratorResult<T>> {
    return { value: undefined, done: true };
  }
  poll(): T | undefined {
    return this.#queue.poll();
  }
}
