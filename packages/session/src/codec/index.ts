/**
 * Message codecs behind one interface: `json` (the reference's text, interoperable with Rust
 * peers) and `binary` (MessagePack, compact).
 * @module
 */
import { M2MError, isBytes, utf8DecodeStrict, utf8Encode } from '@m2m/core/internal';
import type { Message } from '../message.js';
import { decodeMessageBinary, decodeOwnedMessageBinary, encodeMessageBinary, MAX_BINARY_MESSAGE } from './binary-codec.js';
import { decodeMessageJson, encodeMessageJson } from './json-codec.js';

/** Names of the message codecs. */
export type MessageCodecName = 'json' | 'binary';

/** Turns messages into transport payloads and back. */
export interface MessageCodec {
  readonly name: MessageCodecName;
  encode(message: Message): Uint8Array;
  /** @throws M2MError of kind InvalidMessage for anything that is not one valid message. */
  decode(bytes: Uint8Array): Message;
}

/** The `json` codec over UTF-8 bytes. */
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

/**
 * The `binary` (MessagePack) codec. Its `decode` takes the bytes over, as a session does with
 * what its transport received: a frame in them may stay a view of them (binary-codec.ts).
 */
export const binaryCodec: MessageCodec = { name: 'binary', encode: encodeMessageBinary, decode: decodeOwnedMessageBinary };

/**
 * The codec of a name.
 * @throws M2MError of kind Config for an unknown name.
 */
export function messageCodec(name: MessageCodecName): MessageCodec {
  if (name === 'json') return jsonCodec;
  if (name === 'binary') return binaryCodec;
  throw new M2MError('Config', { reason: `unknown message codec ${String(name)}; use json or binary` });
}

export { decodeMessageBinary, encodeMessageBinary, decodeMessageJson, encodeMessageJson };
