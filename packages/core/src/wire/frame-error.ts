/**
 * The two error shapes frame encoding and decoding share: the reference's `Decompression`
 * texts, and protection failures mapped to SDK errors.
 * @module
 */
import { M2MError, isCryptoError, isSdkError, wrapCrypto } from '../errors/base.js';

/** A `Decompression` error with the reference's reason text. */
export function decompressionError(reason: string, cause?: unknown): M2MError<'Decompression'> {
  return new M2MError('Decompression', { reason }, cause === undefined ? undefined : { cause });
}

/** What a frame protection threw, as an SDK error (crypto errors wrapped, others Internal). */
export function cryptoFailure(e: unknown): unknown {
  if (isCryptoError(e)) return wrapCrypto(e);
  if (isSdkError(e)) return e;
  return new M2MError('Internal', { reason: `frame protection failed: ${(e as Error)?.message ?? String(e)}` }, { cause: e });
}
