import { describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isCryptoError, isM2MError, fromHex, type CryptoError, type M2MError } from '@m2m/core';
import { CipherState, KeyPair } from '@m2m/crypto';
import { KeyHierarchy } from '@m2m/crypto/keys';
import { allowKeys, connect, decodeMessageBinary, encodeMessageBinary, knownKeys, organizationPsk, ReplayWindow, Session, type Message, type SecureOptions, type Transport } from '@m2m/session';
import { ManualClock, memoryTransportPair } from '@m2m/session/testing';
import { messageBinding, openControlMessage, SecureChannel, sealControlMessage } from '@m2m/session/internal';
import { encodePayloadBinary } from '../src/codec/binary-codec.js';

const req = (i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `secret ${i}` }] });
const alice = KeyPair.generate();
const bob = KeyPair.generate();

async function failure(p: Promise<unknown>): Promise<M2MError | CryptoError> {
  try {
    await p;
  } catch (e) {
    if (isM2MError(e) || isCryptoError(e)) return e;
    throw new Error(`non-SDK error: ${String(e)}`);
  }
  throw new Error('expected a failure');
}

/** A transport pair with a hook that may rewrite, drop or duplicate what the client sends or receives. */
function tappedPair(tap: { toServer?: (b: Uint8Array, n: number) => Uint8Array[]; toClient?: (b: Uint8Array, n: number) => Uint8Array[] }): [Transport, Transport] {
  const [a, b] = memoryTransportPair();
  let up = 0;
  let down = 0;
  const client: Transport = {
    kind: 'tap',
    send: async (d) => {
      for (const x of tap.toServer ? tap.toServer(d, up++) : [d]) await a.send(x);
    },
    close: () => a.close(),
    [Symbol.asyncIterator]: () => {
      const it = a[Symbol.asyncIterator]();
      const pending: Uint8Array[] = [];
      return {
        async next() {
          while (!pending.length) {
            const r = await it.next();
            if (r.done) return r;
            pending.push(...(tap.toClient ? tap.toClient(r.value, down++) : [r.value]));
          }
          return { value: pending.shift()!, done: false };
        },
      };
    },
  };
  return [client, b];
}

async function pair(client: SecureOptions, server: SecureOptions, transports = memoryTransportPair()) {
  const [a, b] = transports;
  const sp = Session.server(b, { secure: server });
  sp.catch(() => undefined); // a failing client is what these tests look at
  const c = await Session.client(a, { secure: client });
  return { client: c, server: (await sp)! };
}

describe('encrypted sessions', () => {
  it('XX: exchanges DATA as AEAD frames, exposes keys and agent ids, closes with an authenticated CLOSE', async () => {
    const { client, server } = await pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) }, { staticKey: bob });
    expect(client.encrypted && server.encrypted).toBe(true);
    expect(client.peerStaticKey).toEqual(bob.publicKey);
    expect(server.peerStaticKey).toEqual(alice.publicKey);
    expect(typeof server.peerAgentId).toBe('string');
    expect(client.peerAgentId).toBe(server.peerCapabilities && client.peerCapabilities?.agentId);
    expect(client.handshakeHash).toEqual(server.handshakeHash);
    const it = server[Symbol.asyncIterator]();
    await client.send(req(1));
    const got = (await it.next()).value!;
    expect(got.content).toBe(req(1));
    // The binary codec carries the frame as bytes: the M2M prefix, a readable header, then ciphertext.
    const frame = got.payload.content as Uint8Array;
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(frame.subarray(0, 7))).toBe('#M2M|1|');
    expect(Buffer.from(frame).includes('secret')).toBe(false);
    await client.close('CLIENT_SHUTDOWN', 'done');
    expect((await server.closed).error?.details).toEqual({ reason: 'CLIENT_SHUTDOWN', message: 'done' });
  });

  it('a tampered handshake message fails, naming the stage', async () => {
    const tapped = tappedPair({ toClient: (b, n) => (n === 0 ? [flipLast(b)] : [b]) });
    const e = await failure(pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) }, { staticKey: bob }, tapped));
    expect(isCryptoError(e) && e.kind === 'Handshake').toBe(true);
    expect(e.message).toMatch(/^Handshake failed at message 2 \(ACCEPT\)/);
  });

  it('a man in the middle who edits the capability list in HELLO is detected', async () => {
    // Rewrite the client's algorithm list inside HELLO's (plaintext, but hashed) Noise payload.
    const tapped = tappedPair({
      toServer: (b, n) => {
        if (n !== 0) return [b];
        const m = decodeMessageBinary(b);
        if (m.payload?.kind !== 'handshake') throw new Error('expected a handshake HELLO');
        const msg = m.payload.value.message.slice();
        const i = findSubarray(msg, new Uint8Array([0x94, 0x01, 0x02, 0x03, 0x00])); // [m2m, tokennative, brotli, none]
        msg.set([0x94, 0x00, 0x02, 0x03, 0x01], i); // none first: a downgrade
        return [encodeMessageBinary({ ...m, payload: { kind: 'handshake', value: { ...m.payload.value, message: msg } } })];
      },
    });
    const e = await failure(pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) }, { staticKey: bob }, tapped));
    expect(e.code).toBe('HANDSHAKE_DECRYPTION_FAILED');
    expect(e.message).toMatch(/message 2 \(ACCEPT\)/);
  });

  it('a replayed DATA frame is rejected with ReplayDetected and ends the session', async () => {
    let data = 0;
    const tapped = tappedPair({
      toServer: (b) => {
        const m = decodeMessageBinary(b);
        return m.type === 'DATA' && ++data === 2 ? [b, b] : [b];
      },
    });
    const { client, server } = await pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) }, { staticKey: bob }, tapped);
    const got: string[] = [];
    const reader = (async () => {
      for await (const m of server) got.push(m.content);
    })().catch((e: unknown) => e);
    for (let i = 0; i < 3; i++) await client.send(req(i)).catch(() => undefined);
    const err = await reader;
    expect(isM2MError(err) && err.kind === 'ReplayDetected').toBe(true);
    expect(got).toEqual([req(0), req(1)]); // the replay and everything after it are refused
  });

  it('rekeying keeps the session working in both directions', async () => {
    const { client, server } = await pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]), rekeyAfterMessages: 7 }, { staticKey: bob, rekeyAfterMessages: 5 });
    const echo = (async () => {
      for await (const m of server) await server.send(m.content);
    })();
    const got: string[] = [];
    const reader = (async () => {
      for await (const m of client) if (got.push(m.content) === 60) break;
    })();
    for (let i = 0; i < 60; i++) await client.send(req(i));
    await reader;
    expect(got).toEqual(Array.from({ length: 60 }, (_, i) => req(i)));
    expect(client.channel!.sendEpoch).toBe(8); // 60 messages, new key every 7
    expect(server.channel!.receiveEpoch).toBe(8);
    expect(server.channel!.sendEpoch).toBeGreaterThanOrEqual(11);
    await client.close();
    await echo;
  });

  it('stops hard before the counter runs out', async () => {
    const { client } = await pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]), maxMessages: 3 }, { staticKey: bob });
    for (let i = 0; i < 3; i++) await client.send(req(i));
    const e = await failure(client.send(req(3)));
    // The codec wraps crypto failures as the reference does: CRYPTO_ERROR caused by NONCE_EXHAUSTED.
    expect(e.code).toBe('CRYPTO_ERROR');
    expect((e.cause as CryptoError).code).toBe('NONCE_EXHAUSTED');
  });

  it('a wrong psk is refused (IKpsk2 at HELLO, XXpsk3 at AUTH)', async () => {
    const right = new Uint8Array(32).fill(1);
    const wrong = new Uint8Array(32).fill(2);
    const ik = await failure(pair({ pattern: 'IKpsk2', staticKey: alice, remoteStaticKey: bob.publicKey, psk: wrong }, { pattern: 'IKpsk2', staticKey: bob, psk: right }));
    expect(ik.code).toBe('HANDSHAKE_DECRYPTION_FAILED'); // the client reads ACCEPT under its wrong key
    const [a, b] = memoryTransportPair();
    const serverSide = failure(Session.server(b, { secure: { pattern: 'XXpsk3', staticKey: bob, psk: right } }));
    const clientSide = Session.client(a, { secure: { pattern: 'XXpsk3', staticKey: alice, psk: wrong } });
    clientSide.catch(() => undefined);
    const se = await serverSide;
    expect(se.code).toBe('HANDSHAKE_DECRYPTION_FAILED');
    expect(se.message).toMatch(/message 2 \(ACCEPT\)|message 3 \(AUTH\)/);
    await clientSide.catch(() => undefined);
  });

  it('agents of one organisation admit each other with the hierarchy psk', async () => {
    const org = new KeyHierarchy(new Uint8Array(32).fill(9), 'acme-corp');
    const psk = organizationPsk(org);
    const { client, server } = await pair({ pattern: 'NNpsk0', psk }, { pattern: 'NNpsk0', psk });
    const it = server[Symbol.asyncIterator]();
    await client.send(req(5));
    expect((await it.next()).value!.content).toBe(req(5));
    const other = organizationPsk(new KeyHierarchy(new Uint8Array(32).fill(9), 'other-org'));
    const e = await failure(pair({ pattern: 'NNpsk0', psk: other }, { pattern: 'NNpsk0', psk }));
    expect(isCryptoError(e)).toBe(true);
  });

  it('the identity hook refuses unknown static keys: IK at HELLO with REJECT, XX at AUTH with REJECT too', async () => {
    const stranger = KeyPair.generate();
    // The message names the refused key by its first 8 bytes, as `m2m serve` prints keys.
    const print = (k: KeyPair) => `${Buffer.from(k.publicKey.subarray(0, 8)).toString('hex')}…`;
    const ik = await failure(pair({ pattern: 'IK', staticKey: stranger, remoteStaticKey: bob.publicKey }, { pattern: 'IK', staticKey: bob, verifyPeer: allowKeys([alice.publicKey]) }));
    expect(ik.code).toBe('REJECTED');
    expect(ik.details).toMatchObject({ code: 'SECURITY_POLICY', message: 'Handshake failed at message 1 (HELLO): peer static key not allowed (…)' });

    const [a, b] = memoryTransportPair();
    const serverSide = failure(Session.server(b, { secure: { staticKey: bob, verifyPeer: knownKeys(`${Buffer.from(alice.publicKey).toString('hex')} some-agent\n`) } }));
    const client = await Session.client(a, { secure: { staticKey: stranger, verifyPeer: allowKeys([bob.publicKey]) } });
    const se = await serverSide;
    expect(se.code).toBe('HANDSHAKE_PEER_REFUSED');
    expect(se.message).toBe(`Handshake failed at message 3 (AUTH): peer static key not allowed (${print(stranger)})`);
    // The client learns why from a plaintext REJECT (secure-auth-refused.test.ts: also a wrong psk).
    const info = await client.closed;
    expect(info.message).toBe('rejected: SECURITY_POLICY');
    // Without the key's print: message 3 encrypts the key (attack-reject-text.test.ts).
    expect(info.error?.details).toMatchObject({ code: 'SECURITY_POLICY', message: 'Handshake failed at message 3 (AUTH): peer static key not allowed (…)' });

    // The client refuses the server's key at ACCEPT.
    const ce = await failure(pair({ staticKey: alice, verifyPeer: allowKeys([alice.publicKey]) }, { staticKey: bob }));
    expect(ce.code).toBe('HANDSHAKE_PEER_REFUSED');
    expect(ce.message).toBe(`Handshake failed at message 2 (ACCEPT): peer static key not allowed (${print(bob)})`);
  });

  it('refuses a plaintext HELLO, an unsealed CLOSE and plaintext DATA', async () => {
    const [a, b] = memoryTransportPair();
    const sp = Session.server(b, { secure: { staticKey: bob } });
    const plain = await failure(Session.client(a));
    expect(plain.details).toMatchObject({ code: 'SECURITY_POLICY' });
    expect(await sp).toBeUndefined();

    const tapped = tappedPair({});
    const { client, server } = await pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) }, { staticKey: bob }, tapped);
    // Forge a CLOSE the way an attacker on the wire could (no keys): it must not end the session quietly.
    await tapped[0].send(encodeMessageBinary({ type: 'CLOSE', sessionId: client.id, timestamp: 1, payload: { kind: 'close', value: { reason: 'NORMAL', message: 'forged' } } }));
    const info = await server.closed;
    expect(info.reason).toBe('ERROR');
    expect(info.error?.kind).toBe('InvalidMessage');
  });

  it('plaintext DATA inside an encrypted session is a SecurityDowngrade', async () => {
    const tapped = tappedPair({});
    const { client, server } = await pair({ staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) }, { staticKey: bob }, tapped);
    await tapped[0].send(encodeMessageBinary({ type: 'DATA', sessionId: client.id, timestamp: 1, payload: { kind: 'data', value: { algorithm: 'brotli', content: '#M2M[v3.0]|DATA:CwCASGVsbG8D' } } }));
    const info = await server.closed;
    expect(info.error?.kind).toBe('SecurityDowngrade');
  });
});

describe('static secrets exported for a handshake', () => {
  it('the copy of a KeyPair\'s secret each side exports for Noise is wiped once its handshake is over (success or refusal)', async () => {
    const client = KeyPair.generate();
    const server = KeyPair.generate();
    const exported: Uint8Array[] = [];
    for (const k of [client, server]) {
      const own = k.exportSecret.bind(k);
      k.exportSecret = () => {
        const copy = own();
        exported.push(copy);
        return copy;
      };
    }
    const open = async (remote: Uint8Array) => {
      const [a, b] = memoryTransportPair();
      const sp = Session.server(b, { secure: { staticKey: server } });
      try {
        const c = await Session.client(a, { secure: { staticKey: client, remoteStaticKey: remote } });
        await c.close();
      } finally {
        // The server's side ends too (established, or failed when the client gave up).
        await sp.then(() => undefined, () => undefined);
      }
    };
    await open(server.publicKey);
    expect(exported.length).toBe(2);
    // A client refusing the server (wrong pinned key) fails the handshake: its copy is wiped too.
    await expect(open(KeyPair.generate().publicKey)).rejects.toMatchObject({ kind: 'Handshake' });
    expect(exported.length).toBe(4);
    for (const copy of exported) expect(copy.every((b) => b === 0)).toBe(true);
    // The key pairs themselves are untouched: a next handshake works.
    expect(client.exportSecret().some((b) => b !== 0)).toBe(true);
    await open(server.publicKey);
  });
});

describe('replay window', () => {
  it('strict order accepts only the next counter', () => {
    const w = new ReplayWindow(0);
    w.check(0);
    w.commit(0);
    expect(() => w.check(0)).toThrow(/Replay detected/);
    expect(() => w.check(2)).toThrow(/Replay detected/);
    w.check(1);
  });
  it('a window accepts reordering inside it once, and nothing older', () => {
    const w = new ReplayWindow(4);
    for (const c of [0, 1, 2, 5, 6, 9]) {
      w.check(c);
      w.commit(c);
    }
    w.check(7); // inside, unseen
    w.commit(7);
    expect(() => w.check(7)).toThrow(/Replay detected/); // seen
    expect(() => w.check(4)).toThrow(/Replay detected/); // 9 - 4 = 5 > 4: outside the window
    w.check(8);
    w.check(100);
  });
  it('a channel rejects a reordered frame outside its window and accepts one inside', () => {
    const clock = new ManualClock();
    const k1 = new Uint8Array(32).fill(1);
    const k2 = new Uint8Array(32).fill(2);
    const sender = new SecureChannel(new CipherState(k1), new CipherState(k2), clock);
    const receiver = new SecureChannel(new CipherState(k2), new CipherState(k1), clock, { replayWindow: 2 });
    const frames = Array.from({ length: 6 }, (_, i) => sender.sealControl(new Uint8Array([0x91, 0x04, i])));
    for (const i of [0, 1, 2, 5]) receiver.openControl(frames[i]);
    receiver.openControl(frames[4]); // 5 - 4 = 1: inside the window
    let err: unknown;
    try {
      receiver.openControl(frames[3]); // 5 - 3 = 2: still inside
      receiver.openControl(frames[1]); // replay
    } catch (e) {
      err = e;
    }
    expect(isM2MError(err) && err.kind === 'ReplayDetected').toBe(true);
    expect((err as M2MError<'ReplayDetected'>).details.counter).toBe(1);
  });
  it('a channel rejects an unseen frame reordered beyond its window', () => {
    const clock = new ManualClock();
    const k1 = new Uint8Array(32).fill(3);
    const k2 = new Uint8Array(32).fill(4);
    const sender = new SecureChannel(new CipherState(k1), new CipherState(k2), clock);
    const receiver = new SecureChannel(new CipherState(k2), new CipherState(k1), clock, { replayWindow: 2 });
    const frames = Array.from({ length: 6 }, (_, i) => sender.sealControl(new Uint8Array([0x91, 0x04, i])));
    receiver.openControl(frames[0]);
    receiver.openControl(frames[5]);
    let err: unknown;
    try {
      receiver.openControl(frames[1]); // never seen, but 5 - 1 = 4 > 2
    } catch (e) {
      err = e;
    }
    expect(isM2MError(err) && err.kind === 'ReplayDetected').toBe(true);
    // A strict-order channel (the default) refuses any reordering at all.
    const strict = new SecureChannel(new CipherState(k2), new CipherState(k1), clock);
    strict.openControl(frames[0]);
    expect(() => strict.openControl(frames[2])).toThrow(/Replay detected/);
  });
});

describe('sealed control messages', () => {
  const channels = () => {
    const clock = new ManualClock();
    const [k1, k2] = [new Uint8Array(32).fill(5), new Uint8Array(32).fill(6)];
    return [new SecureChannel(new CipherState(k1), new CipherState(k2), clock), new SecureChannel(new CipherState(k2), new CipherState(k1), clock)] as const;
  };
  it('round-trip a CLOSE with its reason, and a PING, without JSON or an M2M frame', () => {
    const [tx, rx] = channels();
    const close: Message = { type: 'CLOSE', sessionId: 's', timestamp: 7, payload: { kind: 'close', value: { reason: 'CLIENT_SHUTDOWN', message: 'bye' } } };
    const sealed = sealControlMessage(tx, close);
    const content = sealed.payload?.kind === 'data' ? (sealed.payload.value.content as Uint8Array) : new Uint8Array();
    expect(content.length).toBe(12 + encodePayloadBinary(close.payload!).length + 16);
    expect(content[0]).toBe(1); // the control kind in the nonce
    expect(openControlMessage(rx, decodeMessageBinary(encodeMessageBinary(sealed)))).toEqual(close);
    const ping: Message = { type: 'PING', sessionId: 's', timestamp: 8, payload: { kind: 'empty' } };
    expect(openControlMessage(rx, sealControlMessage(tx, ping))).toEqual(ping);
  });
  it('refuses a PING that carries a sealed CLOSE payload', () => {
    const [tx, rx] = channels();
    const out: Message = { type: 'PING', sessionId: 's', timestamp: 9, payload: { kind: 'data', value: { algorithm: 'm2m', content: '' } } };
    const inner = encodePayloadBinary({ kind: 'close', value: { reason: 'ERROR', message: 'forged' } });
    const value = (out.payload as { value: { content: string | Uint8Array } }).value;
    value.content = tx.sealControl(inner, messageBinding(out));
    expect(() => openControlMessage(rx, out)).toThrow(/sealed close payload inside PING/);
  });
});

describe('two processes', () => {
  for (const transport of ['tcp', 'ws'] as const) {
    for (const pattern of ['XX', 'IK'] as const) {
      it(`${pattern} over ${transport}: a client here, a server in another process`, async () => {
        // fixtures/secure-server.ts bundled from the sources once per run (scripts/test-bin.ts).
        const child = spawn(process.execPath, [inject('programs')['packages/session/test/fixtures/secure-server.ts'], transport, pattern], { stdio: ['ignore', 'pipe', 'inherit'] });
        try {
          const line = await new Promise<string>((res, rej) => {
            createInterface({ input: child.stdout! }).once('line', res);
            child.once('exit', (code) => rej(new Error(`server exited with ${code}`)));
          });
          const { url, publicKey } = JSON.parse(line) as { url: string; publicKey: string };
          const s = await connect(url, { secure: { pattern, staticKey: alice, remoteStaticKey: pattern === 'IK' ? fromHex(publicKey) : undefined, verifyPeer: allowKeys([publicKey]) } });
          expect(s.peerStaticKey).toEqual(fromHex(publicKey));
          const got: string[] = [];
          const reader = (async () => {
            for await (const m of s) if (got.push(m.content) === 20) break;
          })();
          for (let i = 0; i < 20; i++) await s.send(req(i));
          await reader;
          expect(got).toEqual(Array.from({ length: 20 }, (_, i) => req(i)));
          await s.close();
        } finally {
          child.kill();
        }
      }, 30_000);
    }
  }
});

function flipLast(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[c.length - 1] ^= 0x01;
  return c;
}
function findSubarray(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('pattern not found');
}

describe('encrypted DATA fast path (in-place seal, reused plaintext buffer)', () => {
  const keys = () => {
    const clock = new ManualClock();
    const k1 = new Uint8Array(32).fill(5);
    const k2 = new Uint8Array(32).fill(6);
    return [new SecureChannel(new CipherState(k1), new CipherState(k2), clock), new SecureChannel(new CipherState(k2), new CipherState(k1), clock)] as const;
  };
  const json = (i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `message ${i} ${'x'.repeat(i * 40)}` }] });

  it('frames are byte-identical to the seal() path, open through both paths, and replays are still refused', async () => {
    const { decodeFrame, encodeFrame } = await import('@m2m/core');
    const [fastA, fastB] = keys();
    const [slowA, slowB] = keys();
    // Only seal/open: the path every protection had before the fast path.
    const onlySealOpen = (p: SecureChannel['data']): SecureChannel['data'] => ({ mode: 'aead', seal: (a, b) => p.seal(a, b), open: (a, b) => p.open(a, b) });
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      const fast = encodeFrame(json(i), { protection: fastA.data, compression: 'auto' });
      const slow = encodeFrame(json(i), { protection: onlySealOpen(slowA.data), compression: 'auto' });
      expect(toHexString(fast)).toBe(toHexString(slow));
      frames.push(fast);
    }
    for (let i = 0; i < 6; i++) {
      expect(decodeFrame(frames[i], { protection: fastB.data }).payload).toBe(json(i));
      expect(decodeFrame(frames[i], { protection: onlySealOpen(slowB.data) }).payload).toBe(json(i));
    }
    expect(() => decodeFrame(frames[5], { protection: fastB.data })).toThrow(/Replay detected/);
    const forged = frames[0].slice();
    forged[forged.length - 1] ^= 1;
    const [, fresh] = keys();
    expect(() => decodeFrame(forged, { protection: fresh.data })).toThrow(/authentication tag mismatch|Decryption failed/i);
  });

  it('the reused plaintext buffer is wiped once the payload is read', async () => {
    const { decodeFrame, encodeFrame } = await import('@m2m/core');
    const [a, b] = keys();
    let seen: Uint8Array | undefined;
    const data = b.data;
    const spy: SecureChannel['data'] = { mode: 'aead', seal: data.seal, open: data.open, openTransient: (aad, sealed) => (seen = data.openTransient!(aad, sealed)) };
    const text = json(3);
    expect(decodeFrame(encodeFrame(text, { protection: a.data, compression: 'auto' }), { protection: spy }).payload).toBe(text);
    expect(seen && seen.length > text.length).toBe(true);
    expect(seen!.every((x) => x === 0)).toBe(true);
  });
});

function toHexString(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('handshake stage deadlines (issue 18)', () => {
  it('an encrypted client whose server never answers HELLO ends with Timeout at the HELLO timeout, and the server side with Timeout at its AUTH deadline', async () => {
    const clock = new ManualClock();
    const server = KeyPair.generate();
    const [x] = memoryTransportPair();
    const pending = Session.client(x, { clock, timers: { helloTimeoutMs: 5_000 }, secure: { pattern: 'XX', staticKey: KeyPair.generate(), remoteStaticKey: server.publicKey } });
    const outcome = pending.then(
      () => 'established',
      (e: unknown) => e,
    );
    await new Promise((r) => setImmediate(r));
    clock.advance(4_999);
    await new Promise((r) => setImmediate(r));
    expect(await Promise.race([outcome, Promise.resolve('waiting')])).toBe('waiting');
    clock.advance(1);
    const e = (await outcome) as M2MError;
    expect(isM2MError(e) && e.kind).toBe('Timeout');

    // A client that sends HELLO and then nothing: the server gives up on AUTH at its own deadline.
    const [c, s] = memoryTransportPair();
    const serverSide = Session.server(s, { clock, timers: { helloTimeoutMs: 5_000 }, secure: { pattern: 'XX', staticKey: server } }).then(
      () => 'established',
      (err: unknown) => err,
    );
    const [c2, s2] = memoryTransportPair();
    void Session.client(c2, { secure: { pattern: 'XX', staticKey: KeyPair.generate(), remoteStaticKey: server.publicKey } }).catch(() => undefined);
    const hello = (await s2[Symbol.asyncIterator]().next()).value as Uint8Array;
    await c.send(hello);
    await new Promise((r) => setImmediate(r));
    clock.advance(5_000);
    const err = (await serverSide) as M2MError;
    expect(isM2MError(err) && err.kind).toBe('Timeout');
    expect((err.details as { operation?: string }).operation).toBe('AUTH');
    await c2.close();
  });

  it('an encrypted client aborted while waiting for ACCEPT fails with Aborted; a server whose client leaves before AUTH fails at once', async () => {
    const server = KeyPair.generate();
    const [x] = memoryTransportPair();
    const ac = new AbortController();
    const pending = Session.client(x, { signal: ac.signal, secure: { pattern: 'XX', staticKey: KeyPair.generate(), remoteStaticKey: server.publicKey } }).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    ac.abort();
    const e = (await pending) as M2MError;
    expect(isM2MError(e) && e.kind).toBe('Aborted');

    const [c, s] = memoryTransportPair();
    const serverSide = Session.server(s, { secure: { pattern: 'XX', staticKey: server } }).catch((err: unknown) => err);
    const [c2, s2] = memoryTransportPair();
    void Session.client(c2, { secure: { pattern: 'XX', staticKey: KeyPair.generate(), remoteStaticKey: server.publicKey } }).catch(() => undefined);
    await c.send((await s2[Symbol.asyncIterator]().next()).value as Uint8Array);
    await new Promise((r) => setImmediate(r));
    await c.close();
    const err = (await serverSide) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toMatch(/AUTH|closed/);
    await c2.close();
  });
});
