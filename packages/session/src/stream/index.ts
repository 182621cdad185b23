/**
 * Streams: Server-Sent Events parsing, chat-completion accumulation, and streams of DATA
 * messages inside a session.
 * @module
 */
export { SseParser, parseSse, parseChatCompletionStream, formatSseEvent, SSE_DONE, DEFAULT_MAX_SSE_EVENT_CHARS, type SseEvent, type SseParserOptions, type SseSource, type ChatStreamOptions } from './sse.js';
export { ChatCompletionAccumulator, accumulateChatCompletion, type AccumulatorLimits } from './accumulate.js';
export type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionDelta, ChatCompletionMessage, CompletionUsage, ToolCall, ToolCallDelta } from './chat-types.js';
