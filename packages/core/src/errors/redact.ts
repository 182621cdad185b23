/**
 * Keeps secrets out of serialized errors: byte arrays and secret-named fields are replaced.
 * @module
 */

const SECRET_NAME = /(^|_|[a-z])(key|secret|psk|password|passphrase|token|private|seed|ikm|master|credential|auth|authorization|cookie)s?($|_|[A-Z])/i;

/** True when a detail name looks like it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !/^(keyId|key_id|publicKey|public_key|tokens?Count)$/i.test(name);
}

/**
 * Returns a JSON-safe copy of a details value with every byte array and every secret-named
 * field replaced by `[REDACTED]`. Depth-limited and cycle-safe.
 */
export function redactDetails(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[REDACTED ${(value as ArrayBuffer).byteLength} bytes]`;
  if (depth > 8 || seen.has(value)) return '[Circular or too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactDetails(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isSecretName(k)) out[k] = '[REDACTED]';
    else {
      const r = redactDetails(v, depth + 1, seen);
      if (r !== undefined) out[k] = r;
    }
  }
  return out;
}
