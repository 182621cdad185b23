/**
 * The browser side of platform/fast-codec.node.ts: no one-pass codec, so every function answers
 * `undefined` and callers take the generic codec (codec/binary-codec.ts), which gives the same
 * bytes and values. The bodies are empty so that bundlers drop the calls altogether.
 * @module
 */
import type { Capabilities, Message } from '../message.js';
import type { FrameMessageWriter } from '../codec/data-writer.js';
import type { KeptBinding } from '../secure/kept-binding.js';

/** No one-pass writer here. */
export function fastWriteMessage(_m: Message): Uint8Array | undefined {
  return undefined;
}
/** No one-pass reader here. */
export function fastReadMessage(_bytes: Uint8Array, _keep: (view: Uint8Array) => Uint8Array): Message | undefined {
  return undefined;
}
/** No one-pass writer here. */
export function fastWriteCapabilities(_c: Capabilities): Uint8Array | undefined {
  return undefined;
}
/** No one-pass writer here. */
export function fastWriteAcceptPayload(_sessionId: string, _c: Capabilities): Uint8Array | undefined {
  return undefined;
}
/** No one-pass reader here. */
export function fastReadCapabilities(_bytes: Uint8Array): Capabilities | undefined {
  return undefined;
}
/** No one-pass reader here. */
export function fastReadAcceptPayload(_bytes: Uint8Array): { sessionId: string; capabilities: Capabilities } | undefined {
  return undefined;
}
/** Frames get their own arrays here. */
export function fastFrameAllocator(_m: Message): ((n: number) => Uint8Array) | undefined {
  return undefined;
}
/** Browsers take `decodeFrame(bytes, options).payload`, the same checks and result. */
export function fastFramePayload(_bytes: Uint8Array, _options: unknown): string | undefined {
  return undefined;
}
/** DATA goes through a `Message` here. */
export function fastFrameMessageWriter(): FrameMessageWriter | undefined {
  return undefined;
}
/** Received DATA keeps the codec's decompression limit here (decompression-bound.ts is Node's). */
export function boundedDecodeOptions(_options: unknown, _length: number): undefined {
  return undefined;
}
/** Bindings are joined afresh here. */
export function fastKeptBinding(): KeptBinding | undefined {
  return undefined;
}
/** The defaults, as `SessionCore` makes them. */
export function fastSessionCapabilities(): Capabilities | undefined {
  return undefined;
}
