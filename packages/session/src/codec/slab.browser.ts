/**
 * The browser build of codec/slab.ts (`#slab` in package.json): every message gets an array of
 * its own. Slabs pay off where a session moves 100k messages a second (Node, bench/session.ts);
 * in a browser their code costs more bundle bytes than they save time (bench/startup.ts).
 * Same exports and rules as slab.ts: no view is shared between owners.
 * @module
 */

import { pinsLittle } from './slab.js';

export { SLAB_BYTES } from './slab.js';

const keep = (bytes: Uint8Array): Uint8Array => (pinsLittle(bytes) ? bytes : bytes.slice());

/** slab.ts's owner of slabs; here each call allocates or copies on its own. */
export class Slab {
  /** A zeroed array of `n` bytes. */
  allocate(n: number): Uint8Array {
    return new Uint8Array(n);
  }
  /** A copy of `bytes`. */
  copyOut(bytes: Uint8Array): Uint8Array {
    return bytes.slice();
  }
  /** `bytes` itself when it pins little more than itself, else a copy. */
  keepSmall(bytes: Uint8Array): Uint8Array {
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
export const copyOut = (bytes: Uint8Array): Uint8Array => bytes.slice();
/** `bytes` itself when it pins little more than itself, else a copy. */
export const keepSmall = keep;
