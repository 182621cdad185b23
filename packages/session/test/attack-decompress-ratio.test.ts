/**
 * Attacker review of the session's receive path: how much one received DATA may decompress. The
 * codec stops at its 16 MiB limit, but nothing related that to the DATA's own size: 52 bytes of
 * Brotli text, or a 118-byte M2M frame, made the receiving session decompress and hand over
 * 16 MiB (200-300 ms of event loop on this machine), and any client may send DATA (servers admit
 * any client unless given verifyPeer). Now a DATA decompresses to at most 64 times its length
 * (rounded up to a power of two), at least 1 MiB: as the reference routes bound a request
 * (server/src/reference/routes.ts decompressBudget). Past it: LIMIT_EXCEEDED naming
 * `maxDecompressedBytes`; ordinary content is untouched.
 */
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeFrame, isSdkError } from '@m2m/core';
import { SessionCore, type Message } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';

function established(options: object = {}): SessionCore {
  const clock = new ManualClock();
  const client = new SessionCore({ role: 'client', clock, onSend: () => undefined, onClosed: () => undefined });
  const server = new SessionCore({ role: 'server', clock, onSend: () => undefined, onClosed: () => undefined, ...options });
  client.receive(server.receive(client.createHello()).reply!);
  return server;
}

const brotliText = (raw: Buffer) => `#M2M[v3.0]|DATA:${brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).toString('base64')}`;
const data = (core: SessionCore, content: string | Uint8Array, algorithm: 'brotli' | 'm2m'): Message => ({ type: 'DATA', sessionId: core.id, timestamp: 1, payload: { kind: 'data', value: { algorithm, content } } });
const chat = (text: string) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: text }] });

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isSdkError(e) ? `${e.code} ${(e as { details?: { limit?: string } }).details?.limit}` : `bare ${String(e)}`;
  }
  return 'accepted';
}

describe('a received DATA decompresses to at most a multiple of its own size', () => {
  it('52 bytes of Brotli text claiming 16 MiB: refused, typed', () => {
    const server = established();
    const bomb = brotliText(Buffer.alloc(16 * 1024 * 1024 - 64, 0x61));
    expect(bomb.length).toBeLessThan(100);
    expect(refusal(() => server.receive(data(server, bomb, 'brotli')))).toBe('LIMIT_EXCEEDED maxDecompressedBytes');
  });

  it('a 118-byte M2M frame whose payload is 16 MiB of JSON: refused, typed', () => {
    const server = established();
    const frame = encodeFrame(chat('a'.repeat(16 * 1024 * 1024 - 200)));
    expect(frame.length).toBeLessThan(200);
    expect(refusal(() => server.receive(data(server, frame, 'm2m')))).toBe('LIMIT_EXCEEDED maxDecompressedBytes');
  });

  it('ordinary content arrives: up to 1 MiB from any size, and 64 times the DATA beyond it', () => {
    const server = established();
    const mib = 'a'.repeat(1024 * 1024 - 100);
    expect(server.receive(data(server, brotliText(Buffer.from(mib)), 'brotli')).content).toBe(mib);
    // 1.5 MiB of random words: Brotli makes them far less than 64 times smaller.
    const varied = Array.from(randomBytes(1536 * 1024), (b, i) => (i % 7 === 6 ? ' ' : String.fromCharCode(97 + (b % 26)))).join('');
    const frame = encodeFrame(chat(varied));
    expect(frame.length * 64).toBeGreaterThan(varied.length);
    expect(JSON.parse(server.receive(data(server, frame, 'm2m')).content!).messages[0].content).toBe(varied);
  });

  it('a smaller limit the application set still applies', () => {
    const server = established({ limits: { maxDecompressedBytes: 1000 } });
    expect(refusal(() => server.receive(data(server, brotliText(Buffer.alloc(2000, 0x61)), 'brotli')))).toBe('LIMIT_EXCEEDED maxDecompressedBytes');
  });
});
