/**
 * Runner for Noise vectors in the format of the Noise wiki, as cacophony and snow write it:
 * `protocol_name` (or the older `name`, or `pattern`/`dh`/`cipher`/`hash`), `init_*`/`resp_*`
 * prologue, static, ephemeral, remote static (and remote ephemeral), psks (`*_psks`, or the older
 * single `*_psk`), optional `handshake_hash`, and `messages[{payload, ciphertext}]`. A vector with
 * `fail: true` must fail to complete. Suites other than 25519_ChaChaPoly_SHA256, Noise Pipes
 * fallback (`fallback`, `fallback_pattern`) and hybrid forward secrecy (`hybrid`) are not
 * implemented here: those vectors fail by name ("unsupported: ..."), never pass or vanish.
 * @module
 */
import { fromHex, toHex } from '@m2m/core';
import { HandshakeState, KeyPair, type NoiseKeyPair } from '@m2m/crypto';
import { Cases, checked, eq } from './check.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function kp(hex: string | undefined): NoiseKeyPair | undefined {
  if (!hex) return undefined;
  const p = KeyPair.fromSecret(fromHex(hex));
  return { secret: fromHex(hex), publicKey: p.publicKey };
}

const optBytes = (hex: unknown) => (typeof hex === 'string' && hex !== '' ? fromHex(hex) : undefined);

/** The vector's protocol name in any of the format's spellings. */
export function noiseProtocolName(v: J): string | undefined {
  if (typeof v.protocol_name === 'string') return v.protocol_name;
  if (typeof v.name === 'string' && v.name.startsWith('Noise')) return v.name;
  if (typeof v.pattern === 'string' && typeof v.dh === 'string' && typeof v.cipher === 'string' && typeof v.hash === 'string') return `Noise_${v.pattern}_${v.dh}_${v.cipher}_${v.hash}`;
  return typeof v.name === 'string' ? v.name : undefined;
}

function psks(v: J, side: 'init' | 'resp'): Uint8Array[] {
  const many = v[`${side}_psks`];
  if (Array.isArray(many)) return many.map((h: string) => fromHex(h));
  const one = v[`${side}_psk`];
  return typeof one === 'string' ? [fromHex(one)] : [];
}

/** Why this runner cannot run a vector, or undefined when it can. */
function unsupported(v: J, name: string | undefined): string | undefined {
  if (!name) return 'no protocol_name';
  if (v.fallback === true || v.fallback_pattern !== undefined || /fallback/.test(name)) return 'Noise Pipes fallback is not implemented';
  if (v.hybrid !== undefined && v.hybrid !== null) return `hybrid forward secrecy (${String(v.hybrid)}) is not implemented`;
  if (/hfs/.test(name)) return 'hybrid forward secrecy is not implemented';
  if (!Array.isArray(v.messages)) return 'no messages';
  return undefined;
}

function runVector(v: J, protocol: string): void {
  let init: HandshakeState;
  let resp: HandshakeState;
  try {
    init = new HandshakeState({ protocol, initiator: true, prologue: fromHex(v.init_prologue ?? ''), s: kp(v.init_static), e: kp(v.init_ephemeral), rs: optBytes(v.init_remote_static), re: optBytes(v.init_remote_ephemeral), psks: psks(v, 'init') });
    resp = new HandshakeState({ protocol, initiator: false, prologue: fromHex(v.resp_prologue ?? ''), s: kp(v.resp_static), e: kp(v.resp_ephemeral), rs: optBytes(v.resp_remote_static), re: optBytes(v.resp_remote_ephemeral), psks: psks(v, 'resp') });
  } catch (e) {
    throw new Error(`unsupported: ${(e as Error).message}`);
  }
  const msgs = v.messages as J[];
  let i = 0;
  for (; i < msgs.length && !init.isComplete; i++) {
    const [w, r] = i % 2 === 0 ? [init, resp] : [resp, init];
    const ct = w.writeMessage(fromHex(msgs[i].payload));
    eq(toHex(ct), msgs[i].ciphertext, `handshake message ${i + 1}`);
    eq(toHex(r.readMessage(ct)), msgs[i].payload, `payload ${i + 1}`);
  }
  if (!init.isComplete || !resp.isComplete) throw new Error(`the vector's ${msgs.length} messages do not complete the handshake`);
  // handshake_hash is optional in the format (snow's vectors leave it out).
  if (typeof v.handshake_hash === 'string') {
    eq(toHex(init.handshakeHash), v.handshake_hash, 'handshake hash (initiator)');
    eq(toHex(resp.handshakeHash), v.handshake_hash, 'handshake hash (responder)');
  }
  const a = init.split();
  const b = resp.split();
  for (; i < msgs.length; i++) {
    const fromInit = init.pattern.oneWay || i % 2 === 0;
    const [send, recv] = fromInit ? [a.send, b.receive] : [b.send, a.receive];
    const ct = send.encryptWithAd(new Uint8Array(0), fromHex(msgs[i].payload));
    eq(toHex(ct), msgs[i].ciphertext, `transport message ${i + 1}`);
    eq(toHex(recv.decryptWithAd(new Uint8Array(0), ct)), msgs[i].payload, `transport payload ${i + 1}`);
  }
}

/** Runs every vector: handshake messages, handshake hash when given, then transport messages. */
export function runNoise(c: Cases, d: J): void {
  (d.vectors as J[]).forEach((v, n) => {
    const protocol = noiseProtocolName(v);
    const label = `${protocol ?? `vector ${n}`}${v.fail === true ? ' (must fail)' : ''}`;
    const why = unsupported(v, protocol);
    if (why) return c.fail(label, `unsupported: ${why}`);
    c.run(label, () => {
      if (v.fail !== true) return runVector(v, protocol!);
      // A failing vector: some step must refuse (a mismatch or a typed error), never complete silently.
      try {
        runVector(v, protocol!);
      } catch (e) {
        if (/^unsupported:/.test((e as Error).message)) throw e;
        checked();
        return;
      }
      throw new Error('the vector is marked fail, but every message was produced and read');
    });
  });
}
