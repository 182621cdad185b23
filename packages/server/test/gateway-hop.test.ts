/**
 * Two gateways on loopback joined by an encrypted M2M session (Noise XX, keys pinned both ways):
 * the `openai` client talks to gateway A, A forwards over M2M to gateway B, B to the stub
 * upstream. Requests arrive upstream unchanged, streams arrive whole, and a TCP relay between
 * the gateways records the bytes to show they are M2M AEAD frames with readable routing headers.
 */
import { inspectFrame } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { dataFrame, decodeMessageBinary, type DataPayload } from '@m2m/session';
import { createConnection, createServer, type Server } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/node.js';
import { startStubUpstream, type StubUpstream } from './stub-upstream.js';

let upstream: StubUpstream;
let a: RunningServer;
let b: RunningServer;
let relay: Server;
let slowA: RunningServer;
let slowB: RunningServer;
const wire: { dir: 'a→b' | 'b→a'; bytes: Buffer }[] = [];
const keyA = KeyPair.generate();
const keyB = KeyPair.generate();

beforeAll(async () => {
  upstream = await startStubUpstream({ chunks: 8 });
  b = await startServer({ port: 0, upstream: upstream.url, upstreamApiKey: 'sk-site-b', m2mListen: { port: 0, staticKey: keyB, peerKeys: [keyA.publicKey] } });
  const bPort = b.peerListener!.port;
  // A loopback TCP relay between the gateways that records every byte each way.
  relay = createServer((inbound) => {
    const out = createConnection(bPort, '127.0.0.1');
    inbound.on('data', (d: Buffer) => wire.push({ dir: 'a→b', bytes: d }));
    out.on('data', (d: Buffer) => wire.push({ dir: 'b→a', bytes: d }));
    inbound.pipe(out).pipe(inbound);
    inbound.on('error', () => out.destroy());
    out.on('error', () => inbound.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const relayPort = (relay.address() as { port: number }).port;
  a = await startServer({ port: 0, m2mUpstream: { address: `127.0.0.1:${relayPort}`, staticKey: keyA, peerPublicKey: keyB.publicKey } });
  // A pair whose B gives up on its upstream after 300 ms (A waits longer).
  slowB = await startServer({ port: 0, upstream: upstream.url, upstreamTimeoutMs: 300, m2mListen: { port: 0, staticKey: keyB, peerKeys: [keyA.publicKey] } });
  slowA = await startServer({ port: 0, upstreamTimeoutMs: 5000, m2mUpstream: { address: `127.0.0.1:${slowB.peerListener!.port}`, staticKey: keyA, peerPublicKey: keyB.publicKey } });
});
afterAll(async () => {
  await a?.close(100);
  await b?.close(100);
  await slowA?.close(100);
  await slowB?.close(100);
  relay?.close();
  await upstream?.close();
});

const client = () => new OpenAI({ baseURL: `${a.url}/v1`, apiKey: 'sk-unused', maxRetries: 0 });
const SECRET_PROMPT = 'The launch code is tangerine-42';

/** The session messages in a recorded direction (4-byte big-endian length prefix, MessagePack). */
function messages(dir: 'a→b' | 'b→a') {
  const all = Buffer.concat(wire.filter((w) => w.dir === dir).map((w) => w.bytes));
  const out = [];
  for (let i = 0; i + 4 <= all.length; ) {
    const n = all.readUInt32BE(i);
    if (i + 4 + n > all.length) break;
    out.push(decodeMessageBinary(new Uint8Array(all.subarray(i + 4, i + 4 + n))));
    i += 4 + n;
  }
  return out;
}

describe('gateway to gateway over M2M', () => {
  it('plain completion: the upstream gets the exact request, the client the completion', async () => {
    const req = { model: 'gpt-4o', messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: SECRET_PROMPT }], temperature: 0.2 };
    const before = upstream.requests.length;
    const r = await client().chat.completions.create(req);
    expect(r.choices[0]!.message.content).toBe('Hello from the stub');
    expect(r.id).toBe('chatcmpl-stub');
    expect(upstream.requests[before]!.body.toString()).toBe(JSON.stringify(req));
    // B has an upstream key of its own: it replaces whatever the agent sent.
    expect(upstream.requests[before]!.headers.authorization).toBe('Bearer sk-site-b');
  });

  it('streaming completion: every chunk arrives through both gateways', async () => {
    const before = upstream.requests.length;
    const stream = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: SECRET_PROMPT }], stream: true });
    const parts: string[] = [];
    for await (const c of stream) parts.push(c.choices[0]!.delta.content ?? '');
    expect(parts).toEqual(Array.from({ length: 8 }, (_, i) => `tok${i} `));
    expect(upstream.requests[before]!.body.toString()).toBe(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: SECRET_PROMPT }], stream: true }));
  });

  it('models, and upstream failures come back with their seed 000 status', async () => {
    expect((await client().models.list()).data[0]!.id).toBe('gpt-4o');
    const err = await client().chat.completions.create({ model: 'fail-500', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const broken = await client().chat.completions.create({ model: 'break', messages: [{ role: 'user', content: 'x' }], stream: true });
    const parts: string[] = [];
    const streamErr = await (async () => {
      for await (const c of broken) parts.push(c.choices[0]!.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(parts).toEqual(['tok0 ', 'tok1 ']);
    expect(streamErr).toBeInstanceOf(OpenAI.APIError);
  });

  it('a client that goes away at A cancels the upstream request at B; a silent upstream is 504 through both', async () => {
    const ctl = new AbortController();
    const before = upstream.requests.length;
    const stream = await client().chat.completions.create({ model: 'endless', messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: ctl.signal });
    let n = 0;
    await (async () => {
      for await (const _ of stream) if (++n === 3) ctl.abort();
    })().catch(() => undefined);
    const rec = upstream.requests[before]!;
    await expect(Promise.race([rec.aborted.then(() => 'aborted'), new Promise((r) => setTimeout(() => r('still running'), 3000))])).resolves.toBe('aborted');
    const res = await fetch(`${slowA.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"hang","messages":[]}' });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('more concurrent requests than pooled sessions all complete, each with its own answer', async () => {
    const c = client();
    const replies = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        if (i % 2) {
          const s = await c.chat.completions.create({ model: `m-${i}`, messages: [{ role: 'user', content: String(i) }], stream: true });
          let model = '';
          let n = 0;
          for await (const chunk of s) {
            model = chunk.model;
            n++;
          }
          return `${model}:${n}`;
        }
        return (await c.chat.completions.create({ model: `m-${i}`, messages: [{ role: 'user', content: String(i) }] })).model;
      }),
    );
    expect(replies).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 ? `m-${i}:8` : `m-${i}`)));
  });

  it('between the gateways every DATA is an M2M AEAD frame whose routing header is readable and whose content is not', async () => {
    const all = Buffer.concat(wire.map((w) => w.bytes));
    expect(all.length).toBeGreaterThan(0);
    expect(all.includes(Buffer.from('tangerine'))).toBe(false);
    expect(all.includes(Buffer.from('Hello from the stub'))).toBe(false);
    expect(all.includes(Buffer.from('tok3'))).toBe(false);
    const sent = messages('a→b');
    const back = messages('b→a');
    const data = [...sent, ...back].filter((m) => m.type === 'DATA');
    expect(data.length).toBeGreaterThan(20);
    const models = new Set<string>();
    for (const m of data) {
      expect(m.payload?.kind).toBe('data');
      // The binary codec carries the frame as bytes (docs/PROTOCOL.md §4.2).
      const bytes = dataFrame((m.payload as { value: DataPayload }).value);
      expect(bytes).toBeDefined();
      const header = inspectFrame(bytes!);
      expect(header.security).toBe('aead');
      if (header.routing) models.add(header.routing.model);
    }
    // The requests' routing headers name the model in the clear.
    expect(models.has('gpt-4o')).toBe(true);
    expect(sent[0]!.type).toBe('HELLO');
  });
});
