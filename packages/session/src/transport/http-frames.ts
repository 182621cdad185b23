/**
 * Bodies of the HTTP adapter: several messages in one body, each a 4-byte big-endian length
 * followed by the message (content type `application/x-m2m-frames`), in responses and in
 * batched POSTs.
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** Content type of a body of length-prefixed messages. */
export const FRAMES_CONTENT_TYPE = 'application/x-m2m-frames';
/** Header naming the HTTP adapter's connection. */
export const CONNECTION_HEADER = 'x-m2m-connection';
/** Header with the sequence number of a response body's first message. */
export const SEQUENCE_HEADER = 'x-m2m-seq';
/**
 * Largest framed POST body a client sends with several messages in it (a message larger than
 * this goes alone); a server takes framed bodies up to this or one message's limit + 4,
 * whichever is larger (docs/PROTOCOL.md §6).
 */
export const HTTP_BATCH_BYTES = 64 * 1024;
/**
 * Largest framed response body a server sends (more waits for the next poll), unless one message
 * alone is larger; a client reads up to this or its message limit + 4, whichever is larger.
 */
export const HTTP_RESPONSE_BYTES = 1024 * 1024;

/** Joins messages into one body. */
export function joinFrames(messages: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + 4 + m.length, 0));
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const m of messages) {
    dv.setUint32(off, m.length);
    out.set(m, off + 4);
    off += 4 + m.length;
  }
  return out;
}

/**
 * Checks a body of length-prefixed messages and counts them, without making an array per
 * message (a 1 MiB body of empty messages would otherwise be 262,144 of them at once).
 * @throws M2MError of kind InvalidMessage for a truncated body or a message over `max` bytes.
 */
export function countFrames(body: Uint8Array, max: number): number {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let count = 0;
  for (let off = 0; off < body.length; count++) {
    if (body.length - off < 4) throw new M2MError('InvalidMessage', { reason: 'truncated frame length in HTTP body' });
    const len = dv.getUint32(off);
    if (len > max) throw new M2MError('InvalidMessage', { reason: `HTTP body message of ${len} bytes exceeds ${max}` });
    if (body.length - off - 4 < len) throw new M2MError('InvalidMessage', { reason: 'truncated message in HTTP body' });
    off += 4 + len;
  }
  return count;
}

/** The messages of a body {@link countFrames} accepted, one view at a time. */
export function* framesOf(body: Uint8Array): Generator<Uint8Array> {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let off = 0; off < body.length; ) {
    const len = dv.getUint32(off);
    yield body.subarray(off + 4, off + 4 + len);
    off += 4 + len;
  }
}
