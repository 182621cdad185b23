/**
 * Attacker review of the reference's `POST /decompress` and DATA on `POST /message`
 * (unauthenticated): the decompression budget (`decompressBudget`, 64 times the request) bounds
 * the content, and a request padded to 256 KiB (JSON whitespace after the object) may decompress
 * a few bytes of Brotli to 16 MiB. Answered as JSON, a NUL byte is the six bytes `\u0000`: the
 * answer was 96 MiB, the request held ~445 MiB and blocked the event loop for 1.3-3 s (32 KiB
 * and 2 MiB here; DATA on /message echoed 1 MiB of NUL from a 200-byte request as 6 MiB: both
 * cases fail on the code before). Now the
 * answer's JSON text is counted before it is written and held to the same budget (400
 * LIMIT_EXCEEDED `answerBytes`); content within it still round-trips. Held to the adversary
 * budget of docs/ARCHITECTURE.md (reliability/lib/adversary.ts).
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { defaultCapabilities } from '@m2m/session';
import { encodeMessageJson } from '@m2m/session/json';
import { describe, expect, it } from 'vitest';
import { measureAttack, overBudget } from '../../../reliability/lib/adversary.js';
import { createServerApp } from '../src/app.js';
import { jsonStringBytes } from '../src/reference/json-text-size.js';

const brotliText = (raw: Buffer) => `#M2M[v3.0]|DATA:${brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).toString('base64')}`;
/** JSON whitespace after the value: it counts toward the request's size, and so its budget (2 MiB here). */
const PAD = ' '.repeat(32 * 1024);

async function post(app: ReturnType<typeof createServerApp>['app'], path: string, body: string) {
  const res = await app.fetch(new Request(`http://server${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
  return { status: res.status, text: await res.text() };
}

describe('answers of decompressed content are bounded with their JSON escapes', () => {
  it('/decompress: 2 MiB of NUL from a padded 32 KiB request is refused within the budget', async () => {
    const { app } = createServerApp({ security: false });
    const body = `{"data":${JSON.stringify(brotliText(Buffer.alloc(2 * 1024 * 1024 - 1024)))}}${PAD}`;
    // The same path once on a small input first: the budget is about cost per input byte, and
    // the route's first call (JIT, the Brotli glue) held a loaded CI machine's loop 0.9 s alone.
    await post(app, '/decompress', `{"data":${JSON.stringify(brotliText(Buffer.alloc(64 * 1024)))}}${PAD}`);
    let answer = '';
    const r = await measureAttack({
      name: 'decompress 2 MiB of NUL (padded request)',
      inputBytes: body.length,
      run: async () => {
        const res = await post(app, '/decompress', body);
        answer = res.text;
        return { outcome: `${res.status} ${res.text.length}` };
      },
    });
    expect(r.outcome).toMatch(/^400 /);
    expect(answer).toContain('answerBytes');
    expect(answer.length).toBeLessThan(1000);
    expect(overBudget(r)).toEqual([]);
  }, 60_000);

  it('/decompress: escaped content within the budget still round-trips', async () => {
    const { app } = createServerApp({ security: false });
    const content = '\u0000"\\\n'.repeat(32 * 1024); // 128 KiB of characters, 448 KiB escaped
    const r = await post(app, '/decompress', JSON.stringify({ data: brotliText(Buffer.from(content)) }));
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as { content: string }).content).toBe(content);
  });

  it('DATA on /message: the echoed content is bounded the same way', async () => {
    const { app } = createServerApp({ security: false });
    const hello = encodeMessageJson({ type: 'HELLO', payload: { kind: 'capabilities', value: defaultCapabilities({}) }, timestamp: 1 });
    const sessionId = (JSON.parse((await post(app, '/message', hello)).text) as { session_id: string }).session_id;
    // 1 MiB of NUL: within the request's 1 MiB and the session's own bound (decompression-bound.ts), 6 MiB as JSON.
    const data = encodeMessageJson({ type: 'DATA', sessionId, payload: { kind: 'data', value: { algorithm: 'brotli', content: brotliText(Buffer.alloc(1024 * 1024 - 4096)) } }, timestamp: 2 });
    // Warmed on a small input first, as above (JIT is not what the budget is about).
    await post(app, '/decompress', `{"data":${JSON.stringify(brotliText(Buffer.alloc(64 * 1024)))}}${PAD}`);
    let answer = '';
    const r = await measureAttack({
      name: 'message DATA 1 MiB of NUL',
      inputBytes: data.length,
      run: async () => {
        const res = await post(app, '/message', data);
        answer = res.text;
        return { outcome: `${res.status} ${res.text.length}` };
      },
    });
    expect(r.outcome).toMatch(/^400 /);
    expect(answer).toContain('answerBytes');
    expect(overBudget(r)).toEqual([]);
  }, 60_000);
});

describe('jsonStringBytes', () => {
  it('is the UTF-8 size of JSON.stringify without its quotes, for every kind of character', () => {
    const samples = ['', 'abc', '"\\/', '\b\f\n\r\t\u0000\u001f\u007f', 'é€', '😀', '\ud800', '\udc00x', '\ud83d\ud83d\ude00', 'a\u2028b'];
    for (let c = 0; c < 0x800; c++) samples.push(String.fromCharCode(c));
    for (const s of samples) expect([s, jsonStringBytes(s)]).toEqual([s, Buffer.byteLength(JSON.stringify(s)) - 2]);
  });

  it('stops past stopAbove with a count above it, and never stops within it', () => {
    const s = '\u0000'.repeat(1000);
    const early = jsonStringBytes(s, 100);
    expect(early).toBeGreaterThan(100);
    expect(early).toBeLessThan(6000);
    expect(jsonStringBytes(s, 6000)).toBe(6000);
  });
});
