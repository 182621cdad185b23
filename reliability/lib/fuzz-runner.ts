/**
 * Runs fuzz targets over seeds and their mutations, recording how each input ended.
 * @module
 */
import { isSdkError } from '@m2m/core';
import { mutate } from './mutate.js';
import { Prng } from './prng.js';
import type { FuzzTarget } from './targets.js';

/** Results of one target. */
export interface TargetStats {
  name: string;
  inputs: number;
  values: number;
  sdkErrors: number;
  /** Anything else thrown: must stay empty. */
  failures: Array<{ input: string; error: string }>;
  maxMs: number;
  byCode: Record<string, number>;
}

/** Results of a run. */
export interface FuzzReport {
  seed: number;
  targets: TargetStats[];
  totalInputs: number;
  seconds: number;
  heapGrowthMb: number;
  slowest: { target: string; ms: number };
}

/** Runs `perTarget` inputs through each target: the seeds themselves first, then mutations. */
export function runFuzz(targets: FuzzTarget[], seeds: Uint8Array[], perTarget: number, seed = 1, onProgress?: (done: number, total: number) => void): FuzzReport {
  const rng = new Prng(seed);
  const start = performance.now();
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage();
  const stats: TargetStats[] = [];
  let done = 0;
  const total = perTarget * targets.length;
  for (const target of targets) {
    const s: TargetStats = { name: target.name, inputs: 0, values: 0, sdkErrors: 0, failures: [], maxMs: 0, byCode: {} };
    for (let i = 0; i < perTarget; i++) {
      const input = i < seeds.length && i < perTarget / 10 ? seeds[i] : mutate(rng, rng.pick(seeds), rng.pick(seeds));
      const t0 = performance.now();
      try {
        target.run(input);
        s.values++;
      } catch (e) {
        if (!target.neverThrows && isSdkError(e)) {
          s.sdkErrors++;
          s.byCode[e.code] = (s.byCode[e.code] ?? 0) + 1;
        } else if (s.failures.length < 20) s.failures.push({ input: Buffer.from(input).toString('hex').slice(0, 400), error: `${(e as Error)?.name}: ${(e as Error)?.message}` });
        else s.failures.length++;
      }
      const ms = performance.now() - t0;
      if (ms > s.maxMs) s.maxMs = ms;
      s.inputs++;
      if (++done % 10000 === 0) onProgress?.(done, total);
    }
    stats.push(s);
  }
  (globalThis as { gc?: () => void }).gc?.();
  const heap1 = process.memoryUsage();
  const slowest = stats.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
  return {
    seed,
    targets: stats,
    totalInputs: done,
    seconds: (performance.now() - start) / 1000,
    heapGrowthMb: (heap1.heapUsed + heap1.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers) / 2 ** 20,
    slowest: { target: slowest.name, ms: slowest.maxMs },
  };
}

/** Results of one target under structure-aware inputs, checked against a resource budget. */
export interface StructuredStats {
  name: string;
  inputs: number;
  values: number;
  sdkErrors: number;
  /** Anything but an SDK error: must stay empty. */
  failures: Array<{ input: string; error: string }>;
  /** Inputs that broke the budget: must stay empty. */
  overBudget: Array<{ input: string; bytes: number; ms: number; heapMb: number }>;
  largestInput: number;
  maxMs: number;
  /** The worst time per KiB among inputs of at least 1 KiB. */
  maxMsPerKiB: number;
  /** The most heap (JS plus ArrayBuffers) one input left allocated right after it, in MiB. */
  maxHeapMb: number;
  byCode: Record<string, number>;
}

/** A per-input budget: time and memory as a constant plus a multiple of the input's size. */
export interface InputBudget {
  msConstant: number;
  msPerKiB: number;
  memoryConstant: number;
  memoryPerInputByte: number;
}

/**
 * Runs `perTarget` generated inputs through each target that has a generator, timing each and
 * reading the heap before and after it (no collection in between, so what a decoder allocated
 * for one input is still counted), and records every input over `budget`.
 */
export function runStructured(targets: FuzzTarget[], generators: Record<string, (rng: Prng) => Uint8Array>, perTarget: number, budget: InputBudget, seed = 1): { targets: StructuredStats[]; seconds: number } {
  const rng = new Prng(seed);
  const start = performance.now();
  const heap = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const stats: StructuredStats[] = [];
  for (const target of targets) {
    const generate = generators[target.name];
    if (!generate) continue;
    const s: StructuredStats = { name: target.name, inputs: 0, values: 0, sdkErrors: 0, failures: [], overBudget: [], largestInput: 0, maxMs: 0, maxMsPerKiB: 0, maxHeapMb: 0, byCode: {} };
    for (let i = 0; i < perTarget; i++) {
      const input = generate(rng);
      const h0 = heap();
      const t0 = performance.now();
      try {
        target.run(input);
        s.values++;
      } catch (e) {
        if (!target.neverThrows && isSdkError(e)) {
          s.sdkErrors++;
          s.byCode[e.code] = (s.byCode[e.code] ?? 0) + 1;
        } else if (s.failures.length < 20) s.failures.push({ input: Buffer.from(input.subarray(0, 200)).toString('hex'), error: `${(e as Error)?.name}: ${(e as Error)?.message}` });
      }
      const ms = performance.now() - t0;
      const grown = heap() - h0;
      s.inputs++;
      s.largestInput = Math.max(s.largestInput, input.length);
      s.maxMs = Math.max(s.maxMs, ms);
      if (input.length >= 1024) s.maxMsPerKiB = Math.max(s.maxMsPerKiB, ms / (input.length / 1024));
      s.maxHeapMb = Math.max(s.maxHeapMb, grown / 2 ** 20);
      const msBudget = budget.msConstant + (budget.msPerKiB * input.length) / 1024;
      const memoryBudget = budget.memoryConstant + budget.memoryPerInputByte * input.length;
      if ((ms > msBudget || grown > memoryBudget) && s.overBudget.length < 20) {
        s.overBudget.push({ input: Buffer.from(input.subarray(0, 200)).toString('hex'), bytes: input.length, ms, heapMb: grown / 2 ** 20 });
      }
    }
    stats.push(s);
  }
  return { targets: stats, seconds: (performance.now() - start) / 1000 };
}
