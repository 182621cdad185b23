import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it, vi } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, isSdkError } from '@m2m/core';
import { aeadProtection, hmacProtection } from '@m2m/crypto';
import { listen } from '@m2m/session';
import * as net from 'node:net';
import { runFuzz } from './lib/fuzz-runner.js';
import { structuredFuzz } from './run-fuzz.js';
import { FUZZ_KEY, loadSeeds } from './lib/seeds.js';
import { fuzzTargets } from './lib/targets.js';

const { seeds, files } = loadSeeds();

describe('fuzzing (short run; `pnpm fuzz` runs 1,000,000 inputs)', () => {
  it('draws seeds from every vector file', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(seeds.length).toBeGreaterThan(100);
  });
  it('every decoder returns a value or throws an SDK error, within 1 s, with bounded memory', () => {
    const report = runFuzz(fuzzTargets(), seeds, 1_000, 20261122);
    for (const t of report.targets) {
      expect({ target: t.name, failures: t.failures }).toEqual({ target: t.name, failures: [] });
      expect(t.inputs).toBe(1_000);
    }
    expect(report.slowest.ms).toBeLessThan(1_000);
    expect(report.heapGrowthMb).toBeLessThan(64);
  }, 120_000);
  it('structure-aware inputs (nested MessagePack and JSON, lying lengths) stay within the resource budget, each one', () => {
    const { stats, ok } = structuredFuzz(100, 20261201, () => undefined);
    expect(stats.length).toBeGreaterThanOrEqual(10);
    for (const t of stats) {
      expect({ target: t.name, failures: t.failures, overBudget: t.overBudget }).toEqual({ target: t.name, failures: [], overBudget: [] });
      expect(t.inputs).toBe(10);
    }
    expect(ok).toBe(true);
    // The generators reach the bounds, not only the syntax errors.
    expect(stats.some((t) => (t.byCode.LIMIT_EXCEEDED ?? 0) > 0)).toBe(true);
  }, 120_000);
  it('fast-check: arbitrary bytes never escape as anything but an SDK error', () => {
    const targets = fuzzTargets();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.nat(targets.length - 1), (bytes, i) => {
        try {
          targets[i].run(bytes);
        } catch (e) {
          expect(targets[i].neverThrows).not.toBe(true);
          expect(isSdkError(e)).toBe(true);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('bombs and lies', () => {
  const probe = (kase: string) => {
    // bomb-probe.ts bundled from the sources once per run (scripts/test-bin.ts).
    const r = spawnSync(process.execPath, ['--expose-gc', inject('bombProbe'), kase], { encoding: 'utf8', timeout: 120_000 });
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { outcome: string; ratio: number; limitMb: number; ms: number; rssBeforeMb: number; peakAfterMb: number };
  };
  for (const kase of ['brotli-10x', 'brotli-1000x', 'brotli-text-1000x']) {
    it(`${kase}: LimitExceeded at the configured limit, before the memory is spent, without hanging`, () => {
      const r = probe(kase);
      expect(r.outcome).toBe('LIMIT_EXCEEDED');
      expect(r.ratio).toBeGreaterThanOrEqual(kase === 'brotli-10x' ? 8 : 1000);
      // A hang guard, not a speed claim (`pnpm fuzz` prints the times): unbounded output took minutes.
      expect(r.ms).toBeLessThan(5_000);
      // The process never held more than the limit (plus the runtime's own slack) during decoding.
      expect(r.peakAfterMb - r.rssBeforeMb).toBeLessThan(r.limitMb + 48);
    }, 120_000);
  }
  it('header_len and payload_len lies are refused at their configured limits', () => {
    const frame = encodeFrame('{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}');
    const lie = frame.slice();
    lie[7] = 0xff;
    lie[8] = 0xf0; // header_len 61695
    let e: unknown;
    try {
      decodeFrame(lie, { limits: { maxHeaderBytes: 4096 } });
    } catch (x) {
      e = x;
    }
    expect(isSdkError(e) && e.code).toBe('LIMIT_EXCEEDED');
    const payloadLie = frame.slice();
    new DataView(payloadLie.buffer).setUint32(7 + 34, 0xffffffff, true);
    let p: unknown;
    try {
      decodeFrame(payloadLie, { limits: { maxPayloadBytes: 1024 * 1024 } });
    } catch (x) {
      p = x;
    }
    expect(isSdkError(p) && p.code).toBe('LIMIT_EXCEEDED');
    expect((p as { details: unknown }).details).toEqual({ limit: 'maxPayloadBytes', actual: 0xffffffff, max: 1024 * 1024 });
    // Without a configured limit it reads as the reference does (its vectors require the text).
    expect(() => decodeFrame(payloadLie)).toThrow('Frame too short for payload');
  });
  it('a TCP length prefix past the limit is refused before any buffer is allocated for it', async () => {
    const server = await listen({ transport: 'tcp', maxMessageBytes: 64 * 1024 });
    try {
      const s = net.connect(server.port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      s.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
      await new Promise((r) => s.once('close', r));
      // Counted once the server's socket closed too (transport/tcp.ts close after a refusal), a
      // moment after the client saw its end close.
      await vi.waitFor(() => expect(server.counters.failedHandshakes).toBe(1), { timeout: 3_000 });
    } finally {
      await server.close();
    }
  });
  it('deep JSON is refused at the depth limit before it is parsed', () => {
    const deep = `{"model":"x","messages":[],"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    let e: unknown;
    try {
      encodeFrame(deep);
    } catch (x) {
      e = x;
    }
    expect(isSdkError(e) && e.code).toBe('LIMIT_EXCEEDED');
    expect((e as { details: { actual: number } }).details.actual).toBe(33); // stopped one past the limit
  });
});

describe('tampering', () => {
  const samples = [
    '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":50}',
    JSON.stringify({ id: 'chatcmpl-7', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'A longer answer that is compressed with Brotli before sealing, so the flip lands in compressed bytes too.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 30, total_tokens: 39 } }),
  ];
  for (const mode of ['hmac', 'aead'] as const) {
    it(`every single-bit flip of ${mode.toUpperCase()} frames is rejected`, () => {
      const protection = mode === 'hmac' ? hmacProtection(FUZZ_KEY) : aeadProtection(FUZZ_KEY);
      let flips = 0;
      const accepted: string[] = [];
      for (const json of samples) {
        const frame = encodeFrame(json, { protection });
        expect(decodeFrame(frame, { protection }).payload).toBe(json);
        for (let i = 0; i < frame.length; i++) {
          for (let bit = 0; bit < 8; bit++) {
            const f = frame.slice();
            f[i] ^= 1 << bit;
            flips++;
            try {
              decodeFrame(f, { protection });
              accepted.push(`byte ${i} bit ${bit}`);
            } catch (e) {
              if (!isSdkError(e)) accepted.push(`byte ${i} bit ${bit}: non-SDK ${String(e)}`);
            }
          }
        }
      }
      expect(accepted).toEqual([]);
      expect(flips).toBeGreaterThan(2_000);
    });
  }
  it('a security-byte downgrade is rejected under the policy', () => {
    for (const protection of [hmacProtection(FUZZ_KEY), aeadProtection(FUZZ_KEY)]) {
      const frame = encodeFrame(samples[0], { protection });
      for (const b of [0, 3, 0xff, protection.mode === 'aead' ? 1 : 0]) {
        const f = frame.slice();
        f[10] = b;
        let e: unknown;
        try {
          decodeFrame(f, { protection });
        } catch (x) {
          e = x;
        }
        expect(isSdkError(e)).toBe(true);
        expect((e as { code: string }).code).toBe('SECURITY_DOWNGRADE');
      }
    }
  });
});
