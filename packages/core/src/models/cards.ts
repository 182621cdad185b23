/**
 * Model cards as data. Prices are US dollars per 1M tokens (standard tier, text, no caching or
 * batch discounts), as the providers listed them on their public pricing and model pages;
 * {@link PRICES_AS_OF} says when. Prices change: treat them as estimates and check the
 * provider before billing anyone. Context window and max output are in tokens. `encoding` is
 * the tiktoken encoding used to count: exact for OpenAI models, an estimate for the others
 * (`exactTokenizer: false`), whose tokenizers are not tiktoken.
 * @module
 */

/** One model card. */
export interface ModelCard {
  /** Canonical id, as the provider's API spells it. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** Company whose API serves the model (`meta`: open-weights Llama). */
  readonly provider: 'openai' | 'anthropic' | 'google' | 'mistral' | 'deepseek' | 'meta';
  /** Other ids that name the same model (pinned snapshots, `-latest` aliases). */
  readonly aliases: readonly string[];
  /** Context window in tokens (input and output together). */
  readonly contextWindow: number;
  /** Largest output in tokens (0: the model produces no text, e.g. embeddings). */
  readonly maxOutputTokens: number;
  /** The tiktoken encoding used to count this model's tokens (exact or an estimate, see `exactTokenizer`). */
  readonly encoding: 'cl100k_base' | 'o200k_base';
  /** True when `encoding` is the model's own tokenizer, false when it only estimates. */
  readonly exactTokenizer: boolean;
  /** USD per 1M input tokens; `null` when the provider publishes none (open weights). */
  readonly inputPerMTok: number | null;
  /** USD per 1M output tokens; `null` when the provider publishes none. */
  readonly outputPerMTok: number | null;
}

/** When the prices and limits below were taken from the providers' public pages. */
export const PRICES_AS_OF = '2025-08';
/** Where they come from. */
export const PRICES_SOURCE = "the providers' public pricing and model documentation pages (OpenAI, Anthropic, Google Gemini API, Mistral, DeepSeek)";

type Row = [id: string, name: string, provider: ModelCard['provider'], aliases: string[], context: number, maxOut: number, enc: ModelCard['encoding'], input: number | null, output: number | null];

const O = 'o200k_base';
const C = 'cl100k_base';

const rows: Row[] = [
  // OpenAI
  ['gpt-5', 'GPT-5', 'openai', ['gpt-5-2025-08-07'], 400_000, 128_000, O, 1.25, 10],
  ['gpt-5-mini', 'GPT-5 mini', 'openai', ['gpt-5-mini-2025-08-07'], 400_000, 128_000, O, 0.25, 2],
  ['gpt-5-nano', 'GPT-5 nano', 'openai', ['gpt-5-nano-2025-08-07'], 400_000, 128_000, O, 0.05, 0.4],
  ['gpt-4.1', 'GPT-4.1', 'openai', ['gpt-4.1-2025-04-14'], 1_047_576, 32_768, O, 2, 8],
  ['gpt-4.1-mini', 'GPT-4.1 mini', 'openai', ['gpt-4.1-mini-2025-04-14'], 1_047_576, 32_768, O, 0.4, 1.6],
  ['gpt-4.1-nano', 'GPT-4.1 nano', 'openai', ['gpt-4.1-nano-2025-04-14'], 1_047_576, 32_768, O, 0.1, 0.4],
  ['gpt-4o', 'GPT-4o', 'openai', ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20', 'chatgpt-4o-latest'], 128_000, 16_384, O, 2.5, 10],
  ['gpt-4o-2024-05-13', 'GPT-4o (2024-05-13)', 'openai', [], 128_000, 4_096, O, 5, 15],
  ['gpt-4o-mini', 'GPT-4o mini', 'openai', ['gpt-4o-mini-2024-07-18'], 128_000, 16_384, O, 0.15, 0.6],
  ['o1', 'o1', 'openai', ['o1-2024-12-17'], 200_000, 100_000, O, 15, 60],
  ['o1-mini', 'o1-mini', 'openai', ['o1-mini-2024-09-12'], 128_000, 65_536, O, 1.1, 4.4],
  ['o3', 'o3', 'openai', ['o3-2025-04-16'], 200_000, 100_000, O, 2, 8],
  ['o3-mini', 'o3-mini', 'openai', ['o3-mini-2025-01-31'], 200_000, 100_000, O, 1.1, 4.4],
  ['o4-mini', 'o4-mini', 'openai', ['o4-mini-2025-04-16'], 200_000, 100_000, O, 1.1, 4.4],
  ['gpt-4-turbo', 'GPT-4 Turbo', 'openai', ['gpt-4-turbo-2024-04-09', 'gpt-4-turbo-preview', 'gpt-4-1106-preview', 'gpt-4-0125-preview'], 128_000, 4_096, C, 10, 30],
  ['gpt-4', 'GPT-4', 'openai', ['gpt-4-0613'], 8_192, 8_192, C, 30, 60],
  ['gpt-3.5-turbo', 'GPT-3.5 Turbo', 'openai', ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo-1106'], 16_385, 4_096, C, 0.5, 1.5],
  ['text-embedding-3-small', 'text-embedding-3-small', 'openai', [], 8_191, 0, C, 0.02, null],
  ['text-embedding-3-large', 'text-embedding-3-large', 'openai', [], 8_191, 0, C, 0.13, null],
  ['text-embedding-ada-002', 'text-embedding-ada-002', 'openai', [], 8_191, 0, C, 0.1, null],
  // Anthropic
  ['claude-opus-4-1-20250805', 'Claude Opus 4.1', 'anthropic', ['claude-opus-4-1', 'claude-opus-4.1'], 200_000, 32_000, C, 15, 75],
  ['claude-opus-4-20250514', 'Claude Opus 4', 'anthropic', ['claude-opus-4-0', 'claude-opus-4'], 200_000, 32_000, C, 15, 75],
  ['claude-sonnet-4-20250514', 'Claude Sonnet 4', 'anthropic', ['claude-sonnet-4-0', 'claude-sonnet-4'], 200_000, 64_000, C, 3, 15],
  ['claude-3-7-sonnet-20250219', 'Claude Sonnet 3.7', 'anthropic', ['claude-3-7-sonnet-latest', 'claude-3.7-sonnet'], 200_000, 64_000, C, 3, 15],
  ['claude-3-5-sonnet-20241022', 'Claude Sonnet 3.5 (new)', 'anthropic', ['claude-3-5-sonnet-latest', 'claude-3.5-sonnet'], 200_000, 8_192, C, 3, 15],
  ['claude-3-5-sonnet-20240620', 'Claude Sonnet 3.5', 'anthropic', [], 200_000, 8_192, C, 3, 15],
  ['claude-3-5-haiku-20241022', 'Claude Haiku 3.5', 'anthropic', ['claude-3-5-haiku-latest', 'claude-3.5-haiku'], 200_000, 8_192, C, 0.8, 4],
  ['claude-3-opus-20240229', 'Claude Opus 3', 'anthropic', ['claude-3-opus-latest', 'claude-3-opus'], 200_000, 4_096, C, 15, 75],
  ['claude-3-haiku-20240307', 'Claude Haiku 3', 'anthropic', ['claude-3-haiku'], 200_000, 4_096, C, 0.25, 1.25],
  // Google (prices for prompts up to 200k tokens, or 128k for 1.5 Pro)
  ['gemini-2.5-pro', 'Gemini 2.5 Pro', 'google', [], 1_048_576, 65_536, C, 1.25, 10],
  ['gemini-2.5-flash', 'Gemini 2.5 Flash', 'google', [], 1_048_576, 65_536, C, 0.3, 2.5],
  ['gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', 'google', [], 1_048_576, 65_536, C, 0.1, 0.4],
  ['gemini-2.0-flash', 'Gemini 2.0 Flash', 'google', ['gemini-2.0-flash-001'], 1_048_576, 8_192, C, 0.1, 0.4],
  ['gemini-2.0-flash-lite', 'Gemini 2.0 Flash-Lite', 'google', ['gemini-2.0-flash-lite-001'], 1_048_576, 8_192, C, 0.075, 0.3],
  ['gemini-1.5-pro', 'Gemini 1.5 Pro', 'google', ['gemini-1.5-pro-002', 'gemini-1.5-pro-latest'], 2_097_152, 8_192, C, 1.25, 5],
  ['gemini-1.5-flash', 'Gemini 1.5 Flash', 'google', ['gemini-1.5-flash-002', 'gemini-1.5-flash-latest'], 1_048_576, 8_192, C, 0.075, 0.3],
  // Mistral
  ['mistral-large-2411', 'Mistral Large 2.1', 'mistral', ['mistral-large-latest'], 131_072, 131_072, C, 2, 6],
  ['mistral-small-2503', 'Mistral Small 3.1', 'mistral', ['mistral-small-latest'], 131_072, 131_072, C, 0.1, 0.3],
  ['codestral-2501', 'Codestral', 'mistral', ['codestral-latest'], 262_144, 262_144, C, 0.3, 0.9],
  // DeepSeek
  ['deepseek-chat', 'DeepSeek-V3', 'deepseek', ['deepseek-v3'], 65_536, 8_192, C, 0.27, 1.1],
  ['deepseek-reasoner', 'DeepSeek-R1', 'deepseek', ['deepseek-r1'], 65_536, 8_192, C, 0.55, 2.19],
  // Meta (open weights: the price depends on who hosts them)
  ['llama-3.1-405b-instruct', 'Llama 3.1 405B Instruct', 'meta', ['meta-llama-3.1-405b-instruct'], 131_072, 4_096, C, null, null],
  ['llama-3.1-70b-instruct', 'Llama 3.1 70B Instruct', 'meta', ['meta-llama-3.1-70b-instruct'], 131_072, 4_096, C, null, null],
  ['llama-3.1-8b-instruct', 'Llama 3.1 8B Instruct', 'meta', ['meta-llama-3.1-8b-instruct'], 131_072, 4_096, C, null, null],
];

/** Every model card, in the order above (by provider, newest first). */
export const MODEL_CARDS: readonly ModelCard[] = Object.freeze(
  rows.map(([id, name, provider, aliases, contextWindow, maxOutputTokens, encoding, inputPerMTok, outputPerMTok]) =>
    Object.freeze({ id, name, provider, aliases: Object.freeze(aliases), contextWindow, maxOutputTokens, encoding, exactTokenizer: provider === 'openai', inputPerMTok, outputPerMTok }),
  ),
);
