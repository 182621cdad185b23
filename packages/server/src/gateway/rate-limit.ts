/**
 * Per-key request rate limit: one token bucket per key (`rate` tokens a second, `burst` at most),
 * in a table bounded by count (the least recently seen key is dropped first).
 * @module
 */
import { M2MError } from '@m2m/core';

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Requests per second per key. */
  perSecond: number;
  /** Requests allowed at once after a quiet period (default: `perSecond`, at least 1). */
  burst?: number;
  /** Keys tracked at most (default 100,000). */
  maxKeys?: number;
  /** Time source (tests). */
  now?: () => number;
}

/**
 * What the gateway asks before forwarding a request: `take` returns when the request with this
 * key may go on and throws (or, when it asks a shared store, rejects with) M2MError RateLimited
 * carrying `retryAfterMs` when it may not. {@link RateLimiter} answers synchronously;
 * `PoolRateLimiter` (pool-rate-limit.ts) asks NATS.
 */
export interface RequestLimiter {
  /**
   * Counts one request for `key`; returns (or resolves) when it may go on.
   * @throws M2MError RateLimited with `retryAfterMs`.
   */
  take(key: string): void | Promise<void>;
  /** Resolves once the limiter is ready to answer quickly (a shared one: its bucket opened); never rejects. */
  ready?(): Promise<void>;
  /** Releases what the limiter holds (a NATS connection). */
  close?(): Promise<void>;
}

/** Token buckets by key. */
export class RateLimiter implements RequestLimiter {
  /** Tokens refilled per second, per key (the sustained request rate). */
  readonly perSecond: number;
  /** Bucket size: requests a key may make at once (default: `perSecond` rounded up, at least 1). */
  readonly burst: number;
  #maxKeys: number;
  #now: () => number;
  #buckets = new Map<string, { tokens: number; at: number }>();

  /** @throws M2MError Config for a rate that is not a positive number. */
  constructor(options: RateLimitOptions) {
    if (!(options.perSecond > 0) || !Number.isFinite(options.perSecond)) throw new M2MError('Config', { reason: `rate limit must be a positive number, got ${options.perSecond}` });
    this.perSecond = options.perSecond;
    this.burst = Math.max(1, options.burst ?? Math.ceil(options.perSecond));
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Takes one token for `key`.
   * @throws M2MError RateLimited with `retryAfterMs` (time until the next token) when the bucket is empty.
   */
  take(key: string): void {
    const now = this.#now();
    let b = this.#buckets.get(key);
    if (b) {
      this.#buckets.delete(key);
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    } else {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
      b = { tokens: this.burst, at: now };
    }
    this.#buckets.set(key, b);
    if (b.tokens < 1) {
      const retryAfterMs = Math.max(1, Math.ceil(((1 - b.tokens) / this.perSecond) * 1000));
      throw new M2MError('RateLimited', { retryAfterMs, limit: `${this.perSecond}/s` });
    }
    b.tokens -= 1;
  }
}

/**
 * Parses `N/s` (or `N`, `N/m`, `N/min`) into requests per second.
 * @throws M2MError Config for anything else.
 * @example `parseRate('5/s')` → `5`
 */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) throw new M2MError('Config', { reason: `rate limit must look like 10/s or 600/min, got ${JSON.stringify(text)}` });
  return /^m/i.test(m[2] ?? 's') ? n / 60 : n;
}
