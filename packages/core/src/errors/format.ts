/**
 * `formatErrorChain`: an error and its causes as readable lines.
 * @module
 */

/**
 * Formats an error as `Error: <message>` followed by one `Caused by: <message>` line per
 * cause, as the M2M error-code reference prints Rust error chains.
 *
 * @example
 * ```ts
 * formatErrorChain(e);
 * // Error: Crypto error: AEAD: Decryption failed: authentication tag mismatch
 * // Caused by: AEAD: Decryption failed: authentication tag mismatch
 * ```
 */
export function formatErrorChain(e: unknown, options: { maxDepth?: number } = {}): string {
  const maxDepth = options.maxDepth ?? 32;
  const lines: string[] = [];
  const seen = new Set<unknown>();
  let cur: unknown = e;
  for (let i = 0; cur !== undefined && i < maxDepth; i++) {
    if (seen.has(cur)) {
      lines.push('Caused by: [circular]');
      break;
    }
    seen.add(cur);
    lines.push(`${i === 0 ? 'Error' : 'Caused by'}: ${messageOf(cur)}`);
    cur = typeof cur === 'object' && cur !== null ? (cur as { cause?: unknown }).cause : undefined;
  }
  return lines.join('\n');
}

function messageOf(x: unknown): string {
  if (x instanceof Error) return x.message;
  if (typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string') return (x as { message: string }).message;
  return typeof x === 'string' ? x : String(x);
}
