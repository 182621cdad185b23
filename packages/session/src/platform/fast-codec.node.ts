/**
 * Node's one-pass binary codec, reached through `#platform` (platform/index.node.ts): the writers
 * and readers for DATA (codec/data-writer.ts, data-reader.ts: frames laid out inside their
 * message, bindings written in place) and for handshake messages and capability payloads
 * (codec/handshake-writer.ts, handshake-reader.ts). Each gives the same bytes and values as the
 * generic codec (codec/binary-codec.ts) or `undefined` for what the generic codec must handle.
 * Browsers get platform/fast-codec.browser.ts, whose functions answer `undefined`: their
 * bundlers drop those calls, and no fast-path code or name reaches a page (about 10 KB less to
 * download, for speed that matters at tens of thousands of messages or thousands of handshakes a
 * second; docs/ARCHITECTURE.md).
 * @module
 */
import type { DecodeFrameOptions } from '@m2m/core';
import { decodeFramePayload, unsharedBytes } from '@m2m/core/internal';
import type { Message } from '../message.js';
import { readDataMessage } from '../codec/data-reader.js';
import { FrameMessageWriter, writeDataMessage } from '../codec/data-writer.js';
import { readHandshakeMessage } from '../codec/handshake-reader.js';
import { writeHandshakeMessage } from '../codec/handshake-writer.js';
import { KeptBinding } from '../secure/kept-binding.js';

export { readAcceptPayload as fastReadAcceptPayload, readCapabilities as fastReadCapabilities } from '../codec/handshake-reader.js';
export { writeAcceptPayload as fastWriteAcceptPayload, writeCapabilities as fastWriteCapabilities } from '../codec/handshake-writer.js';
export { frameAllocatorFor as fastFrameAllocator } from '../codec/data-writer.js';
export { sessionCapabilities as fastSessionCapabilities } from '../codec/default-capabilities.js';
export { boundedDecodeOptions } from '../decompression-bound.js';

/** A DATA, binding or sealed control message, or a handshake message, in one sized allocation. */
export function fastWriteMessage(m: Message): Uint8Array | undefined {
  return writeDataMessage(m) ?? writeHandshakeMessage(m);
}

/** The DATA and handshake shapes in one pass; HELLO, ACCEPT and AUTH try the handshake reader first (AUTH also carries a sealed key confirmation, DATA-shaped). */
export function fastReadMessage(bytes: Uint8Array, keep: (view: Uint8Array) => Uint8Array): Message | undefined {
  const type = bytes[1];
  if (type <= 1 || type === 7) return readHandshakeMessage(bytes, keep) ?? readDataMessage(bytes, keep);
  return readDataMessage(bytes, keep);
}

/**
 * A received frame's payload without building its header (`decodeFramePayload` in @m2m/core's
 * wire/frame.ts, which leaves shared memory to its caller: a frame in a SharedArrayBuffer is read
 * from a private copy, as decodeFrame reads it; test/core-shared-memory.test.ts).
 */
export function fastFramePayload(bytes: Uint8Array, options: DecodeFrameOptions): string {
  return decodeFramePayload(unsharedBytes(bytes), options);
}

/** A writer of one session's plaintext M2M DATA messages around their frames, no `Message` needed. */
export function fastFrameMessageWriter(): FrameMessageWriter {
  return new FrameMessageWriter();
}

/** A new kept binding for one direction of a secure session (secure/kept-binding.ts). */
export function fastKeptBinding(): KeptBinding {
  return new KeptBinding();
}
