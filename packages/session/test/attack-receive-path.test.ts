import { describe, expect, it } from 'vitest';
import { inspectFrame, isCryptoError, isM2MError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, decodeMessageBinary, defaultCapabilities, encodeMessageBinary, Session, SessionCore, type Message, type Transport } from '@m2m/session';
import { ManualClock, memoryTransportPair } from '@m2m/session/testing';

// Attacks on the receive path (session-core.ts #decompress, frame-payload.ts finishPayloadFast):
// a negotiated maxPayload is a limit on the content's text length whatever its bytes, and an
// encrypted session delivers only what it authenticated, short non-ASCII payloads included.

const JSON_REQ = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';

function established(serverMax: number) {
  const clock = new ManualClock();
  const caps = defaultCapabilities();
  caps.compression.maxPayload = serverMax;
  const client = new SessionCore({ role: 'client', clock, onSend: () => undefined });
  // One session id for all: DATA built by one pair's client is fed to other pairs' servers.
  const server = new SessionCore({ role: 'server', clock, onSend: () => undefined, capabilities: caps, sessionId: 'attack-receive-path' });
  client.receive(server.receive(client.createHello()).reply!);
  return { client, server };
}
/** What receiving came to: ok, the M2MError's kind, or `untyped`. */
function kindOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    return isM2MError(e) || isCryptoError(e) ? e.kind : `untyped ${String(e)}`;
  }
}

describe('maxPayload on received DATA', () => {
  it('refuses bytes whose text form (base64, or #M2M|1| then base64) passes the limit, at every length around it', () => {
    const sender = established(0).client;
    const frame = (sender.compress(JSON_REQ, 'm2m').payload as { value: { content: Uint8Array } }).value.content;
    const model = sender.compress(JSON_REQ, 'm2m');
    const withContent = (content: Uint8Array | string): Message => ({ ...model, payload: { kind: 'data', value: { ...(model.payload as { value: object }).value, content } as never } });
    for (const max of [1, 2, 3, 4, 5, 11, 12, 13, 40, 99, 100, 101, 102]) {
      const { server } = established(max);
      for (let n = 0; n <= Math.ceil((3 * max) / 4) + 12; n++) {
        // Frame bytes (the prefix and whatever follows) and other bytes (0xFF: not ASCII, not UTF-8).
        const frameLike = new Uint8Array(Math.max(n, 7)).fill(0xc3);
        frameLike.set(frame.subarray(0, Math.min(frame.length, frameLike.length)));
        const other = new Uint8Array(n).fill(0xff);
        for (const [content, textLength] of [
          [frameLike, 7 + Buffer.from(frameLike.subarray(7)).toString('base64').length],
          [other, Buffer.from(other).toString('base64').length],
        ] as const) {
          const kind = kindOf(() => server.receive(withContent(content)));
          expect(kind, `max ${max}, ${content.length} bytes`).not.toMatch(/^untyped/);
          if (textLength > max) expect(kind, `max ${max}, ${content.length} bytes, text ${textLength}`).toBe('LimitExceeded');
          else expect(kind, `max ${max}, ${content.length} bytes, text ${textLength}`).not.toBe('LimitExceeded');
        }
      }
    }
  });

  it('counts string content by its text length, not its UTF-8 bytes: multi-byte text one over the limit is refused', () => {
    const sender = established(0).client;
    const model = sender.compress(JSON_REQ, 'none');
    const withContent = (content: string): Message => ({ ...model, payload: { kind: 'data', value: { ...(model.payload as { value: object }).value, content } as never } });
    for (const unit of ['é', '😀', 'a']) {
      const max = 30;
      const { server } = established(max);
      const over = `"${unit.repeat(Math.ceil(max / unit.length))}"`;
      expect(over.length).toBeGreaterThan(max);
      expect(kindOf(() => server.receive(withContent(over)))).toBe('LimitExceeded');
      const under = `"${unit.repeat(Math.floor((max - 2) / unit.length))}"`;
      expect(kindOf(() => server.receive(withContent(under)))).toBe('ok');
    }
  });

  it('DATA content of the wrong type (null, undefined, objects, other views) is a typed InvalidMessage, limit or not', () => {
    const model = established(0).client.compress(JSON_REQ, 'm2m');
    for (const max of [0, 10, 1000]) {
      const { server } = established(max);
      for (const content of [null, undefined, 5, {}, { length: 3 }, { length: 1e9 }, [1, 2, 3], new Uint16Array(4), new DataView(new ArrayBuffer(8))]) {
        const message = { ...model, sessionId: server.id, payload: { kind: 'data', value: { ...(model.payload as { value: object }).value, content } } } as unknown as Message;
        expect(kindOf(() => server.receive(message)), `max ${max}, ${String(content)}`).toBe('InvalidMessage');
        expect(kindOf(() => server.decompress(message)), `max ${max}, ${String(content)}`).toBe('InvalidMessage');
      }
    }
  });

  it('an array whose length claims less than it holds does not slip past the limit into a decode', () => {
    const sender = established(0).client;
    const model = sender.compress(JSON_REQ, 'm2m');
    const frame = (model.payload as { value: { content: Uint8Array } }).value.content;
    const { server } = established(8);
    const small = frame.slice();
    Object.defineProperty(small, 'length', { value: 0 });
    const kind = kindOf(() => server.receive({ ...model, payload: { kind: 'data', value: { ...(model.payload as { value: object }).value, content: small } as never } }));
    expect(kind).not.toBe('ok');
    expect(kind).not.toMatch(/^untyped/);
  });
});

describe('encrypted sessions deliver only authenticated short payloads', () => {
  const alice = KeyPair.generate();
  const bob = KeyPair.generate();
  /** A memory pair whose client->server DATA content gets `edit` applied. */
  function tamperedPair(edit: (content: Uint8Array) => Uint8Array): [Transport, Transport] {
    const [a, b] = memoryTransportPair();
    const client: Transport = {
      kind: 'tap',
      send: async (d) => {
        const m = decodeMessageBinary(d);
        if (m.type === 'DATA' && m.payload?.kind === 'data' && m.payload.value.content instanceof Uint8Array) {
          await a.send(encodeMessageBinary({ ...m, payload: { kind: 'data', value: { ...m.payload.value, content: edit(m.payload.value.content) } } }));
        } else await a.send(d);
      },
      close: () => a.close(),
      [Symbol.asyncIterator]: () => a[Symbol.asyncIterator](),
    };
    return [client, b];
  }

  it('a non-ASCII short payload arrives intact, and one flipped byte of its sealed section (high bit included) is refused typed', async () => {
    const text = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'héllo wörld 😀' }] });
    const seen: object[] = [];
    for (const flip of [undefined, { from: 'end', at: 1, mask: 0x01 }, { from: 'end', at: 17, mask: 0x80 }, { from: 'end', at: 20, mask: 0x80 }, { from: 'end', at: 30, mask: 0x80 }] as const) {
      const [a, b] = tamperedPair((c) => {
        // The one-pass read's case: an AEAD frame, uncompressed, shorter than 256 bytes.
        seen.push({ ...inspectFrame(c), length: c.length });
        if (!flip) return c;
        const out = c.slice();
        out[out.length - flip.at] ^= flip.mask;
        return out;
      });
      const sp = Session.server(b, { secure: { staticKey: bob } });
      sp.catch(() => undefined);
      const client = await Session.client(a, { secure: { staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) } });
      const server = (await sp)!;
      const got: string[] = [];
      const reader = (async () => {
        for await (const m of server) {
          got.push(m.content);
          break;
        }
      })().then(
        () => 'ok',
        (e: unknown) => (isM2MError(e) || isCryptoError(e) ? e.kind : `untyped ${String(e)}`),
      );
      await client.send(text).catch(() => undefined);
      const outcome = await reader;
      if (!flip) {
        expect(outcome).toBe('ok');
        expect(got).toEqual([text]);
      } else {
        expect(got, JSON.stringify(flip)).toEqual([]);
        expect(outcome, JSON.stringify(flip)).not.toMatch(/^ok|^untyped/);
      }
      await client.close().catch(() => undefined);
      await server.close().catch(() => undefined);
    }
    for (const header of seen) expect(header).toMatchObject({ security: 'aead', compressed: false, length: expect.any(Number) as number });
    expect(seen.every((h) => (h as { length: number }).length < 256)).toBe(true);
    expect(seen.length).toBe(5);
  });
});

describe('the one-pass DATA reader stays inside the array it was given', () => {
  it('a message whose own `length` claims bytes past its real end never yields content from beyond it', () => {
    const frameBytes = new Uint8Array(40).fill(0x41);
    const encoded = encodeMessageBinary({ type: 'DATA', sessionId: '00000000-0000-4000-8000-000000000000', timestamp: 1_700_000_000_000, payload: { kind: 'data', value: { algorithm: 'm2m', content: frameBytes } } });
    for (let cut = 1; cut <= 12; cut++) {
      // The message cut short inside its bytes, followed in the same buffer by another's bytes.
      const buffer = new Uint8Array(encoded.length + 64).fill(0xee);
      buffer.set(encoded.subarray(0, encoded.length - cut));
      const view = buffer.subarray(0, encoded.length - cut);
      Object.defineProperty(view, 'length', { value: encoded.length });
      let content: unknown;
      try {
        const m = decodeMessageBinary(view);
        content = m.payload?.kind === 'data' ? m.payload.value.content : undefined;
      } catch (e) {
        expect(isM2MError(e), `cut ${cut}: ${String(e)}`).toBe(true);
        continue;
      }
      expect(content instanceof Uint8Array && content.includes(0xee), `cut ${cut}`).toBe(false);
    }
  });
});
