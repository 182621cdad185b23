/**
 * Our encrypted-session vectors (test-vectors/m2m-secure-sessions.json): the Noise messages of
 * HELLO/ACCEPT/AUTH, the capability payload format, handshake hash, Split and Rekey keys, and
 * transport frames with the SDK's counter nonces.
 * @module
 */
import { fromHex, toHex } from '@m2m/core';
import { HandshakeState, KeyPair } from '@m2m/crypto';
import { decodeMessageBinary, encodeMessageBinary } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';
import { decodeMessageJson, encodeMessageJson } from '@m2m/session/json';
import { boundProtection, decodeCapabilities, encodeCapabilities, messageBinding, openControlMessage, SecureChannel, sealControlMessage } from '@m2m/session/internal';
import { CipherState } from '@m2m/crypto';
import { eq } from './check.js';
import { extraFormats } from './run.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const pair = (hex: string) => {
  const kp = KeyPair.fromSecret(fromHex(hex));
  return { secret: kp.exportSecret(), publicKey: kp.publicKey };
};

extraFormats.push([
  'm2m-secure-sessions/1',
  (d: J) => d.format === 'm2m-secure-sessions/1',
  (c, d: J) => {
    for (const v of d.cases as J[]) {
      c.run(`${v.name}: capability payload`, () => eq(toHex(encodeCapabilities(decodeCapabilities(fromHex(v.client_capabilities_hex)))), v.client_capabilities_hex, 'capabilities'));
      c.run(`${v.name}: handshake`, () => {
        const server = pair(v.server_static_secret_hex);
        const prologue = fromHex(v.prologue_hex);
        const i = new HandshakeState({ protocol: v.protocol, initiator: true, prologue, s: pair(v.client_static_secret_hex), e: pair(v.client_ephemeral_secret_hex), rs: v.pattern === 'IK' ? server.publicKey : undefined });
        const r = new HandshakeState({ protocol: v.protocol, initiator: false, prologue, s: server, e: pair(v.server_ephemeral_secret_hex) });
        const payloads = [fromHex(v.client_capabilities_hex), fromHex(v.accept_payload_hex), new Uint8Array(0)];
        (v.messages_hex as string[]).forEach((expected, n) => {
          const [w, rd] = n % 2 === 0 ? [i, r] : [r, i];
          const m = w.writeMessage(payloads[n]);
          eq(toHex(m), expected, `message ${n + 1}`);
          eq(toHex(rd.readMessage(m)), toHex(payloads[n]), `payload ${n + 1}`);
        });
        eq(toHex(i.handshakeHash), v.handshake_hash_hex, 'handshake hash');
        eq(toHex(i.split().send.k!), v.client_send_key_hex, 'client send key');
        eq(toHex(r.split().send.k!), v.server_send_key_hex, 'server send key');
        const rekeyed = new CipherState(fromHex(v.client_send_key_hex));
        rekeyed.rekey();
        eq(toHex(rekeyed.k!), v.client_send_key_after_rekey_hex, 'rekey');
      });
      c.run(`${v.name}: transport frames`, () => {
        const clock = new ManualClock();
        const k1 = () => new CipherState(fromHex(v.client_send_key_hex));
        const k2 = () => new CipherState(fromHex(v.server_send_key_hex));
        const clientTx = new SecureChannel(k1(), k2(), clock);
        const serverRx = new SecureChannel(k2(), k1(), clock, { replayWindow: 16 });
        const clientRx = new SecureChannel(k1(), k2(), clock, { replayWindow: 16 });
        for (const f of v.frames as J[]) {
          const aad = fromHex(f.aad_hex);
          const sealed = fromHex(f.sealed_hex);
          if (f.direction === 'client->server' && f.counter === 0) {
            const p = clientTx.data.seal(aad, fromHex(f.plaintext_hex));
            eq(toHex(p.nonce) + toHex(p.ciphertext) + toHex(p.tag), f.sealed_hex, 'sealed by the SDK');
          }
          const rx = f.direction === 'client->server' ? serverRx : clientRx;
          const opened = (f.kind === 0 ? rx.data : rx.control).open(aad, sealed);
          eq(toHex(opened), f.plaintext_hex, `opened ${f.direction} #${f.counter}`);
        }
        eq(serverRx.receiveEpoch, 1, 'receiver followed the rekey');
      });
      // Message binding (docs/PROTOCOL.md §7.3): fields outside the frame join its associated data.
      if (Array.isArray(v.data_messages)) {
        c.run(`${v.name}: bound messages`, () => {
          const clock = new ManualClock();
          const clientTx = new SecureChannel(new CipherState(fromHex(v.client_send_key_hex)), new CipherState(fromHex(v.server_send_key_hex)), clock);
          const serverRx = new SecureChannel(new CipherState(fromHex(v.server_send_key_hex)), new CipherState(fromHex(v.client_send_key_hex)), clock);
          for (const f of v.data_messages as J[]) {
            const binding = messageBinding(decodeMessageJson(JSON.stringify(f.message)));
            eq(toHex(binding), f.binding_hex, `binding of ${f.message.type} #${f.counter}`);
            const aad = fromHex(f.aad_hex);
            const header = aad.subarray(0, aad.length - binding.length);
            const tx = boundProtection(f.kind === 0 ? clientTx.data : clientTx.control, binding).seal(header, fromHex(f.plaintext_hex));
            eq(toHex(tx.nonce) + toHex(tx.ciphertext) + toHex(tx.tag), f.sealed_hex, `sealed ${f.message.type} #${f.counter}`);
            const opened = boundProtection(f.kind === 0 ? serverRx.data : serverRx.control, binding).open(header, fromHex(f.sealed_hex));
            eq(toHex(opened), f.plaintext_hex, `opened ${f.message.type} #${f.counter}`);
          }
        });
      }
      // Sealed control messages, whole (docs/PROTOCOL.md §7.3): what the SDK sends, and what it reads back.
      if (Array.isArray(v.control_messages)) {
        c.run(`${v.name}: sealed control messages`, () => {
          const clock = new ManualClock();
          const clientTx = new SecureChannel(new CipherState(fromHex(v.client_send_key_hex)), new CipherState(fromHex(v.server_send_key_hex)), clock);
          const serverRx = new SecureChannel(new CipherState(fromHex(v.server_send_key_hex)), new CipherState(fromHex(v.client_send_key_hex)), clock);
          for (const f of v.control_messages as J[]) {
            const plain = decodeMessageJson(JSON.stringify(f.message));
            const sealed = sealControlMessage(clientTx, plain);
            eq(toHex(messageBinding(sealed)), f.binding_hex, `binding of ${f.message.type}`);
            eq(toHex(encodeMessageBinary(sealed)), f.message_hex, `sealed ${f.message.type} #${f.counter}`);
            const opened = openControlMessage(serverRx, decodeMessageBinary(fromHex(f.message_hex)));
            eq(encodeMessageJson(opened), encodeMessageJson(plain), `opened ${f.message.type} #${f.counter}`);
          }
        });
      }
    }
  },
]);
