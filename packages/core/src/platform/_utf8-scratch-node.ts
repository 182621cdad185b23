/**
 * Node's `Platform.utf8EncodeScratch`: the UTF-8 bytes of a frame's JSON in one buffer reused
 * across frames. They only feed the header scan, Brotli, the CRC and the copy into the frame
 * within one `encodeFrameWith` call (wire/frame.ts); a fresh buffer per frame (`Buffer.from`) cost
 * about four times the encoding itself on large payloads, and `encodeInto` on a whole array
 * about half of the same call on a fresh view (126 against 241 ns for 162 B, view included).
 * The byte count comes from `encodeInto`, so a caller that does not know it yet needs no pass
 * over the text to count it (docs/ARCHITECTURE.md, Performance notes). Texts that fit go into the
 * CRC function's own memory (`_crc32-wasm-node.ts`), where the frame's CRC reads them in place.
 * @module
 */

import { toPlainBytes } from '../wire/bytes.js';
import { crcScratch, scratchBytes } from './_crc32-wasm-node.js';

/** Largest scratch kept between frames (longer texts get a buffer of their own). */
const KEPT_SCRATCH_BYTES = 512 * 1024;
const encoder = new TextEncoder();
let scratch = new Uint8Array(0);

/**
 * The UTF-8 bytes of `text` (`utf8Length` long when the caller knows it), valid until the next
 * call: a view of the reused scratch, or a buffer of their own past {@link KEPT_SCRATCH_BYTES}.
 */
export function utf8EncodeScratch(text: string, utf8Length?: number): Uint8Array {
  // At least one byte per UTF-16 unit; exactly `utf8Length` when given.
  const least = utf8Length ?? text.length;
  const inCrc = crcScratch();
  if (inCrc !== undefined && least <= inCrc.length) {
    const r = encoder.encodeInto(text, inCrc);
    if (r.read === text.length) return scratchBytes(r.written);
    // More bytes than that scratch holds: counted, then encoded where they fit.
    utf8Length = Buffer.byteLength(text, 'utf8');
    return utf8Length <= inCrc.length ? scratchBytes(encoder.encodeInto(text, inCrc).written) : utf8EncodeScratch(text, utf8Length);
  }
  if (least > KEPT_SCRATCH_BYTES) return toPlainBytes(Buffer.from(text, 'utf8'));
  if (scratch.length < least) scratch = new Uint8Array(Math.min(KEPT_SCRATCH_BYTES, Math.max(least, scratch.length * 2, 1024)));
  const r = encoder.encodeInto(text, scratch);
  // More bytes than the scratch holds (only when the length was not given): counted, then again.
  if (r.read < text.length) return utf8EncodeScratch(text, Buffer.byteLength(text, 'utf8'));
  return scratch.subarray(0, r.written);
}
