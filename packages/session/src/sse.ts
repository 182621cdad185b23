/**
 * `@m2m/session/sse`: OpenAI-style server-sent events: parsing (`SseParser`, `parseSse`,
 * `parseChatCompletionStream`), writing (`formatSseEvent`), folding chat-completion chunks into
 * one completion (`ChatCompletionAccumulator`), and relaying an SSE body through a session
 * stream and back (`relaySseToStream`, `streamToSse`). An entry of its own so that sessions that
 * never touch SSE do not load it (bench/startup.ts); session streams themselves
 * (`openStream(session)`, the envelope) are in `@m2m/session/streams`, the chat types in the main entry.
 * @module
 */
export { SseParser, parseSse, parseChatCompletionStream, formatSseEvent, SSE_DONE, DEFAULT_MAX_SSE_EVENT_CHARS, type SseEvent, type SseParserOptions, type SseSource, type ChatStreamOptions } from './stream/sse.js';
export { ChatCompletionAccumulator, accumulateChatCompletion, type AccumulatorLimits } from './stream/accumulate.js';
export { relaySseToStream, streamToSse } from './stream/relay.js';
export type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionDelta, ChatCompletionMessage, CompletionUsage, ToolCall, ToolCallDelta } from './stream/chat-types.js';
