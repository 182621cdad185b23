/**
 * `@m2m/session/streams`: streams of DATA messages inside a session (docs/PROTOCOL.md §4.4):
 * `openStream(session)` gives a writer, `incomingStreams(session)` the peer's streams; the
 * envelope codec is here too. An entry of its own so that pages that never stream do not carry
 * it (bench/startup.ts). Loading it lets every session route the peer's stream messages; a
 * session in a program that never loads it ends with `STREAM_ERROR` when the peer opens a
 * stream (in Node the package is one module, so it is always loaded there). Relaying SSE
 * through streams: `@m2m/session/sse`.
 * @module
 */
export { openStream, incomingStreams } from './stream/session-streams.js';
export { STREAM_ENVELOPE_PREFIX, MAX_STREAM_ID_LENGTH, encodeStreamEnvelope, decodeStreamEnvelope, isStreamEnvelope, type StreamEnvelope, type StreamOp } from './stream/envelope.js';
export type { IncomingStream } from './stream/incoming.js';
export type { StreamWriter } from './stream/writer.js';
export type { OpenStreamOptions } from './stream/stream-mux.js';
