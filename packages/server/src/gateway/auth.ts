/**
 * API keys of the gateway: read from `Authorization: Bearer <key>` (what OpenAI clients send) or
 * `x-api-key`, compared as SHA-256 digests in time independent of where they differ.
 * @module
 */
import { M2MError } from '@m2m/core';
import { utf8Encode } from '@m2m/core/internal';
import { sha256 } from '@m2m/crypto';

/** The key a request carries, or `undefined`. */
export function requestApiKey(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return headers.get('x-api-key')?.trim() || undefined;
}

/** Equality of two 32-byte digests that reads every byte. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Keys accepted besides a fixed list: a gateway pool's shared list (`SharedKeyList` in @m2m/session/nats). */
export interface ApiKeySource {
  /** True when `key` is accepted; answered from memory (it runs on every request). */
  has(key: string): boolean;
}

/** Checks keys against a fixed list, and a shared one when given. */
export class ApiKeys {
  /** SHA-256 of each key: a check hashes what it was given once and compares 32 bytes per key, so its cost is the presented key's size plus the number of keys, not their product (a 15 KB key against 1,000 keys took 0.7 s). */
  #keys: Uint8Array[];
  #shared: ApiKeySource | undefined;

  /** @throws M2MError Config for an empty key, or keys that are not an array of strings. */
  constructor(keys: readonly string[], shared?: ApiKeySource) {
    // A plain JavaScript `apiKeys: 'sk-1'` would otherwise fail with a bare TypeError.
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new M2MError('Config', { reason: 'apiKeys takes an array of strings, e.g. apiKeys: [\'team-key\']' });
    if (keys.some((k) => k.trim() === '')) throw new M2MError('Config', { reason: 'empty API key' });
    this.#keys = keys.map((k) => sha256(utf8Encode(k.trim())));
    this.#shared = shared;
  }

  /** Number of keys in the fixed list. */
  get size(): number {
    return this.#keys.length;
  }

  /** True when requests must carry a key: the fixed list is not empty, or a shared list is in use (even while empty). */
  get required(): boolean {
    return this.#keys.length > 0 || this.#shared !== undefined;
  }

  /**
   * The request's key when it is one of ours.
   * @throws M2MError Unauthorized (missing or unknown key; the key itself is never in the error).
   */
  check(headers: Headers): string {
    const key = requestApiKey(headers);
    if (key === undefined) throw new M2MError('Unauthorized', { reason: 'missing API key' });
    const digest = sha256(utf8Encode(key));
    let ok = false;
    for (const k of this.#keys) ok = sameDigest(k, digest) || ok;
    if (!ok && this.#shared?.has(key)) ok = true;
    if (!ok) throw new M2MError('Unauthorized', { reason: 'invalid API key' });
    return key;
  }

  /** Keys are secrets: never printed. */
  toJSON(): string {
    return `[${this.#keys.length} API keys]`;
  }
}
