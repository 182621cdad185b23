/**
 * Message codecs behind one interface: `json` (the reference's text, interoperable with Rust
 * peers; in codec/json.ts) and `binary` (MessagePack, compact).
 * @module
 */
import { platform } from '#platform';
import { M2MError } from '@m2m/core/internal';
import type { Message } from '../message.js';
import { decodeMessageBinary, decodeOwnedMessageBinary, encodeMessageBinary } from './binary-codec.js';

/** Names of the message codecs. */
export type MessageCodecName = 'json' | 'binary';

/** Turns messages into transport payloads and back. */
export interface MessageCodec {
  /** `json` (the reference's text) or `binary` (MessagePack); what `Session.codec` reports. */
  readonly name: MessageCodecName;
  /** The bytes of one message as a transport sends them. */
  encode(message: Message): Uint8Array;
  /**
   * Reads exactly one message from a transport payload.
   * @throws M2MError of kind InvalidMessage for anything that is not one valid message.
   */
  decode(bytes: Uint8Array): Message;
}

/**
 * The `binary` (MessagePack) codec. Its `decode` takes the bytes over, as a session does with
 * what its transport received: a frame in them may stay a view of them (binary-codec.ts).
 */
export const binaryCodec: MessageCodec = { name: 'binary', encode: encodeMessageBinary, decode: decodeOwnedMessageBinary };

/**
 * The codec of a name (a codec object is returned as it is). `json` is there on Node; browsers
 * take the `jsonCodec` object of `@m2m/session/json` (codec/json.ts).
 * @throws M2MError of kind Config for an unknown name, and for `json` in a browser build.
 */
export function messageCodec(name: MessageCodecName | MessageCodec): MessageCodec {
  if (typeof name === 'object') return name;
  if (name === 'json') {
    if (platform.jsonCodec) return platform.jsonCodec;
    throw new M2MError('Config', { reason: "browser builds carry the json codec in @m2m/session/json: pass its jsonCodec as the codec option (codec: jsonCodec), not 'json'" });
  }
  if (name === 'binary') return binaryCodec;
  throw new M2MError('Config', { reason: `unknown message codec ${String(name)}; use json or binary` });
}

export { decodeMessageBinary, encodeMessageBinary };
