/**
 * Node's transport inboxes: an {@link AsyncQueue} a consumer can park on (the session's read
 * loop, session.ts `#pump`), so that a message delivered to an idle session is handled inside the
 * delivery, without a promise or a microtask. Node-only speed: Node's transports make these,
 * browser builds keep the plain queue and the read loop awaits `next` there
 * (docs/ARCHITECTURE.md, "What is in which entry").
 * @module
 */
import { AsyncQueue, QueueIterator, type AsyncQueueOptions } from './queue.js';
import { TAKEN, type PollingIterator } from './transport/types.js';

/**
 * Wakes of parked consumers running now, process-wide. A wake runs the consumer inside the
 * producer's call (a memory transport's `send`: the peer's read loop); a consumer that produces
 * in turn (a reply, an application's `data` listener that sends) must not recurse into another
 * consumer, so wakes while one runs are left to a microtask.
 */
let waking = 0;

/** An {@link AsyncQueue} with {@link ParkingQueue.park}; its iterators park too. */
export class ParkingQueue<T> extends AsyncQueue<T> {
  /** A consumer parked on the empty queue: handed the next item, or called once the queue ends. */
  #parked: ((item?: T) => void) | undefined;
  #onTake: ((item: T) => void) | undefined;

  constructor(options: AsyncQueueOptions<T> = {}) {
    super(options);
    this.#onTake = options.onTake;
  }

  /** {@link AsyncQueue.offer}, handing the item to a parked consumer when one waits (see park). */
  override offer(item: T): boolean {
    // A parked consumer implies a live queue: park refuses after the end, and end wakes it.
    if (this.#parked !== undefined && waking === 0) {
      const wake = this.#parked;
      this.#parked = undefined;
      this.#onTake?.(item);
      waking++;
      try {
        wake(item);
      } catch (e) {
        // The consumer's failure is not the producer's (a memory peer's `send`, a socket's read):
        // it surfaces as it did from an async read loop, as an unhandled rejection.
        void Promise.reject(e);
      } finally {
        waking--;
      }
      return true;
    }
    const offered = super.offer(item);
    // Stored while another consumer's wake ran: this one polls from a microtask.
    if (this.#parked !== undefined && this.size > 0) this.#wakeLater();
    return offered;
  }

  /**
   * Parks a consumer on the empty queue instead of a pending `next`: `wake` is called once. The
   * next item offered is handed to it inside `offer`, taken as `poll` takes it (no promise, no
   * microtask, nothing stored), unless another parked consumer's wake is running (consumers never
   * recurse into each other, see `waking`): then the item is stored and `wake()` runs from a
   * microtask, as it does when the queue ends; the consumer then polls. Returns false, parking
   * nothing, when an item is waiting, the queue ended or a `next` waits.
   */
  park(wake: (item?: T) => void): boolean {
    if (this.size > 0 || this.ended || this.reading) return false;
    this.#parked = wake;
    return true;
  }

  override end(error?: unknown): void {
    super.end(error);
    if (this.#parked !== undefined) this.#wakeLater();
  }

  /** Calls the parked consumer from a microtask, with nothing in hand (it polls). */
  #wakeLater(): void {
    const wake = this.#parked!;
    this.#parked = undefined;
    // A reaction on a settled promise: Node's queueMicrotask makes an AsyncResource per call.
    void TAKEN.then(() => wake());
  }

  override [Symbol.asyncIterator](): PollingIterator<T> {
    return new ParkingIterator(this);
  }
}

class ParkingIterator<T> extends QueueIterator<T> {
  readonly #parking: ParkingQueue<T>;
  constructor(queue: ParkingQueue<T>) {
    super(queue);
    this.#parking = queue;
  }
  park(wake: (item?: T) => void): boolean {
    return this.#parking.park(wake);
  }
}
