/**
 * Attacker test: `SessionCore.receive` (public: the conformance runner and custom integrations
 * drive a core directly) given a DATA frame in shared memory that another thread writes while it
 * is decoded. The core reads a frame's payload with the session's internal decoder, which leaves
 * shared memory to its caller (core/src/wire/frame.ts, decodeFramePayload); a thread flipping a
 * payload byte between the checksum and the UTF-8 decoding got text the checksum never covered
 * returned as the peer's. The core now decodes a private copy, as decodeFrame does.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { encodeFrame, isSdkError } from '@m2m/core';
import { SessionCore, type Message } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';

function established(): { client: SessionCore; server: SessionCore } {
  const clock = new ManualClock();
  const client = new SessionCore({ role: 'client', clock, onSend: () => undefined, onClosed: () => undefined });
  const server = new SessionCore({ role: 'server', clock, onSend: () => undefined, onClosed: () => undefined });
  client.receive(server.receive(client.createHello()).reply!);
  return { client, server };
}

describe('SessionCore.receive of a frame in shared memory', () => {
  it('returns the checksummed text or a typed error while a worker flips a payload byte', async () => {
    const { server } = established();
    const text = 'a'.repeat(64 * 1024);
    const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: text }] });
    const frame = encodeFrame(json, { compression: 'auto', compressionMinBytes: 1 << 30 }) // plain: the payload is the text's bytes;
    const shared = new Uint8Array(new SharedArrayBuffer(frame.length));
    shared.set(frame);
    const at = frame.length - 32 * 1024; // inside the user's text: 'a' <-> 'c', valid UTF-8 either way
    expect(shared[at]).toBe(0x61);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(
      `const { workerData: w, parentPort } = require('node:worker_threads');
       const bytes = new Uint8Array(w.bytes); const stop = new Int32Array(w.stop);
       parentPort.postMessage('flipping');
       while (Atomics.load(stop, 0) === 0) for (let i = 0; i < 64; i++) bytes[w.at] = (i & 1) ? 0x63 : 0x61;
       bytes[w.at] = 0x61;`,
      { eval: true, workerData: { bytes: shared.buffer, stop: stop.buffer, at } },
    );
    const seen = new Set<string>();
    try {
      await new Promise((r) => worker.once('message', r));
      const deadline = Date.now() + 1500;
      for (let n = 0; n < 20_000 && Date.now() < deadline; n++) {
        const message: Message = { type: 'DATA', sessionId: server.id, timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: shared } } };
        try {
          const got = server.receive(message).content;
          seen.add(got === json ? 'ok original' : 'ok CHANGED');
        } catch (e) {
          seen.add(isSdkError(e) ? `typed ${e.code}` : `untyped ${String(e)}`);
        }
      }
    } finally {
      Atomics.store(stop, 0, 1);
      await worker.terminate();
    }
    expect(seen.size).toBeGreaterThan(0);
    for (const outcome of seen) expect(outcome.startsWith('typed ') || outcome === 'ok original', outcome).toBe(true);
  });
});
