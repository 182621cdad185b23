/**
 * Folds the chunks of a streamed chat completion into the completion a non-streamed request
 * would have returned: content and refusal text appended per choice, tool-call arguments
 * appended per tool-call index, the last finish reason and usage kept. Every count and every
 * byte is bounded, so a hostile stream fails with a typed error instead of growing without end.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, CompletionUsage, ToolCall } from './chat-types.js';

/** Bounds of {@link ChatCompletionAccumulator}. */
export interface AccumulatorLimits {
  /** Highest choice count (`n`) accepted (default 128). */
  maxChoices?: number;
  /** Highest tool-call count per choice (default 128). */
  maxToolCalls?: number;
  /** Characters of text kept over all choices (default 16 Mi). */
  maxChars?: number;
}

interface ChoiceState {
  role: string | undefined;
  content: string[];
  refusal: string[] | undefined;
  tools: Array<ToolCall | undefined>;
  fn: { name: string; arguments: string } | undefined;
  finish: string | null;
  logprobs: { content: unknown[] | null; refusal?: unknown[] | null } | null;
}

/**
 * Accumulates chunks; `result()` gives the completion so far (call it after the last chunk).
 * @example
 * ```ts
 * const acc = new ChatCompletionAccumulator();
 * for await (const chunk of parseChatCompletionStream(res.body!)) acc.add(chunk);
 * console.log(acc.result().choices[0].message.content);
 * ```
 */
export class ChatCompletionAccumulator {
  #choices: Array<ChoiceState | undefined> = [];
  #id = '';
  #created = 0;
  #model = '';
  #fingerprint: string | null | undefined;
  #tier: string | null | undefined;
  #usage: CompletionUsage | undefined;
  #chars = 0;
  #count = 0;
  #maxChoices: number;
  #maxTools: number;
  #maxChars: number;

  constructor(limits: AccumulatorLimits = {}) {
    this.#maxChoices = limits.maxChoices ?? 128;
    this.#maxTools = limits.maxToolCalls ?? 128;
    this.#maxChars = limits.maxChars ?? 16 << 20;
  }

  /** Chunks added so far. */
  get chunks(): number {
    return this.#count;
  }

  /**
   * Adds one chunk.
   * @throws M2MError StreamError (not a chunk: no `choices` array, a choice or tool-call index
   *   that is not a non-negative integer, a delta that is not an object), LimitExceeded (over
   *   `maxChoices`, `maxToolCalls` or `maxChars`).
   */
  add(chunk: ChatCompletionChunk): void {
    const n = this.#count;
    if (chunk === null || typeof chunk !== 'object' || !Array.isArray(chunk.choices)) throw bad(n, 'has no choices array');
    if (typeof chunk.id === 'string' && this.#id === '') this.#id = chunk.id;
    if (typeof chunk.created === 'number' && this.#created === 0) this.#created = chunk.created;
    if (typeof chunk.model === 'string' && this.#model === '') this.#model = chunk.model;
    if (chunk.system_fingerprint !== undefined) this.#fingerprint = chunk.system_fingerprint;
    if (chunk.service_tier !== undefined) this.#tier = chunk.service_tier;
    if (chunk.usage !== undefined && chunk.usage !== null) {
      if (typeof chunk.usage !== 'object' || Array.isArray(chunk.usage)) throw bad(n, 'has a usage that is not an object');
      this.#usage = chunk.usage;
    }
    for (const c of chunk.choices) {
      if (c === null || typeof c !== 'object') throw bad(n, 'has a choice that is not an object');
      const index = checkIndex(c.index, this.#maxChoices, 'maxChoices', n, 'choice');
      const state = (this.#choices[index] ??= { role: undefined, content: [], refusal: undefined, tools: [], fn: undefined, finish: null, logprobs: null });
      const d = c.delta ?? {};
      if (typeof d !== 'object' || d === null) throw bad(n, 'has a delta that is not an object');
      if (typeof d.role === 'string') state.role = d.role;
      if (typeof d.content === 'string') this.#append(state.content, d.content);
      if (typeof d.refusal === 'string') this.#append((state.refusal ??= []), d.refusal);
      if (d.tool_calls !== undefined && d.tool_calls !== null) {
        if (!Array.isArray(d.tool_calls)) throw bad(n, 'has tool_calls that are not an array');
        for (const t of d.tool_calls) this.#addTool(state, t, n);
      }
      const fc = d.function_call as { name?: unknown; arguments?: unknown } | null | undefined;
      if (fc !== undefined && fc !== null) {
        if (typeof fc !== 'object') throw bad(n, 'has a function_call that is not an object');
        state.fn ??= { name: '', arguments: '' };
        if (typeof fc.name === 'string' && fc.name !== '') state.fn.name = fc.name;
        if (typeof fc.arguments === 'string') {
          this.#spend(fc.arguments.length);
          state.fn.arguments += fc.arguments;
        }
      }
      if (typeof c.finish_reason === 'string') state.finish = c.finish_reason;
      if (c.logprobs !== undefined && c.logprobs !== null) this.#addLogprobs(state, c.logprobs, n);
    }
    this.#count++;
  }

  #append(parts: string[], text: string): void {
    this.#spend(text.length);
    parts.push(text);
  }

  /** Counts kept characters (log-probability entries count one each) against `maxChars`. */
  #spend(chars: number): void {
    this.#chars += chars;
    if (this.#chars > this.#maxChars) throw new M2MError('LimitExceeded', { limit: 'streamChars', actual: this.#chars, max: this.#maxChars });
  }

  #addTool(state: ChoiceState, t: unknown, n: number): void {
    if (t === null || typeof t !== 'object') throw bad(n, 'has a tool call that is not an object');
    const delta = t as { index?: unknown; id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } | null };
    const index = checkIndex(delta.index, this.#maxTools, 'maxToolCalls', n, 'tool call');
    const call = (state.tools[index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (typeof delta.id === 'string') call.id = delta.id;
    if (typeof delta.type === 'string') call.type = delta.type;
    const fn = delta.function;
    if (fn !== undefined && fn !== null) {
      if (typeof fn.name === 'string' && fn.name !== '') call.function.name = fn.name;
      if (typeof fn.arguments === 'string') {
        this.#spend(fn.arguments.length);
        call.function.arguments += fn.arguments;
      }
    }
  }

  #addLogprobs(state: ChoiceState, lp: unknown, n: number): void {
    if (typeof lp !== 'object' || lp === null) throw bad(n, 'has logprobs that are not an object');
    const { content, refusal } = lp as { content?: unknown; refusal?: unknown };
    const out = (state.logprobs ??= { content: null });
    if (Array.isArray(content)) {
      this.#spend(content.length);
      for (const x of content) (out.content ??= []).push(x);
    }
    if (Array.isArray(refusal)) {
      this.#spend(refusal.length);
      for (const x of refusal) (out.refusal ??= []).push(x);
    }
  }

  /** The completion assembled from the chunks added so far. */
  result(): ChatCompletion {
    const choices: ChatCompletionChoice[] = [];
    this.#choices.forEach((s, index) => {
      if (!s) return;
      const message: ChatCompletionChoice['message'] = { role: s.role ?? 'assistant', content: s.content.length > 0 ? s.content.join('') : null };
      if (s.refusal) message.refusal = s.refusal.join('');
      const tools = s.tools.filter((t): t is ToolCall => t !== undefined);
      if (tools.length > 0) message.tool_calls = tools.map((t) => ({ id: t.id, type: t.type, function: { ...t.function } }));
      if (s.fn) message.function_call = { ...s.fn };
      choices.push({ index, message, logprobs: s.logprobs, finish_reason: s.finish });
    });
    const out: ChatCompletion = { id: this.#id, object: 'chat.completion', created: this.#created, model: this.#model, choices };
    if (this.#usage) out.usage = this.#usage;
    if (this.#fingerprint !== undefined) out.system_fingerprint = this.#fingerprint;
    if (this.#tier !== undefined) out.service_tier = this.#tier;
    return out;
  }
}

/**
 * Accumulates a whole stream of chunks (sync or async) into the final completion.
 * @throws M2MError as {@link ChatCompletionAccumulator.add}; errors of the source pass through.
 * @example
 * ```ts
 * const completion = await accumulateChatCompletion(parseChatCompletionStream(res.body!));
 * ```
 */
export async function accumulateChatCompletion(chunks: AsyncIterable<ChatCompletionChunk> | Iterable<ChatCompletionChunk>, limits: AccumulatorLimits = {}): Promise<ChatCompletion> {
  const acc = new ChatCompletionAccumulator(limits);
  for await (const chunk of chunks) acc.add(chunk);
  return acc.result();
}

function checkIndex(v: unknown, max: number, limit: string, n: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad(n, `has a ${what} index that is not a non-negative integer`);
  if (v >= max) throw new M2MError('LimitExceeded', { limit, actual: v + 1, max });
  return v;
}

function bad(n: number, what: string): M2MError {
  return new M2MError('StreamError', { reason: `chunk ${n} ${what}`, received: n });
}
