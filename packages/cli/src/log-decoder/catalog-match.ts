/**
 * Recognises catalog messages in text: each catalog message template (`'AEAD: Decryption
 * failed: {detail}'`) is compiled into its literal pieces, and a message matches when it starts
 * with the first piece, ends with the last, and holds the middle ones in order. Matching is a
 * few `startsWith`/`indexOf` calls per template, linear in the message, with no regular
 * expression that could backtrack. New catalog rows are matched with no change here.
 *
 * Convention (packages/core/src/errors/base.ts builds `Crypto error: ${cause.message}`): a
 * `{cause}` slot holds the cause's own message, so whatever fills it is matched again and
 * becomes the next link of the chain.
 * @module
 */
import { errorCatalog, type ErrorCatalogEntry } from '@m2m/core';
import { LIMITS, type ChainLink } from './types.js';

interface Template {
  code: string;
  /** Literal pieces around the slots: `literals.length === slots.length + 1`. */
  literals: string[];
  slots: string[];
  /** Characters of literal text: a longer literal is a more specific match. */
  weight: number;
  /** Ends in `: {slot}`, which renderTemplate (core/src/errors/catalog.ts) drops when the slot is empty. */
  optionalTail: boolean;
}

/** A template that fits a message, with what fills its slots. */
export interface TemplateMatch {
  code: string;
  values: Record<string, string>;
  weight: number;
}

function compile(entry: ErrorCatalogEntry): Template {
  const literals: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const m of entry.message.matchAll(/\{(\w+)\}/g)) {
    literals.push(entry.message.slice(last, m.index));
    slots.push(m[1]);
    last = m.index + m[0].length;
  }
  literals.push(entry.message.slice(last));
  const optionalTail = slots.length > 0 && literals[literals.length - 1] === '' && literals[literals.length - 2].endsWith(': ');
  return { code: entry.code, literals, slots, weight: literals.reduce((n, l) => n + l.length, 0), optionalTail };
}

let templates: Template[] | undefined;
const byCode = new Map<string, Template>();
function allTemplates(): Template[] {
  if (!templates) {
    templates = errorCatalog.map(compile);
    for (const t of templates) byCode.set(t.code, t);
  }
  return templates;
}

/** Fits one template, also as rendered with its optional last slot empty (and its `: ` dropped). */
function fit(t: Template, message: string): TemplateMatch | undefined {
  return fitLiterals(t, message) ?? (t.optionalTail ? fitLiterals(t, `${message}: `) : undefined);
}

/** Fits one template; slots take the shortest text that lets the rest follow (leftmost literal). */
function fitLiterals(t: Template, message: string): TemplateMatch | undefined {
  const { literals, slots } = t;
  const first = literals[0];
  if (!message.startsWith(first)) return undefined;
  if (slots.length === 0) return message === first ? { code: t.code, values: {}, weight: t.weight } : undefined;
  const lastLit = literals[literals.length - 1];
  const end = message.length - lastLit.length;
  if (end < first.length || !message.endsWith(lastLit)) return undefined;
  const values: Record<string, string> = {};
  let pos = first.length;
  for (let i = 1; i < literals.length - 1; i++) {
    const at = message.indexOf(literals[i], pos);
    if (at < 0 || at + literals[i].length > end) return undefined;
    values[slots[i - 1]] = message.slice(pos, at);
    pos = at + literals[i].length;
  }
  values[slots[slots.length - 1]] = message.slice(pos, end);
  return { code: t.code, values, weight: t.weight };
}

/**
 * The catalog codes whose message template fits `message`, best first: the most literal text
 * wins; codes that tie (several codes share one template) come together.
 */
export function matchCatalog(message: string): TemplateMatch[] {
  if (message.length > LIMITS.maxMatchChars) return [];
  let best: TemplateMatch[] = [];
  for (const t of allTemplates()) {
    if (best.length && t.weight < best[0].weight) continue;
    const m = fit(t, message);
    if (!m) continue;
    if (!best.length || m.weight > best[0].weight) best = [m];
    else best.push(m);
  }
  return best;
}

/** Fits the template of one code (for a link whose code the log gave). */
export function matchCode(code: string, message: string): TemplateMatch | undefined {
  allTemplates();
  const t = byCode.get(code);
  return t && message.length <= LIMITS.maxMatchChars ? fit(t, message) : undefined;
}

/** True when the code's template carries its cause's message in a `{cause}` slot. */
export function hasCauseSlot(code: string): boolean {
  allTemplates();
  return byCode.get(code)?.slots.includes('cause') ?? false;
}

/**
 * Links recovered from one message alone: the best catalog match and, through `{cause}`
 * slots, the links it embeds. Every returned link is `inferred`. Empty when nothing fits.
 */
export function inferLinks(message: string, depth = 0): ChainLink[] {
  const matches = matchCatalog(message);
  if (!matches.length) return [];
  const link: ChainLink = { code: matches[0].code, message, inferred: true };
  if (matches.length > 1) link.candidates = matches.map((m) => m.code);
  return [link, ...embeddedCause(matches[0], depth)];
}

/** The links inside a match's `{cause}` slot (an uncoded link when the text is not a catalog message). */
export function embeddedCause(m: TemplateMatch, depth = 0): ChainLink[] {
  const cause = m.values.cause;
  if (cause === undefined || cause === '' || depth + 1 >= LIMITS.maxChain) return [];
  const inner = inferLinks(cause, depth + 1);
  return inner.length ? inner : [{ message: cause, inferred: true }];
}

/**
 * Completes a chain read from a log: links without a code get one from the catalog (marked
 * `inferred`); a link whose message embeds its cause (`{cause}`) fills a cut next link (one
 * with no message, as `util.inspect` prints `[cause]: [CryptoError]` past its depth) or, at the
 * end of the chain, adds the embedded links (inferred). Mutates and returns `chain`.
 */
export function completeChain(chain: ChainLink[]): ChainLink[] {
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i];
    if (link.code === undefined && link.message) {
      const matches = matchCatalog(link.message);
      if (matches.length) {
        link.code = matches[0].code;
        link.inferred = true;
        if (matches.length > 1) link.candidates = matches.map((m) => m.code);
      }
    }
    if (!link.code || !hasCauseSlot(link.code)) continue;
    const m = matchCode(link.code, link.message);
    if (!m) continue;
    const next = chain[i + 1];
    if (next === undefined) {
      chain.push(...embeddedCause(m, i).slice(0, LIMITS.maxChain - chain.length));
      break;
    }
    if (next.message === '' && m.values.cause) {
      next.message = m.values.cause;
      if (next.code === undefined) next.inferred = true;
    }
  }
  return chain;
}
