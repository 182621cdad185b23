/**
 * The text of a MessagePack str, for both readers (msgpack-decode.ts, data-reader.ts): short
 * ASCII strings (ids, enum-like text) are built directly, the rest decoded strictly.
 * @internal
 * @module
 */
import { utf8DecodeFast } from '@m2m/core/internal';

/** `src[start, end)` as text, or `undefined` for invalid UTF-8. */
export function utf8Text(src: Uint8Array, start: number, end: number): string | undefined {
  if (end - start <= 16) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = src[i];
      if (c >= 0x80) return utf8DecodeFast(src.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8DecodeFast(src.subarray(start, end));
}
