/**
 * Which tiktoken encoding a model uses. Model cards (`models/cards.ts`) name it for the models
 * they know; otherwise the model id's family decides, and unknown models get
 * {@link DEFAULT_ENCODING}.
 * @module
 */
import { findModelCard } from '../models/registry.js';

/** The tiktoken encodings this SDK counts with. */
export type TokenEncoding = 'cl100k_base' | 'o200k_base';

/**
 * The encoding for models nobody recognises: cl100k_base, the reference's default tokenizer
 * (TokenNative `C`, negotiation's fallback `Cl100kBase`). For non-OpenAI models any tiktoken
 * count is an estimate.
 */
export const DEFAULT_ENCODING: TokenEncoding = 'cl100k_base';

/** Families by id prefix, first match wins (longer prefixes first where they overlap). */
const FAMILIES: ReadonlyArray<readonly [string, TokenEncoding]> = [
  ['gpt-4o', 'o200k_base'],
  ['chatgpt-4o', 'o200k_base'],
  ['gpt-4.1', 'o200k_base'],
  ['gpt-4.5', 'o200k_base'],
  ['gpt-5', 'o200k_base'],
  ['gpt-oss', 'o200k_base'],
  ['o1', 'o200k_base'],
  ['o3', 'o200k_base'],
  ['o4', 'o200k_base'],
  ['gpt-4', 'cl100k_base'],
  ['gpt-3.5', 'cl100k_base'],
  ['text-embedding-3', 'cl100k_base'],
  ['text-embedding-ada-002', 'cl100k_base'],
];

/**
 * The encoding of a model id (case-insensitive; a provider prefix such as `openai/` is ignored).
 * @example `modelEncoding('gpt-4o-2024-08-06')` → `'o200k_base'`; `modelEncoding('gpt-4')` → `'cl100k_base'`
 */
export function modelEncoding(model: string): TokenEncoding {
  const card = findModelCard(model);
  if (card) return card.encoding;
  const id = String(model).toLowerCase().replace(/^[a-z0-9-]+\//, '');
  for (const [prefix, enc] of FAMILIES) if (id.startsWith(prefix)) return enc;
  return DEFAULT_ENCODING;
}
