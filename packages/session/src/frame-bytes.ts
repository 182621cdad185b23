/**
 * DATA content held as bytes (docs/PROTOCOL.md §4.2): how to tell an M2M frame, and how long the
 * content is in its text form, the length the reference counts (stats, `max_payload`).
 * @module
 */

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
