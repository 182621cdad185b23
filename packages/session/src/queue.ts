/**
 * A bounded async queue: producers await room, one consumer iterates. It carries backpressure
 * from a slow reader back to whoever fills it (a socket, the session's read loop).
 * @module
 */

/** Options of {@link AsyncQueue}. */
export interface AsyncQueueOptions {
  /** Items held before `push` waits (default 64). */
  capacity?: number;
  /** Called when the queue fills (pause the source). */
  onFull?: () => void;
  /** Called when it has drained to half (resume the source). */
  onDrain?: () => void;
}

/** Bounded FIFO with async push and async iteration; `end(error?)` finishes it. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #head = 0;
  #capacity: number;
  #ended = false;
  #error: unknown;
  #readers: Array<(r: IteratorResult<T>) => void> = [];
  #rejecters: Array<(e: unknown) => void> = [];
  #spaceWaiters: Array<() => void> = [];
  #full = false;
  #opts: AsyncQueueOptions;

  constructor(options: AsyncQueueOptions = {}) {
    this.#capacity = options.capacity ?? 64;
    this.#opts = options;
  }

  /** Items waiting. */
  get size(): number {
    return this.#items.length - this.#head;
  }
  /** True once `end` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds an item without waiting (returns false once ended). Fires `onFull` at capacity. */
  offer(item: T): boolean {
    if (this.#ended) return false;
    const reader = this.#readers.shift();
    if (reader) {
      this.#rejecters.shift();
      reader({ value: item, done: false });
      return true;
    }
    this.#items.push(item);
    if (!this.#full && this.size >= this.#capacity) {
      this.#full = true;
      this.#opts.onFull?.();
    }
    return true;
  }

  /** Adds an item, resolving once the queue has room again. */
  async push(item: T): Promise<void> {
    if (!this.offer(item)) return;
    while (!this.#ended && this.size >= this.#capacity) await new Promise<void>((r) => this.#spaceWaiters.push(r));
  }

  /** Finishes the queue: readers get the remaining items, then `done` (or `error` thrown). */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    for (const w of this.#spaceWaiters.splice(0)) w();
    if (this.size === 0) this.#flushReaders();
  }

  #flushReaders(): void {
    const readers = this.#readers.splice(0);
    const rejecters = this.#rejecters.splice(0);
    readers.forEach((r, i) => (this.#error !== undefined ? rejecters[i](this.#error) : r({ value: undefined, done: true })));
  }

  /** The next item, or `done` after `end`. */
  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.#items[this.#head];
      this.#items[this.#head++] = undefined as T;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (this.size <= this.#capacity / 2) {
        for (const w of this.#spaceWaiters.splice(0)) w();
        if (this.#full) {
          this.#full = false;
          this.#opts.onDrain?.();
        }
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return this.#error !== undefined ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#readers.push(resolve);
      this.#rejecters.push(reject);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next(), return: async () => ({ value: undefined, done: true }) };
  }
}
