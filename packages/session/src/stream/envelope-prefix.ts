/**
 * What marks DATA content as a stream message (docs/PROTOCOL.md §4.4; the envelope itself is envelope.ts).
 * @module
 */

/** Every stream message begins with these characters: DATA content that does is reserved for streams once streaming is negotiated. */
export const STREAM_ENVELOPE_PREFIX = '{"m2m_stream":';

/** True when a DATA content is a stream message (by its prefix). */
export function isStreamEnvelope(content: string): boolean {
  return content.startsWith(STREAM_ENVELOPE_PREFIX);
}
