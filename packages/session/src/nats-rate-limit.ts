/**
 * A per-key request rate shared by a pool of gateways through NATS JetStream key-value: every
 * instance counts into the same window per key (one second; longer for rates under 1/s), so a limit of N/s holds across the
 * pool instead of N/s on each instance. When NATS is unreachable each instance falls back to
 * its own local limit, and says so through `log` (once per outage). Keys are stored as
 * SHA-256 digests: API keys never reach the broker. Needs the optional `@nats-io/kv` (and
 * `@nats-io/transport-node` when given `servers`), loaded on first use. docs/PROTOCOL.md §6.1.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { NatsConnectionLike } from './transport/nats-link.js';
import { openKvManager } from './nats-kv.js';

/** The verdict on one request. */
export interface RateDecision {
  /** Whether this request may proceed. */
  allowed: boolean;
  /** When refused: ms until the current window ends. */
  retryAfterMs: number;
  /** True when the shared (pool-wide) count decided; false when the local fallback did. */
  shared: boolean;
}

/** Options of {@link SharedRateLimiter}. */
export interface SharedRateLimitOptions {
  /** Requests per second per key, across the pool. */
  perSecond: number;
  /** NATS servers (`host:port`) to connect to; or give `connection`. */
  servers?: string | string[];
  /** An open `@nats-io/transport-node` connection to use (not closed by {@link SharedRateLimiter.close}). */
  connection?: unknown;
  /** Key-value bucket (default `m2m-rate`; created with a 10 s TTL, longer for rates under 6/min, when missing). */
  bucket?: string;
  /** Decides when NATS is unreachable (default: the same rate counted by this instance alone). */
  fallback?: (key: string) => RateDecision;
  /** Where the limiter says that it lost or regained the shared count. */
  log?: (line: string) => void;
  /** Milliseconds a key-value operation may take before the local fallback decides (default 500). */
  timeoutMs?: number;
  /** Time source (tests). */
  now?: () => number;
}

interface KvEntryLike {
  value: Uint8Array;
  revision: number;
  operation: string;
}
interface KvLike {
  get(k: string): Promise<KvEntryLike | null>;
  create(k: string, data: Uint8Array): Promise<number>;
  update(k: string, data: Uint8Array, version: number): Promise<number>;
}

const ATTEMPTS = 16;

interface Batch {
  waiters: Array<{ resolve: (d: RateDecision) => void; local: () => RateDecision; retryAfterMs: number }>;
  running: boolean;
}
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Per-key rate limit shared through JetStream key-value, with a local fallback. */
export class SharedRateLimiter {
  /** Allowed requests per second per key, across the pool (may be fractional, e.g. 0.5). */
  readonly perSecond: number;
  /** Length of one counting window: 1 s, or longer for rates under 1/s (one request per window). */
  readonly windowMs: number;
  /** Requests per window. */
  readonly perWindow: number;
  #options: SharedRateLimitOptions;
  #now: () => number;
  #kv: Promise<KvLike> | undefined;
  #own: NatsConnectionLike | undefined;
  #degraded = false;
  #retryAt = 0;
  #local = new Map<string, { window: number; count: number }>();
  #batches = new Map<string, Batch>();

  /** @throws M2MError Config for a rate that is not a positive finite number, or no NATS given. */
  constructor(options: SharedRateLimitOptions) {
    if (!(options.perSecond > 0) || !Number.isFinite(options.perSecond)) throw new M2MError('Config', { reason: `rate limit must be a positive number, got ${options.perSecond}` });
    if (!options.servers && !options.connection) throw new M2MError('Config', { reason: 'SharedRateLimiter needs servers or a connection' });
    this.perSecond = options.perSecond;
    this.windowMs = options.perSecond >= 1 ? 1000 : Math.ceil(1000 / options.perSecond);
    this.perWindow = Math.max(1, Math.floor(options.perSecond * (this.windowMs / 1000)));
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** True while the local fallback decides (NATS unreachable). */
  get degraded(): boolean {
    return this.#degraded;
  }

  /**
   * Counts one request for `key` and says whether it is within the rate. Never throws.
   * Concurrent takes of one key on this instance go to NATS as one compare-and-set of +n, so
   * contention is between instances, not between requests.
   */
  async take(key: string): Promise<RateDecision> {
    const now = this.#now();
    const window = Math.floor(now / this.windowMs);
    const retryAfterMs = (window + 1) * this.windowMs - now;
    const local = () => (this.#options.fallback ?? ((k: string) => this.#localTake(k, window, retryAfterMs)))(key);
    // While degraded, try NATS again at most once a second; the rest decide locally at once.
    if (this.#degraded && now < this.#retryAt) return local();
    const k = `${await digest(key)}.${window}`;
    return new Promise<RateDecision>((resolve) => {
      let batch = this.#batches.get(k);
      if (!batch) this.#batches.set(k, (batch = { waiters: [], running: false }));
      batch.waiters.push({ resolve, local, retryAfterMs });
      if (!batch.running) void this.#drain(k, batch);
    });
  }

  async #drain(k: string, batch: Batch): Promise<void> {
    batch.running = true;
    while (batch.waiters.length) {
      const group = batch.waiters.splice(0);
      let granted: number;
      try {
        granted = await this.#add(k, group.length);
      } catch (e) {
        this.#retryAt = this.#now() + 1000;
        if (!this.#degraded) {
          this.#degraded = true;
          this.#options.log?.(`shared rate limit unavailable (${(e as Error).message}); using this instance's local limit of ${this.perSecond}/s per key`);
        }
        for (const w of group) w.resolve(w.local());
        continue;
      }
      group.forEach((w, i) => w.resolve(this.#shared(i < granted, i < granted ? 0 : w.retryAfterMs)));
    }
    batch.running = false;
    this.#batches.delete(k);
  }

  /** Adds up to `n` to the window's count, within the rate; returns how many were granted. */
  async #add(k: string, n: number): Promise<number> {
    const kv = await this.#bucket();
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entry = await this.#timed(kv.get(k));
      const count = entry && entry.operation === 'PUT' ? Number(dec.decode(entry.value)) || 0 : 0;
      const granted = Math.max(0, Math.min(n, this.perWindow - count));
      if (granted === 0) return 0;
      try {
        // Compare-and-set on the entry's revision: a concurrent add from another instance retries.
        if (entry) await this.#timed(kv.update(k, enc.encode(String(count + granted)), entry.revision));
        else await this.#timed(kv.create(k, enc.encode(String(granted))));
        return granted;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    throw new M2MError('Network', { reason: 'shared rate limit: too much contention' });
  }

  #shared(allowed: boolean, retryAfterMs: number): RateDecision {
    if (this.#degraded) {
      this.#degraded = false;
      this.#options.log?.('shared rate limit restored through NATS');
    }
    return { allowed, retryAfterMs, shared: true };
  }

  #localTake(key: string, window: number, retryAfterMs: number): RateDecision {
    let w = this.#local.get(key);
    if (!w || w.window !== window) {
      if (this.#local.size >= 100_000) this.#local.clear();
      w = { window, count: 0 };
      this.#local.set(key, w);
    }
    if (w.count >= this.perWindow) return { allowed: false, retryAfterMs, shared: false };
    w.count++;
    return { allowed: true, retryAfterMs: 0, shared: false };
  }

  #timed<T>(p: Promise<T>): Promise<T> {
    const ms = this.#options.timeoutMs ?? 500;
    let timer: ReturnType<typeof setTimeout>;
    return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new M2MError('Timeout', { operation: 'shared rate limit', ms })), ms)))]).finally(() => clearTimeout(timer));
  }

  #bucket(): Promise<KvLike> {
    if (!this.#kv) {
      this.#kv = (async () => {
        // A connection opened by an earlier, failed setup is reused (the client reconnects by itself).
        const own = (this.#options.connection as NatsConnectionLike | undefined) ?? this.#own;
        const kvm = await openKvManager<KvLike>(own, this.#options.servers, 'm2m-rate-limit', 'the shared rate limit', (nc) => (this.#own = nc));
        // Entries outlive their window (a rate under 1/s has windows longer than a second).
        return this.#timed(kvm.create(this.#options.bucket ?? 'm2m-rate', { ttl: Math.max(10_000, 2 * this.windowMs), history: 1 }));
      })();
      // A failed setup is retried on a later take (NATS may come back).
      this.#kv.catch(() => (this.#kv = undefined));
    }
    return this.#kv;
  }

  /**
   * Opens the bucket and makes one lookup, so that the first requests do not pay for it (a bucket
   * just created can leave its first lookups unanswered for seconds). Resolves either way, within
   * `maxMs` (default 5 s); never throws.
   */
  async ready(maxMs = 5000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const warm = (async () => {
      const kv = await this.#bucket();
      await kv.get('ready');
    })().catch(() => undefined); // the first take reports what is wrong
    await Promise.race([warm, new Promise<void>((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  /** Closes the NATS connection this limiter opened itself. */
  async close(): Promise<void> {
    await this.#own?.close().catch(() => undefined);
  }
}

/** JetStream answers a compare-and-set on a stale revision with "wrong last sequence" (10071). */
function isConflict(e: unknown): boolean {
  const err = e as { message?: string; code?: number | string; api_error?: { err_code?: number } };
  return err?.api_error?.err_code === 10071 || /wrong last sequence|key exists/i.test(String(err?.message));
}

async function digest(key: string): Promise<string> {
  const h = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', enc.encode(key)));
  let s = '';
  for (let i = 0; i < 16; i++) s += h[i].toString(16).padStart(2, '0');
  return s;
}
