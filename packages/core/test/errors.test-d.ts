import { expectTypeOf, test } from 'vitest';
import { type CryptoError, type M2MError, isCryptoError, isM2MError } from '@m2m/core';

test('kind narrows details', () => {
  const e = {} as unknown;
  if (isM2MError(e)) {
    if (e.kind === 'SecurityThreat') expectTypeOf(e.details.threatType).toEqualTypeOf<string>();
    if (e.kind === 'LimitExceeded') expectTypeOf(e.details.max).toEqualTypeOf<number>();
    if (e.kind === 'Rejected') expectTypeOf(e.details.retryAfterMs).toEqualTypeOf<number | undefined>();
    expectTypeOf(e).toMatchTypeOf<M2MError>();
  }
  if (isCryptoError(e) && e.kind === 'Aead') {
    expectTypeOf(e.reason).toEqualTypeOf<'InvalidKey' | 'EncryptionFailed' | 'DecryptionFailed' | 'DataTooShort'>();
    expectTypeOf(e).toMatchTypeOf<CryptoError<'Aead'>>();
  }
});
