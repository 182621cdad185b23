/**
 * The reference's cost estimate (US dollars), computed in binary32 at every step so the bits
 * match the Rust `f32` arithmetic.
 * @module
 */

const f = Math.fround;

/** [prefix, input cents per 1K tokens, output cents per 1K tokens], first match wins. */
const PRICING: ReadonlyArray<readonly [string, number, number]> = [
  ['gpt-4o-mini', 0.015, 0.06],
  ['gpt-4o', 0.25, 1.0],
  ['gpt-4-turbo', 1.0, 3.0],
  ['gpt-4', 3.0, 6.0],
  ['gpt-3.5-turbo', 0.05, 0.15],
  ['o1-preview', 1.5, 6.0],
  ['o1-mini', 0.3, 1.2],
  ['o3-mini', 0.11, 0.44],
  ['o3', 2.0, 8.0],
  ['claude-3-opus', 1.5, 7.5],
  ['claude-3.5-sonnet', 0.3, 1.5],
  ['claude-3-5-sonnet', 0.3, 1.5],
  ['claude-3-sonnet', 0.3, 1.5],
  ['claude-3.5-haiku', 0.08, 0.4],
  ['claude-3-5-haiku', 0.08, 0.4],
  ['claude-3-haiku', 0.025, 0.125],
  ['gemini-1.5-pro', 0.125, 0.5],
  ['gemini-1.5-flash', 0.0075, 0.03],
  ['gemini-2.0-flash', 0.01, 0.04],
];
const DEFAULT_PRICING = [0.1, 0.3] as const;

/**
 * Estimated cost in USD as an f32 value (the number is exactly representable as binary32).
 * @param model - model name (matched case-insensitively by prefix)
 * @param promptTokens - u32 input tokens
 * @param completionTokens - u32 output tokens
 * @example `estimateCost('gpt-4o', 50, 10)` has the f32 bits `0x396bedfb`.
 */
export function estimateCost(model: string, promptTokens: number, completionTokens: number): number {
  const pricing = pricingOf(model);
  const inCents = pricing[0];
  const outCents = pricing[1];
  const input = f(f(f(promptTokens) / 1000) * f(inCents));
  const output = f(f(f(completionTokens) / 1000) * f(outCents));
  return f(f(input + output) / 100);
}

// The last model's pricing: a session sends one model again and again, and every frame header
// asks for it (header-build.ts).
let lastModel: string | undefined;
let lastPricing: readonly [number, number] = DEFAULT_PRICING;

/** [input, output] cents per 1K tokens of a model: the first prefix that matches, else the default. */
function pricingOf(model: string): readonly [number, number] {
  if (model === lastModel) return lastPricing;
  const m = rustLowercase(model);
  let pricing: readonly [number, number] = DEFAULT_PRICING;
  for (const [prefix, i, o] of PRICING) {
    if (m.startsWith(prefix)) {
      pricing = [i, o];
      break;
    }
  }
  // Only names of a sensible length are kept, so the cache never holds a large string alive.
  if (model.length <= 256) {
    lastModel = model;
    lastPricing = pricing;
  }
  return pricing;
}

/** Rust's `str::to_lowercase` differs from JS only in rare cases (final sigma); ASCII is what matters here. */
function rustLowercase(s: string): string {
  return s.toLowerCase();
}

/** The reference's token estimate from content bytes: `floor(bytes / 4)`. */
export function estimateTokensFromBytes(bytes: number): number {
  return Math.floor(bytes / 4);
}
