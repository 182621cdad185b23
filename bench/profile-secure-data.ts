/**
 * The encrypted DATA path alone, without transports or the event loop (issue 18): a 162 B request
 * sealed into an M2M AEAD frame by one SecureChannel and opened by its peer, the way an XX
 * session does it (message fields bound into the associated data), against the same frame in
 * plaintext and against the bare ChaCha20-Poly1305 seal+open of the same bytes; then whole
 * sessions over the in-memory transport, plaintext and XX. Prints CPU µs per message (both ends,
 * best of several rounds: steadier than rates on a shared machine); the difference between the
 * rows is what encryption adds around the AEAD.
 * `LEGACY=1` hides the protections' in-place seal and reused-buffer open (the path before them).
 *
 * ```sh
 * node --import tsx --conditions=@m2m/source --conditions=@m2m/platform-source bench/profile-secure-data.ts
 * ```
 * @module
 */
import type { AeadFrameProtection, EncodeFrameOptions } from '@m2m/core';
import { decodeFrame, encodeFrameWith } from '@m2m/core/internal';
import { CipherState, chacha20poly1305Open } from '@m2m/crypto';
import { openInto, sealInPlace, sealParts } from '@m2m/crypto/internal';
import { BindingProtection, SecureChannel } from '@m2m/session/internal';
import { allowKeys, Session, type Message, type SessionOptions } from '@m2m/session';
import { ManualClock, memoryTransportPair } from '@m2m/session/testing';
import { KeyPair } from '@m2m/crypto';
import { sessionMessagesPerSecond } from './measure.js';

const N = Number(process.env.N ?? 50_000);
const ROUNDS = 5;
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const k1 = new Uint8Array(32).fill(1);
const k2 = new Uint8Array(32).fill(2);
const clock = new ManualClock();
const a = new SecureChannel(new CipherState(k1), new CipherState(k2), clock);
const b = new SecureChannel(new CipherState(k2), new CipherState(k1), clock);
// LEGACY=1: only `seal`/`open`, as every protection had before the fast paths.
const plainOnly = (p: AeadFrameProtection): AeadFrameProtection => ({ mode: 'aead', seal: (x, y) => p.seal(x, y), open: (x, y) => p.open(x, y) });
const legacy = process.env.LEGACY === '1';
const sender = new BindingProtection(legacy ? plainOnly(a.data) : a.data);
const receiver = new BindingProtection(legacy ? plainOnly(b.data) : b.data);
const message: Message = { type: 'DATA', sessionId: 'bench-session', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: '' } } };
const moving: Message = { ...message, timestamp: 1 };
const bytes = (n: number) => new Uint8Array(n);
const sealedOpts: EncodeFrameOptions = { compression: 'auto', protection: sender };
const plainOpts: EncodeFrameOptions = { compression: 'auto' };
const body = new TextEncoder().encode(payload);
const nonce = new Uint8Array(12);
// Sized as a 162 B request's sealed section (8 B preamble) and its headers ‖ binding.
const inPlace = new Uint8Array(body.length + 16);
const opened = new Uint8Array(body.length);
const headerAad = new Uint8Array(64);

const cases: Record<string, () => void> = {
  'plaintext frame': () => {
    decodeFrame(encodeFrameWith(payload, plainOpts, bytes));
  },
  'XX frame (bound)': () => {
    sender.bindMessage(message);
    const frame = encodeFrameWith(payload, sealedOpts, bytes);
    receiver.bindMessage(message);
    decodeFrame(frame, { protection: receiver });
  },
  // A new timestamp every frame: the binding is written again for each (secure/binding.ts keeps
  // it while a session's messages share their binding fields, as they do within a millisecond).
  'XX frame (bound, new ms)': () => {
    moving.timestamp++;
    sender.bindMessage(moving);
    const frame = encodeFrameWith(payload, sealedOpts, bytes);
    receiver.bindMessage(moving);
    decodeFrame(frame, { protection: receiver });
  },
  // What the frame path calls (in place, into a reused buffer): the floor under the XX rows.
  'bare AEAD in place': () => {
    inPlace.set(body);
    sealInPlace(k1, nonce, inPlace.subarray(0, body.length), headerAad, inPlace.subarray(body.length));
    openInto(k1, nonce, inPlace, headerAad, opened);
  },
  'bare AEAD seal+open': () => {
    const { ciphertext, tag } = sealParts(k1, nonce, body, nonce);
    const sealed = new Uint8Array(ciphertext.length + 16);
    sealed.set(ciphertext);
    sealed.set(tag, ciphertext.length);
    chacha20poly1305Open(k1, nonce, sealed, nonce);
  },
};

const best: Record<string, number> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(cases)) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < N; i++) run();
    const t = process.cpuUsage(t0);
    best[name] = Math.min(best[name] ?? Infinity, (t.user + t.system) / N);
  }
}
// Whole sessions: a fresh pair per round (handshake outside the timing), the same messages.
const [serverKey, clientKey] = [KeyPair.generate(), KeyPair.generate()];
const SESSION_N = Math.ceil(N / 5);
for (const secure of [false, true]) {
  const name = secure ? 'XX session (memory)' : 'plaintext session (memory)';
  const serverOptions: SessionOptions = secure ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {};
  const clientOptions: SessionOptions = secure ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {};
  for (let r = 0; r < ROUNDS; r++) {
    const [ta, tb] = memoryTransportPair();
    const sp = Session.server(tb, serverOptions);
    const client = await Session.client(ta, clientOptions);
    const server = (await sp)!;
    const t0 = process.cpuUsage();
    await sessionMessagesPerSecond(client, server, payload, SESSION_N);
    const t = process.cpuUsage(t0);
    best[name] = Math.min(best[name] ?? Infinity, (t.user + t.system) / SESSION_N);
    await client.close();
  }
}
for (const [name, us] of Object.entries(best)) console.log(`${name.padEnd(26)} ${us.toFixed(2)} µs CPU per message (both ends; best of ${ROUNDS} rounds)${legacy ? ' [LEGACY]' : ''}`);
console.log(`encryption adds ${(best['XX frame (bound)'] - best['plaintext frame']).toFixed(2)} µs per frame (${(best['XX frame (bound, new ms)'] - best['plaintext frame']).toFixed(2)} with a new binding each frame), ${(best['XX session (memory)'] - best['plaintext session (memory)']).toFixed(2)} µs per session message; the AEAD itself ${best['bare AEAD in place'].toFixed(2)} µs in place (${best['bare AEAD seal+open'].toFixed(2)} into fresh arrays)`);
