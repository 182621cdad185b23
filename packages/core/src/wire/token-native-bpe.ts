/**
 * Byte-pair encoding with exactly the ids of js-tiktoken's `encode(text, 'all')`, in time about
 * linear in the input. js-tiktoken rescans every pair of a piece after each merge and builds a
 * string key per pair each time: quadratic to cubic in a piece's length (random 60-letter words
 * cost ~55 ms per KiB). Here each piece keeps its parts in a linked list and its pairs in a heap
 * ordered by (rank, position), so a merge recomputes only the two pairs next to it, and a pair
 * longer than the longest token is known to have no rank without building its key.
 *
 * Same result: both merge, at every step, the lowest-ranked adjacent pair, the leftmost among
 * equals (js-tiktoken scans left to right and keeps the first minimum; the heap breaks rank ties
 * by start position, which orders parts the same way). The tokenizer's pattern, special tokens
 * and rank table are js-tiktoken's own (read from the instance).
 * @module
 */
import type { Tiktoken } from 'js-tiktoken/lite';

/** The js-tiktoken fields this encoder reads (present in js-tiktoken 1.x; marked internal there). */
interface TiktokenInternals {
  rankMap: Map<string, number>;
  textMap: Map<number, Uint8Array>;
  specialTokens: Record<string, number>;
  patStr: string;
}

interface Prepared {
  ranks: Map<string, number>;
  /** Ranks of tokens up to {@link PACKED_MAX} bytes by their bytes packed into a number (no string built). */
  packed: Map<number, number>;
  /** Byte length of the longest token: a longer pair has no rank. */
  maxTokenBytes: number;
  pattern: RegExp;
  special: RegExp | undefined;
  specialIds: Record<string, number>;
}

const prepared = new WeakMap<Tiktoken, Prepared>();
/** `String(b)` of each byte value, made with the first rank table (not at import: bench/startup.ts). */
let BYTE_KEYS: readonly string[] = [];
const utf8 = new TextEncoder();

/** Tokens up to this many bytes are also looked up by number: 6 bytes and a length fit a double exactly. */
const PACKED_MAX = 6;

/** Pieces up to this many bytes merge by rescanning a small array; longer ones use the heap. */
const SCAN_MAX = 32;

/**
 * Work counter for tests: rank lookups made since the last reset (each builds a key of at most
 * the longest token's length), so a test can bound work by input size without timing it.
 */
export const bpeWork = { lookups: 0 };

function prepare(t: Tiktoken): Prepared {
  let p = prepared.get(t);
  if (!p) {
    if (BYTE_KEYS.length === 0) BYTE_KEYS = Array.from({ length: 256 }, (_, i) => String(i));
    const inner = t as unknown as TiktokenInternals;
    let maxTokenBytes = 1;
    for (const bytes of inner.textMap.values()) if (bytes.length > maxTokenBytes) maxTokenBytes = bytes.length;
    const packed = new Map<number, number>();
    for (const [rank, bytes] of inner.textMap) if (bytes.length <= PACKED_MAX) packed.set(pack(bytes, 0, bytes.length), rank);
    const names = Object.keys(inner.specialTokens);
    p = {
      ranks: inner.rankMap,
      packed,
      maxTokenBytes,
      pattern: new RegExp(inner.patStr, 'gu'),
      special: names.length ? new RegExp(names.map((n) => n.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&')).join('|'), 'g') : undefined,
      specialIds: inner.specialTokens,
    };
    prepared.set(t, p);
  }
  return p;
}

/** `bytes[start, end)` (at most {@link PACKED_MAX} bytes) as one number: the bytes base 256, times 8, plus the length. */
function pack(bytes: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 256 + bytes[i];
  return v * 8 + (end - start);
}

/** The rank of `bytes[start, end)`, or -1 when it is not a token. */
function rankOf(p: Prepared, bytes: Uint8Array, start: number, end: number): number {
  if (end - start > p.maxTokenBytes) return -1;
  bpeWork.lookups++;
  if (end - start <= PACKED_MAX) return p.packed.get(pack(bytes, start, end)) ?? -1;
  let key = BYTE_KEYS[bytes[start]];
  for (let i = start + 1; i < end; i++) key += `,${BYTE_KEYS[bytes[i]]}`;
  return p.ranks.get(key) ?? -1;
}

/**
 * The token ids of `text` with every special token allowed: js-tiktoken's
 * `encode(text, 'all')`, merge by merge.
 */
export function bpeEncode(t: Tiktoken, text: string): number[] {
  const p = prepare(t);
  const ids: number[] = [];
  let start = 0;
  for (;;) {
    let special: RegExpExecArray | null = null;
    if (p.special) {
      p.special.lastIndex = start;
      special = p.special.exec(text);
    }
    encodeOrdinary(p, text.substring(start, special ? special.index : text.length), ids);
    if (!special) return ids;
    ids.push(p.specialIds[special[0]]);
    start = special.index + special[0].length;
  }
}

/**
 * The token ids of `text` with special-token text encoded as ordinary text: js-tiktoken's
 * `encode(text, [], [])`, as token counting uses it (`tokens/count.ts`).
 */
export function bpeEncodeOrdinary(t: Tiktoken, text: string): number[] {
  const ids: number[] = [];
  encodeOrdinary(prepare(t), text, ids);
  return ids;
}

function encodeOrdinary(p: Prepared, text: string, ids: number[]): void {
  p.pattern.lastIndex = 0;
  for (const m of text.matchAll(p.pattern)) {
    const piece = utf8.encode(m[0]);
    const whole = rankOf(p, piece, 0, piece.length);
    if (whole >= 0) ids.push(whole);
    else if (piece.length <= SCAN_MAX) mergeByScan(p, piece, ids);
    else mergeByHeap(p, piece, ids);
  }
}

/** Short pieces: the parts' start offsets and each adjacent pair's rank in small arrays. */
function mergeByScan(p: Prepared, piece: Uint8Array, ids: number[]): void {
  const starts: number[] = [];
  for (let i = 0; i <= piece.length; i++) starts.push(i);
  // pairRanks[i]: rank of parts i and i+1 together.
  const pairRanks: number[] = [];
  for (let i = 0; i + 2 < starts.length; i++) pairRanks.push(rankOf(p, piece, starts[i], starts[i + 2]));
  for (;;) {
    let best = -1;
    for (let i = 0; i < pairRanks.length; i++) if (pairRanks[i] >= 0 && (best < 0 || pairRanks[i] < pairRanks[best])) best = i;
    if (best < 0) break;
    starts.splice(best + 1, 1);
    pairRanks.splice(best, 1);
    if (best < pairRanks.length) pairRanks[best] = rankOf(p, piece, starts[best], starts[best + 2]);
    if (best > 0) pairRanks[best - 1] = rankOf(p, piece, starts[best - 1], starts[best + 1]);
  }
  for (let i = 0; i + 1 < starts.length; i++) pushRank(p, piece, starts[i], starts[i + 1], ids);
}

/** Long pieces: parts as a linked list by start offset, pairs in a min-heap of (rank, start). */
function mergeByHeap(p: Prepared, piece: Uint8Array, ids: number[]): void {
  const n = piece.length;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const pairRank = new Int32Array(n); // rank of the pair starting at this part, -1 for none
  const alive = new Uint8Array(n).fill(1);
  const heap = new MinHeap();
  // A pair key: rank above, start offset below (both exact in a double).
  const SHIFT = 2 ** 32;
  const setPair = (i: number) => {
    const j = next[i];
    const r = j < n ? rankOf(p, piece, i, j < n ? next[j] : n) : -1;
    pairRank[i] = r;
    if (r >= 0) heap.push(r * SHIFT + i);
  };
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  for (let i = 0; i + 1 < n; i++) setPair(i);
  while (heap.size > 0) {
    const key = heap.pop();
    const i = key % SHIFT;
    const r = (key - i) / SHIFT;
    if (!alive[i] || pairRank[i] !== r) continue; // a pair changed since it was pushed
    const j = next[i];
    alive[j] = 0;
    next[i] = next[j];
    if (next[j] < n) prev[next[j]] = i;
    setPair(i);
    if (prev[i] >= 0) setPair(prev[i]);
  }
  for (let i = 0; i < n; i = next[i]) pushRank(p, piece, i, next[i], ids);
}

/** The final id of one part (every part of a byte-level BPE is a token; js-tiktoken drops any that is not). */
function pushRank(p: Prepared, piece: Uint8Array, start: number, end: number, ids: number[]): void {
  const r = rankOf(p, piece, start, end);
  if (r >= 0) ids.push(r);
}

/** A binary min-heap of numbers. */
class MinHeap {
  readonly #items: number[] = [];
  get size(): number {
    return this.#items.length;
  }
  push(x: number): void {
    const a = this.#items;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= x) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.#items;
    const top = a[0];
    const last = a.pop() as number;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
