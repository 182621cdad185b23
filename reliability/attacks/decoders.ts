/**
 * Decoder attacks (issue 13): inputs that cost far more than their size before the decoders
 * were bounded. Each builder takes a size so the tests can run a capped version (one that the
 * unbounded code would still have failed by a wide margin, without killing the test runner);
 * {@link decoderAttacks} runs them at the sizes the issue reported.
 * @module
 */
import * as net from 'node:net';
import WebSocket from 'ws';
import { aeadProtection } from '@m2m/crypto';
import { HandshakeState, KeyPair } from '@m2m/crypto';
import { decodeFrame, decompress, inspectFrame, isSdkError, M2M_PREFIX_BYTES } from '@m2m/core';
import { allowKeys, binaryCodec, connect, defaultCapabilities, encodeMessageBinary, listen, type ListenOptions, type Server } from '@m2m/session';
import { encodeMessageJson, jsonCodec } from '@m2m/session/json';
import { decodeCapabilities } from '@m2m/session/internal';
import { httpTransport } from '@m2m/session/http';
import type { Attack } from '../lib/adversary.js';

/** `http://` servers are dialed through `@m2m/session/http`. */
const dialerFor = (url: string) => (url.startsWith('http') ? { transport: httpTransport } : {});

const MiB = 2 ** 20;
const AEAD_KEY = new Uint8Array(32).fill(7);

// ---------------------------------------------------------------------------------------------
// Inputs

/**
 * `levels` nested MessagePack `array32` headers, each declaring `count` elements (27,042,091
 * by default: just under V8's fast-array limit, so an unbounded decoder really allocates 206 MiB
 * per level). 25 levels are the issue's 125-byte process kill.
 */
export function nestedArray32(levels: number, count = 27_042_091): Uint8Array {
  const out = new Uint8Array(levels * 5);
  for (let i = 0; i < levels; i++) {
    out[i * 5] = 0xdd;
    new DataView(out.buffer).setUint32(i * 5 + 1, count);
  }
  return out;
}

/**
 * A request frame of `totalBytes` whose routing header claims four messages for every byte
 * after it (12 MB: 48 M messages). Its security byte says `security`; nothing after the header
 * is valid, so only the header reader is reached.
 */
export function routingLieFrame(totalBytes: number, security: 'none' | 'aead' = 'none'): Uint8Array {
  const frame = new Uint8Array(totalBytes);
  frame.set(M2M_PREFIX_BYTES, 0);
  const dv = new DataView(frame.buffer);
  dv.setUint16(7, 30, true); // header_len: fixed 20 + model (2) + msg_count (4) + cost (4)
  frame[9] = 0x01; // Request
  frame[10] = security === 'aead' ? 2 : 0;
  frame[27] = 1; // model "x"
  frame[28] = 0x78;
  // msg_count as a 4-byte varint: as many roles as the rest of the frame can pack.
  const claimed = Math.min(4 * (totalBytes - 33), 2 ** 28 - 1);
  for (let i = 0; i < 4; i++) frame[29 + i] = ((claimed >>> (7 * i)) & 0x7f) | (i < 3 ? 0x80 : 0);
  return frame;
}

/**
 * One cl100k token of 128 spaces as TokenNative's base64: a 3-byte varint in 4 characters.
 * (the tests check that it decodes to 128 spaces; written by hand, as an attacker would, since
 * our encoder cuts long runs into 64-character blocks, and so that building the bomb does not
 * load the tokenizer inside the measurement.)
 */
export const SPACES_128_TOKEN = 'uMUD';

/**
 * TokenNative text of about `textBytes` whose every token is 128 spaces: each 4 base64
 * characters expand to 128 bytes (16.8 MB → 512 MiB, the issue's case).
 */
export function tokenNativeBomb(textBytes: number): string {
  return `#TK|C|${SPACES_128_TOKEN.repeat(Math.max(1, Math.floor((textBytes - 6) / SPACES_128_TOKEN.length)))}`;
}

/** A HELLO (json codec) whose agent id is `agentIdBytes` long. */
export function bigAgentIdHelloJson(agentIdBytes: number): Uint8Array {
  const value = { ...defaultCapabilities(), agentId: 'a'.repeat(agentIdBytes) };
  return jsonCodec.encode({ type: 'HELLO', timestamp: Date.now(), payload: { kind: 'capabilities', value } });
}

/** The same HELLO in the binary codec. */
export function bigAgentIdHelloBinary(agentIdBytes: number): Uint8Array {
  const value = { ...defaultCapabilities(), agentId: 'a'.repeat(agentIdBytes) };
  return encodeMessageBinary({ type: 'HELLO', timestamp: Date.now(), payload: { kind: 'capabilities', value } });
}

/** A json-codec PING carrying an unknown key with `bytes` of empty objects (`{},{},…`). */
export function jsonManyElements(bytes: number): Uint8Array {
  const n = Math.max(1, Math.floor((bytes - 40) / 3));
  return new TextEncoder().encode(`{"type":"PING","timestamp":1,"x":[${'{},'.repeat(n)}{}]}`);
}

/** A json-codec PING carrying an unknown key nested `depth` arrays deep. */
export function jsonDeep(depth: number): Uint8Array {
  return new TextEncoder().encode(`{"type":"PING","timestamp":1,"x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

/** A MessagePack array32 of `count` nils (every length honest; only the count is large). */
export function msgpackManyNils(count: number): Uint8Array {
  const out = new Uint8Array(5 + count).fill(0xc0);
  out[0] = 0xdd;
  new DataView(out.buffer).setUint32(1, count);
  return out;
}

/** The prologue of the session's Noise handshakes (packages/session/src/secure/handshake.ts). */
const PROLOGUE = new TextEncoder().encode('M2M-session/1');

/** A HELLO (json codec) for an XX server whose Noise message 1 carries `payload` as its capabilities. */
export function xxJsonHelloWith(payload: Uint8Array): Uint8Array {
  const hs = new HandshakeState({ protocol: 'XX', initiator: true, prologue: PROLOGUE, s: { secret: KeyPair.generate().exportSecret(), publicKey: new Uint8Array(32) } });
  const message = hs.writeMessage(payload);
  return new TextEncoder().encode(encodeMessageJson({ type: 'HELLO', timestamp: Date.now(), payload: { kind: 'handshake', value: { protocol: hs.protocolName, message } } }));
}

// ---------------------------------------------------------------------------------------------
// Running them

/** Runs a synchronous decoder and names how it ended. */
function outcomeOf(f: () => unknown): { outcome: string } {
  try {
    f();
    return { outcome: 'accepted' };
  } catch (e) {
    return { outcome: isSdkError(e) ? e.code : `non-SDK ${(e as Error)?.name}` };
  }
}

const serverKey = KeyPair.generate();

/** An echo server on loopback TCP that records why connections failed before becoming sessions. */
async function echoServer(options: Partial<ListenOptions>): Promise<{ server: Server; failures: string[] }> {
  const failures: string[] = [];
  const server = await listen({
    transport: 'tcp',
    timers: { helloTimeoutMs: 2_000 },
    ...options,
    onHandshakeError: (e) => failures.push(isSdkError(e) ? e.code : 'UNCODED'),
    onSession: (s) => {
      void (async () => {
        for await (const m of s) await s.send(m.content).catch(() => undefined);
      })().catch(() => undefined);
    },
  } as ListenOptions);
  return { server, failures };
}

/** Delivers `bytes` as the first message over the server's transport and says how the server reacted. */
async function deliver(server: Server, transport: 'tcp' | 'ws' | 'http', bytes: Uint8Array): Promise<string> {
  if (transport === 'tcp') return sendRaw(server.port, bytes);
  if (transport === 'http') {
    const res = await fetch(`${server.url}/message`, { method: 'POST', body: new Uint8Array(bytes) as Uint8Array<ArrayBuffer>, signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return `HTTP ${res.status}`;
  }
  const ws = new WebSocket(server.url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.on('error', () => undefined);
  ws.send(bytes);
  const closed = await Promise.race([new Promise<'closed'>((r) => ws.once('close', () => r('closed'))), new Promise<'left open'>((r) => setTimeout(() => r('left open'), 5_000))]);
  ws.terminate();
  return closed;
}

/** Sends `bytes` as one length-prefixed TCP message and waits for the server to close the connection. */
async function sendRaw(port: number, bytes: Uint8Array): Promise<'closed' | 'left open'> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(bytes.length);
  socket.write(head);
  socket.write(bytes);
  socket.on('error', () => undefined);
  const closed = await Promise.race([new Promise<'closed'>((r) => socket.once('close', () => r('closed'))), new Promise<'left open'>((r) => setTimeout(() => r('left open'), 5_000))]);
  socket.destroy();
  return closed;
}

/** Whether a legitimate client still gets an answer: one DATA round trip. */
async function answers(server: Server, options: Partial<ListenOptions>): Promise<boolean> {
  const secure = options.secure ? { staticKey: KeyPair.generate(), verifyPeer: allowKeys([serverKey.publicKey]) } : undefined;
  const client = await connect(server.url, { ...dialerFor(server.url), ...(secure ? { secure } : {}), ...(options.codec ? { codec: options.codec } : {}) });
  try {
    const json = '{"model":"x","messages":[{"role":"user","content":"still there?"}]}';
    await client.send(json);
    const it = client[Symbol.asyncIterator]();
    const reply = await it.next();
    return !reply.done && reply.value.content === json;
  } finally {
    await client.close();
  }
}

/** An attack on a fresh server: send `bytes` first, then check a legitimate client. */
function serverAttack(name: string, bytes: () => Uint8Array, inputBytes: number, options: Partial<ListenOptions> & { transport?: 'tcp' | 'ws' | 'http' } = {}): Attack {
  return {
    name,
    inputBytes,
    async run() {
      const { server, failures } = await echoServer(options);
      try {
        const ended = await deliver(server, options.transport ?? 'tcp', bytes());
        const ok = await answers(server, options);
        return { outcome: `${ended}${failures.length ? ` (${failures.join(', ')})` : ''}; ${ok ? 'server answers' : 'SERVER DOES NOT ANSWER'}` };
      } finally {
        await server.close();
      }
    },
  };
}

/**
 * A client connects to a fake server that answers its HELLO with an ACCEPT whose Noise message 2
 * carries `payload` where the session id and capabilities belong: the client must fail with a
 * typed error, holding little.
 */
function acceptReplyAttack(name: string, payload: () => Uint8Array, inputBytes: number): Attack {
  return {
    name,
    inputBytes,
    async run() {
      const responder = KeyPair.generate();
      const fake = net.createServer((socket) => {
        let buffered = Buffer.alloc(0);
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          buffered = Buffer.concat([buffered, chunk]);
          if (buffered.length < 4 || buffered.length < 4 + buffered.readUInt32BE(0)) return;
          const hello = binaryCodec.decode(new Uint8Array(buffered.subarray(4, 4 + buffered.readUInt32BE(0))));
          if (hello.payload?.kind !== 'handshake') return void socket.destroy();
          const hs = new HandshakeState({ protocol: 'XX', initiator: false, prologue: PROLOGUE, s: { secret: responder.exportSecret(), publicKey: responder.publicKey } });
          hs.readMessage(hello.payload.value.message);
          const accept = binaryCodec.encode({ type: 'ACCEPT', sessionId: 's', timestamp: Date.now(), payload: { kind: 'handshake', value: { message: hs.writeMessage(payload()) } } });
          const head = Buffer.alloc(4);
          head.writeUInt32BE(accept.length);
          socket.write(head);
          socket.write(accept);
        });
      });
      await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
      const port = (fake.address() as net.AddressInfo).port;
      try {
        const client = await connect(`tcp://127.0.0.1:${port}`, { codec: 'binary', secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([responder.publicKey]) } });
        await client.close();
        return { outcome: 'accepted' };
      } catch (e) {
        const cause = (e as { cause?: unknown }).cause;
        return { outcome: isSdkError(e) ? `${e.code}${isSdkError(cause) ? ` (${cause.code})` : ''}` : `non-SDK ${(e as Error)?.name}` };
      } finally {
        await new Promise((r) => fake.close(r));
      }
    },
  };
}

/** Sizes of one attack set. */
export interface DecoderAttackSizes {
  /** Nesting levels of the MessagePack bomb (25: the issue's 125 bytes). */
  msgpackLevels: number;
  /** Bytes of the routing-lie frame (12 MB in the issue). */
  routingFrameBytes: number;
  /** Characters of the TokenNative bomb (16.8 MB in the issue, expanding to 511 MiB). */
  tokenNativeBytes: number;
  /** Bytes of the oversized agent id (6 MiB in the issue). */
  agentIdBytes: number;
  /** Bytes of the element-heavy JSON message. */
  jsonElementBytes: number;
  /** Nils in the MessagePack element-count attack. */
  msgpackNils: number;
}

/** The sizes the issue reported. */
export const FULL_SIZES: Readonly<DecoderAttackSizes> = Object.freeze({
  msgpackLevels: 25,
  routingFrameBytes: 12_000_000,
  tokenNativeBytes: 16_700_000, // under the 16 MiB message limit, so detokenizing is what stops it
  agentIdBytes: 6 * MiB,
  jsonElementBytes: 15 * MiB,
  msgpackNils: 15 * MiB,
});

/** Every decoder attack at the given sizes (loads the cl100k rank table now, so its one-time load is not measured). */
export function makeDecoderAttacks(sizes: Readonly<DecoderAttackSizes> = FULL_SIZES): Attack[] {
  decompress('#TK|C|AA==');
  const bomb = () => nestedArray32(sizes.msgpackLevels);
  const bombBytes = sizes.msgpackLevels * 5;
  return [
    { name: `MessagePack: ${sizes.msgpackLevels} nested array32 × 27 M elements (binary codec)`, inputBytes: bombBytes, run: async () => outcomeOf(() => binaryCodec.decode(bomb())) },
    { name: `MessagePack: the same as capabilities (decodeCapabilities)`, inputBytes: bombBytes, run: async () => outcomeOf(() => decodeCapabilities(bomb())) },
    { name: 'MessagePack: array32 of 15 M nils (binary codec)', inputBytes: 5 + sizes.msgpackNils, run: async () => outcomeOf(() => binaryCodec.decode(msgpackManyNils(sizes.msgpackNils))) },
    { name: `Routing header claiming ${Math.round((4 * sizes.routingFrameBytes) / 1e6)} M messages (inspectFrame)`, inputBytes: sizes.routingFrameBytes, run: async () => outcomeOf(() => inspectFrame(routingLieFrame(sizes.routingFrameBytes))) },
    { name: 'The same in an AEAD frame, before the tag is checked (decodeFrame)', inputBytes: sizes.routingFrameBytes, run: async () => outcomeOf(() => decodeFrame(routingLieFrame(sizes.routingFrameBytes, 'aead'), { protection: aeadProtection(AEAD_KEY) })) },
    { name: 'TokenNative of 128-space tokens (decompress)', inputBytes: sizes.tokenNativeBytes, run: async () => outcomeOf(() => decompress(tokenNativeBomb(sizes.tokenNativeBytes))) },
    { name: 'Capabilities: oversized agent id (json codec)', inputBytes: sizes.agentIdBytes, run: async () => outcomeOf(() => jsonCodec.decode(bigAgentIdHelloJson(sizes.agentIdBytes))) },
    { name: 'Capabilities: oversized agent id (binary codec)', inputBytes: sizes.agentIdBytes, run: async () => outcomeOf(() => binaryCodec.decode(bigAgentIdHelloBinary(sizes.agentIdBytes))) },
    { name: 'JSON message: millions of empty objects under an unknown key', inputBytes: sizes.jsonElementBytes, run: async () => outcomeOf(() => jsonCodec.decode(jsonManyElements(sizes.jsonElementBytes))) },
    { name: 'JSON message: 1 M nested arrays under an unknown key', inputBytes: 2 * MiB, run: async () => outcomeOf(() => jsonCodec.decode(jsonDeep(MiB))) },
    serverAttack(`MessagePack bomb as the first message (TCP listen, ${bombBytes} B)`, bomb, bombBytes),
    serverAttack(`MessagePack bomb as the first message (WebSocket listen, ${bombBytes} B)`, bomb, bombBytes, { transport: 'ws' }),
    serverAttack(`MessagePack bomb as the first message (HTTP listen, ${bombBytes} B)`, bomb, bombBytes, { transport: 'http' }),
    serverAttack('MessagePack bomb as capabilities in a json HELLO (XX server pinned to json)', () => xxJsonHelloWith(bomb()), 200 + bombBytes, { secure: { staticKey: serverKey }, codec: 'json' }),
    serverAttack('Oversized agent id in HELLO (TCP listen)', () => bigAgentIdHelloJson(sizes.agentIdBytes), sizes.agentIdBytes),
    acceptReplyAttack('MessagePack bomb in ACCEPT\'s Noise payload (the client side)', bomb, bombBytes + 100),
  ];
}

/** The decoder attacks at the issue's sizes (for `pnpm stress`). */
export const decoderAttacks: Attack[] = makeDecoderAttacks();
