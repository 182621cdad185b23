/**
 * The browser build of codec/slab.ts (`#slab` in package.json): every message gets an array of
 * its own. Slabs pay off where a session moves 100k messages a second (Node, bench/session.ts);
 * in a browser their code costs more bundle bytes than they save time (bench/startup.ts).
 * Same exports and rules as slab.ts: no view is shared between owners.
 * @module
 */

import { isWholeBuffer } from './slab.js';

export { SLAB_BYTES } from './slab.js';

// Arrays here are all of their own, so a view is kept only when it is its whole (unshared) buffer.
const keep = (bytes: Uint8Array): Uint8Array => (isWholeBuffer(bytes) ? bytes : new Uint8Array(bytes));

/** slab.ts's owner of slabs; here each call allocates or copies on its own. */
export class Slab {
  /** A zeroed array of `n` bytes. */
  allocate(n: number): Uint8Array {
    return new Uint8Array(n);
  }
  /** A copy of `bytes`. */
  copyOut(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(bytes);
  }
  /** `bytes` itself when it is its whole unshared buffer, else a copy. */
  keepOwn(bytes: Uint8Array): Uint8Array {
    return keep(bytes);
  }
}

/** slab.ts's scope setter; nothing to scope here. */
export function useSlab(_slab: Slab | undefined): Slab | undefined {
  return undefined;
}

/** A zeroed array of `n` bytes. */
export const allocate = (n: number): Uint8Array => new Uint8Array(n);
/** A copy of `bytes`. */
export const copyOut = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);
/** `bytes` itself when it is its whole unshared buffer, else a copy. */
export const keepOwn = keep;

/** Nothing is marked in browsers (no transport here makes runs of messages): a no-op. */
export function markOwn(_bytes: Uint8Array): void {}

/** slab.ts's rule without marks: the view is its whole unshared buffer. */
export const holdsOnlyOwn = isWholeBuffer;
