import { describe, expect, it } from 'vitest';
import { encodeFrame, frameTextToBytes, inspectFrame, isM2MError, type M2MError } from '@m2m/core';
import { countRequestTokens } from '@m2m/core/models';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, defaultCapabilities, listen, Session, type ChatCompletion, type ChatCompletionChunk, type SessionOptions } from '@m2m/session';
import { ManualClock, memoryTransportPair } from '@m2m/session/testing';
import { encodeStreamEnvelope, incomingStreams, openStream, type IncomingStream } from '@m2m/session/streams';
import { accumulateChatCompletion, parseChatCompletionStream, parseSse, relaySseToStream, streamToSse } from '@m2m/session/sse';

const alice = KeyPair.generate();
const bob = KeyPair.generate();
const clientSecure = { staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) };
const serverSecure = { staticKey: bob, verifyPeer: allowKeys([alice.publicKey]) };

async function securePair(client: SessionOptions = {}, server: SessionOptions = {}) {
  const [a, b] = memoryTransportPair();
  const sp = Session.server(b, { secure: serverSecure, ...server });
  const c = await Session.client(a, { secure: clientSecure, ...client });
  return { client: c, server: (await sp)! };
}

async function plainPair(client: SessionOptions = {}, server: SessionOptions = {}) {
  const [a, b] = memoryTransportPair();
  const sp = Session.server(b, server);
  const c = await Session.client(a, client);
  return { client: c, server: (await sp)! };
}

async function firstStream(s: Session): Promise<IncomingStream> {
  for await (const st of incomingStreams(s)) return st;
  throw new Error('no stream');
}

async function drain(st: IncomingStream): Promise<{ chunks: string[]; error?: M2MError }> {
  const chunks: string[] = [];
  try {
    for await (const c of st) chunks.push(c);
    return { chunks };
  } catch (e) {
    if (!isM2MError(e)) throw e;
    return { chunks, error: e };
  }
}

/** A chat completion of `n` content pieces and a tool call, and its SSE stream, written independently of the accumulator. */
function completionAndSse(n: number): { expected: ChatCompletion; sse: string } {
  const base = { id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1_733_000_000, model: 'gpt-4o-mini' };
  const pieces = Array.from({ length: n }, (_, i) => `tok${i} "é" `);
  const chunks: ChatCompletionChunk[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  for (const p of pieces) chunks.push({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] });
  chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":' } }] }, finish_reason: null }] });
  chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }, finish_reason: 'tool_calls' }] });
  chunks.push({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: n + 2, total_tokens: n + 11 } });
  const expected: ChatCompletion = {
    id: base.id,
    object: 'chat.completion',
    created: base.created,
    model: base.model,
    choices: [{ index: 0, message: { role: 'assistant', content: pieces.join(''), tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] }, logprobs: null, finish_reason: 'tool_calls' }],
    usage: { prompt_tokens: 9, completion_tokens: n + 2, total_tokens: n + 11 },
  };
  return { expected, sse: chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n' };
}

async function* bytes(text: string, size: number): AsyncGenerator<Uint8Array> {
  const b = new TextEncoder().encode(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Sends raw stream envelopes as DATA, as a misbehaving sender would (they are still authenticated frames). */
const raw = (s: Session, id: string, seq: number, op: 'data' | 'end' | 'abort', chunks: string[] = ['x'], reason?: string) => s.send(encodeStreamEnvelope({ id, seq, op, chunks, reason }));

describe('streams over an encrypted session', () => {
  it('1,000 SSE chunks cross XX over the memory transport and reassemble to the same completion', async () => {
    const { client, server } = await securePair();
    const { expected, sse } = completionAndSse(1000);
    const receiving = (async () => accumulateChatCompletion((async function* () {
      for await (const c of await firstStream(server)) yield JSON.parse(c) as ChatCompletionChunk;
    })()))();
    const w = openStream(client);
    for await (const chunk of parseChatCompletionStream(bytes(sse, 333))) await w.write(JSON.stringify(chunk));
    await w.end();
    expect(await receiving).toEqual(expected);
    expect(w.chunksWritten).toBe(1004); // role, 1,000 pieces, two tool-call pieces, usage
    await client.close();
  });

  it('1,000 SSE events cross XX over a WebSocket with pipelined writes (batched) and arrive in order', async () => {
    const srv = await listen({ transport: 'ws', secure: serverSecure });
    try {
      const got = new Promise<string[]>((resolve, reject) => {
        void (async () => {
          for await (const s of srv) {
            const { chunks, error } = await drain(await firstStream(s));
            if (error) reject(error);
            else resolve(chunks);
            return;
          }
        })();
      });
      const client = await connect(srv.url, { secure: clientSecure });
      const { sse } = completionAndSse(1000);
      const events = sse.split('\n\n').filter(Boolean).map((e) => e.slice('data: '.length));
      const w = openStream(client);
      await Promise.all([...events.map((e) => w.write(e)), w.end()]);
      expect(await got).toEqual(events);
      await client.close();
    } finally {
      await srv.close();
    }
  });

  it('a duplicate chunk ends the stream with STREAM_ERROR', async () => {
    const { client, server } = await securePair();
    await raw(client, 's', 0, 'data', ['a', 'b']);
    await raw(client, 's', 1, 'data', ['b']);
    const { chunks, error } = await drain(await firstStream(server));
    expect(chunks).toEqual(['a', 'b']);
    expect(error?.code).toBe('STREAM_ERROR');
    expect(error?.details).toMatchObject({ streamId: 's', expected: 2, received: 1 });
    expect(error?.message).toMatch(/duplicate/);
  });

  it('a reordered (or lost) chunk ends the stream with STREAM_ERROR', async () => {
    const { client, server } = await securePair();
    await raw(client, 'r', 0, 'data', ['a']);
    await raw(client, 'r', 2, 'data', ['c']);
    await raw(client, 'r', 1, 'data', ['b']);
    const { chunks, error } = await drain(await firstStream(server));
    expect(chunks).toEqual(['a']);
    expect(error?.code).toBe('STREAM_ERROR');
    expect(error?.details).toMatchObject({ streamId: 'r', expected: 1, received: 2 });
    // The late chunk of the failed stream is dropped, not taken for a new stream; the session lives on.
    await client.send('{"still":"alive"}');
    const it = server[Symbol.asyncIterator]();
    expect((await it.next()).value?.content).toBe('{"still":"alive"}');
  });

  it('a stream cut by the session closing ends with STREAM_CLOSED; an abort too', async () => {
    const { client, server } = await securePair();
    const w = openStream(client, { id: 'cut' });
    await w.write('one');
    const st = await firstStream(server);
    const reading = drain(st);
    await client.close('ERROR', 'crash');
    const { chunks, error } = await reading;
    expect(chunks).toEqual(['one']);
    expect(error?.code).toBe('STREAM_CLOSED');
    expect(error?.details).toMatchObject({ streamId: 'cut', chunksReceived: 1 });
    await expect(w.write('two')).rejects.toMatchObject({ code: 'STREAM_CLOSED' });

    const p2 = await securePair();
    const w2 = openStream(p2.client);
    await w2.write('x');
    await w2.abort('upstream failed');
    const r2 = await drain(await firstStream(p2.server));
    expect(r2.chunks).toEqual(['x']);
    expect(r2.error?.code).toBe('STREAM_CLOSED');
    expect(r2.error?.message).toMatch(/aborted by the sender: upstream failed/);
    await p2.client.close();
  });

  it('a stream with no message within its timeout ends with STREAM_TIMEOUT', async () => {
    const clock = new ManualClock();
    const { client, server } = await plainPair({ clock }, { clock, streams: { timeoutMs: 5_000 } });
    const w = openStream(client);
    await w.write('a');
    const st = await firstStream(server);
    const reading = drain(st);
    clock.advance(4_000);
    await w.write('b');
    await new Promise((r) => setTimeout(r, 10));
    clock.advance(5_000);
    const { chunks, error } = await reading;
    expect(chunks).toEqual(['a', 'b']);
    expect(error?.code).toBe('STREAM_TIMEOUT');
    expect(error?.details).toMatchObject({ ms: 5_000, chunksReceived: 2 });
  });
});

describe('stream bounds and negotiation', () => {
  it('a writer that does not await past maxPendingBytes gets STREAM_BACKPRESSURE', async () => {
    const { client } = await plainPair({ streams: { maxPendingBytes: 1000 } });
    const w = openStream(client);
    const writes = Array.from({ length: 20 }, () => w.write('y'.repeat(100)).then(() => 'ok', (e: M2MError) => e.code));
    const results = await Promise.all(writes);
    expect(results).toContain('STREAM_BACKPRESSURE');
    expect(results[0]).toBe('ok');
  });

  it('open streams per direction are bounded: locally STREAM_BACKPRESSURE, a peer over the bound ends the session', async () => {
    const { client, server } = await plainPair({ streams: { maxStreams: 2 } }, { streams: { maxStreams: 2 } });
    openStream(client);
    openStream(client);
    expect(() => openStream(client)).toThrow(expect.objectContaining({ code: 'STREAM_BACKPRESSURE' }));
    // Three streams opened by hand (as a peer with a larger bound would).
    const taken: IncomingStream[] = [];
    const taking = (async () => {
      for await (const s of incomingStreams(server)) taken.push(s);
    })();
    await raw(client, 'a', 0, 'data');
    await raw(client, 'b', 0, 'data');
    await raw(client, 'c', 0, 'data').catch(() => undefined);
    const closed = await server.closed;
    expect(closed.reason).toBe('ERROR');
    await taking;
    expect(taken.map((s) => s.id)).toEqual(['a', 'b']);
  });

  it('a slow reader stops the session reading: the buffer stays within maxBufferedBytes', async () => {
    const { client, server } = await plainPair({}, { streams: { maxBufferedBytes: 4096 } });
    const w = openStream(client);
    const chunk = 'z'.repeat(1024);
    let sent = 0;
    const writing = (async () => {
      for (let i = 0; i < 512; i++) {
        await w.write(chunk);
        sent++;
      }
      await w.end();
    })();
    const st = await firstStream(server);
    await new Promise((r) => setTimeout(r, 50));
    // 4 KiB in the stream plus the memory transport's 64 messages: the writer waits while nobody reads.
    expect(sent).toBeLessThan(100);
    const { chunks } = await drain(st);
    await writing;
    expect(chunks.length).toBe(512);
  });

  it('batches fit a small negotiated maxPayload', async () => {
    const caps = defaultCapabilities();
    caps.compression.maxPayload = 4000;
    const { client, server } = await plainPair({ capabilities: caps });
    // Incompressible chunks, so a 64 KiB batch would frame far above 4,000 bytes.
    const chunks = Array.from({ length: 100 }, (_, i) => `{"n":${i},"pad":"${Array.from({ length: 5 }, () => globalThis.crypto.randomUUID()).join('')}"}`);
    const reading = (async () => drain(await firstStream(server)))();
    const w = openStream(client);
    await Promise.all([...chunks.map((c) => w.write(c)), w.end()]);
    const { chunks: got, error } = await reading;
    expect(error).toBeUndefined();
    expect(got).toEqual(chunks);
  });

  it('streaming needs both sides: a peer advertising streaming false makes openStream fail', async () => {
    const caps = defaultCapabilities();
    caps.compression.streaming = false;
    const { client } = await plainPair({}, { capabilities: caps });
    expect(client.negotiated?.streaming).toBe(false);
    expect(() => openStream(client)).toThrow(expect.objectContaining({ code: 'CAPABILITY_MISMATCH' }));
    expect(defaultCapabilities().compression.streaming).toBe(true);
  });

  it('a malformed stream message ends the session with STREAM_ERROR', async () => {
    const { client, server } = await plainPair();
    await client.send('{"m2m_stream":{"id":"","seq":0,"op":"data"},"chunks":["x"]}');
    const closed = await server.closed;
    expect(closed.error?.code).toBe('STREAM_ERROR');
  });
});

describe('SSE relay helpers and early exits', () => {
  it('relays an SSE body into a stream and back out as the same SSE events, over XX', async () => {
    const { client, server } = await securePair();
    const { expected, sse } = completionAndSse(50);
    const out = (async () => {
      let text = '';
      for await (const piece of streamToSse(await firstStream(server))) text += piece;
      return text;
    })();
    expect(await relaySseToStream(bytes(': ping\n\n' + sse, 97), openStream(client))).toBe(54);
    const text = await out;
    expect(text).toBe(sse);
    expect(await accumulateChatCompletion(parseChatCompletionStream(bytes(text, 64)))).toEqual(expected);
    const events = [];
    for await (const e of parseSse(bytes(text, 500))) events.push(e);
    expect(events.at(-1)).toEqual({ data: '[DONE]' });
  });

  it('a failing SSE source aborts the stream: the reader gets STREAM_CLOSED', async () => {
    const { client, server } = await securePair();
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('data: {"a":1}\n\n');
      throw new Error('socket hang up');
    }
    const reading = (async () => drain(await firstStream(server)))();
    await expect(relaySseToStream(broken(), openStream(client))).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    const { chunks, error } = await reading;
    expect(chunks).toEqual(['{"a":1}']);
    expect(error?.code).toBe('STREAM_CLOSED');
    expect(error?.message).toContain('socket hang up');
  });

  it('a reader that breaks out early cancels the stream; the session keeps delivering', async () => {
    const { client, server } = await plainPair({}, { streams: { maxBufferedBytes: 256 } });
    const w = openStream(client);
    const writing = (async () => {
      for (let i = 0; i < 200; i++) await w.write(`chunk ${i} ${'x'.repeat(50)}`);
      await w.end();
    })();
    const st = await firstStream(server);
    for await (const _ of st) break;
    expect(st.ended).toBe(true);
    await writing;
    await client.send('{"after":"cancel"}');
    const it = server[Symbol.asyncIterator]();
    expect((await it.next()).value?.content).toBe('{"after":"cancel"}');
  });
});

describe('counted tokens in frame headers', () => {
  it('a session with promptTokens sends frames whose cost comes from counted tokens', async () => {
    const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Zürich 東京 🚀 '.repeat(30) }] });
    const cost = async (options: SessionOptions) => {
      const { client, server } = await plainPair(options);
      const it = server[Symbol.asyncIterator]();
      await client.send(json);
      const got = (await it.next()).value!;
      await client.close();
      const c = got.payload.content; // the binary codec's frame bytes
      return inspectFrame(typeof c === 'string' ? frameTextToBytes(c) : c).routing!.estCostUsd;
    };
    const byBytes = await cost({});
    const counted = await cost({ promptTokens: countRequestTokens });
    expect(counted).not.toBe(byBytes);
    expect(byBytes).toBe(inspectFrame(encodeFrame(json)).routing!.estCostUsd);
    expect(counted).toBe(inspectFrame(encodeFrame(json, { promptTokens: countRequestTokens })).routing!.estCostUsd);
  });
});
