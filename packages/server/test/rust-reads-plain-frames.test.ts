/**
 * The Rust reference decodes frames sent under the `auto` compression policy (issue 18): a plain
 * payload of 100 B or more (where the reference itself would compress) and a Brotli payload with
 * a window sized to the input. Skipped with a message when the reference binary cannot run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrameText, frameTextToBytes, inspectFrame } from '@m2m/core';
import { M2MHttpClient } from '../src/client.js';
import { startRustServer, type RustServer } from './rust-server.js';

const SMALL = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const LARGE = JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}: ${SMALL}` })) });

let rust: RustServer | undefined;
let missing = '';
beforeAll(async () => {
  const r = await startRustServer();
  if (typeof r === 'string') missing = r;
  else rust = r;
});
afterAll(async () => {
  await rust?.stop();
});

describe('the Rust reference reads auto-policy frames', () => {
  it('decodes a plain 162 B frame and a compressed one with a sized window', async (ctx) => {
    if (!rust) return ctx.skip(missing);
    const api = new M2MHttpClient(rust.url);
    const plain = encodeFrameText(SMALL, { compression: 'auto' });
    const packed = encodeFrameText(LARGE, { compression: 'auto' });
    expect(inspectFrame(frameTextToBytes(plain)).compressed).toBe(false);
    expect(inspectFrame(frameTextToBytes(packed)).compressed).toBe(true);
    expect((await api.decompress(plain)).content).toBe(SMALL);
    expect((await api.decompress(packed)).content).toBe(LARGE);
  });
});
