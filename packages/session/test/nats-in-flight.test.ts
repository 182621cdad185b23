/**
 * nats-transport.ts keeps what was sent and not acknowledged in reused slots (cleared when
 * acknowledged, in a ring that grows by doubling): over thousands of sends with
 * CREDITs of random reach in between, `inFlight` always lists exactly the unacknowledged
 * messages, oldest first, as a plain list model says. A record is the message's buffer, offset
 * and length (no view kept per message), so each listed message must be the sent bytes' own memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NatsTransport, type NatsPort } from '@m2m/session/nats';
import { encodeCredit, INITIAL_WINDOW, natsMessageCost, randomToken, sessionSubject } from '../src/transport/nats-frames.js';

const peer = sessionSubject(randomToken(), randomToken());
const own = sessionSubject(randomToken(), randomToken());
const port: NatsPort = { maxPayload: 1 << 20, publish: () => undefined, publishMessage: () => undefined, release: () => undefined };

describe('NatsTransport in-flight records', () => {
  it('match a list model across acknowledgements, wrap-arounds and growth', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 1, max: 1400 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 700 })), { minLength: 1, maxLength: 12 }), async (steps) => {
        const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0, windowBytes: 64 * INITIAL_WINDOW });
        const model: Array<{ data: Uint8Array; end: number }> = [];
        let sent = 0;
        let id = 0;
        for (const [count, ackPercent, size] of steps) {
          for (let i = 0; i < count; i++) {
            const data = new Uint8Array(size);
            data[0] = id & 255;
            data[1] = (id++ >> 8) & 255;
            await t.send(data);
            sent += natsMessageCost(size + 1);
            model.push({ data, end: sent });
          }
          // Acknowledge up to a record boundary part of the way through what is in flight.
          const upTo = model.length ? model[Math.floor(((model.length - 1) * ackPercent) / 100)].end : sent;
          t.deliver({ data: encodeCredit(64 * INITIAL_WINDOW, upTo), reply: peer });
          while (model.length && model[0].end <= upTo) model.shift();
          const inFlight = t.inFlight;
          expect(inFlight.messages.length).toBe(model.length);
          // The records are the sent bytes themselves (the same memory, no copy), as views made when asked.
          expect(inFlight.messages.every((m, i) => m.buffer === model[i].data.buffer && m.byteOffset === model[i].data.byteOffset && m.length === model[i].data.length)).toBe(true);
          expect(inFlight.bytes).toBe(model.reduce((n, r) => n + r.data.length, 0));
        }
        await t.close();
      }),
      { numRuns: 25 },
    );
  });

  it('lists a message whose buffer the caller transferred since as empty, not as an error', async () => {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    const kept = new Uint8Array(300).fill(7);
    const moved = new Uint8Array(300).fill(9);
    await t.send(kept);
    await t.send(moved);
    structuredClone(moved.buffer, { transfer: [moved.buffer] }); // detaches it
    const inFlight = t.inFlight;
    expect(inFlight.messages.map((m) => m.length)).toEqual([300, 0]);
    expect(inFlight.messages[0]).toEqual(kept);
    expect(inFlight.bytes).toBe(300);
    await t.close();
  });
});
