/**
 * Byte accounting for a server's connections: every byte a connection holds that the application
 * has not read yet (a partial message, whole messages waiting in the transport) is counted. Each
 * connection holds up to a small allowance on its own; bytes beyond it are drawn from one
 * server-wide {@link ByteBudget}. A connection that cannot draw is refused more data, so a few
 * hoarding peers exhaust the budget but not the allowance that lets everyone else keep working.
 * The rule is written in docs/ARCHITECTURE.md ("Connections and buffers").
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { BufferAccount } from './types.js';

/** Default server-wide budget for buffered, unread bytes (256 MiB). */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;
/** Default bytes a connection may hold without drawing on the budget (64 KiB). */
export const DEFAULT_CONNECTION_ALLOWANCE = 64 * 1024;

/** The server-wide pool of bytes that connections draw on beyond their allowance. */
export class ByteBudget {
  readonly max: number;
  #used = 0;
  #held = 0;
  constructor(max: number = DEFAULT_MAX_BUFFERED_BYTES) {
    this.max = max;
  }
  /** Bytes currently drawn (beyond the connections' allowances). */
  get used(): number {
    return this.#used;
  }
  /** Bytes held by all connections, allowances included. */
  get held(): number {
    return this.#held;
  }
  /** @internal Accounts report every byte they hold or release. */
  note(delta: number): void {
    this.#held += delta;
  }
  /** Draws `n` bytes; false (and nothing drawn) when that would pass the maximum. */
  tryDraw(n: number): boolean {
    if (this.#used + n > this.max) return false;
    this.#used += n;
    return true;
  }
  /** Gives back `n` bytes. */
  giveBack(n: number): void {
    this.#used = Math.max(0, this.#used - n);
  }
}

/** What one connection holds: its allowance first, then the shared budget. */
export class ConnectionAccount implements BufferAccount {
  #budget: ByteBudget | undefined;
  #allowance: number;
  #held = 0;
  #closed = false;
  constructor(budget: ByteBudget | undefined, allowance: number = DEFAULT_CONNECTION_ALLOWANCE) {
    this.#budget = budget;
    this.#allowance = allowance;
  }
  /** Bytes this connection holds. */
  get held(): number {
    return this.#held;
  }
  #overAllowance(held: number): number {
    return Math.max(0, held - this.#allowance);
  }
  /**
   * Counts `n` more bytes held by this connection.
   * @throws M2MError LimitExceeded (`maxBufferedBytes`) when the server's budget cannot cover them.
   */
  hold(n: number): void {
    if (this.#closed) return;
    const extra = this.#overAllowance(this.#held + n) - this.#overAllowance(this.#held);
    if (extra > 0 && this.#budget && !this.#budget.tryDraw(extra)) {
      throw new M2MError('LimitExceeded', { limit: 'maxBufferedBytes', actual: this.#budget.used + extra, max: this.#budget.max });
    }
    this.#held += n;
    this.#budget?.note(n);
  }
  /** Counts `n` bytes as no longer held (read by the application, or dropped). */
  release(n: number): void {
    if (this.#closed) return;
    const next = Math.max(0, this.#held - n);
    this.#budget?.giveBack(this.#overAllowance(this.#held) - this.#overAllowance(next));
    this.#budget?.note(next - this.#held);
    this.#held = next;
  }
  /** Gives everything back; later calls do nothing (the connection is gone). */
  close(): void {
    this.release(this.#held);
    this.#closed = true;
  }
}
