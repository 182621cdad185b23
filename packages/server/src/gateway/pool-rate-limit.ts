/**
 * The gateway's per-key rate limit shared by a pool of gateways through NATS JetStream
 * key-value (`SharedRateLimiter` in @m2m/session, docs/PROTOCOL.md §6.1): a limit of N/s holds
 * across every instance, not N/s each. While NATS is unreachable this instance decides alone
 * with its local token bucket ({@link RateLimiter}), the same limit it applies without NATS, and
 * the shared limiter says so once through `log`. Node only (the browser build of @m2m/session
 * has no NATS: constructing one there throws Config).
 * @module
 */
import { M2MError, isM2MError } from '@m2m/core';
import { SharedRateLimiter, type RateDecision } from '@m2m/session/nats';
import { RateLimiter, type RateLimitOptions, type RequestLimiter } from './rate-limit.js';

/** Where the pool's count lives. */
export interface SharedRateLimitTarget {
  /** NATS servers (`host:port` or `nats://host:port`, comma-separated or a list); or give `connection`. */
  servers?: string | string[];
  /** An open `@nats-io/transport-node` connection to use (not closed by {@link PoolRateLimiter.close}). */
  connection?: unknown;
  /** Key-value bucket shared by the pool (default `m2m-rate`). */
  bucket?: string;
  /** Longest wait for NATS before the local limit decides (default 500 ms). */
  timeoutMs?: number;
}

/** Options of {@link PoolRateLimiter}. */
export interface PoolRateLimitOptions extends RateLimitOptions, SharedRateLimitTarget {
  /** Where "shared limit lost / restored" lines go (once per outage). */
  log?: (line: string) => void;
}

/** A per-key rate limit counted by the whole gateway pool through NATS, with a local fallback. */
export class PoolRateLimiter implements RequestLimiter {
  /** Requests per second per key, across the pool. */
  readonly perSecond: number;
  /** The local limit that decides while NATS is unreachable. */
  readonly local: RateLimiter;
  #shared: SharedRateLimiter;

  /** @throws M2MError Config for a rate that is not a positive number, no NATS target, or a runtime without NATS. */
  constructor(options: PoolRateLimitOptions) {
    this.local = new RateLimiter(options);
    this.perSecond = options.perSecond;
    this.#shared = new SharedRateLimiter({
      perSecond: options.perSecond,
      ...(options.servers !== undefined ? { servers: options.servers } : {}),
      ...(options.connection !== undefined ? { connection: options.connection } : {}),
      ...(options.bucket !== undefined ? { bucket: options.bucket } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.log ? { log: options.log } : {}),
      fallback: (key) => this.#localDecision(key),
    });
  }

  /** True while NATS is unreachable and the local limit decides. */
  get degraded(): boolean {
    return this.#shared.degraded;
  }

  /**
   * Counts one request for `key` in the pool.
   * @throws M2MError RateLimited with `retryAfterMs` when the pool (or, without NATS, this instance) is over the rate.
   */
  async take(key: string): Promise<void> {
    const d = await this.#shared.take(key);
    if (!d.allowed) throw new M2MError('RateLimited', { retryAfterMs: d.retryAfterMs, limit: `${this.perSecond}/s` });
  }

  /** Opens the pool's bucket ahead of the first request; never rejects. */
  ready(): Promise<void> {
    return this.#shared.ready();
  }

  /** Closes the NATS connection this limiter opened itself. */
  close(): Promise<void> {
    return this.#shared.close();
  }

  #localDecision(key: string): RateDecision {
    try {
      this.local.take(key);
      return { allowed: true, retryAfterMs: 0, shared: false };
    } catch (e) {
      if (isM2MError(e) && e.retryAfterMs !== undefined) return { allowed: false, retryAfterMs: e.retryAfterMs, shared: false };
      throw e;
    }
  }
}
