/**
 * Server-Sent Events, as LLM APIs stream chat completions: bytes in, events out. The line
 * grammar (fields, comments, CRLF, lines split across reads) is eventsource-parser's; this file
 * adds UTF-8 decoding across reads, a bound on buffered characters, and the OpenAI conventions
 * on top (`data: [DONE]` ends the stream, each other `data` is one JSON chunk, an `error`
 * object mid-stream is the upstream's failure).
 * @module
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { M2MError } from '@m2m/core/internal';
import type { ChatCompletionChunk } from './chat-types.js';

/** One Server-Sent Event. */
export interface SseEvent {
  /** The `data` lines joined with `\n`. */
  data: string;
  /** The `event:` field, when the server set one. */
  event?: string;
  /** The `id:` field of this event, when it has one (not carried over to later events). */
  id?: string;
}

/** Options of {@link SseParser} and {@link parseSse}. */
export interface SseParserOptions {
  /**
   * Characters buffered for one unfinished line or event before the stream fails with
   * `LIMIT_EXCEEDED` (default 1 MiB of characters).
   */
  maxEventChars?: number;
  /** Called with each comment line (`: keep-alive`), without the colon. */
  onComment?: (comment: string) => void;
}

/** Characters handed to eventsource-parser at once (see `SseParser.feed`). */
const FEED_SLICE = 16 * 1024;

/** Default of {@link SseParserOptions.maxEventChars}. */
export const DEFAULT_MAX_SSE_EVENT_CHARS = 1 << 20;

/** What {@link parseSse} reads: Node streams, `fetch` bodies, or any async iterable of chunks. */
export type SseSource = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

/**
 * An incremental SSE parser: feed it bytes or text as they arrive, in pieces of any size.
 * @example
 * ```ts
 * const parser = new SseParser((e) => console.log(e.data));
 * parser.feed(new TextEncoder().encode('data: {"a":'));
 * parser.feed('1}\r\n\r\n'); // logs {"a":1}
 * ```
 */
export class SseParser {
  #parser: EventSourceParser;
  #decoder = new TextDecoder();
  #max: number;
  #overflow = false;

  /** @param onEvent - called synchronously, in order, for every complete event */
  constructor(onEvent: (event: SseEvent) => void, options: SseParserOptions = {}) {
    this.#max = options.maxEventChars ?? DEFAULT_MAX_SSE_EVENT_CHARS;
    this.#parser = createParser({
      maxBufferSize: this.#max,
      onEvent: (m) => {
        const e: SseEvent = { data: m.data };
        if (m.event !== undefined) e.event = m.event;
        if (m.id !== undefined) e.id = m.id;
        onEvent(e);
      },
      onComment: options.onComment,
      // Unknown fields and bad `retry` values are ignored, as the SSE specification says; only the bound fails.
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') this.#overflow = true;
      },
    });
  }

  /**
   * Parses the next piece of the stream (a byte chunk may end inside a UTF-8 sequence).
   * @throws M2MError LimitExceeded when one line or event exceeds `maxEventChars`.
   */
  feed(chunk: Uint8Array | string): void {
    if (this.#overflow) throw this.#limitError();
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    // eventsource-parser's CR-terminated line search is quadratic in one fed piece (1 MiB of
    // `\r` took ~20 s in one feed): large pieces are fed in slices (a CRLF split across two
    // slices is handled like one split across two reads).
    for (let at = 0; at < text.length && !this.#overflow; at += FEED_SLICE) this.#parser.feed(text.slice(at, at + FEED_SLICE));
    if (this.#overflow) throw this.#limitError();
  }

  /**
   * Ends the stream: flushes a trailing partial UTF-8 sequence. An event without its closing
   * blank line is dropped, as the SSE specification says.
   */
  end(): void {
    const rest = this.#decoder.decode();
    if (rest.length > 0 && !this.#overflow) this.#parser.feed(rest);
    this.#parser.reset();
  }

  #limitError(): M2MError {
    return new M2MError('LimitExceeded', { limit: 'sseEventChars', actual: this.#max + 1, max: this.#max });
  }
}

/**
 * Reads Server-Sent Events from a byte stream.
 * @throws M2MError LimitExceeded (an event over `maxEventChars`); errors of the source pass through.
 * @example
 * ```ts
 * const res = await fetch(url, { method: 'POST', body });
 * for await (const e of parseSse(res.body!)) console.log(e.event, e.data);
 * ```
 */
export async function* parseSse(source: SseSource, options: SseParserOptions = {}): AsyncGenerator<SseEvent, void, undefined> {
  const pending: SseEvent[] = [];
  const parser = new SseParser((e) => pending.push(e), options);
  for await (const chunk of iterate(source)) {
    parser.feed(chunk);
    // Yielded one by one so a consumer that stops early leaves the rest unread.
    while (pending.length > 0) yield pending.shift()!;
  }
  parser.end();
  while (pending.length > 0) yield pending.shift()!;
}

/** Options of {@link parseChatCompletionStream}. */
export interface ChatStreamOptions extends SseParserOptions {
  /** Fail with `STREAM_CLOSED` when the source ends before `data: [DONE]` (default false: some providers omit it). */
  requireDone?: boolean;
}

/**
 * Reads an OpenAI-style chat completion stream: each `data` event is one JSON chunk, `[DONE]`
 * ends it (anything after is not read), events of other `event:` types are skipped.
 * @throws M2MError: StreamError (a `data` that is not a JSON object), Upstream (an `error`
 *   object in the stream, with its message), StreamClosed (no `[DONE]` with `requireDone`),
 *   LimitExceeded (an event over `maxEventChars`).
 * @example
 * ```ts
 * const completion = await accumulateChatCompletion(parseChatCompletionStream(res.body!));
 * ```
 */
export async function* parseChatCompletionStream(source: SseSource, options: ChatStreamOptions = {}): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  let count = 0;
  for await (const e of parseSse(source, options)) {
    if (e.event !== undefined && e.event !== 'message' && e.event !== 'error') continue;
    if (e.data === '[DONE]') return;
    const chunk = parseChunkJson(e.data, count);
    if (e.event === 'error' || 'error' in chunk) throw upstreamError(chunk);
    count++;
    yield chunk as ChatCompletionChunk;
  }
  if (options.requireDone) throw new M2MError('StreamClosed', { reason: `SSE stream ended after ${count} chunks without [DONE]`, chunksReceived: count });
}

/**
 * One SSE event as text, ready to write to a response: multi-line data becomes several
 * `data:` lines; `event` and `id` must not contain line breaks.
 * @throws M2MError InvalidMessage when `event` or `id` contains CR or LF.
 * @example `formatSseEvent('{"a":1}')` is `'data: {"a":1}\n\n'`.
 */
export function formatSseEvent(data: string, fields: { event?: string; id?: string } = {}): string {
  let out = '';
  for (const [name, value] of [['event', fields.event], ['id', fields.id]] as const) {
    if (value === undefined) continue;
    if (/[\r\n]/.test(value)) throw new M2MError('InvalidMessage', { reason: `SSE ${name} contains a line break` });
    out += `${name}: ${value}\n`;
  }
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** The event that ends an OpenAI-style stream. */
export const SSE_DONE = 'data: [DONE]\n\n';

function parseChunkJson(data: string, index: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch (e) {
    throw new M2MError('StreamError', { reason: `SSE chunk ${index} is not JSON: ${(e as Error).message}`, received: index }, { cause: e });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new M2MError('StreamError', { reason: `SSE chunk ${index} is not a JSON object`, received: index });
  return v as Record<string, unknown>;
}

function upstreamError(chunk: Record<string, unknown>): M2MError {
  const err = chunk.error;
  const message = err !== null && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : JSON.stringify(err ?? chunk).slice(0, 200);
  return new M2MError('Upstream', { reason: `error in the SSE stream: ${message}` });
}

async function* iterate(source: SseSource): AsyncGenerator<Uint8Array | string> {
  if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array | string>;
    return;
  }
  // Browsers without async-iterable ReadableStream.
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}
