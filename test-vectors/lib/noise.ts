/**
 * Runner for the cacophony Noise vectors (25519_ChaChaPoly_SHA256). A vector whose pattern is
 * not supported counts as failed with "unsupported".
 * @module
 */
import { fromHex, toHex } from '@m2m/core';
import { HandshakeState, KeyPair, type NoiseKeyPair } from '@m2m/crypto';
import { Cases, eq } from './check.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function kp(hex: string | undefined): NoiseKeyPair | undefined {
  if (!hex) return undefined;
  const p = KeyPair.fromSecret(fromHex(hex));
  return { secret: fromHex(hex), publicKey: p.publicKey };
}

/** Runs every vector: handshake messages, handshake hash, then transport messages. */
export function runNoise(c: Cases, d: J): void {
  for (const v of d.vectors as J[]) {
    c.run(v.protocol_name, () => {
      let init: HandshakeState;
      let resp: HandshakeState;
      try {
        init = new HandshakeState({ protocol: v.protocol_name, initiator: true, prologue: fromHex(v.init_prologue ?? ''), s: kp(v.init_static), e: kp(v.init_ephemeral), rs: v.init_remote_static ? fromHex(v.init_remote_static) : undefined, psks: (v.init_psks ?? []).map(fromHex) });
        resp = new HandshakeState({ protocol: v.protocol_name, initiator: false, prologue: fromHex(v.resp_prologue ?? ''), s: kp(v.resp_static), e: kp(v.resp_ephemeral), rs: v.resp_remote_static ? fromHex(v.resp_remote_static) : undefined, psks: (v.resp_psks ?? []).map(fromHex) });
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
      eq(toHex(init.handshakeHash), v.handshake_hash, 'handshake hash (initiator)');
      eq(toHex(resp.handshakeHash), v.handshake_hash, 'handshake hash (responder)');
      const a = init.split();
      const b = resp.split();
      for (; i < msgs.length; i++) {
        const fromInit = init.pattern.oneWay || i % 2 === 0;
        const [send, recv] = fromInit ? [a.send, b.receive] : [b.send, a.receive];
        const ct = send.encryptWithAd(new Uint8Array(0), fromHex(msgs[i].payload));
        eq(toHex(ct), msgs[i].ciphertext, `transport message ${i + 1}`);
        eq(toHex(recv.decryptWithAd(new Uint8Array(0), ct)), msgs[i].payload, `transport payload ${i + 1}`);
      }
    });
  }
}
