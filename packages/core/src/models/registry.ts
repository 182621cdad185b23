/**
 * Looking up model cards: `getModel` by id or alias (dated snapshots and provider prefixes
 * resolve to their card), `searchModels` by words, `listModels` with a provider filter.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { MODEL_CARDS, type ModelCard } from './cards.js';

let index: Map<string, ModelCard> | undefined;

function byId(): Map<string, ModelCard> {
  if (!index) {
    index = new Map();
    for (const c of MODEL_CARDS) for (const id of [c.id, ...c.aliases]) index.set(id, c);
  }
  return index;
}

/** Longest id looked up; longer input is not a model id. */
const MAX_ID = 200;

/**
 * The card of a model id, case-insensitively, trying in order: the id, the id without a
 * provider prefix (`openai/gpt-4o`), without a dated snapshot suffix (`-2024-08-06`,
 * `-20240620`, `-001`), and without `-latest`. `undefined` when none matches.
 * @example `findModelCard('gpt-4o-2024-08-06')?.id` → `'gpt-4o'`
 */
export function findModelCard(id: string): ModelCard | undefined {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) return undefined;
  const map = byId();
  let k = id.trim().toLowerCase();
  const hit = map.get(k);
  if (hit) return hit;
  k = k.replace(/^[a-z0-9._-]+\//, '');
  for (const candidate of [k, k.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|\d{3,4})$/, ''), k.replace(/-latest$/, '')]) {
    const c = map.get(candidate);
    if (c) return c;
  }
  return undefined;
}

/**
 * The card of a model.
 * @throws M2MError ModelNotFound (`MODEL_NOT_FOUND`) when no card matches.
 * @example `getModel('claude-3-5-sonnet-latest').contextWindow` → `200000`
 */
export function getModel(id: string): ModelCard {
  const c = findModelCard(id);
  if (!c) throw new M2MError('ModelNotFound', { reason: `no model card for ${JSON.stringify(String(id).slice(0, MAX_ID))}` });
  return c;
}

/**
 * Cards whose id, alias, name or provider contains every word of the query
 * (case-insensitive), best first: exact id or alias, then id prefix, then the rest in card
 * order. An empty query matches every card.
 * @example `searchModels('claude sonnet').map((c) => c.id)`
 */
export function searchModels(query: string): ModelCard[] {
  const words = String(query).slice(0, MAX_ID).toLowerCase().split(/\s+/).filter(Boolean);
  const q = words.join(' ');
  const scored: Array<[number, number, ModelCard]> = [];
  MODEL_CARDS.forEach((c, i) => {
    const ids = [c.id, ...c.aliases];
    const hay = `${ids.join(' ')} ${c.name.toLowerCase()} ${c.provider}`;
    if (!words.every((w) => hay.includes(w))) return;
    const score = ids.includes(q) ? 0 : ids.some((x) => x.startsWith(q)) ? 1 : 2;
    scored.push([score, i, c]);
  });
  return scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((s) => s[2]);
}

/**
 * All cards, or one provider's.
 * @example `listModels({ provider: 'google' }).length`
 */
export function listModels(filter: { provider?: string } = {}): ModelCard[] {
  return MODEL_CARDS.filter((c) => filter.provider === undefined || c.provider === filter.provider.toLowerCase());
}

/**
 * Estimated cost in USD of a request from a card's prices (`null` when the card has no price).
 * Unlike the frame header's f32 estimate (`estimateCost`, the reference's table), this uses the
 * cards' current prices.
 * @throws M2MError ModelNotFound for an unknown model.
 * @example `modelCost('gpt-4o', 1_000_000, 0)` → `2.5`
 */
export function modelCost(model: string, inputTokens: number, outputTokens: number): number | null {
  const c = getModel(model);
  if (c.inputPerMTok === null) return null;
  return (inputTokens * c.inputPerMTok + outputTokens * (c.outputPerMTok ?? 0)) / 1_000_000;
}
