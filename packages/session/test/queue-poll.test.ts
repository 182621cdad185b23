/** queue.ts `poll`: a waiting item is taken without a promise, with the same bookkeeping as `next`. */
import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../src/queue.js';
import { TAKEN } from '../src/transport/types.js';

describe('AsyncQueue.poll', () => {
  it('takes waiting items in order, returns undefined when none waits, and frees room for a waiting push', async () => {
    const taken: number[] = [];
    const q = new AsyncQueue<number>({ capacity: 2, sizeOf: () => 1, onTake: (n) => taken.push(n) });
    expect(q.poll()).toBeUndefined();
    expect(q.push(1)).toBe(TAKEN);
    const second = q.push(2); // the queue is full now: this push waits
    expect(second).not.toBe(TAKEN);
    let resumed = false;
    void second.then(() => (resumed = true));
    expect(q.poll()).toBe(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(resumed).toBe(true);
    expect(q.poll()).toBe(2);
    expect(q.poll()).toBeUndefined();
    expect(taken).toEqual([1, 2]);
    expect(q.bytes).toBe(0);
  });
  it('the iterator polls too, and next still reports the end after poll found nothing', async () => {
    const q = new AsyncQueue<string>();
    const it = q[Symbol.asyncIterator]();
    q.offer('a');
    expect(it.poll?.()).toBe('a');
    q.end();
    expect(it.poll?.()).toBeUndefined();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});
