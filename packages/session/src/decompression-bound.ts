/**
 * How much one received DATA may decompress to: 64 times its length (characters or bytes)
 * rounded up to a power of two, at least 1 MiB, within the codec's own limit: the reference
 * routes bound a request the same way (server/src/reference/routes.ts decompressBudget). The
 * codec alone stops at 16 MiB whatever the DATA's size, so 52 bytes of Brotli text (or a
 * 118-byte M2M frame) made a receiving session decompress 16 MiB, 200-300 ms of event loop, and
 * any client may send DATA (test/attack-decompress-ratio.test.ts). Node's side of `#platform`
 * (the servers); browsers, clients of a server they chose, keep the codec's limit and no code.
 * @module
 */
import type { DecodeFrameOptions } from '@m2m/core';
import { resolveLimits } from '@m2m/core/internal';

/** Content below this length gets the 1 MiB floor (64 × 16 KiB). */
const FLOOR_LENGTH = 16 * 1024;
const RATIO = 64;

// The variants of a session's options per bound (options are built once per session).
const variants = new WeakMap<DecodeFrameOptions, Map<number, DecodeFrameOptions>>();
/**
 * The floor variant kept on the session's own options object (SessionCore builds it and hands it
 * only here): small DATA then costs one property read, also while several sessions in one
 * process take turns (a WeakMap lookup each was 100-200 ns).
 */
const FLOOR = Symbol('decompression floor');
type WithFloor = DecodeFrameOptions & { [FLOOR]?: DecodeFrameOptions | null };

/**
 * `options` with `maxDecompressedBytes` lowered to the bound for content `length` long, or
 * `undefined` when the bound is not below the limit the options already have. `options` must be
 * an object of the caller's own (the floor's variant is kept on it).
 */
export function boundedDecodeOptions(options: DecodeFrameOptions, length: number): DecodeFrameOptions | undefined {
  const small = length <= FLOOR_LENGTH;
  if (small) {
    const floor = (options as WithFloor)[FLOOR];
    if (floor !== undefined) return floor ?? undefined;
  }
  const bound = RATIO * 2 ** Math.ceil(Math.log2(Math.max(length, FLOOR_LENGTH)));
  const limits = resolveLimits(options.limits);
  let out: DecodeFrameOptions | undefined;
  if (bound < limits.maxDecompressedBytes) {
    let byBound = variants.get(options);
    if (!byBound) variants.set(options, (byBound = new Map()));
    out = byBound.get(bound);
    if (!out) byBound.set(bound, (out = { ...options, limits: resolveLimits({ ...limits, maxDecompressedBytes: bound }) }));
  }
  if (small) (options as WithFloor)[FLOOR] = out ?? null;
  return out;
}
