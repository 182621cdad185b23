import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '@m2m/session/internal';

describe('AsyncQueue.endWithError (a session end nobody reads builds no error, issue 18)', () => {
  it('makes the error only when a reader reaches the end, once, after the remaining items', async () => {
    let made = 0;
    const q = new AsyncQueue<number>();
    q.offer(1);
    q.endWithError(() => new Error(`end ${++made}`));
    expect(made).toBe(0);
    expect(await q.next()).toEqual({ value: 1, done: false });
    await expect(q.next()).rejects.toThrow('end 1');
    await expect(q.next()).rejects.toThrow('end 1');
    expect(made).toBe(1);
  });

  it('rejects a reader already waiting', async () => {
    const q = new AsyncQueue<number>();
    const waiting = q.next();
    q.endWithError(() => new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
  });

  it('is ignored after end, as end is', async () => {
    const q = new AsyncQueue<number>();
    q.end();
    q.endWithError(() => new Error('late'));
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
});
