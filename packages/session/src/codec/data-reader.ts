/**
 * The binary codec's reader for the message that arrives once per DATA, the shape
 * data-writer.ts writes: `[type, session_id | nil, timestamp, [2, algorithm, content,
 * original_size | nil, nil]]`, read in one pass without building the generic value tree. It
 * accepts only that shape written in the usual encodings, the whole input and nothing else;
 * anything it does not take (a security status, a lying length, trailing bytes, an unusual
 * integer encoding, invalid UTF-8) it leaves to the bounded generic decoder, which gives the
 * same message or the exact error (test/frame-bytes.test.ts checks both agree).
 * @module
 */
import type { Algorithm } from '@m2m/core';
import { bufferOf, byteOffsetOf } from '@m2m/core/internal';
import { MessageType, type DataPayload, type Message } from '../message.js';
import { MsgpackCursor, RepeatedText } from './msgpack-cursor.js';

const ALGOS: readonly Algorithm[] = ['none', 'm2m', 'tokennative', 'brotli'];

const c = new MsgpackCursor();
// A session reads the same id in every message (msgpack-cursor.ts, RepeatedText).
const sessionIds = new RepeatedText(64);

/**
 * The DATA-shaped message in `bytes`, or `undefined` when it is not one this reader takes.
 * `keep` turns the content's bytes (a view of `bytes`) into what the payload holds.
 */
export function readDataMessage(bytes: Uint8Array, keep: (view: Uint8Array) => Uint8Array): Message | undefined {
  c.begin(bytes);
  try {
    if (c.byte() !== 0x94) return undefined;
    const type = c.byte();
    if (type < 0 || type >= MessageType.length) return undefined;
    let sessionId: string | undefined;
    const sidHead = c.byte();
    if (sidHead !== 0xc0) {
      sessionId = sessionIds.read(c, c.lengthOf(sidHead, true));
      if (sessionId === undefined) return undefined;
    }
    const timestamp = c.uint();
    if (c.at < 0 || c.byte() !== 0x95 || c.byte() !== 2) return undefined;
    const algo = c.byte();
    if (algo < 0 || algo >= ALGOS.length) return undefined;
    const head = c.byte();
    let content: string | Uint8Array;
    const strLen = c.lengthOf(head, true);
    if (strLen >= 0) {
      const s = c.textOf(strLen);
      if (s === undefined) return undefined;
      content = s;
    } else {
      const binLen = c.lengthOf(head, false);
      const at = c.at;
      // `length` is the array's own: binary-codec.ts refuses one that claims otherwise, which
      // would stretch the view below (made from the buffer) past the message.
      if (at < 0 || binLen < 0 || at + binLen > bytes.length) return undefined;
      // The view from the real buffer and offset: about half a `subarray`, which looks up the
      // species constructor (docs/ARCHITECTURE.md, Performance notes: receive side).
      content = keep(new Uint8Array(bufferOf.call(bytes), byteOffsetOf.call(bytes) + at, binLen));
      c.at = at + binLen;
    }
    let originalSize: number | undefined;
    if (bytes[c.at] === 0xc0) c.at++;
    else originalSize = c.uint();
    if (c.at < 0 || c.byte() !== 0xc0 || c.at !== bytes.length) return undefined;
    const value: DataPayload = { algorithm: ALGOS[algo], content };
    if (originalSize !== undefined) value.originalSize = originalSize;
    // Every field in the literal: a field added after it goes to a property array of its own,
    // one more allocation per message (docs/ARCHITECTURE.md, Performance notes: hgc).
    const payload: Message['payload'] = { kind: 'data', value };
    return sessionId === undefined ? { type: MessageType[type], timestamp, payload } : { type: MessageType[type], timestamp, sessionId, payload };
  } finally {
    c.release(); // keep no reference to the caller's bytes
  }
}
