/**
 * The `json` message codec over UTF-8 bytes: the Rust reference's text (json-codec.ts). Kept out
 * of codec/index.ts so that browser pages that speak `binary` do not carry it
 * (bench/startup.ts): Node gets it through the session platform (`#platform`), browsers through
 * `@m2m/session/json` (or `restTransport` of `@m2m/session/http`).
 * @module
 */
import { M2MError, isBytes, utf8DecodeStrict, utf8Encode } from '@m2m/core/internal';
import { MAX_BINARY_MESSAGE } from './binary-codec.js';
import type { MessageCodec } from './index.js';
import { decodeMessageJson, encodeMessageJson } from './json-codec.js';

/** The `json` codec over UTF-8 bytes (pass it as a session's `codec` option in browsers). */
export const jsonCodec: MessageCodec = {
  name: 'json',
  encode: (m) => utf8Encode(encodeMessageJson(m)),
  decode(bytes) {
    if (!isBytes(bytes)) throw new M2MError('InvalidMessage', { reason: 'message must be a Uint8Array' });
    if (bytes.length > MAX_BINARY_MESSAGE) throw new M2MError('InvalidMessage', { reason: `message of ${bytes.length} bytes exceeds ${MAX_BINARY_MESSAGE}` });
    const text = utf8DecodeStrict(bytes);
    if (text === undefined) throw new M2MError('InvalidMessage', { reason: 'message is not valid UTF-8' });
    return decodeMessageJson(text);
  },
};
