/**
 * Integrity attacks on encrypted sessions (issue 13) as adversary descriptors: a man in the
 * middle who edits what travels outside the AEAD frames, replays or edits a first handshake
 * message, or meets a client that does not verify the server. Each `run` reports how the
 * attack ended; none of them may reach the application (docs/PROTOCOL.md §7).
 * @module
 */
import * as net from 'node:net';
import { isSdkError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, decodeMessageBinary, encodeMessageBinary, listen, Session, type Message, type SecureOptions, type Transport } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';
import type { Attack } from '../lib/adversary.js';


const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();
const pin = allowKeys([serverKey.publicKey]);
const request = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'integrity' }] });
const codeOf = (e: unknown) => (isSdkError(e) ? e.code : 'UNCODED');

/** A memory link whose client→server messages pass through `edit`; `injected` counts the bytes it wrote. */
function tapped(edit: (m: Message, bytes: Uint8Array) => Uint8Array | undefined) {
  const [a, b] = memoryTransportPair();
  const stats = { injected: 0 };
  const client: Transport = {
    kind: 'tap',
    send: async (d) => {
      const changed = edit(decodeMessageBinary(d), d);
      if (changed) stats.injected += changed.length;
      await a.send(changed ?? d);
    },
    close: () => a.close(),
    [Symbol.asyncIterator]: () => a[Symbol.asyncIterator](),
  };
  return { client, server: b, stats };
}

/** Edits the first DATA on the way and reports how the server's session ended. */
function dataEdit(field: string, change: (m: Message) => Message): Attack {
  return {
    name: `XX: DATA ${field} rewritten by a man in the middle`,
    inputBytes: 0,
    async run() {
      let done = false;
      const link = tapped((m) => (done || m.type !== 'DATA' ? undefined : ((done = true), encodeMessageBinary(change(m)))));
      const sp = Session.server(link.server, { secure: { staticKey: serverKey } });
      const client = await Session.client(link.client, { secure: { staticKey: clientKey, verifyPeer: pin } });
      const server = (await sp)!;
      let delivered = 0;
      const reader = (async () => {
        for await (const m of server) if (m) delivered++;
      })().catch(() => undefined);
      await client.send(request, { includeOriginalSize: true, securityStatus: { scanned: true, safe: false, threatType: 'prompt_injection', confidence: 0.9 } });
      const info = await server.closed;
      await reader;
      this.inputBytes = link.stats.injected;
      return { outcome: `${info.error?.code ?? info.reason}, ${delivered} delivered` };
    },
  };
}

const withData = (m: Message, f: (v: Extract<Message['payload'], { kind: 'data' }>['value']) => void): Message => {
  if (m.payload?.kind !== 'data') return m;
  const value = { ...m.payload.value };
  f(value);
  return { ...m, payload: { kind: 'data', value } };
};

/** Captures a real IK client's HELLO. */
async function ikHello(): Promise<Uint8Array> {
  let hello: Uint8Array | undefined;
  const link = tapped((m, bytes) => {
    if (m.type === 'HELLO') hello = bytes.slice();
    return undefined;
  });
  const sp = Session.server(link.server, { secure: { pattern: 'IK', staticKey: serverKey } });
  const c = await Session.client(link.client, { secure: { pattern: 'IK', staticKey: clientKey, remoteStaticKey: serverKey.publicKey } });
  await (await sp)!.close();
  await c.closed;
  return hello!;
}

/** Integrity attacks, for the adversary table. */
export const integrityAttacks: Attack[] = [
  dataEdit('security_status', (m) => withData(m, (v) => (v.securityStatus = { scanned: true, safe: true }))),
  dataEdit('original_size', (m) => withData(m, (v) => (v.originalSize = 1))),
  dataEdit('session_id', (m) => ({ ...m, sessionId: 'other' })),
  {
    name: 'XX: sealed CLOSE re-timestamped by a man in the middle',
    inputBytes: 0,
    async run() {
      let done = false;
      const link = tapped((m) => (done || m.type !== 'CLOSE' ? undefined : ((done = true), encodeMessageBinary({ ...m, timestamp: m.timestamp + 1 }))));
      const sp = Session.server(link.server, { secure: { staticKey: serverKey } });
      const client = await Session.client(link.client, { secure: { staticKey: clientKey, verifyPeer: pin } });
      const server = (await sp)!;
      void client.close('CLIENT_SHUTDOWN', 'bye');
      const info = await server.closed;
      this.inputBytes = link.stats.injected;
      return { outcome: `${info.error?.code ?? info.reason}` };
    },
  },
  {
    name: 'IK: captured HELLO replayed to listen() over TCP',
    inputBytes: 0,
    async run() {
      const hello = await ikHello();
      this.inputBytes = hello.length + 4;
      let sessions = 0;
      const failures: string[] = [];
      const server = await listen({ transport: 'tcp', secure: { pattern: 'IK', staticKey: serverKey }, onSession: () => void sessions++, onHandshakeError: (e) => failures.push(codeOf(e)) });
      try {
        const sock = net.connect(server.port, '127.0.0.1');
        await new Promise((r) => sock.once('connect', r));
        const head = Buffer.alloc(4);
        head.writeUInt32BE(hello.length);
        sock.write(Buffer.concat([head, hello]));
        await new Promise((r) => sock.once('data', r));
        sock.destroy();
        for (let i = 0; i < 200 && !failures.length; i++) await new Promise((r) => setTimeout(r, 10));
        return { outcome: `${sessions} sessions, ${failures.join(',') || 'no failure seen'}` };
      } finally {
        await server.close();
      }
    },
  },
  {
    name: 'NN: HELLO capabilities edited in flight',
    inputBytes: 0,
    async run() {
      const link = tapped((m) => {
        if (m.type !== 'HELLO' || m.payload?.kind !== 'handshake') return undefined;
        const message = m.payload.value.message.slice();
        message[message.length - 3] ^= 1;
        return encodeMessageBinary({ ...m, payload: { kind: 'handshake', value: { ...m.payload.value, message } } });
      });
      const server = Session.server(link.server, { secure: { pattern: 'NN' } }).then((s) => (s ? 'session' : 'refused'), codeOf);
      const client = await Session.client(link.client, { secure: { pattern: 'NN', insecureSkipPeerVerification: true } }).then(() => 'client connected', codeOf);
      this.inputBytes = link.stats.injected;
      return { outcome: `server ${await server}, client ${client}` };
    },
  },
  {
    name: 'XX: connect() without peer verification',
    inputBytes: 0,
    async run() {
      const options: SecureOptions = { staticKey: clientKey };
      const outcome = await connect('tcp://127.0.0.1:9', { secure: options }).then(() => 'connected', codeOf);
      return { outcome: `${outcome} before dialing` };
    },
  },
];
