import { describe, expect, it } from 'vitest';
import { NatsTransport, natsInFlight, type NatsPort } from '@m2m/session/nats';
import { decodeCredit, encodeCredit, encodeFrame, INITIAL_WINDOW, NATS_MESSAGE_COST, NatsKind, randomToken, sessionSubject } from '../src/transport/nats-frames.js';

// NatsTransport against a fake connection: the mapping's rules without a broker.
const peer = sessionSubject(randomToken(), randomToken());
const own = sessionSubject(randomToken(), randomToken());

function fakePort(maxPayload = 1 << 20) {
  const sent: Array<{ subject: string; data: Uint8Array; reply: string }> = [];
  const port: NatsPort = { maxPayload, publish: (subject, data, reply) => void sent.push({ subject, data: data.slice(), reply }), release: () => undefined };
  return { port, sent };
}

async function ended(t: NatsTransport): Promise<unknown> {
  try {
    for await (const _ of t) {
      // drain
    }
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('NatsTransport (fake connection)', () => {
  it('sends frames to the peer with its own subject as reply, and pieces over max_payload', async () => {
    const { port, sent } = fakePort(1000);
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    await t.send(new Uint8Array(10).fill(7));
    await t.send(new Uint8Array(2500).fill(9));
    expect(sent.map((m) => [m.subject, m.reply, m.data[0], m.data.length])).toEqual([
      [peer, own, NatsKind.FRAME, 11],
      [peer, own, NatsKind.PART, 1000],
      [peer, own, NatsKind.PART, 1000],
      [peer, own, NatsKind.FRAME, 503],
    ]);
    expect(natsInFlight(t)?.messages.map((m) => m.length)).toEqual([10, 2500]);
    // A CREDIT for the first message (11 bytes, counted as 512) acknowledges it alone.
    t.deliver({ data: encodeCredit(INITIAL_WINDOW, NATS_MESSAGE_COST), reply: peer });
    expect(t.inFlight.messages.map((m) => m.length)).toEqual([2500]);
    await t.close();
    expect(sent.at(-1)!.data[0]).toBe(NatsKind.BYE);
  });

  it('reassembles pieces, ignores other senders, and grants credit as the reader consumes', async () => {
    const { port, sent } = fakePort();
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    const it = t[Symbol.asyncIterator]();
    t.deliver({ data: encodeFrame(Uint8Array.of(1, 2), NatsKind.PART), reply: peer });
    t.deliver({ data: encodeFrame(Uint8Array.of(66)), reply: sessionSubject(randomToken(), randomToken()) }); // not the peer
    t.deliver({ data: encodeFrame(Uint8Array.of(3)), reply: peer });
    expect((await it.next()).value).toEqual(Uint8Array.of(1, 2, 3));
    await new Promise((r) => setTimeout(r, 20));
    const credit = sent.find((m) => m.data[0] === NatsKind.CREDIT);
    expect(credit && decodeCredit(credit.data).consumed).toBe(2 * NATS_MESSAGE_COST); // two messages of fewer than 512 bytes
    await t.close();
  });

  it('ends with LIMIT_EXCEEDED when a peer sends past the window or past maxMessageBytes', async () => {
    const a = new NatsTransport(fakePort().port, own, peer, true, { probeIntervalMs: 0 });
    const chunk = encodeFrame(new Uint8Array(256 * 1024));
    for (let i = 0; i < 5; i++) a.deliver({ data: chunk, reply: peer }); // 1.25 MiB unconsumed > 1 MiB
    expect(await ended(a)).toMatchObject({ code: 'LIMIT_EXCEEDED' });

    const b = new NatsTransport(fakePort().port, own, peer, true, { probeIntervalMs: 0, maxMessageBytes: 1000 });
    b.deliver({ data: encodeFrame(new Uint8Array(600), NatsKind.PART), reply: peer });
    b.deliver({ data: encodeFrame(new Uint8Array(600), NatsKind.PART), reply: peer });
    expect(await ended(b)).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('counts what it holds per message as the FRAME it came in, a reassembled message as all its pieces, and gives it all back when read', async () => {
    const { port, sent } = fakePort(1000);
    let held = 0;
    const holds: number[] = [];
    const account = { hold: (n: number) => void (held += n, holds.push(n)), release: (n: number) => void (held -= n), close: () => undefined };
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0, account });
    const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];
    t.deliver({ data: encodeFrame(new Uint8Array(700).fill(1)), reply: peer }); // 701: counted as 701
    t.deliver({ data: encodeFrame(new Uint8Array(999).fill(2), NatsKind.PART), reply: peer }); // 1000
    t.deliver({ data: encodeFrame(new Uint8Array(10).fill(2)), reply: peer }); // 11: counted as 512
    t.deliver({ data: Uint8Array.of(NatsKind.BATCH, ...u32(2), 3, 3, ...u32(600), ...new Array<number>(600).fill(4)), reply: peer }); // 512 + 601
    expect(holds).toEqual([701, 1000, 512, 512 + 601]);
    const it = t[Symbol.asyncIterator]();
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) lengths.push(((await it.next()).value as Uint8Array).length);
    expect(lengths).toEqual([700, 1009, 2, 600]);
    expect(held).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    // Consumed: the PART when it arrived, then each message as it was read.
    const credits = sent.filter((m) => m.data[0] === NatsKind.CREDIT).map((m) => decodeCredit(m.data).consumed);
    expect(credits.at(-1)).toBe(701 + 1000 + 512 + 512 + 601);
    await t.close();
  });

  it('refuses malformed credit and unknown kinds with INVALID_MESSAGE', async () => {
    const a = new NatsTransport(fakePort().port, own, peer, true, { probeIntervalMs: 0 });
    a.deliver({ data: encodeCredit(INITIAL_WINDOW, 5), reply: peer }); // acknowledges bytes never sent
    expect(await ended(a)).toMatchObject({ code: 'INVALID_MESSAGE' });
    const b = new NatsTransport(fakePort().port, own, peer, true, { probeIntervalMs: 0 });
    b.deliver({ data: Uint8Array.of(9), reply: peer });
    expect(await ended(b)).toMatchObject({ code: 'INVALID_MESSAGE' });
    const c = new NatsTransport(fakePort().port, own, peer, true, { probeIntervalMs: 0 });
    c.deliver({ data: Uint8Array.of(NatsKind.CREDIT, 1, 2), reply: peer });
    expect(await ended(c)).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('a no-responders status ends it with NETWORK_ERROR naming what was in flight; a waiting sender is released', async () => {
    const { port } = fakePort();
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    const done = ended(t);
    // Fill the initial window: the next send waits for credit.
    await t.send(new Uint8Array(INITIAL_WINDOW - 1));
    const waiting = t.send(Uint8Array.of(1));
    t.deliver({ data: new Uint8Array(0), status: 503 });
    await expect(waiting).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    const e = (await done) as Error;
    expect(e).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(e.message).toContain('the peer is gone');
    expect(e.message).toContain('1 message (1048575 bytes) sent and not acknowledged');
  });

  it('a client end binds to the first answering session subject and waits for it before its second send', async () => {
    const { port, sent } = fakePort();
    const t = new NatsTransport(port, own, 'm2m.listen', false, { probeIntervalMs: 0 });
    await t.send(Uint8Array.of(1)); // the HELLO, to the listen subject
    const second = t.send(Uint8Array.of(2));
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.map((m) => m.subject)).toEqual(['m2m.listen']);
    t.deliver({ data: encodeFrame(Uint8Array.of(3)), reply: 'not-a-session-subject' }); // ignored
    t.deliver({ data: encodeFrame(Uint8Array.of(4)), reply: peer });
    await second;
    expect(sent.map((m) => m.subject)).toEqual(['m2m.listen', peer]);
    expect(t.remoteAddress).toBe(peer);
    await t.close();
  });
});
