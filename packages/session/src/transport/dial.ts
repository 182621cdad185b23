/**
 * The shape every dialer shares: start connecting, settle once on open or error, and give up
 * (tearing the attempt down) when the caller's AbortSignal fires first.
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** What a dial attempt reports back. */
export interface DialAttempt<T> {
  /** Stops the attempt (called on abort). */
  cancel(): void;
  /** Register the callbacks for success and failure. */
  onOpen(cb: () => void): void;
  onError(cb: (e: unknown) => void): void;
  /** The transport to return once open. */
  result(): T;
}

/**
 * Runs a dial attempt under an optional AbortSignal.
 * @throws M2MError: Aborted when the signal fires first; `failure(e)` when the attempt fails.
 */
export function dial<T>(signal: AbortSignal | undefined, start: () => DialAttempt<T>, failure: (e: unknown) => M2MError): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new M2MError('Aborted', { operation: 'connect' }));
    const attempt = start();
    const onAbort = () => {
      attempt.cancel();
      reject(new M2MError('Aborted', { operation: 'connect' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    attempt.onOpen(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(attempt.result());
    });
    attempt.onError((e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(failure(e));
    });
  });
}
