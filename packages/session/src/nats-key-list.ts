/**
 * A list of secrets (the gateway pool's API keys) shared through NATS JetStream key-value: each
 * instance watches the bucket and answers `has(key)` from memory, so a key added on one gateway
 * is accepted by all of them, and one removed is refused by all of them, within the broker's
 * delivery time. Entries are SHA-256 digests of the keys (hex, the KV key; the value is empty):
 * the keys themselves never reach the broker. While NATS is unreachable the last list seen stays
 * in force (the client reconnects and the watch resumes), and `log` says so once per outage.
 * Needs the optional `@nats-io/kv` (and `@nats-io/transport-node` when given `servers`), loaded
 * on first use. docs/PROTOCOL.md §6.1.
 * @module
 */
import { M2MError, toHex, utf8Encode } from '@m2m/core/internal';
import { sha256 } from '@m2m/crypto';
import type { NatsConnectionLike } from './transport/nats-link.js';
import { openKvManager } from './nats-kv.js';

/** Options of {@link SharedKeyList}. */
export interface SharedKeyListOptions {
  /** NATS servers (`host:port` or `nats://host:port`); or give `connection`. */
  servers?: string | string[];
  /** An open `@nats-io/transport-node` connection (not closed by {@link SharedKeyList.close}). */
  connection?: unknown;
  /** Key-value bucket (default `m2m-keys`; created when missing). */
  bucket?: string;
  /** Where "list unavailable / restored" lines go. */
  log?: (line: string) => void;
  /** Longest wait for NATS at {@link SharedKeyList.start} and per add/remove (default 2000 ms). */
  timeoutMs?: number;
}

interface KvEntryLike {
  key: string;
  operation: string;
}
interface KvLike {
  put(k: string, data: Uint8Array): Promise<number>;
  delete(k: string): Promise<void>;
  keys(): Promise<AsyncIterable<string>>;
  watch(opts?: object): Promise<AsyncIterable<KvEntryLike> & { stop(): void }>;
}

/** The digest under which `key` is stored. */
function keyDigest(key: string): string {
  return toHex(sha256(utf8Encode(key.trim())));
}

/** A pool-wide key list in JetStream key-value, mirrored in memory. */
export class SharedKeyList {
  #options: SharedKeyListOptions;
  #digests = new Set<string>();
  // Keys the watch has reported (present or deleted): the watch wins over the initial listing.
  #watched = new Set<string>();
  #kv: KvLike | undefined;
  #own: NatsConnectionLike | undefined;
  #watch: { stop(): void } | undefined;
  #down = false;
  #closed = false;

  /** @throws M2MError Config when neither `servers` nor `connection` is given. */
  constructor(options: SharedKeyListOptions) {
    if (!options.servers && !options.connection) throw new M2MError('Config', { reason: 'SharedKeyList needs servers or a connection' });
    this.#options = options;
  }

  /** Keys in the list. */
  get size(): number {
    return this.#digests.size;
  }

  /** True when `key` is in the pool's list (answered from memory: never waits, never throws). */
  has(key: string): boolean {
    return this.#digests.size > 0 && this.#digests.has(keyDigest(key));
  }

  /**
   * Connects, loads the current list and starts following changes.
   * @throws M2MError Network or Timeout when NATS cannot be reached, Config without `@nats-io/kv`.
   */
  async start(): Promise<void> {
    const kv = await this.#timed(this.#bucket());
    if (!this.#watch) {
      const watch = await this.#timed(kv.watch({ key: '>' }));
      this.#watch = watch;
      void this.#follow(watch);
      void this.#reportOutages(this.#own ?? (this.#options.connection as NatsConnectionLike));
    }
    for await (const k of await this.#timed(kv.keys())) if (!this.#watched.has(k)) this.#digests.add(k);
  }

  /**
   * Adds `key` to the pool's list.
   * @throws M2MError Config for an empty key; Network/Timeout when NATS cannot be reached.
   */
  async add(key: string): Promise<void> {
    if (key.trim() === '') throw new M2MError('Config', { reason: 'empty API key' });
    const d = keyDigest(key);
    await this.#timed((await this.#timed(this.#bucket())).put(d, new Uint8Array(0)));
    this.#digests.add(d);
  }

  /**
   * Removes `key` from the pool's list.
   * @throws M2MError Network/Timeout when NATS cannot be reached.
   */
  async remove(key: string): Promise<void> {
    const d = keyDigest(key);
    await this.#timed((await this.#timed(this.#bucket())).delete(d));
    this.#digests.delete(d);
  }

  /** Stops following the list and closes the NATS connection this list opened itself. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#watch?.stop();
    await this.#own?.close().catch(() => undefined);
  }

  /** Keys are secrets: only the count is printed. */
  toJSON(): string {
    return `[${this.#digests.size} shared API keys]`;
  }

  async #follow(watch: AsyncIterable<KvEntryLike>): Promise<void> {
    try {
      for await (const e of watch) {
        this.#watched.add(e.key);
        if (e.operation === 'PUT') this.#digests.add(e.key);
        else this.#digests.delete(e.key);
      }
    } catch (e) {
      if (!this.#closed) this.#options.log?.(`shared API key list stopped following NATS (${(e as Error)?.message ?? String(e)}); the last list seen stays in force`);
    }
  }

  /** One line when the connection drops, one when it is back. */
  async #reportOutages(nc: NatsConnectionLike): Promise<void> {
    try {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' && !this.#down && !this.#closed) {
          this.#down = true;
          this.#options.log?.(`shared API key list unavailable (NATS disconnected); the last list seen (${this.#digests.size} keys) stays in force`);
        } else if (s.type === 'reconnect' && this.#down) {
          this.#down = false;
          this.#options.log?.('shared API key list restored through NATS');
        }
      }
    } catch {
      // The status stream ends with the connection.
    }
  }

  #timed<T>(p: Promise<T>): Promise<T> {
    const ms = this.#options.timeoutMs ?? 2000;
    let timer: ReturnType<typeof setTimeout>;
    return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new M2MError('Timeout', { operation: 'shared API key list', ms })), ms)))]).finally(() => clearTimeout(timer));
  }

  async #bucket(): Promise<KvLike> {
    if (this.#kv) return this.#kv;
    const own = (this.#options.connection as NatsConnectionLike | undefined) ?? this.#own;
    const kvm = await openKvManager<KvLike>(own, this.#options.servers, 'm2m-key-list', 'the shared API key list', (nc) => (this.#own = nc));
    this.#kv = await kvm.create(this.#options.bucket ?? 'm2m-keys', { history: 1 });
    return this.#kv;
  }
}
