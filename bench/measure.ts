/**
 * Benchmark timing: contenders run interleaved in the same process, several rounds each, and
 * the median rate is kept, so a slow moment of the machine hits every contender alike.
 * @module
 */

/** Operations per second of `fn` over about `ms` milliseconds (after a short warm-up). */
export function opsPerSecond(fn: () => unknown, ms: number): number {
  return opsPerSecondWithCpu(fn, ms).wall;
}

/**
 * {@link opsPerSecond}, also as operations per CPU-second of this process (`cpu`), which a loaded
 * machine's time slicing does not inflate.
 */
export function opsPerSecondWithCpu(fn: () => unknown, ms: number): { wall: number; cpu: number } {
  // Warm up for a quarter of the window so the JIT has settled before timing starts.
  const warm = performance.now();
  while (performance.now() - warm < ms / 4) fn();
  let n = 0;
  let batch = 1;
  const c0 = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = performance.now();
    if (now - start < ms / 20) batch *= 2;
  }
  const c = process.cpuUsage(c0);
  return { wall: n / ((now - start) / 1000), cpu: n / (Math.max(1, c.user + c.system) / 1e6) };
}

/** Median of a list. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Per-round rates of each contender over `rounds` interleaved rounds. */
export function sampleRounds<K extends string>(contenders: Record<K, () => unknown>, rounds = 7, ms = 100): Record<K, number[]> {
  const samples = {} as Record<K, number[]>;
  const names = Object.keys(contenders) as K[];
  for (const k of names) samples[k] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so no contender always runs first in a round.
    const order = r % 2 ? [...names].reverse() : names;
    for (const k of order) samples[k].push(opsPerSecond(contenders[k], ms));
  }
  return samples;
}

/** Median operations per second of each contender over `rounds` interleaved rounds. */
export function compare<K extends string>(contenders: Record<K, () => unknown>, rounds = 7, ms = 100): Record<K, number> {
  const samples = sampleRounds(contenders, rounds, ms);
  const out = {} as Record<K, number>;
  for (const k of Object.keys(samples) as K[]) out[k] = median(samples[k]);
  return out;
}

/**
 * Median of the per-round ratios a/b from {@link sampleRounds}: each round times a and b back
 * to back, so a slow moment of a shared machine cancels out of the ratio instead of landing on
 * whichever contender happened to run then.
 */
export function medianRatio(a: number[], b: number[]): number {
  return median(a.map((x, i) => x / b[i]));
}

/** Formats MB/s for `bytes` per operation. */
export const mbps = (opsPerSec: number, bytes: number): string => ((opsPerSec * bytes) / 1e6).toFixed(1);
/** Formats a ratio. */
export const ratio = (a: number, b: number): string => `×${(a / b).toFixed(2)}`;
/** Geometric mean. */
export const geomean = (xs: number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
/** A size as 64 B / 1 KiB / 1 MiB. */
export const sizeLabel = (n: number): string => (n >= 1 << 20 ? `${n / (1 << 20)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

/** The per-round paired ratio a/b of two functions ({@link sampleRounds}, {@link medianRatio}). */
export function pairedRatio(a: () => unknown, b: () => unknown, rounds = 15, ms = 100): number {
  const r = sampleRounds({ a, b }, rounds, ms);
  return medianRatio(r.a, r.b);
}

/** Minimal shape of a session for {@link sessionMessagesPerSecond}. */
interface SessionLike {
  send(content: string): Promise<void>;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}

/** DATA messages per second: `client` sends `payload` `n` times while `peer` reads them all. */
export async function sessionMessagesPerSecond(client: SessionLike, peer: SessionLike, payload: string, n: number): Promise<number> {
  const t0 = performance.now();
  const reader = (async () => {
    let count = 0;
    for await (const _ of peer) if (++count === n) break;
  })();
  for (let i = 0; i < n; i++) await client.send(payload);
  await reader;
  return n / ((performance.now() - t0) / 1000);
}

/** Messages per second of wall time, per CPU-second of this process, and CPU µs per message. */
export interface PipeRate {
  wall: number;
  cpu: number;
  cpuUs: number;
}

/** A contender kept open across rounds: `run(n)` moves `n` messages and reports the rate once the peer has them all. */
export interface Pipe {
  run(n: number): Promise<PipeRate>;
  close(): Promise<void>;
}

/** Times `run` (moving `n` messages) in wall time and in this process's CPU (user + system: both ends live here). */
export async function timedPipeRun(n: number, run: () => Promise<unknown>): Promise<PipeRate> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuUs = Math.max(1, c.user + c.system) / n;
  return { wall: n / wall, cpu: 1e6 / cpuUs, cpuUs };
}

/** How a contender's CPU cost per operation settled during {@link warmUntilSettled}. */
export interface Settled {
  /** CPU µs per operation: mean of the first and of the last window of batches. */
  first: number;
  last: number;
  /** Batches run, CPU ms spent, and whether the cost settled before the cap (false: capped). */
  batches: number;
  ms: number;
  settled: boolean;
}

/** When {@link warmUntilSettled} stops: windows of `window` batches, `gain` as a fraction, CPU ms bounds. */
export interface SettleRule {
  window: number;
  gain: number;
  minMs: number;
  maxMs: number;
}

/**
 * Warms a contender until its CPU cost per operation stops falling: runs `batch` (which returns
 * the CPU µs per operation of that batch) until the mean of the last `window` batches is less
 * than `gain` cheaper than the mean of the window before (windows, not single batches: on the
 * shared machine one batch swings by 20%), after at least `minMs` of this process's CPU time
 * and at most `maxMs`. The rule of bench/handshake.ts's `warmUp`, for contenders timed in
 * batches of their own (bench/session.ts's pipes): a fresh process's first thousands of
 * messages cost several times the steady ones (JIT tiers, the AEAD chooser's first tries;
 * docs/ARCHITECTURE.md, Performance notes), so no contender is timed before that is over.
 */
export async function warmUntilSettled(batch: () => Promise<number>, rule: SettleRule): Promise<Settled> {
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = cpuMs();
  const costs: number[] = [];
  const mean = (from: number) => {
    const w = costs.slice(from, from + rule.window);
    return w.reduce((a, b) => a + b, 0) / w.length;
  };
  for (;;) {
    costs.push(await batch());
    const spent = cpuMs() - t0;
    const n = costs.length;
    const settled = n >= 2 * rule.window && mean(n - 2 * rule.window) < mean(n - rule.window) * (1 + rule.gain);
    if (spent >= rule.maxMs || (spent >= rule.minMs && settled)) {
      return { first: mean(0), last: mean(Math.max(0, n - rule.window)), batches: n, ms: spent, settled };
    }
  }
}

/**
 * Counts arrivals at a raw baseline's receiving end (bench/session.ts's ws, bench/nats.ts's
 * NATS): `expect(n)` starts a round and resolves once `arrived()` has been called `n` times.
 */
export class ArrivalCounter {
  #seen = 0;
  #target = 0;
  #done: () => void = () => undefined;
  /** One message arrived. */
  arrived(): void {
    if (++this.#seen === this.#target) this.#done();
  }
  /** Starts a round of `n` messages; resolves when all have arrived. */
  expect(n: number): Promise<void> {
    this.#seen = 0;
    this.#target = n;
    return new Promise<void>((r) => (this.#done = r));
  }
}
