/**
 * `withRetry`: retry an async operation on retryable errors only.
 * @module
 */
import { M2MError, isSdkError } from './base.js';
import { checkArg } from './check-arg.js';

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Total attempts including the first. Default 3. */
  maxAttempts?: number;
  /** First backoff delay. Default 100 ms. */
  baseDelayMs?: number;
  /**
   * Largest delay. Default 10 s. An error asking for a longer wait (`retryAfterMs`) is thrown
   * instead of waited for: that advice comes from the peer, and a plaintext REJECT can be forged.
   */
  maxDelayMs?: number;
  /** Stops waiting and retrying. */
  signal?: AbortSignal;
  /** Decides retryability; default: the error's `retryable`. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Random source in [0, 1) for jitter (tests pass a fixed one). */
  random?: () => number;
  /** Called before each wait. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn` and retries it while it throws a retryable error (`e.retryable`), with
 * exponential backoff and full jitter, waiting at least `retryAfterMs` when the error carries
 * it (up to `maxDelayMs`; an error asking for more is thrown at once). The final error is thrown with the earlier failures reachable as `attempts` (and the
 * previous one as the end of its `cause` chain when it has none).
 *
 * @throws the last error; an M2MError of kind Aborted when the signal fires; of kind Config
 *   when `fn` is not a function.
 * @example
 * ```ts
 * const session = await withRetry(() => connect(url, opts), { maxAttempts: 5 });
 * ```
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T> | T, options: RetryOptions = {}): Promise<T> {
  checkArg(typeof fn == 'function', 'withRetry', 'a function to call', fn);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const base = options.baseDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const random = options.random ?? Math.random;
  const shouldRetry = options.shouldRetry ?? ((e: unknown) => isSdkError(e) && e.retryable);
  const failures: unknown[] = [];
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortError(options.signal, failures);
    try {
      return await fn(attempt);
    } catch (e) {
      failures.push(e);
      if (attempt >= maxAttempts || !shouldRetry(e, attempt)) throw attachAttempts(e, failures);
      const backoff = Math.min(maxDelay, base * 2 ** (attempt - 1));
      let delay = Math.floor(random() * backoff);
      const after = isSdkError(e) ? e.retryAfterMs : undefined;
      if (after !== undefined) {
        // Longer than the caller allows: give it back rather than park the caller (a forged REJECT could ask for days).
        if (after > maxDelay) throw attachAttempts(e, failures);
        delay = Math.max(delay, after);
      }
      options.onRetry?.(e, attempt, delay);
      await sleep(delay, options.signal, failures);
    }
  }
}

function attachAttempts(e: unknown, failures: unknown[]): unknown {
  if (typeof e === 'object' && e !== null && failures.length > 1) {
    try {
      Object.defineProperty(e, 'attempts', { value: failures.slice(0, -1), enumerable: false, configurable: true });
    } catch {
      /* frozen error: leave it as is */
    }
  }
  return e;
}

function abortError(signal: AbortSignal, failures: unknown[]): M2MError<'Aborted'> {
  const last = failures[failures.length - 1];
  const e = new M2MError('Aborted', { operation: 'retry' }, { cause: last ?? signal.reason });
  return attachAttempts(e, [...failures, e]) as M2MError<'Aborted'>;
}

function sleep(ms: number, signal: AbortSignal | undefined, failures: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, failures));
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal!, failures));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
