/**
 * `formatErrorChain`: an error and its causes as readable lines, each with its code.
 * @module
 */

/** Options of {@link formatErrorChain}. */
export interface FormatChainOptions {
  /** How many links to print. Default 32. */
  maxDepth?: number;
  /** Print each link's code as `[CODE]` before its message. Default true. */
  codes?: boolean;
}

/**
 * Formats an error as `<Name> [CODE]: <message>` (its own name, as Node heads its errors:
 * `M2MError [NETWORK_ERROR]: …`, `TypeError: …`; `Error` for a value without one) followed by
 * one `Caused by: [CODE] <message>` line per cause, as the M2M error-code reference prints Rust
 * error chains, with each link's code added (a link without a string code prints its message
 * alone). `m2m errors decode` reads this text back, with or without the codes.
 * Never throws; a cycle ends with `Caused by: [circular]`.
 *
 * @example
 * ```ts
 * formatErrorChain(e);
 * // M2MError [CRYPTO_ERROR]: Crypto error: AEAD: Decryption failed: authentication tag mismatch
 * // Caused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed: authentication tag mismatch
 * ```
 */
export function formatErrorChain(e: unknown, options: FormatChainOptions = {}): string {
  const maxDepth = options.maxDepth ?? 32;
  const withCodes = options.codes ?? true;
  const lines: string[] = [];
  const seen = new Set<unknown>();
  let cur: unknown = e;
  for (let i = 0; cur !== undefined && i < maxDepth; i++) {
    if (seen.has(cur)) {
      lines.push('Caused by: [circular]');
      break;
    }
    seen.add(cur);
    const code = withCodes ? codeOf(cur) : undefined;
    // The head names the error as Node's own headers do (`TypeError [ERR_X]: …`); causes keep `[CODE] …`.
    if (i === 0) lines.push(`${nameOf(cur)}${code ? ` [${code}]` : ''}: ${messageOf(cur)}`);
    else lines.push(`Caused by: ${code ? `[${code}] ` : ''}${messageOf(cur)}`);
    cur = typeof cur === 'object' && cur !== null ? (cur as { cause?: unknown }).cause : undefined;
  }
  return lines.join('\n');
}

function codeOf(x: unknown): string | undefined {
  const code = typeof x === 'object' && x !== null ? (x as { code?: unknown }).code : undefined;
  // Only code-like strings: a bracket or newline in a foreign `code` would break the line format.
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
}

/** The error's own name (`M2MError`, `CryptoError`, `TypeError`) when it is an identifier, else `Error`. */
function nameOf(x: unknown): string {
  const name = typeof x === 'object' && x !== null ? (x as { name?: unknown }).name : undefined;
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : 'Error';
}

function messageOf(x: unknown): string {
  if (x instanceof Error) return x.message;
  if (typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string') return (x as { message: string }).message;
  return typeof x === 'string' ? x : String(x);
}
