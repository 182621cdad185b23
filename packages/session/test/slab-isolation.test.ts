/**
 * Buffers are owned per connection (codec/slab.ts): two sessions in one process (memory, ws, NATS), each sending
 * its own marker, and nothing either one hands the application (content bytes, frames, the
 * message, any view in them) has a backing store that holds the other connection's bytes: its
 * marker, or (encrypted) the tail of any message it put on the wire.
 */
import { describe, expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, dataFrame, listen, Session, type SecureOptions, type SessionData, type Transport } from '../src/index.js';
import { memoryTransportPair } from '../src/transport/memory.js';
import { natsServerPath, startNatsServer } from './fixtures/nats-server.js';

const natsBin = natsServerPath();
if (!natsBin) console.warn('slab-isolation.test.ts: the NATS cases are skipped: nats-server is not installed (apt-get install nats-server)');

const encoder = new TextEncoder();
const ROUNDS = 4;
const BURST = 80;

/** A request whose text carries `mark` several times (well past 64 bytes, so its buffers come from a slab). */
const request = (mark: string, i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `${mark} ${i} ${mark} ${mark}` }] });

/** Every Uint8Array reachable from `value` (a received DATA: its payload, message and frame). */
function views(value: unknown, out: Uint8Array[] = [], depth = 0): Uint8Array[] {
  if (value instanceof Uint8Array) out.push(value);
  else if (value !== null && typeof value === 'object' && depth < 6) for (const v of Object.values(value)) views(v, out, depth + 1);
  return out;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** One connection's record: what its two ends received, and what they put on the wire. */
interface Side {
  mark: string;
  received: SessionData[];
  wire: Uint8Array[];
}

/** Records a copy of every message `transport` sends. */
function tapSends(transport: Transport, wire: Uint8Array[]): void {
  const send = transport.send.bind(transport);
  transport.send = (bytes: Uint8Array) => {
    wire.push(bytes.slice());
    return send(bytes);
  };
}

/**
 * Sessions of one connection exchange a burst (so socket reads hold several messages): the client
 * sends, the server echoes, both keep what they got.
 */
async function exchange(client: Session, server: Session, side: Side, round: number): Promise<void> {
  const sent = Array.from({ length: BURST }, (_, i) => client.send(request(side.mark, round * BURST + i)));
  const atServer = server[Symbol.asyncIterator]();
  const echoes: Promise<void>[] = [];
  for (let i = 0; i < BURST; i++) {
    const got = (await atServer.next()).value as SessionData;
    side.received.push(got);
    echoes.push(server.send(got.content));
  }
  const atClient = client[Symbol.asyncIterator]();
  for (let i = 0; i < BURST; i++) side.received.push((await atClient.next()).value as SessionData);
  await Promise.all([...sent, ...echoes]);
}

/** Asserts nothing `mine` received is backed by memory holding `other`'s marker or wire tails. */
function assertIsolated(mine: Side, other: Side, encrypted: boolean): void {
  const marker = encoder.encode(other.mark);
  // A tail this connection also put on the wire proves nothing: an XX HELLO carries its
  // capabilities in the clear, so two HELLOs of default capabilities end alike, and a session's
  // slab holds its own HELLO beside the DATA frames it sends.
  const tails = encrypted
    ? other.wire
        .filter((w) => w.length > 40)
        .map((w) => w.subarray(w.length - 24))
        .filter((t) => !mine.wire.some((w) => contains(w, t)))
    : [];
  if (encrypted) expect(tails.length).toBeGreaterThan(BURST);
  const stores = new Set<ArrayBufferLike>();
  for (const d of mine.received) {
    for (const v of views(d)) stores.add(v.buffer);
    const frame = dataFrame(d.payload);
    if (frame) stores.add(frame.buffer);
  }
  expect(stores.size).toBeGreaterThan(0);
  for (const store of stores) {
    const bytes = new Uint8Array(store);
    expect(contains(bytes, marker), `a buffer of ${mine.mark} holds ${other.mark}'s marker`).toBe(false);
    for (const t of tails) expect(contains(bytes, t), `a buffer of ${mine.mark} holds ${other.mark}'s wire bytes`).toBe(false);
  }
}

const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();
const secure = (encrypted: boolean, role: 'client' | 'server'): { secure?: SecureOptions } =>
  !encrypted ? {} : role === 'client' ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } };

describe('no received buffer reaches another connection\'s bytes', () => {
  for (const encrypted of [false, true]) {
    it(`memory${encrypted ? ' XX' : ''}`, async () => {
      const sides: Side[] = [
        { mark: 'MARKER-ALPHA-0a1b2c3d', received: [], wire: [] },
        { mark: 'MARKER-BRAVO-4e5f6a7b', received: [], wire: [] },
      ];
      const pairs = await Promise.all(
        sides.map(async (side) => {
          const [a, b] = memoryTransportPair();
          tapSends(a, side.wire);
          tapSends(b, side.wire);
          const sp = Session.server(b, secure(encrypted, 'server'));
          const client = await Session.client(a, secure(encrypted, 'client'));
          return { client, server: (await sp)! };
        }),
      );
      for (let i = 0; i < ROUNDS; i++) await Promise.all(pairs.map((p, s) => exchange(p.client, p.server, sides[s], i)));
      assertIsolated(sides[0], sides[1], encrypted);
      assertIsolated(sides[1], sides[0], encrypted);
      for (const p of pairs) await p.client.close();
    });

    for (const transport of ['ws', 'nats'] as const) {
      it.skipIf(transport === 'nats' && !natsBin)(`${transport}${encrypted ? ' XX' : ''}`, async () => {
        const sides: Side[] = [
          { mark: 'MARKER-CHARLIE-8c9d0e1f', received: [], wire: [] },
          { mark: 'MARKER-DELTA-2a3b4c5d', received: [], wire: [] },
        ];
        const accepted: Session[] = [];
        const waiting: Array<(s: Session) => void> = [];
        const nats = transport === 'nats' ? await startNatsServer() : undefined;
        const server = await listen({
          ...(nats ? { transport: 'nats', servers: nats.address, subject: 'm2m.test.slabs' } : { transport: 'ws' }),
          ...secure(encrypted, 'server'),
          onSession: (s: Session) => {
            tapSends(s.transport, sides[accepted.length]?.wire ?? []);
            accepted.push(s);
            waiting.shift()?.(s);
          },
        });
        try {
          const pairs: Array<{ client: Session; server: Session }> = [];
          for (const side of sides) {
            const next = new Promise<Session>((r) => waiting.push(r));
            const client = await connect(server.url, secure(encrypted, 'client'));
            tapSends(client.transport, side.wire);
            pairs.push({ client, server: await next });
          }
          for (let i = 0; i < ROUNDS; i++) await Promise.all(pairs.map((p, s) => exchange(p.client, p.server, sides[s], i)));
          assertIsolated(sides[0], sides[1], encrypted);
          assertIsolated(sides[1], sides[0], encrypted);
          for (const p of pairs) await p.client.close();
        } finally {
          await server.close();
          await nats?.stop();
        }
      });
    }
  }
});
