/**
 * TokenNative in browser builds (the `#token-native` seam, package.json `imports`): browsers
 * load no tokenizer rank tables (1 to 2 MB each), so TokenNative text can be neither written
 * nor read there, and the encoder (`token-native.ts`, `token-native-bpe.ts`) and js-tiktoken
 * stay out of browser bundles (bench/startup.ts). Both calls throw the Tokenizer error a Node
 * build throws when a rank table is missing; sessions negotiate `m2m` or `brotli` instead.
 * @module
 */
import { M2MError } from '../errors/base.js';
import type * as tokenNative from './token-native.js';

/** Prefix of the TokenNative format (the same as `token-native.ts`'s; a test compares them). */
export const TOKEN_NATIVE_PREFIX = '#TK|';

function unavailable(): never {
  throw new M2MError('Tokenizer', { reason: 'TokenNative is not available in browser builds (they load no tokenizer rank tables); use m2m or brotli' });
}

/**
 * Browser builds cannot encode TokenNative.
 * @throws M2MError Tokenizer, always.
 */
export const encodeTokenNative: typeof tokenNative.encodeTokenNative = unavailable;

/**
 * Browser builds cannot decode TokenNative.
 * @throws M2MError Tokenizer, always.
 */
export const decodeTokenNative: typeof tokenNative.decodeTokenNative = unavailable;
