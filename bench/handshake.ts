/**
 * Encrypted-session benchmarks (issue: encrypted sessions): XX and IK handshakes/s against
 * @chainsafe/libp2p-noise's XX handshake in the same process, and transport throughput
 * against raw node:crypto ChaCha20-Poly1305.
 * @module
 */
import * as nc from 'node:crypto';
import { CipherState, KeyPair } from '@m2m/crypto';
import { decodeFrame, encodeFrame } from '@m2m/core';
import { ManualClock, memoryTransportPair, Session } from '@m2m/session';
import { SecureChannel } from '@m2m/session/internal';
import { compare, mbps } from './measure.js';

// libp2p 3 uses Promise.withResolvers (Node 22); give Node 20 the same few lines.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function <T>(this: PromiseConstructor) {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new this<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

async function perSecond(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return n / ((performance.now() - t0) / 1000);
}

async function libp2pNoise(n: number): Promise<number> {
  const { noise } = await import('@chainsafe/libp2p-noise');
  const { generateKeyPair } = await import('@libp2p/crypto/keys');
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id');
  const { defaultLogger } = await import('@libp2p/logger');
  const { multiaddrConnectionPair } = await import('@libp2p/utils');
  const components = async () => {
    const privateKey = await generateKeyPair('Ed25519');
    return { privateKey, peerId: peerIdFromPrivateKey(privateKey), logger: defaultLogger(), upgrader: { getStreamMuxers: () => new Map() } };
  };
  const a = await components();
  const b = await components();
  // Static Noise keys reused, as their docs advise for speed.
  const na = noise({ staticNoiseKey: nc.randomBytes(32) })(a as never);
  const nb = noise({ staticNoiseKey: nc.randomBytes(32) })(b as never);
  return perSecond(n, async () => {
    const [outbound, inbound] = multiaddrConnectionPair();
    await Promise.all([na.secureOutbound(outbound as never, { remotePeer: b.peerId }), nb.secureInbound(inbound as never, { remotePeer: a.peerId })]);
  });
}

async function ours(n: number, pattern: 'XX' | 'IK'): Promise<number> {
  const client = KeyPair.generate();
  const server = KeyPair.generate();
  return perSecond(n, async () => {
    const [x, y] = memoryTransportPair();
    const sp = Session.server(y, { secure: { pattern, staticKey: server } });
    const c = await Session.client(x, { secure: { pattern, staticKey: client, remoteStaticKey: server.publicKey } }); // pinned: IK needs it, XX checks the received key against it
    await sp;
    await c.transport.close();
  });
}

/** Runs the handshake section; true when XX and IK each reach twice libp2p-noise's XX rate. */
export async function runHandshakeBench(log: (line: string) => void): Promise<boolean> {
  const N = 300;
  const theirs = await libp2pNoise(N);
  const xx = await ours(N, 'XX');
  const ik = await ours(N, 'IK');
  log(`handshakes/s over in-memory connections (${N} each, full session: capabilities, negotiation, Split)`);
  log(`@chainsafe/libp2p-noise XX  ${theirs.toFixed(0).padStart(6)}/s  (baseline)`);
  log(`m2m XX                      ${xx.toFixed(0).padStart(6)}/s  ×${(xx / theirs).toFixed(2)}  (target ×2.00)`);
  log(`m2m IK                      ${ik.toFixed(0).padStart(6)}/s  ×${(ik / theirs).toFixed(2)}  (target ×2.00)`);

  log('');
  log('transport: one 16 KiB AEAD frame sealed and opened (MB/s of plaintext), ratio to raw node:crypto');
  const clock = new ManualClock();
  const k1 = nc.randomBytes(32);
  const k2 = nc.randomBytes(32);
  const a = new SecureChannel(new CipherState(new Uint8Array(k1)), new CipherState(new Uint8Array(k2)), clock, { rekeyAfterMessages: 2 ** 40 });
  const b = new SecureChannel(new CipherState(new Uint8Array(k2)), new CipherState(new Uint8Array(k1)), clock, { rekeyAfterMessages: 2 ** 40, replayWindow: 1024 });
  const size = 16384;
  const pt = new Uint8Array(nc.randomBytes(size));
  const aad = new Uint8Array(27);
  const nonce = nc.randomBytes(12);
  const nodeSeal = () => {
    const c = nc.createCipheriv('chacha20-poly1305', k1, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: size });
    const ct = c.update(pt);
    c.final();
    return [ct, c.getAuthTag()] as const;
  };
  const [ct, tag] = nodeSeal();
  // Opening needs fresh counters (the replay check refuses repeats): a pool of sealed frames,
  // and a new receiving channel each time the pool wraps.
  const pool = Array.from({ length: 128 }, () => {
    const p = a.data.seal(aad, pt);
    const sealed = new Uint8Array(12 + size + 16);
    sealed.set(p.nonce, 0);
    sealed.set(p.ciphertext, 12);
    sealed.set(p.tag, 12 + size);
    return sealed;
  });
  let rx = b;
  let i = 0;
  const seal = compare({ node: nodeSeal, channel: () => a.data.seal(aad, pt) });
  const open = compare({
    node: () => {
      const d = nc.createDecipheriv('chacha20-poly1305', k1, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: size });
      d.setAuthTag(tag);
      d.update(ct);
      d.final();
    },
    channel: () => {
      if (i === pool.length) {
        rx = new SecureChannel(new CipherState(new Uint8Array(k2)), new CipherState(new Uint8Array(k1)), clock);
        i = 0;
      }
      rx.data.open(aad, pool[i++]);
    },
  });
  log(`seal: raw node:crypto ${mbps(seal.node, size)} MB/s, SecureChannel (counter nonce, epoch, hard-stop check) ${mbps(seal.channel, size)} MB/s ×${(seal.channel / seal.node).toFixed(2)}`);
  log(`open: raw node:crypto ${mbps(open.node, size)} MB/s, SecureChannel (replay check, epoch) ${mbps(open.channel, size)} MB/s ×${(open.channel / open.node).toFixed(2)}`);
  const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(16000) }] });
  const f = compare({
    plain: () => decodeFrame(encodeFrame(json)),
    encrypted: () => decodeFrame(encodeFrame(json, { protection: a.data }), { protection: b.data }),
  });
  log(`whole M2M frame (16 KB JSON, Brotli) encode+decode: plain ${mbps(f.plain, json.length)} MB/s, encrypted ${mbps(f.encrypted, json.length)} MB/s ×${(f.encrypted / f.plain).toFixed(2)}`);
  return xx >= 2 * theirs && ik >= 2 * theirs;
}
