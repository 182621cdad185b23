/**
 * Attacker review of the reference's `POST /compress` (unauthenticated): the work behind one
 * request. Brotli at the text format's quality 11 ran about 2 ms per KiB of chat-like JSON on an
 * idle machine (10 ms on a busy one) and TokenNative 0.6-3 ms per KiB of random text, so one
 * request with the default 10 MiB body held the event loop for tens of seconds. Now content past
 * 256 KiB is Brotli-compressed at quality 5 (still the same format, decoded the same way), and
 * TokenNative takes at most 256 KiB of content (LIMIT_EXCEEDED, 400, past it). Held to the adversary
 * budget of docs/ARCHITECTURE.md (reliability/lib/adversary.ts).
 */
import { decompress } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { measureAttack, overBudget } from '../../../reliability/lib/adversary.js';
import { createServerApp } from '../src/app.js';

let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const randomText = (n: number) => Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(rnd() * 90))).join('');
/** Chat-like JSON of about `n` characters: what q11 Brotli is slowest on. */
function chatJson(n: number): string {
  const text = randomText(n);
  return JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: Math.ceil(n / 200) }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: text.slice(i * 200, i * 200 + 200) })) });
}

const { app } = createServerApp({ security: false });
const post = (body: string) => app.fetch(new Request('http://ref/compress', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));

describe('POST /compress: one request costs what the budget allows', () => {
  it('brotli of 2 MiB of chat JSON: within the event-loop budget, and it round-trips', async () => {
    const content = chatJson(2 * 1024 * 1024);
    const body = JSON.stringify({ content, algorithm: 'brotli' });
    let data = '';
    const r = await measureAttack({
      name: 'compress brotli 2 MiB chat JSON',
      inputBytes: body.length,
      run: async () => {
        const res = await post(body);
        data = ((await res.json()) as { data: string }).data;
        return { outcome: String(res.status) };
      },
    });
    expect(r.outcome).toBe('200');
    expect(overBudget(r)).toEqual([]);
    expect(decompress(data)).toBe(content);
  });

  it('tokennative past 256 KiB of content: 400 LIMIT_EXCEEDED at once; within it, it round-trips', async () => {
    const big = JSON.stringify({ content: randomText(2 * 1024 * 1024), algorithm: 'tokennative' });
    const r = await measureAttack({
      name: 'compress tokennative 2 MiB random',
      inputBytes: big.length,
      run: async () => {
        const res = await post(big);
        const text = await res.text();
        return { outcome: `${res.status} ${text.slice(0, 80)}` };
      },
    });
    expect(r.outcome).toMatch(/^400 .*Limit exceeded/);
    expect(overBudget(r)).toEqual([]);
    const content = randomText(128 * 1024);
    const res = await post(JSON.stringify({ content, algorithm: 'tokennative' }));
    expect(res.status).toBe(200);
    expect(decompress(((await res.json()) as { data: string }).data)).toBe(content);
  });
});
