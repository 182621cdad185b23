/**
 * Session timer settings with the spec's defaults and allowed ranges (m2m-spec §6.2.3, §6.4.2).
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** Timer settings of a session, in milliseconds. */
export interface TimerOptions {
  /** HELLO must be answered within this (default 30 000; 1 000–120 000). */
  helloTimeoutMs?: number;
  /** Send PING after this long without hearing from the peer (default 60 000; 10 000–300 000). */
  pingIntervalMs?: number;
  /** PONG must arrive within this (default 10 000; 5 000–60 000). */
  pingTimeoutMs?: number;
  /** Close with TIMEOUT after this many PINGs in a row go unanswered (default 3; 1–10). */
  maxMissedPongs?: number;
  /** CLOSING becomes CLOSED after this even without the peer's CLOSE (default 5 000; 1 000–60 000). */
  closingTimeoutMs?: number;
  /** Close with TIMEOUT after this long without DATA either way (default 300 000; 60 000–3 600 000). */
  sessionTimeoutMs?: number;
}

/** Settings with every value present. */
export type ResolvedTimers = Required<TimerOptions>;

/** The spec's range of each setting. */
export const TIMER_RANGES: Readonly<Record<keyof TimerOptions, readonly [min: number, max: number, fallback: number]>> = {
  helloTimeoutMs: [1_000, 120_000, 30_000],
  pingIntervalMs: [10_000, 300_000, 60_000],
  pingTimeoutMs: [5_000, 60_000, 10_000],
  maxMissedPongs: [1, 10, 3],
  closingTimeoutMs: [1_000, 60_000, 5_000],
  sessionTimeoutMs: [60_000, 3_600_000, 300_000],
};

/**
 * Fills defaults and checks ranges.
 * @throws M2MError of kind Config naming the setting and its range.
 */
export function resolveTimers(options?: TimerOptions): ResolvedTimers {
  // Sessions without timer settings (most) share one frozen result.
  if (options === undefined) return (defaults ??= Object.freeze(resolveAll({})));
  return resolveAll(options);
}
let defaults: ResolvedTimers | undefined;

function resolveAll(options: TimerOptions): ResolvedTimers {
  const out = {} as ResolvedTimers;
  for (const [key, [min, max, fallback]] of Object.entries(TIMER_RANGES) as [keyof TimerOptions, readonly [number, number, number]][]) {
    const v = options[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new M2MError('Config', { reason: `${key} must be an integer from ${min} to ${max}, got ${String(v)}` });
    }
    out[key] = v;
  }
  return out;
}
