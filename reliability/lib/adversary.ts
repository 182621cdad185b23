/**
 * The adversary harness: runs attacks one by one and records, for each, the input's size, the
 * memory it made the process hold, the longest time the event loop could not run, and how it
 * ended. `pnpm stress` prints the table into docs/RELIABILITY.md; the tests assert the budget of
 * docs/ARCHITECTURE.md "Resource budget" on the same measurements.
 * Attack lists live in reliability/attacks/ (collected by reliability/attacks/index.ts).
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isSdkError } from '@m2m/core';
import { watchEventLoop } from './event-loop.js';

/** One attack. `run` resolves with how it ended (an error code, `closed`, …) or throws. */
export interface Attack { name: string; inputBytes: number; run(): Promise<{ outcome: string }>; }

/** What one attack cost. */
export interface AttackResult {
  name: string;
  inputBytes: number;
  /** Most JS heap plus ArrayBuffer memory above the start seen during or right after the attack, in bytes. */
  peakHeapBytes: number;
  /** How far the attack raised the process's peak RSS, in bytes (0 when it stayed below an earlier peak). */
  peakRssBytes: number;
  /** Longest stretch the event loop could not run, in ms. */
  maxBlockMs: number;
  /** Wall time of the whole attack, in ms. */
  ms: number;
  outcome: string;
}

/** A resource budget: memory and event-loop time allowed per input byte, plus constants. */
export interface Budget {
  /** Bytes the process may hold per input byte. */
  memoryPerInputByte: number;
  /** Bytes allowed whatever the input (runtime noise, a server's sockets). */
  memoryConstant: number;
  /** Event-loop block allowed per KiB of input, in ms. */
  msPerKiB: number;
  /** Block allowed whatever the input, in ms (a GC pause, a cold JIT). */
  msConstant: number;
}

/**
 * The budget the decoder attacks are held to, input and its copies included (an attack on a server
 * encodes the input, sends it and the server reads it: a few copies of a large input are the
 * harness's, not the decoder's): generous constants so a loaded CI machine passes, far below what
 * the attacks cost before they were bounded (hundreds of MiB to a killed process, seconds blocked).
 */
export const DECODER_BUDGET: Readonly<Budget> = Object.freeze({ memoryPerInputByte: 8, memoryConstant: 48 * 2 ** 20, msPerKiB: 2, msConstant: 500 });

/** The budget in words, for the table's caption. */
export function budgetText(b: Readonly<Budget> = DECODER_BUDGET): string {
  return `${b.memoryPerInputByte} bytes per input byte + ${b.memoryConstant / 2 ** 20} MiB of memory, ${b.msPerKiB} ms per KiB + ${b.msConstant} ms of event-loop block`;
}

/** The larger of the two memory measurements. */
export const peakMemory = (r: AttackResult): number => Math.max(r.peakHeapBytes, r.peakRssBytes);

/** Where a result breaks `budget`, or an empty list. */
export function overBudget(r: AttackResult, budget: Readonly<Budget> = DECODER_BUDGET): string[] {
  const out: string[] = [];
  const memory = budget.memoryConstant + budget.memoryPerInputByte * r.inputBytes;
  if (peakMemory(r) > memory) out.push(`${r.name}: held ${mib(peakMemory(r))} MiB, budget ${mib(memory)} MiB`);
  const ms = budget.msConstant + (budget.msPerKiB * r.inputBytes) / 1024;
  if (r.maxBlockMs > ms) out.push(`${r.name}: blocked the event loop ${r.maxBlockMs.toFixed(0)} ms, budget ${ms.toFixed(0)} ms`);
  return out;
}

let gcFn: (() => void) | undefined;
/** A full garbage collection (exposes `gc` at runtime when the process started without it). */
export function collectGarbage(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) gcFn = g;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

const heapNow = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const peakRssNow = (): number => process.resourceUsage().maxRSS * 1024;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one attack and measures it. */
export async function measureAttack(attack: Attack): Promise<AttackResult> {
  collectGarbage();
  const heap0 = heapNow();
  const rss0 = peakRssNow();
  let heapPeak = heap0;
  // A 1 ms timer: the gap between two ticks is how long the loop was held; it also samples the heap.
  let last = performance.now();
  let maxGap = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    if (now - last > maxGap) maxGap = now - last;
    last = now;
    const h = heapNow();
    if (h > heapPeak) heapPeak = h;
  }, 1);
  const delay = watchEventLoop(1);
  const t0 = performance.now();
  let syncMs = 0;
  let outcome: string;
  try {
    const pending = attack.run();
    // Whatever the attack did before its first await ran right here, holding the loop.
    syncMs = performance.now() - t0;
    heapPeak = Math.max(heapPeak, heapNow());
    outcome = (await pending).outcome;
  } catch (e) {
    syncMs ||= performance.now() - t0;
    outcome = isSdkError(e) ? e.code : `threw ${(e as Error)?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`.slice(0, 120);
  }
  const ms = performance.now() - t0;
  heapPeak = Math.max(heapPeak, heapNow());
  await settle(3); // let the probe see the end of the last block
  clearInterval(probe);
  const loopMs = Math.max(maxGap - 1, delay.stop() - 1, 0);
  return {
    name: attack.name,
    inputBytes: attack.inputBytes,
    peakHeapBytes: Math.max(0, heapPeak - heap0),
    peakRssBytes: Math.max(0, peakRssNow() - rss0),
    maxBlockMs: Math.max(syncMs, loopMs),
    ms,
    outcome,
  };
}

/** Runs attacks one after another (never at once, so each measurement is its own). */
export async function runAttacks(attacks: readonly Attack[], onResult?: (r: AttackResult) => void): Promise<AttackResult[]> {
  const out: AttackResult[] = [];
  for (const a of attacks) {
    const r = await measureAttack(a);
    out.push(r);
    onResult?.(r);
  }
  return out;
}

const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
const bytesLabel = (n: number): string => (n >= 2 ** 20 ? `${mib(n)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** The adversary table (markdown): attack, input bytes, peak memory, event-loop block, outcome. */
export function adversaryTable(results: readonly AttackResult[], budget: Readonly<Budget> = DECODER_BUDGET): string {
  return [
    '| attack | input | peak memory | event-loop block | outcome | within budget |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.name.replace(/\|/g, '/')} | ${bytesLabel(r.inputBytes)} | ${mib(peakMemory(r))} MiB | ${r.maxBlockMs.toFixed(1)} ms | ${r.outcome.replace(/\|/g, '/')} | ${overBudget(r, budget).length === 0 ? 'yes' : 'NO'} |`),
  ].join('\n');
}
