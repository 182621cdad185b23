/**
 * The stream envelope: the JSON text one DATA message carries for a stream. It is the content
 * of the DATA, so it goes through the negotiated codec and, in encrypted sessions, inside the
 * AEAD frame: the stream id, sequence number and operation are authenticated with the chunks.
 * Format: docs/PROTOCOL.md §4.4.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { STREAM_ENVELOPE_PREFIX } from './envelope-prefix.js';

/** What a stream message does. */
export type StreamOp = 'data' | 'end' | 'abort';

/** One decoded stream message. */
export interface StreamEnvelope {
  /** Stream id, unique per direction while the stream is open (1–64 characters). */
  id: string;
  /** Sequence number of the first chunk (the stream's first chunk is 0). */
  seq: number;
  /** `data`: more chunks; `end`: last chunks, the stream is complete; `abort`: the sender gave up (see `reason`). */
  op: StreamOp;
  /** The chunks, in order (`data` and `end`). */
  chunks: string[];
  /** Why the sender aborted (`abort`). */
  reason?: string;
}

// The prefix and its test are a file of their own: every session runs them, only streams the rest (Node's build keeps the rest out of the main module).
export { STREAM_ENVELOPE_PREFIX, isStreamEnvelope } from './envelope-prefix.js';

/** Longest stream id accepted. */
export const MAX_STREAM_ID_LENGTH = 64;

/** The envelope's JSON text. */
export function encodeStreamEnvelope(e: StreamEnvelope): string {
  const head = `${STREAM_ENVELOPE_PREFIX}{"id":${JSON.stringify(e.id)},"seq":${e.seq},"op":"${e.op}"}`;
  if (e.op === 'abort') return `${head},"reason":${JSON.stringify(e.reason ?? '')}}`;
  return `${head},"chunks":${JSON.stringify(e.chunks)}}`;
}


/**
 * Parses and checks a stream message.
 * @throws M2MError StreamError for anything that is not a well-formed envelope (bad JSON, an id
 *   that is not a 1–64 character string, a sequence number that is not a safe non-negative
 *   integer, an unknown op, chunks that are not strings).
 */
export function decodeStreamEnvelope(content: string): StreamEnvelope {
  let v: unknown;
  try {
    v = JSON.parse(content);
  } catch (e) {
    throw new M2MError('StreamError', { reason: 'stream message is not JSON' }, { cause: e });
  }
  const o = v as { m2m_stream?: { id?: unknown; seq?: unknown; op?: unknown }; chunks?: unknown; reason?: unknown };
  const h = o.m2m_stream;
  if (h === null || typeof h !== 'object') throw bad('has no m2m_stream header');
  if (typeof h.id !== 'string' || h.id.length === 0 || h.id.length > MAX_STREAM_ID_LENGTH) throw bad(`has an id that is not a 1-${MAX_STREAM_ID_LENGTH} character string`);
  if (typeof h.seq !== 'number' || !Number.isSafeInteger(h.seq) || h.seq < 0) throw bad('has a sequence number that is not a non-negative integer', h.id);
  if (h.op !== 'data' && h.op !== 'end' && h.op !== 'abort') throw bad('has an unknown op', h.id);
  if (h.op === 'abort') return { id: h.id, seq: h.seq, op: 'abort', chunks: [], reason: typeof o.reason === 'string' ? o.reason : '' };
  if (!Array.isArray(o.chunks) || !o.chunks.every((c) => typeof c === 'string')) throw bad('has chunks that are not an array of strings', h.id);
  if (h.op === 'data' && o.chunks.length === 0) throw bad('has no chunks', h.id);
  return { id: h.id, seq: h.seq, op: h.op, chunks: o.chunks as string[] };
}

function bad(what: string, streamId?: string): M2MError {
  const details: { reason: string; streamId?: string } = { reason: `stream message ${what}` };
  if (streamId !== undefined) details.streamId = streamId;
  return new M2MError('StreamError', details);
}
