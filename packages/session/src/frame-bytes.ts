/**
 * DATA content held as bytes (docs/PROTOCOL.md §4.2): how to tell an M2M frame, and how long the
 * content is in its text form, the length the reference counts (stats, `max_payload`).
 * @module
 */
import { frameTextToBytes } from '@m2m/core/internal';

/** `#M2M|1|`, the first bytes of every M2M v1 frame. */
const FRAME_PREFIX = [0x23, 0x4d, 0x32, 0x4d, 0x7c, 0x31, 0x7c] as const;

/** True when `bytes` begins with the M2M v1 prefix `#M2M|1|`. */
export function isFrameBytes(bytes: Uint8Array): boolean {
  if (bytes.length < FRAME_PREFIX.length) return false;
  for (let i = 0; i < FRAME_PREFIX.length; i++) if (bytes[i] !== FRAME_PREFIX[i]) return false;
  return true;
}

/**
 * The length of DATA content as text: a string's own length; for bytes, the length of their
 * text form (an M2M frame: the prefix, then base64 of the rest; other bytes: base64), so a
 * limit or a counter means the same under both codecs.
 */
export function contentTextLength(content: string | Uint8Array): number {
  if (typeof content === 'string') return content.length;
  const prefix = isFrameBytes(content) ? FRAME_PREFIX.length : 0;
  return prefix + 4 * Math.ceil((content.length - prefix) / 3);
}

/**
 * The M2M frame a DATA payload carries, as bytes, however it travelled: bytes from the binary
 * codec as they are, the text form (`#M2M|1|…`) of the json codec decoded from base64.
 * @returns `undefined` when the content is not an M2M frame (TokenNative, Brotli text, passthrough).
 * @throws M2MError of kind Decompression for text that starts like a frame but is not valid base64.
 * @example `inspectFrame(dataFrame(received.payload)!).security // 'aead'`
 */
export function dataFrame(payload: { content: string | Uint8Array }): Uint8Array | undefined {
  const c = payload.content;
  if (typeof c !== 'string') return isFrameBytes(c) ? c : undefined;
  return c.startsWith('#M2M|1|') ? frameTextToBytes(c) : undefined;
}
