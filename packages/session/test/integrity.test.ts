/**
 * Issue 13, integrity: what a man in the middle may change in an encrypted session (nothing the
 * application sees), when the server admits a session (only after a live client confirmed the
 * keys), and secure-by-default peer verification on the client.
 */
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { isCryptoError, isSdkError, type M2MError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, decodeMessageBinary, encodeMessageBinary, listen, Session, type Message, type SecureOptions, type SessionData, type Transport } from '@m2m/session';
import { ManualClock, memoryTransportPair } from '@m2m/session/testing';
import { decodeMessageJson, encodeMessageJson } from '@m2m/session/json';

const req = (i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `question ${i}` }] });
const alice = KeyPair.generate();
const bob = KeyPair.generate();
const pinBob = allowKeys([bob.publicKey]);

/** A memory link whose client→server direction passes through `edit`. */
function tapped(edit: (bytes: Uint8Array, n: number) => Uint8Array[]): [Transport, Transport] {
  const [a, b] = memoryTransportPair();
  let n = 0;
  const client: Transport = {
    kind: 'tap',
    send: async (d) => {
      for (const x of edit(d, n++)) await a.send(x);
    },
    close: () => a.close(),
    [Symbol.asyncIterator]: () => a[Symbol.asyncIterator](),
  };
  return [client, b];
}

/** Rewrites the first message of `type` the client sends. */
function editFirst(type: Message['type'], change: (m: Message) => Message, codec: 'binary' | 'json' = 'binary'): (b: Uint8Array) => Uint8Array[] {
  let done = false;
  const dec = (b: Uint8Array) => (codec === 'json' ? decodeMessageJson(new TextDecoder().decode(b)) : decodeMessageBinary(b));
  const enc = (m: Message) => (codec === 'json' ? new TextEncoder().encode(encodeMessageJson(m)) : encodeMessageBinary(m));
  return (b) => {
    const m = dec(b);
    if (done || m.type !== type) return [b];
    done = true;
    return [enc(change(m))];
  };
}

async function secureLink(edit: (b: Uint8Array, n: number) => Uint8Array[], client: SecureOptions = { staticKey: alice, verifyPeer: pinBob }, server: SecureOptions = { staticKey: bob }, codec: 'binary' | 'json' = 'binary') {
  const [a, b] = tapped(edit);
  const sp = Session.server(b, { secure: server });
  sp.catch(() => undefined); // a test whose client fails looks at the client's error
  const c = await Session.client(a, { secure: client, codec });
  return { client: c, server: (await sp)! };
}

async function drain(s: Session): Promise<{ got: SessionData[]; error: unknown }> {
  const got: SessionData[] = [];
  try {
    for await (const m of s) got.push(m);
    return { got, error: undefined };
  } catch (e) {
    return { got, error: e };
  }
}

const dataEdits: Array<[string, (m: Message) => Message]> = [
  ['security_status', (m) => (m.payload?.kind === 'data' ? { ...m, payload: { kind: 'data', value: { ...m.payload.value, securityStatus: { scanned: true, safe: true } } } } : m)],
  ['original_size', (m) => (m.payload?.kind === 'data' ? { ...m, payload: { kind: 'data', value: { ...m.payload.value, originalSize: 1 } } } : m)],
  ['algorithm', (m) => (m.payload?.kind === 'data' ? { ...m, payload: { kind: 'data', value: { ...m.payload.value, algorithm: 'brotli' } } } : m)],
  ['session_id', (m) => ({ ...m, sessionId: 'another-session' })],
  ['timestamp', (m) => ({ ...m, timestamp: m.timestamp + 1 })],
];

describe('DATA fields outside the AEAD frame are authenticated', () => {
  it('a DATA with original size and security status arrives intact (control)', async () => {
    const { client, server } = await secureLink((b) => [b]);
    const reader = drain(server);
    const status = { scanned: true, safe: false, threatType: 'prompt_injection', confidence: 0.75 };
    await client.send(req(1), { includeOriginalSize: true, securityStatus: status });
    await client.close();
    const { got, error } = await reader;
    expect(error).toBeUndefined();
    expect(got).toHaveLength(1);
    expect(got[0].payload.securityStatus).toEqual(status);
    expect(got[0].payload.originalSize).toBe(req(1).length);
  });

  it('binary: a frame carried as text (the earlier shape) is the same frame and still opens; bytes that are no frame are a downgrade', async () => {
    const asText = (m: Message): Message => {
      if (m.payload?.kind !== 'data' || typeof m.payload.value.content === 'string') return m;
      const c = m.payload.value.content;
      return { ...m, payload: { kind: 'data', value: { ...m.payload.value, content: `#M2M|1|${Buffer.from(c.subarray(7)).toString('base64')}` } } };
    };
    const text = await secureLink(editFirst('DATA', asText));
    const reader = drain(text.server);
    await text.client.send(req(1));
    await text.client.close();
    const { got, error } = await reader;
    expect(error).toBeUndefined();
    expect(got.map((d) => d.content)).toEqual([req(1)]);

    const junk = await secureLink(editFirst('DATA', (m) => (m.payload?.kind === 'data' ? { ...m, payload: { kind: 'data', value: { ...m.payload.value, content: new Uint8Array(64).fill(7) } } } : m)));
    const junkReader = drain(junk.server);
    await junk.client.send(req(2));
    const after = await junkReader;
    expect(after.got).toEqual([]);
    expect((after.error as M2MError).code).toBe('SECURITY_DOWNGRADE');
    expect((await junk.server.closed).reason).toBe('ERROR');
  });

  it('a sealed PING whose sealed bytes are not base64 (json codec) ends the session', async () => {
    // Not base64: a control message of the earlier shape (an M2M frame's text) under the json codec.
    const notBase64 = (m: Message): Message => ({ ...m, payload: { kind: 'data', value: { algorithm: 'm2m', content: '#M2M|1|AAAA' } } });
    const { client, server } = await secureLink(editFirst('PING', notBase64, 'json'), undefined, undefined, 'json');
    void client.ping();
    const info = await server.closed;
    expect(info.reason).toBe('ERROR');
    expect(info.error?.code).toBe('INVALID_MESSAGE');
  });

  for (const codec of ['binary', 'json'] as const) {
    for (const [field, change] of dataEdits) {
      it(`${codec}: a man in the middle who changes ${field} ends the session; the application never sees the DATA`, async () => {
        const { client, server } = await secureLink(editFirst('DATA', change, codec), undefined, undefined, codec);
        const reader = drain(server);
        await client.send(req(1), { includeOriginalSize: true, securityStatus: { scanned: true, safe: false, threatType: 'prompt_injection', confidence: 0.9 } });
        const { got, error } = await reader;
        expect(got).toEqual([]);
        expect(isSdkError(error)).toBe(true);
        // The frame does not open: the codec's CRYPTO_ERROR caused by the AEAD failure.
        expect((error as M2MError).code).toBe('CRYPTO_ERROR');
        expect(isCryptoError((error as M2MError).cause) && (error as M2MError).cause).toMatchObject({ code: 'AEAD_DECRYPTION_FAILED' });
        expect((await server.closed).reason).toBe('ERROR');
      });
    }
  }

  it('a changed timestamp or session id on a sealed PING or CLOSE ends the session as forged', async () => {
    for (const type of ['PING', 'CLOSE'] as const) {
      const { client, server } = await secureLink(editFirst(type, (m) => ({ ...m, timestamp: m.timestamp + 1 })));
      if (type === 'PING') void client.ping();
      else void client.close('CLIENT_SHUTDOWN', 'bye');
      const info = await server.closed;
      expect(info.reason).toBe('ERROR');
      expect(info.error?.code).toBe('CRYPTO_ERROR');
    }
  });

  it('an ACCEPT whose outer session id differs from the authenticated one fails the handshake', async () => {
    const [a, b] = memoryTransportPair();
    const edited: Transport = {
      kind: 'tap',
      send: (d) => a.send(d),
      close: () => a.close(),
      [Symbol.asyncIterator]: () => {
        const it = a[Symbol.asyncIterator]();
        return {
          next: async () => {
            const r = await it.next();
            if (r.done) return r;
            const m = decodeMessageBinary(r.value);
            return { done: false, value: m.type === 'ACCEPT' ? encodeMessageBinary({ ...m, sessionId: 'forged' }) : r.value };
          },
        };
      },
    };
    const sp = Session.server(b, { secure: { staticKey: bob } });
    sp.catch(() => undefined);
    const e = await Session.client(edited, { secure: { staticKey: alice, verifyPeer: pinBob } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'HANDSHAKE_MALFORMED' });
    expect((e as Error).message).toMatch(/message 2 \(ACCEPT\).*session id/);
  });
});

describe('the server admits a session only after a live client confirmed the keys', () => {
  const frameOf = (b: Uint8Array) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(b.length);
    return Buffer.concat([head, b]);
  };

  /** A real IK client's HELLO, captured from a completed session. */
  async function capturedIkHello(): Promise<Uint8Array> {
    let hello: Uint8Array | undefined;
    const [a, b] = tapped((d, n) => {
      if (n === 0) hello = d.slice();
      return [d];
    });
    const sp = Session.server(b, { secure: { pattern: 'IK', staticKey: bob } });
    const original = await Session.client(a, { secure: { pattern: 'IK', staticKey: alice, remoteStaticKey: bob.publicKey } });
    await (await sp)!.close();
    await original.closed;
    return hello!;
  }

  it('a replayed IK HELLO makes no onSession (listen over TCP); a legitimate IK client still works', async () => {
    const hello = await capturedIkHello();

    let opened = 0;
    const errors: string[] = [];
    const server = await listen({
      transport: 'tcp',
      secure: { pattern: 'IK', staticKey: bob },
      onSession: async (s) => {
        opened++;
        for await (const m of s) await s.send(m.content);
      },
      onHandshakeError: (e) => errors.push(isSdkError(e) ? e.code : 'UNCODED'),
    });
    try {
      const sock = net.connect(server.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.write(frameOf(hello));
      await new Promise((r) => sock.once('data', r)); // the server's ACCEPT
      await new Promise((r) => setTimeout(r, 150));
      expect(opened).toBe(0); // waiting for a key confirmation nobody can send
      expect(server.sessions.size).toBe(0);
      sock.destroy();
      for (let i = 0; i < 100 && !errors.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(opened).toBe(0);
      expect(server.counters.accepted).toBe(0);
      expect(errors).toEqual(['HANDSHAKE_FAILED']);

      const live = await connect(server.url, { secure: { pattern: 'IK', staticKey: alice, remoteStaticKey: bob.publicKey } });
      const it = live[Symbol.asyncIterator]();
      await live.send(req(2));
      expect((await it.next()).value?.content).toBe(req(2));
      expect(opened).toBe(1);
      await live.close();
    } finally {
      await server.close();
    }
  });

  it('a silent replay is dropped at the HELLO deadline', async () => {
    const clock = new ManualClock();
    const hello = await capturedIkHello();
    const [a, b] = memoryTransportPair();
    const sp = Session.server(b, { clock, secure: { pattern: 'IK', staticKey: bob } });
    const outcome = sp.then(
      (s) => (s ? 'session' : 'refused'),
      (e: unknown) => (isSdkError(e) ? e.code : 'other'),
    );
    await a.send(hello);
    await a[Symbol.asyncIterator]().next(); // ACCEPT
    for (let t = 0; t < 31; t++) {
      clock.advance(1000);
      await new Promise((r) => setImmediate(r));
    }
    expect(await outcome).toBe('TIMEOUT');
  });

  it('an NN HELLO edited in flight makes no session on the server; the client fails at ACCEPT', async () => {
    const [a, b] = tapped((d, n) => {
      if (n !== 0) return [d];
      const m = decodeMessageBinary(d);
      if (m.payload?.kind !== 'handshake') return [d];
      const msg = m.payload.value.message.slice();
      msg[msg.length - 3] ^= 0x01; // inside the plaintext capabilities (NN message 1 has no key yet)
      return [encodeMessageBinary({ ...m, payload: { kind: 'handshake', value: { ...m.payload.value, message: msg } } })];
    });
    const sp = Session.server(b, { secure: { pattern: 'NN' } });
    const server = sp.then(
      (s) => (s ? 'session' : 'refused'),
      (e: unknown) => (isSdkError(e) ? e.code : 'other'),
    );
    const e = await Session.client(a, { secure: { pattern: 'NN', insecureSkipPeerVerification: true } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'HANDSHAKE_DECRYPTION_FAILED' });
    expect(await server).toBe('HANDSHAKE_FAILED');
  });

  for (const [pattern, client, server] of [
    ['NN', { insecureSkipPeerVerification: true }, {}],
    ['NK', { remoteStaticKey: bob.publicKey }, { staticKey: bob }],
    ['IK', { staticKey: alice, remoteStaticKey: bob.publicKey }, { staticKey: bob, verifyPeer: allowKeys([alice.publicKey]) }],
    ['KK', { staticKey: alice, remoteStaticKey: bob.publicKey }, { staticKey: bob, remoteStaticKey: alice.publicKey }],
    ['XX', { staticKey: alice, verifyPeer: pinBob }, { staticKey: bob }],
  ] as Array<[string, SecureOptions, SecureOptions]>) {
    it(`${pattern}: a legitimate client is admitted and DATA flows both ways after the confirmation`, async () => {
      const { client: c, server: s } = await secureLink((d) => [d], { pattern, ...client }, { pattern, ...server });
      const echo = (async () => {
        for await (const m of s) await s.send(m.content);
      })();
      const it = c[Symbol.asyncIterator]();
      await c.send(req(3));
      expect((await it.next()).value?.content).toBe(req(3));
      await c.close();
      await echo;
    });
  }
});

describe('secure by default: an encrypted client verifies the server', () => {
  it('connect() without verifyPeer, a pinned key or a psk throws CONFIG_ERROR before dialing', async () => {
    let connections = 0;
    const tcp = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const url = `tcp://127.0.0.1:${(tcp.address() as net.AddressInfo).port}`;
    try {
      const e = await connect(url, { secure: { staticKey: alice }, signal: AbortSignal.timeout(1000) }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'CONFIG_ERROR' });
      expect((e as Error).message).toContain('insecureSkipPeerVerification');
      // verifyPeer under NN would check nothing: refused as well.
      const nn = await connect(url, { secure: { pattern: 'NN', verifyPeer: pinBob }, signal: AbortSignal.timeout(1000) }).catch((x: unknown) => x);
      expect(nn).toMatchObject({ code: 'CONFIG_ERROR' });
      await new Promise((r) => setTimeout(r, 50));
      expect(connections).toBe(0);
    } finally {
      tcp.close();
    }
  });

  it('Session.client refuses the same; the opt-out by name connects; a pinned key is checked under XX', async () => {
    const [a] = memoryTransportPair();
    await expect(Session.client(a, { secure: { staticKey: alice } })).rejects.toMatchObject({ code: 'CONFIG_ERROR' });

    const open = await secureLink((d) => [d], { staticKey: alice, insecureSkipPeerVerification: true });
    expect(open.client.peerStaticKey).toEqual(bob.publicKey);
    await open.client.close();

    const pinned = await secureLink((d) => [d], { staticKey: alice, remoteStaticKey: bob.publicKey });
    expect(pinned.client.encrypted).toBe(true);
    await pinned.client.close();

    const stranger = KeyPair.generate();
    const e = await secureLink((d) => [d], { staticKey: alice, remoteStaticKey: stranger.publicKey }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'HANDSHAKE_PEER_REFUSED' });
    // The key that arrived (bob's), by its first 8 bytes: a user sees the server's key changed.
    expect((e as Error).message).toBe(`Handshake failed at message 2 (ACCEPT): peer static key is not the pinned key (got ${Buffer.from(bob.publicKey.subarray(0, 8)).toString('hex')}…)`);
  });
});

describe('secrets never print (session side)', () => {
  it('SecureChannel and a live encrypted Session show no transport key under inspect or JSON.stringify', async () => {
    const { inspect } = await import('node:util');
    const { CipherState } = await import('@m2m/crypto');
    const { SecureChannel } = await import('@m2m/session/internal');
    const k1 = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
    const k2 = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
    const channel = new SecureChannel(new CipherState(k1), new CipherState(k2), new ManualClock());
    const { client } = await secureLink((d) => [d]);
    for (const v of [channel, client, client.channel]) {
      const text = [inspect(v, { depth: 8, showHidden: true }), JSON.stringify(v) ?? ''].join('\n');
      for (const k of [k1, k2]) {
        expect(text).not.toContain(Array.from(k.subarray(0, 6)).join(', '));
        expect(text).not.toContain(Buffer.from(k).toString('hex').slice(0, 24));
      }
      expect(text).not.toContain(Array.from(alice.exportSecret().subarray(0, 6)).join(', '));
    }
    await client.close();
  });
});
