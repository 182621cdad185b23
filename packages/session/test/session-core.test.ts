import { describe, expect, it } from 'vitest';
import { CloseReason, isM2MError, type M2MError } from '@m2m/core';
import { defaultCapabilities, resolveTimers, SessionCore, type ClosedInfo, type Message } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';

const JSON_REQ = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';

function pair(clock = new ManualClock(), opts: { client?: object; server?: object } = {}) {
  const sent: { client: Message[]; server: Message[] } = { client: [], server: [] };
  const closed: { client?: ClosedInfo; server?: ClosedInfo } = {};
  const client = new SessionCore({ role: 'client', clock, onSend: (m) => sent.client.push(m), onClosed: (i) => (closed.client = i), ...opts.client });
  const server = new SessionCore({ role: 'server', clock, onSend: (m) => sent.server.push(m), onClosed: (i) => (closed.server = i), ...opts.server });
  return { client, server, sent, closed, clock };
}
function established(clock = new ManualClock(), opts = {}) {
  const p = pair(clock, opts);
  p.client.receive(p.server.receive(p.client.createHello()).reply!);
  return p;
}
function thrown(fn: () => unknown): M2MError {
  try {
    fn();
  } catch (e) {
    if (isM2MError(e)) return e;
    throw new Error(`non-M2MError thrown: ${String(e)}`);
  }
  throw new Error('nothing thrown');
}

describe('handshake and negotiation', () => {
  it('establishes both sides with the same session id and exchanges DATA both ways', () => {
    const { client, server } = established();
    expect(client.state).toBe('ESTABLISHED');
    expect(server.state).toBe('ESTABLISHED');
    expect(client.id).toBe(server.id);
    expect(server.receive(client.compress(JSON_REQ)).content).toBe(JSON_REQ);
    expect(client.receive(server.compress('plain text', 'brotli')).content).toBe('plain text');
  });
  it('takes the smaller maxPayload (0 = unlimited) and enforces it on send', () => {
    const caps = defaultCapabilities();
    caps.compression.maxPayload = 120;
    const { client, server } = established(new ManualClock(), { server: { capabilities: caps } });
    expect(client.negotiated!.maxPayload).toBe(120);
    expect(server.negotiated!.maxPayload).toBe(120);
    const e = thrown(() => client.compress(JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'y'.repeat(400) }] }), 'none'));
    expect(e.kind).toBe('LimitExceeded');
  });
  it('enforces maxPayload on received DATA by the content\'s text length, at its edge, for frames and other bytes', () => {
    const sender = established().client;
    const frame = sender.compress(JSON_REQ, 'm2m');
    const bytes = (frame.payload as { value: { content: Uint8Array } }).value.content;
    expect(bytes).toBeInstanceOf(Uint8Array);
    // The text form's length, counted here independently: `#M2M|1|` then base64 of the rest.
    const frameText = 7 + Buffer.from(bytes.subarray(7)).toString('base64').length;
    const other = Uint8Array.from(bytes, (b, i) => (i === 0 ? 0x7b : b)); // not a frame: all of it base64
    const otherText = Buffer.from(other).toString('base64').length;
    const withContent = (content: Uint8Array): Message => ({ ...frame, payload: { kind: 'data', value: { ...(frame.payload as { value: object }).value, content } as never } });
    for (const [content, textLength] of [[bytes, frameText], [other, otherText]] as const) {
      for (const max of [textLength - 2, textLength - 1, textLength, textLength + 1, textLength + 5]) {
        const caps = defaultCapabilities();
        caps.compression.maxPayload = max;
        const { server } = established(new ManualClock(), { server: { capabilities: caps } });
        const kind = (() => {
          try {
            server.receive({ ...withContent(content), sessionId: server.id });
            return 'ok';
          } catch (e) {
            return isM2MError(e) ? e.kind : 'other';
          }
        })();
        if (textLength > max) expect(kind, `length ${textLength}, max ${max}`).toBe('LimitExceeded');
        else expect(kind, `length ${textLength}, max ${max}`).toBe(content === bytes ? 'ok' : 'Decompression');
      }
    }
  });
  it('answers a HELLO of another major version with REJECT VERSION_MISMATCH', () => {
    const { client, server } = pair();
    const hello = client.createHello();
    (hello.payload as { value: { version: string } }).value.version = '4.0';
    const { reply } = server.receive(hello);
    expect(reply!.type).toBe('REJECT');
    const e = thrown(() => client.receive(reply!));
    expect(e.kind).toBe('Rejected');
    expect(e.details).toMatchObject({ code: 'VERSION_MISMATCH', message: 'Version 4.0 not compatible with 3.0' });
    expect(client.state).toBe('CLOSED');
  });
  it('answers a HELLO without a shared algorithm with REJECT NO_COMMON_ALGORITHM', () => {
    const caps = defaultCapabilities();
    caps.compression.algorithms = ['tokennative'];
    const server = new SessionCore({ role: 'server', capabilities: { ...defaultCapabilities(), compression: { ...caps.compression, algorithms: ['brotli'] } } });
    const client = new SessionCore({ role: 'client', capabilities: caps });
    const { reply } = server.receive(client.createHello());
    expect(thrown(() => client.receive(reply!)).details).toMatchObject({ code: 'NO_COMMON_ALGORITHM' });
  });
  for (const code of ['SECURITY_POLICY', 'RATE_LIMITED', 'SERVER_BUSY', 'UNKNOWN'] as const) {
    it(`delivers REJECT ${code} to the client as Rejected with retryAfterMs and message`, () => {
      const { client, server } = pair();
      client.createHello();
      const reject = server.reject(code, `because ${code}`, code === 'RATE_LIMITED' || code === 'SERVER_BUSY' ? 2500 : undefined);
      const e = thrown(() => client.receive(reject));
      expect(e.kind).toBe('Rejected');
      expect(e.details).toMatchObject({ code, message: `because ${code}` });
      expect((e.details as { retryAfterMs?: number }).retryAfterMs).toBe(code === 'RATE_LIMITED' || code === 'SERVER_BUSY' ? 2500 : undefined);
      expect(e.retryable).toBe(code === 'RATE_LIMITED' || code === 'SERVER_BUSY');
    });
  }
  it('refuses DATA before the handshake and after close with SessionNotEstablished', () => {
    const { client } = pair();
    expect(thrown(() => client.compress(JSON_REQ)).kind).toBe('SessionNotEstablished');
    const e = established();
    e.client.close();
    e.server.receive({ type: 'CLOSE', sessionId: e.server.id, timestamp: 0, payload: { kind: 'empty' } });
    expect(thrown(() => e.server.compress(JSON_REQ)).message).toBe('Session not established');
  });
  it('rejects an ACCEPT on the server and a second HELLO as Protocol errors, state unchanged', () => {
    const { client, server } = established();
    const e1 = thrown(() => server.receive({ type: 'ACCEPT', sessionId: 'x', timestamp: 0, payload: { kind: 'capabilities', value: defaultCapabilities() } }));
    expect(e1.kind).toBe('Protocol');
    expect(server.state).toBe('ESTABLISHED');
    const e2 = thrown(() => server.receive({ type: 'HELLO', timestamp: 0, payload: { kind: 'capabilities', value: defaultCapabilities() } }));
    expect(e2.kind).toBe('Protocol');
    expect(e2.details).toMatchObject({ state: 'ESTABLISHED', event: 'receiveHello' });
    expect(client.state).toBe('ESTABLISHED');
  });
});

describe('close reasons', () => {
  for (const reason of Object.values(CloseReason)) {
    it(`CLOSE ${reason} reaches the peer as a Closed error with the message`, () => {
      const { client, server, closed } = established();
      const close = client.close(reason, `closing: ${reason}`)!;
      expect(client.state).toBe('CLOSING');
      server.receive(close);
      expect(server.state).toBe('CLOSED');
      expect(closed.server!.reason).toBe(reason);
      expect(closed.server!.error!.kind).toBe('Closed');
      expect(closed.server!.error!.details).toEqual({ reason, message: `closing: ${reason}` });
    });
  }
});

describe('timers on a manual clock', () => {
  it('closes a HELLO_SENT session with Timeout after 30 s, not before', () => {
    const { client, closed, clock } = pair();
    client.createHello();
    clock.advance(29_999);
    expect(client.state).toBe('HELLO_SENT');
    clock.advance(1);
    expect(client.state).toBe('CLOSED');
    expect(closed.client!.error!.kind).toBe('Timeout');
    expect(closed.client!.error!.details).toEqual({ operation: 'HELLO', ms: 30_000 });
  });
  it('sends PING after 60 s without hearing from the peer, and none while the peer talks', () => {
    const { client, server, sent, clock } = established();
    clock.advance(59_000);
    server.receive(client.compress(JSON_REQ)); // the server hears from the client
    client.receive(server.compress(JSON_REQ)); // and the client from the server
    clock.advance(59_000);
    expect(sent.client.filter((m) => m.type === 'PING')).toHaveLength(0);
    clock.advance(1_000);
    expect(sent.client.filter((m) => m.type === 'PING')).toHaveLength(1);
  });
  it('a PONG within 10 s keeps the session; each missed PONG sends another PING; the third closes with TIMEOUT', () => {
    const { client, server, sent, closed, clock } = established();
    clock.advance(60_000);
    const ping = sent.client.find((m) => m.type === 'PING')!;
    client.receive(server.receive(ping).reply!); // answered
    clock.advance(10_000);
    expect(client.state).toBe('ESTABLISHED');
    sent.client.length = 0;
    clock.advance(50_000); // 60 s after the PONG: the next PING, never answered
    expect(sent.client.map((m) => m.type)).toEqual(['PING']);
    clock.advance(10_000); // missed 1
    clock.advance(10_000); // missed 2
    expect(client.state).toBe('ESTABLISHED');
    clock.advance(10_000); // missed 3
    expect(sent.client.map((m) => m.type)).toEqual(['PING', 'PING', 'PING', 'CLOSE']);
    expect(client.state).toBe('CLOSING');
    const close = sent.client.at(-1)!;
    expect(close.payload).toMatchObject({ kind: 'close', value: { reason: 'TIMEOUT' } });
    clock.advance(5_000); // no answer to CLOSE: forced
    expect(client.state).toBe('CLOSED');
    expect(closed.client!.reason).toBe('TIMEOUT');
  });
  it('CLOSING becomes CLOSED after 5 s without the peer', () => {
    const { client, clock } = established();
    client.close('CLIENT_SHUTDOWN', 'bye');
    clock.advance(4_999);
    expect(client.state).toBe('CLOSING');
    clock.advance(1);
    expect(client.state).toBe('CLOSED');
  });
  it('closes with TIMEOUT after 300 s without DATA even when PINGs are answered', () => {
    const { client, server, sent, clock } = established();
    for (let t = 0; t < 299; t++) {
      clock.advance(1_000);
      // Both sides answer every PING at once, so only the idle timer can end the session.
      for (const m of sent.client.splice(0)) if (m.type === 'PING') client.receive(server.receive(m).reply!);
      for (const m of sent.server.splice(0)) if (m.type === 'PING') server.receive(client.receive(m).reply!);
    }
    expect(client.state).toBe('ESTABLISHED');
    clock.advance(1_000);
    expect(client.state).toBe('CLOSING');
    expect(sent.client.at(-1)!.payload).toMatchObject({ kind: 'close', value: { reason: 'TIMEOUT', message: 'idle for 300000 ms' } });
  });
  it('honours configured timers and refuses values outside the spec ranges', () => {
    const { client, clock } = pair(new ManualClock(), { client: { timers: { helloTimeoutMs: 5_000 } } });
    client.createHello();
    clock.advance(5_000);
    expect(client.state).toBe('CLOSED');
    expect(resolveTimers({ pingIntervalMs: 10_000 }).pingIntervalMs).toBe(10_000);
    for (const bad of [{ pingIntervalMs: 9_999 }, { pingTimeoutMs: 60_001 }, { sessionTimeoutMs: 59_999 }, { maxMissedPongs: 0 }, { closingTimeoutMs: 1.5 }]) {
      expect(thrown(() => resolveTimers(bad)).kind).toBe('Config');
    }
  });
  it('arms no timer per DATA, yet the idle timeout still counts from the last activity', () => {
    class CountingClock extends ManualClock {
      armed = 0;
      override setTimeout(fn: () => void, ms: number): unknown {
        this.armed++;
        return super.setTimeout(fn, ms);
      }
    }
    const clock = new CountingClock();
    const timers = { sessionTimeoutMs: 60_000, pingIntervalMs: 300_000 };
    const { client, server, sent } = established(clock, { client: { timers }, server: { timers } });
    const before = clock.armed;
    for (let i = 0; i < 100; i++) {
      clock.advance(300);
      server.receive(client.compress(JSON_REQ));
    }
    expect(clock.armed - before).toBeLessThan(10);
    // 30 s of traffic moved the idle deadline 30 s later: the first deadline passes quietly
    // (the timer armed for it fires and re-arms), the new one closes.
    clock.advance(59_000);
    expect(client.state).toBe('ESTABLISHED');
    clock.advance(1_000);
    expect(client.state).toBe('CLOSING');
    expect(sent.client.at(-1)?.type).toBe('CLOSE');
  });
  it('arms one timer for HELLO, due at the HELLO timeout (not one due at once that re-arms)', () => {
    const armed: number[] = [];
    const base = new ManualClock();
    const clock = { now: () => base.now(), setTimeout: (fn: () => void, ms: number) => (armed.push(ms), base.setTimeout(fn, ms)), clearTimeout: (h: unknown) => base.clearTimeout(h) };
    const core = new SessionCore({ role: 'client', clock, timers: { helloTimeoutMs: 12_000 } });
    core.createHello();
    expect(armed).toEqual([12_000]);
    base.advance(11_999);
    expect(core.state).toBe('HELLO_SENT');
    expect(armed).toEqual([12_000]);
    base.advance(1);
    expect(core.state).toBe('CLOSED');
  });
  it('stops every timer once CLOSED', () => {
    const clock = new ManualClock();
    const { client, server } = established(clock);
    server.receive(client.close()!);
    client.transportClosed();
    expect(clock.pending).toBe(0);
  });
});

describe('a lost connection (its error is built when first read, issue 18)', () => {
  it('ends with a Closed error that keeps the cause, is the same object on every read, and is serialized', () => {
    const core = new SessionCore({ role: 'client', clock: new ManualClock() });
    core.createHello();
    const cause = new Error('socket reset');
    core.transportClosed(cause);
    const info = core.closedInfo as ClosedInfo;
    expect(info).toMatchObject({ reason: 'ERROR', message: 'connection lost', by: 'transport' });
    const error = info.error as M2MError;
    expect(isM2MError(error) && error.kind).toBe('Closed');
    expect(error.cause).toBe(cause);
    expect(info.error).toBe(error);
    expect(Object.keys(info)).toContain('error');
    expect(JSON.parse(JSON.stringify(info)).error).toBeTruthy();
  });
});


describe("a Session's core options (one literal of the core's fields, issue 18)", () => {
  it('options parsed from JSON with an own __proto__ key reach the core without polluting anything, and the core gets its fields', async () => {
    const { Session } = await import('../src/session.js');
    const { memoryTransportPair } = await import('../src/transport/memory.js');
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "sessionId": "fixed-id", "capabilities": {"version": "3.0", "agentId": "json-agent", "agentType": "t", "compression": {"algorithms": ["none"], "maxPayload": 0, "streaming": false, "mlRouting": false, "encodings": ["Cl100kBase"], "preferredEncoding": "Cl100kBase"}, "security": {"threatDetection": false, "modelVersion": null, "blockingMode": false, "blockThreshold": 0.8}, "extensions": {}}}') as Record<string, unknown>;
    const [a, b] = memoryTransportPair();
    const sp = Session.server(b, hostile);
    const client = await Session.client(a, { timers: { helloTimeoutMs: 5_000 } });
    const server = (await sp)!;
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    // The server's core took the given session id and capabilities; the client adopted the id.
    expect(server.id).toBe('fixed-id');
    expect(client.id).toBe('fixed-id');
    expect(client.peerAgentId).toBe('json-agent');
    expect(client.negotiated?.algorithm).toBe('none');
    await client.close();
  });
});
