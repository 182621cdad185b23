/**
 * Token counting with js-tiktoken: plain text, and chat requests with the per-message overhead
 * of OpenAI's chat format (as OpenAI's cookbook "How to count tokens with tiktoken" describes:
 * 3 tokens per message, 1 more for a `name`, 3 to prime the reply). The rank tables load on
 * first use, never at import.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { tokenizer } from '../wire/token-native.js';
import { bpeEncodeOrdinary } from '../wire/token-native-bpe.js';
import { modelEncoding, type TokenEncoding } from './encoding.js';

/** Says which tokenizer to count with: a model (its encoding is inferred) or an encoding. */
export type CountTokensOptions = { model: string } | { encoding: TokenEncoding | 'Cl100kBase' | 'O200kBase' };

/** One chat message as counted: `role`, `content` (text or parts), optional `name`, tool calls. */
export interface CountableMessage {
  /** Author role; its text is counted. */
  role?: string;
  /** Message text, or parts whose `text` (or string value) is counted; `null` counts nothing. */
  content?: string | null | ReadonlyArray<{ type?: string; text?: string } | string>;
  /** Optional participant name; counted plus {@link TOKENS_PER_NAME}. */
  name?: string;
  /** Tool calls; each function's name and `arguments` text are counted. */
  tool_calls?: ReadonlyArray<{ function?: { name?: string; arguments?: string } }>;
  /** The id of the tool call this message answers; counted as text. */
  tool_call_id?: string;
  /** Other fields are ignored by the count. */
  [key: string]: unknown;
}

/** Tokens every message adds beyond its fields (`<|start|>{role}<|message|>…<|end|>` framing). */
export const TOKENS_PER_MESSAGE = 3;
/** Tokens a `name` field adds beyond its text. */
export const TOKENS_PER_NAME = 1;
/** Tokens that prime the assistant's reply (`<|start|>assistant<|message|>`). */
export const REPLY_PRIMING_TOKENS = 3;

/** Text counted at most (characters); longer text fails with `LIMIT_EXCEEDED` before tokenizing. */
export const MAX_COUNT_CHARS = 4 << 20;

/**
 * js-tiktoken's byte-pair merge is quadratic in the length of one pre-tokenized piece (a run
 * of 10,000 letters takes ~30 s), so runs that make long pieces (letters, punctuation,
 * whitespace) are cut every this many characters and the blocks counted apart. Natural text
 * and JSON have no such runs and count exactly; a longer run may count a token or so
 * differently per block.
 */
export const MAX_PIECE_CHARS = 64;
// The pre-tokenizer's only unbounded pieces: runs of letters (with their marks), of punctuation, of whitespace.
const LONG_RUN_SOURCE = `[\\p{L}\\p{M}]{${MAX_PIECE_CHARS + 1},}|[^\\s\\p{L}\\p{N}]{${MAX_PIECE_CHARS + 1},}|\\s{${MAX_PIECE_CHARS + 1},}`;
// Made on first use: a Unicode-property pattern costs ~0.8 ms to construct (bench/startup.ts).
let longRun: RegExp | undefined;
const blockMemo = new Map<string, number>();

/**
 * Characters of long runs tokenized per call (in blocks); runs past this budget are estimated
 * at one token per {@link RUN_CHARS_PER_TOKEN} characters, so a hostile input of long runs
 * costs well under a second instead of minutes.
 */
export const LONG_RUN_BUDGET = 16 << 10;
/** Characters per token assumed for long runs past {@link LONG_RUN_BUDGET}. */
export const RUN_CHARS_PER_TOKEN = 4;

/** Tokens of `text` with long runs cut (see {@link MAX_PIECE_CHARS}); `budget` is shared by one count. */
function encodedLength(t: ReturnType<typeof tokenizer>, encoding: string, text: string, budget = { left: LONG_RUN_BUDGET }): number {
  if (text.length <= MAX_PIECE_CHARS) return bpeEncodeOrdinary(t, text).length;
  const LONG_RUN = (longRun ??= new RegExp(LONG_RUN_SOURCE, 'gu'));
  LONG_RUN.lastIndex = 0;
  if (!LONG_RUN.test(text)) return bpeEncodeOrdinary(t, text).length;
  LONG_RUN.lastIndex = 0;
  let n = 0;
  let from = 0;
  for (const m of text.matchAll(LONG_RUN)) {
    // The run's first block stays with the text before it (a leading space belongs to the word).
    let cut = m.index + MAX_PIECE_CHARS;
    n += bpeEncodeOrdinary(t, text.slice(from, cut)).length;
    const end = m.index + m[0].length;
    while (end - cut > MAX_PIECE_CHARS) {
      if (budget.left <= 0) {
        // Past the budget: the rest of the run, but for its last block, is estimated.
        const rest = end - cut - MAX_PIECE_CHARS;
        n += Math.ceil(rest / RUN_CHARS_PER_TOKEN);
        cut += rest;
        break;
      }
      budget.left -= MAX_PIECE_CHARS;
      const block = text.slice(cut, cut + MAX_PIECE_CHARS);
      // Adversarial input repeats itself; a bounded memo makes repeats cost a lookup.
      const key = encoding + block;
      let k = blockMemo.get(key);
      if (k === undefined) {
        k = bpeEncodeOrdinary(t, block).length;
        if (blockMemo.size >= 4096) blockMemo.clear();
        blockMemo.set(key, k);
      }
      n += k;
      cut += MAX_PIECE_CHARS;
    }
    from = cut;
  }
  return n + (from < text.length ? bpeEncodeOrdinary(t, text.slice(from)).length : 0);
}

function resolveEncoding(options: CountTokensOptions): TokenEncoding {
  if ('model' in options) return modelEncoding(options.model);
  switch (options.encoding) {
    case 'cl100k_base':
    case 'Cl100kBase':
      return 'cl100k_base';
    case 'o200k_base':
    case 'O200kBase':
      return 'o200k_base';
    default:
      throw new M2MError('Tokenizer', { reason: `unknown encoding ${JSON.stringify(options.encoding)} (cl100k_base or o200k_base)` });
  }
}

/**
 * Counts the tokens of a text. Special-token text such as `<|endoftext|>` counts as ordinary
 * text, as it does when it appears in a user's message. Cost: about 1–2 µs per character of
 * prose and up to ~50 µs per character of text that is not in the vocabulary (random letters),
 * measured with js-tiktoken on a loaded 2-vCPU machine; see {@link MAX_PIECE_CHARS} and
 * {@link LONG_RUN_BUDGET} for the cases that would otherwise be quadratic.
 * @throws M2MError: Tokenizer (unknown encoding; a rank table not loaded in a browser),
 *   LimitExceeded (text over {@link MAX_COUNT_CHARS}).
 * @example
 * ```ts
 * countTokens('Hello, world!', { model: 'gpt-4o' }); // 4
 * countTokens('Hello, world!', { encoding: 'cl100k_base' }); // 4
 * ```
 */
export function countTokens(text: string, options: CountTokensOptions): number {
  if (typeof text !== 'string') throw new M2MError('Tokenizer', { reason: 'text must be a string' });
  if (text.length > MAX_COUNT_CHARS) throw new M2MError('LimitExceeded', { limit: 'countChars', actual: text.length, max: MAX_COUNT_CHARS });
  if (text.length === 0) return 0;
  const encoding = resolveEncoding(options);
  return encodedLength(tokenizer(encoding), encoding, text);
}

/**
 * Counts the prompt tokens of a chat request the way the API bills them: each message's
 * fields plus {@link TOKENS_PER_MESSAGE}, {@link TOKENS_PER_NAME} for a name, and
 * {@link REPLY_PRIMING_TOKENS} once (`gpt-3.5-turbo-0301`: 4 per message, −1 for a name). Text parts of multi-part content are counted; images,
 * audio and files are not (their cost depends on size and detail); tool calls count their
 * function name and arguments. Tool and function definitions in the request are not counted.
 * @throws M2MError: Tokenizer (a rank table not loaded; messages not an array),
 *   LimitExceeded (more than {@link MAX_COUNT_CHARS} characters in total).
 * @example
 * ```ts
 * countChatTokens([{ role: 'user', content: 'Hi' }], 'gpt-4o'); // 3 + 1 + 1 + 3 = 8
 * ```
 */
export function countChatTokens(messages: readonly CountableMessage[], model: string): number {
  if (!Array.isArray(messages)) throw new M2MError('Tokenizer', { reason: 'messages must be an array' });
  const encoding = modelEncoding(model);
  const t = tokenizer(encoding);
  const budget = { left: LONG_RUN_BUDGET };
  let chars = 0;
  const count = (s: unknown): number => {
    if (typeof s !== 'string' || s.length === 0) return 0;
    chars += s.length;
    if (chars > MAX_COUNT_CHARS) throw new M2MError('LimitExceeded', { limit: 'countChars', actual: chars, max: MAX_COUNT_CHARS });
    return encodedLength(t, encoding, s, budget);
  };
  // gpt-3.5-turbo-0301 framed messages differently: 4 tokens each, and a name replaces the role (cookbook).
  const legacy = /^gpt-3\.5-turbo-0301/.test(model.toLowerCase().replace(/^[a-z0-9._-]+\//, ''));
  const perMessage = legacy ? 4 : TOKENS_PER_MESSAGE;
  const perName = legacy ? -1 : TOKENS_PER_NAME;
  let total = REPLY_PRIMING_TOKENS;
  for (const m of messages as readonly unknown[]) {
    if (m === null || typeof m !== 'object') continue;
    const msg = m as CountableMessage;
    total += perMessage + count(msg.role);
    if (typeof msg.content === 'string') total += count(msg.content);
    else if (Array.isArray(msg.content)) {
      for (const part of msg.content as ReadonlyArray<unknown>) {
        if (typeof part === 'string') total += count(part);
        else if (part !== null && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') total += count((part as { text: string }).text);
      }
    }
    if (typeof msg.name === 'string') total += count(msg.name) + perName;
    if (typeof msg.tool_call_id === 'string') total += count(msg.tool_call_id);
    if (Array.isArray(msg.tool_calls)) {
      for (const call of msg.tool_calls as ReadonlyArray<unknown>) {
        const fn = call !== null && typeof call === 'object' ? (call as { function?: { name?: unknown; arguments?: unknown } }).function : undefined;
        if (fn && typeof fn === 'object') total += count(fn.name) + count(fn.arguments);
      }
    }
  }
  return total;
}

/**
 * Prompt tokens of a parsed chat request (`{ model, messages }`), for `encodeFrame`'s
 * `promptTokens` option: frame headers then carry a cost from counted tokens instead of the
 * reference's `content bytes / 4`. Returns `undefined` (fall back to bytes / 4) for anything
 * that is not a chat request or is too large to count.
 * @example
 * ```ts
 * encodeFrame(json, { promptTokens: countRequestTokens });
 * ```
 */
export function countRequestTokens(request: Readonly<Record<string, unknown>>): number | undefined {
  const { model, messages } = request;
  if (typeof model !== 'string' || !Array.isArray(messages)) return undefined;
  try {
    return countChatTokens(messages as CountableMessage[], model);
  } catch {
    return undefined;
  }
}
