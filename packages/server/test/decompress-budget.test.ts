/**
 * A few bytes of Brotli may not make the reference routes decompress, scan and send back
 * megabytes: `/decompress` and DATA on `/message` decompress at most a multiple of the request's
 * size (`decompressBudget`, docs/ARCHITECTURE.md "Resource budget").
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { decompress } from '@m2m/core';
import { defaultCapabilities } from '@m2m/session';
import { encodeMessageJson } from '@m2m/session/json';
import { describe, expect, it } from 'vitest';
import { createServerApp } from '../src/app.js';

const brotliText = (raw: Buffer) => `#M2M[v3.0]|DATA:${brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).toString('base64')}`;
// 4 MiB of NUL bytes, each answered as `\u0000` in JSON (24 MiB): under 100 bytes of request.
const bomb = brotliText(Buffer.alloc(4 * 1024 * 1024));

async function post(app: ReturnType<typeof createServerApp>['app'], path: string, body: string) {
  const res = await app.fetch(new Request(`http://server${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
  return { status: res.status, text: await res.text() };
}

describe('decompression budget of the reference routes', () => {
  it('/decompress refuses a Brotli bomb by name and still decodes ordinary text', async () => {
    const { app } = createServerApp();
    const body = JSON.stringify({ data: bomb });
    expect(body.length).toBeLessThan(200);
    const r = await post(app, '/decompress', body);
    expect(r.status).toBe(400);
    expect(r.text).toContain('maxDecompressedBytes');
    expect(r.text.length).toBeLessThan(1000);
    // 512 KiB of JSON-ish text compresses far, but stays under the 1 MiB floor.
    const ordinary = '{"role":"user","content":"hello"},'.repeat(15_000);
    const ok = await post(app, '/decompress', JSON.stringify({ data: brotliText(Buffer.from(ordinary)) }));
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.text) as { content: string }).content).toBe(ordinary);
  });

  it('DATA on /message refuses the same bomb (blocking scan on) before scanning or echoing it', async () => {
    const { app } = createServerApp({ blocking: true });
    const hello = encodeMessageJson({ type: 'HELLO', payload: { kind: 'capabilities', value: defaultCapabilities({}) }, timestamp: 1 });
    const sessionId = (JSON.parse((await post(app, '/message', hello)).text) as { session_id: string }).session_id;
    const data = encodeMessageJson({ type: 'DATA', sessionId, payload: { kind: 'data', value: { algorithm: 'brotli', content: bomb } }, timestamp: 2 });
    const r = await post(app, '/message', data);
    expect(r.status).toBe(400);
    expect(r.text).toContain('REJECT');
    expect(r.text).toContain('maxDecompressedBytes');
    expect(r.text.length).toBeLessThan(1000);
    // The bomb itself is within the codec's own limit: only the request's budget refuses it.
    expect(decompress(bomb).length).toBe(4 * 1024 * 1024);
  });
});
