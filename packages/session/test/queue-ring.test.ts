/**
 * queue.ts keeps its items in a reused array (a head and a tail index, reset when the queue
 * empties, compacted after long runs): checked against a plain array model over random
 * offer/poll sequences, with the byte count and the full/drain callbacks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../src/queue.js';

describe('AsyncQueue storage', () => {
  it('keeps FIFO order, size, bytes and full/drain transitions as a plain array model does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 1500 })), { maxLength: 40 }), (capacity, steps) => {
        const events: string[] = [];
        const taken: number[] = [];
        const q = new AsyncQueue<number>({ capacity, sizeOf: (n) => n % 7, onFull: () => events.push('full'), onDrain: () => events.push('drain'), onTake: (n) => taken.push(n) });
        const model: number[] = [];
        const expectedEvents: string[] = [];
        let full = false;
        let next = 0;
        const bytes = () => model.reduce((s, n) => s + (n % 7), 0);
        for (const [add, count] of steps) {
          for (let i = 0; i < count; i++) {
            if (add) {
              q.offer(next);
              model.push(next++);
              if (!full && model.length >= capacity) {
                full = true;
                expectedEvents.push('full');
              }
            } else {
              const v = q.poll();
              expect(v).toBe(model.shift());
              if (v === undefined) break;
              if (full && model.length <= capacity / 2) {
                full = false;
                expectedEvents.push('drain');
              }
            }
          }
          expect(q.size).toBe(model.length);
          expect(q.bytes).toBe(bytes());
          expect(q.full).toBe(model.length >= capacity);
        }
        expect(events).toEqual(expectedEvents);
        // Everything offered and not still held was handed to onTake, in order.
        expect(taken).toEqual(Array.from({ length: next - model.length }, (_, i) => i));
        q.discard();
        expect(q.size).toBe(0);
        expect(q.bytes).toBe(0);
        expect(taken).toEqual(Array.from({ length: next }, (_, i) => i));
      }),
      { numRuns: 100 },
    );
  });

  it('a waiting reader gets the next item directly, and items queued after it keep their order', async () => {
    const q = new AsyncQueue<number>();
    const first = q.next();
    q.offer(1);
    q.offer(2);
    q.offer(3);
    expect(await first).toEqual({ value: 1, done: false });
    expect(q.poll()).toBe(2);
    q.offer(4);
    expect(q.poll()).toBe(3);
    expect(q.poll()).toBe(4);
    expect(q.poll()).toBeUndefined();
  });
});
