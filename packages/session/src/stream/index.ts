/**
 * Streams: Server-Sent Events parsing, chat-completion accumulation, and streams of DATA
 * messages inside a session.
 * @module
 */
export { SseParser, parseSse, parseChatCompletionStream, formatSseEvent, SSE_DONE, DEFAULT_MAX_SSE_EVENT_CHARS, type SseEvent, type SseParserOptions, type SseSource, type ChatStreamOptions } from './sse.js';
export { ChatCompletionAccumulator, accumulateChatCompletion, type AccumulatorLimits } from './accumulate.js';
export type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionDelta, ChatCompletionMessage, CompletionUsage, ToolCall, ToolCallDelta } from './chat-types.js';
export { STREAM_ENVELOPE_PREFIX, MAX_STREAM_ID_LENGTH, encodeStreamEnvelope, decodeStreamEnvelope, isStreamEnvelope, type StreamEnvelope, type StreamOp } from './envelope.js';
export type { IncomingStream } from './incoming.js';
export type { StreamWriter } from './writer.js';
export type { StreamOptions, OpenStreamOptions } from './stream-mux.js';
export { relaySseToStream, streamToSse } from './relay.js';
