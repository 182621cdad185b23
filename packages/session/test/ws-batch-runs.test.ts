/**
 * The batch reader's runs (transport/ws-batch.ts `BatchReader`): consecutive entries are copied
 * out of a received batch together, in runs of at most a slab, and handed out as views of their
 * run. Checked against a second framing implementation (fixtures/length-prefixed.ts): the same
 * entries in the same order, each a plain view of a buffer holding this batch's entries alone
 * (never the batch's buffer, which `ws` shares with other frames), kept as it is by the keep rule
 * (codec/slab.ts `holdsOnlyOwn`), and never more than a slab pinned per entry but one larger than
 * a slab, which gets a buffer of its own.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { holdsOnlyOwn, SLAB_BYTES } from '../src/codec/slab.js';
import { BatchReader, checkBatch } from '../src/transport/ws-batch.js';
import { lengthPrefixed, splitLengthPrefixed } from './fixtures/length-prefixed.js';

const entryBytes = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 301, max: 3000 }), fc.integer({ min: SLAB_BYTES - 8, max: SLAB_BYTES + 2000 }));

describe('BatchReader runs', () => {
  it('hands out the entries of foreign batches in order, each a view of a run of its own batch', () => {
    fc.assert(
      fc.property(fc.array(fc.array(entryBytes, { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 64 }), (batches, pad) => {
        const reader = new BatchReader();
        const expected: Uint8Array[] = [];
        const foreign: ArrayBufferLike[] = [];
        let n = 0;
        for (const sizes of batches) {
          const entries = sizes.map((size) => new Uint8Array(size).fill(n++ & 0xff));
          const framed = lengthPrefixed(entries);
          // As `ws` hands it over: a view into a larger buffer holding other bytes.
          const chunk = new Uint8Array(framed.length + 2 * pad).fill(0xaa);
          chunk.set(framed, pad);
          const batch = chunk.subarray(pad, pad + framed.length);
          expect(checkBatch(batch, 1 << 20)).toBeUndefined();
          reader.push(batch);
          foreign.push(chunk.buffer);
          expected.push(...splitLengthPrefixed(Buffer.from(framed)));
        }
        // Plain checks per entry (vitest's deep equality walks typed arrays element by element).
        const problems: string[] = [];
        const lastOfBatch: boolean[] = [];
        let i = 0;
        while (!reader.empty) {
          const length = reader.nextLength();
          const e = reader.take()!;
          const want = expected[i];
          if (e.length !== length) problems.push(`${i}: nextLength ${length}, took ${e.length}`);
          if (Object.getPrototypeOf(e) !== Uint8Array.prototype) problems.push(`${i}: not a plain Uint8Array`);
          if (foreign.includes(e.buffer)) problems.push(`${i}: a view of the batch's own buffer`);
          if (!holdsOnlyOwn(e)) problems.push(`${i}: not kept by the keep rule`);
          // A run pins at most a slab; an entry over a slab's worth is its buffer alone.
          if (4 + e.length > SLAB_BYTES ? e.byteOffset !== 0 || e.buffer.byteLength !== e.length : e.buffer.byteLength > SLAB_BYTES) problems.push(`${i}: pins ${e.buffer.byteLength} bytes`);
          if (!want || Buffer.compare(Buffer.from(e.buffer, e.byteOffset, e.length), want) !== 0) problems.push(`${i}: bytes differ`);
          lastOfBatch.push(reader.batchDone);
          i++;
        }
        expect(problems).toEqual([]);
        expect(i).toBe(expected.length);
        expect(reader.take()).toBeUndefined();
        expect(reader.nextLength()).toBe(-1);
        // batchDone is set on the last entry of each batch, and only there.
        let at = 0;
        const ends = batches.map((b) => (at += b.length) - 1);
        expect(lastOfBatch.flatMap((d, i) => (d ? [i] : []))).toEqual(ends);
      }),
      { numRuns: 100 },
    );
  });

  it('entries taken earlier keep their bytes while later runs are cut, and a detached run is a typed error', () => {
    const reader = new BatchReader();
    const entries = Array.from({ length: 200 }, (_, i) => new Uint8Array(100).fill(i));
    reader.push(new Uint8Array(lengthPrefixed(entries)));
    const first = reader.take()!;
    const second = reader.take()!;
    expect(first.buffer).toBe(second.buffer); // one run
    // A byte stream's enqueue detaches whatever it is given, the run's mark notwithstanding.
    new ReadableStream({ type: 'bytes', start: (c) => c.enqueue(second as Uint8Array<ArrayBuffer>) });
    expect(first.length).toBe(0);
    let error: unknown;
    try {
      reader.take();
    } catch (e) {
      error = e;
    }
    expect(isSdkError(error) && error.code).toBe('IO_ERROR');
    // Nothing of the lost run is handed out afterwards.
    expect(reader.empty).toBe(true);
  });
});
