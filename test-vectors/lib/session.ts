/**
 * The reference's session vectors (session_messages.json): message JSON byte for byte, the
 * untagged payload rules, negotiation, and the state-machine flows, driven through
 * `@m2m/session`'s SessionCore on a manual clock fixed at the vectors' timestamp.
 * @module
 */
import { decompress, fromHex, isM2MError, toHex } from '@m2m/core';
import { decodeMessageBinary, decodeMessageJson, encodeMessageBinary, encodeMessageJson, ManualClock, negotiate, SessionCore, versionsCompatible } from '@m2m/session';
import type { Capabilities, Message } from '@m2m/session';
import { checked, eq, eqSerdeText } from './check.js';
import { extraFormats } from './run.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Rust Debug names of our values. */
const RUST_STATE: Record<string, string> = { INITIAL: 'Initial', HELLO_SENT: 'HelloSent', ESTABLISHED: 'Established', CLOSING: 'Closing', CLOSED: 'Closed' };
const RUST_ALGO: Record<string, string> = { none: 'None', m2m: 'M2M', tokennative: 'TokenNative', brotli: 'Brotli' };
const RUST_TYPE: Record<string, string> = { HELLO: 'Hello', ACCEPT: 'Accept', REJECT: 'Reject', DATA: 'Data', PING: 'Ping', PONG: 'Pong', CLOSE: 'Close' };
const RUST_PAYLOAD: Record<string, string> = { capabilities: 'Capabilities', rejection: 'Rejection', data: 'Data', empty: 'Empty', close: 'Empty' };
const screaming = (rust: string) => rust.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

function caps(json: string): Capabilities {
  const m = decodeMessageJson(`{"type":"HELLO","payload":${json},"timestamp":0}`);
  if (m.payload?.kind !== 'capabilities') throw new Error('not a Capabilities object');
  return m.payload.value;
}
const payloadCaps = (m: Message) => {
  if (m.payload?.kind !== 'capabilities') throw new Error('message has no capabilities');
  return m.payload.value;
};
function expectError(fn: () => unknown, check: (e: unknown) => void): void {
  checked();
  try {
    fn();
  } catch (e) {
    check(e);
    return;
  }
  throw new Error('expected an error, got none');
}

function runFlow(f: J): void {
  const clock = new ManualClock(1705520400000);
  let client: SessionCore | undefined;
  let server: SessionCore | undefined;
  let hello: Message | undefined;
  let accept: Message | undefined;
  let reject: Message | undefined;
  let data: Message | undefined;
  let closeMsg: Message | undefined;
  const steps = f.steps as J[];
  const handshake = (clientAlgos: string[], serverAlgos: string[], sid: string) => {
    const c = caps(`{"version":"3.0","agent_id":"c","agent_type":"m2m-rust","compression":{"algorithms":${JSON.stringify(clientAlgos)},"max_payload":0,"streaming":true,"ml_routing":false},"security":{"threat_detection":false,"blocking_mode":false,"block_threshold":0.8}}`);
    const s = caps(`{"version":"3.0","agent_id":"s","agent_type":"m2m-rust","compression":{"algorithms":${JSON.stringify(serverAlgos)},"max_payload":0,"streaming":true,"ml_routing":false},"security":{"threat_detection":false,"blocking_mode":false,"block_threshold":0.8}}`);
    client = new SessionCore({ role: 'client', capabilities: c, clock });
    server = new SessionCore({ role: 'server', capabilities: s, clock, sessionId: sid });
    client.receive(server.receive(client.createHello()).reply!);
  };
  for (const s of steps) {
    const step = String(s.step);
    if (step === 'client.create_hello()') {
      const expected = decodeMessageJson(s.message_json);
      client = new SessionCore({ role: 'client', capabilities: payloadCaps(expected), clock });
      hello = client.createHello();
      eq(encodeMessageJson(hello), s.message_json, step);
      eq(RUST_STATE[client.state], s.client_state, `${step} state`);
    } else if (step === 'server.process_hello(hello)') {
      if (s.hello_json) {
        hello = decodeMessageJson(s.hello_json);
        client = new SessionCore({ role: 'client', capabilities: payloadCaps(hello), clock });
        client.createHello();
      }
      const expected = decodeMessageJson(s.result.message_json);
      const serverCaps = expected.payload?.kind === 'capabilities' ? expected.payload.value : caps('{"version":"3.0","agent_id":"server-agent","agent_type":"m2m-rust","compression":{"algorithms":["m2m","brotli","none"],"max_payload":0,"streaming":true,"ml_routing":false},"security":{"threat_detection":false,"blocking_mode":false,"block_threshold":0.8}}');
      server = new SessionCore({ role: 'server', capabilities: serverCaps, clock, sessionId: expected.sessionId ?? 'unused' });
      const { reply } = server.receive(hello!);
      eq(encodeMessageJson(reply!), s.result.message_json, step);
      if (reply!.type === 'ACCEPT') accept = reply;
      else reject = reply;
      eq(RUST_STATE[server.state], s.server_state, `${step} state`);
      if (s.server_algorithm) eq(`Some(${RUST_ALGO[server.negotiated!.algorithm]})`, s.server_algorithm, 'server algorithm');
      if (s.server_encoding) eq(`Some(${server.negotiated!.encoding})`, s.server_encoding, 'server encoding');
    } else if (step === 'client.process_accept(accept)') {
      client!.receive(accept!);
      eq(client!.id, s.client_session_id, 'client adopts the session id');
      eq(RUST_STATE[client!.state], s.client_state, `${step} state`);
    } else if (step === 'client.process_message(reject)') {
      expectError(() => client!.receive(reject!), (e) => {
        // Ours is the typed Rejected error; the reference's text names the code in Rust spelling.
        if (!isM2MError(e) || e.kind !== 'Rejected') throw new Error(`expected Rejected, got ${String(e)}`);
        const m = /^Negotiation failed: (\w+): (.*)$/.exec(s.result.error.display);
        eq(e.details.code, screaming(m![1]), 'rejection code');
        eq(e.details.message, m![2], 'rejection message');
      });
      eq(RUST_STATE[client!.state], s.client_state, `${step} state`);
    } else if (step.startsWith('client.compress(')) {
      data = client!.compress(step.slice('client.compress('.length, -1));
      eq(encodeMessageJson(data), s.result.message_json, step);
    } else if (step === 'server.decompress(data)') {
      eq(server!.decompress(data!), s.result.value, step);
    } else if (step === 'server.process_message(ping)') {
      const { reply } = server!.receive(decodeMessageJson(s.ping_json));
      eq(encodeMessageJson(reply!), s.result.message_json, step);
    } else if (step === 'client.close()') {
      closeMsg = client!.close();
      eq(encodeMessageJson(closeMsg!), s.message_json, step);
      eq(RUST_STATE[client!.state], s.client_state, `${step} state`);
    } else if (step === 'server.process_message(close)') {
      const r = server!.receive(closeMsg!);
      eq(r.reply !== undefined, s.returned_message, 'returned message');
      eq(RUST_STATE[server!.state], s.server_state, `${step} state`);
    } else if (step === 'server.compress after close') {
      expectError(() => server!.compress('{"a":1}'), (e) => {
        if (!isM2MError(e) || e.kind !== s.result.error.variant) throw new Error(`expected ${s.result.error.variant}, got ${String(e)}`);
        eq(e.message, s.result.error.display, 'error text');
      });
    } else if (step === 'client.stats()') {
      const st = client!.stats;
      eq([st.bytesCompressed, st.bytesSaved, st.messagesReceived, st.messagesSent], [s.bytes_compressed, s.bytes_saved, s.messages_received, s.messages_sent], 'stats');
    } else if (step === 'handshake') {
      // The vector names only the outcome: the client prefers brotli, the server m2m.
      handshake(['brotli', 'm2m'], ['m2m', 'brotli'], 'sess-0004');
      eq(`Some(${RUST_ALGO[client!.negotiated!.algorithm]})`, s.client_algorithm, 'client algorithm');
      eq(`Some(${RUST_ALGO[server!.negotiated!.algorithm]})`, s.server_algorithm, 'server algorithm');
    } else if (/^(client|server)\.compress \(/.test(step)) {
      const expected = decodeMessageJson(s.result.message_json);
      const content = expected.payload?.kind === 'data' ? expected.payload.value.content : '';
      const original = decompress(content);
      const who = step.startsWith('client') ? client! : server!;
      eq(encodeMessageJson(who.compress(original)), s.result.message_json, step);
    } else {
      throw new Error(`step not understood: ${step}`);
    }
  }
}

extraFormats.push([
  'reference/session_messages',
  (d: J) => Array.isArray(d.session_flows) && Array.isArray(d.parse_cases),
  (c, d: J) => {
    for (const v of d.cases as J[]) {
      c.run(`case ${v.name}`, () => eq(encodeMessageJson(decodeMessageJson(v.json)), v.json, 'round trip'));
    }
    (d.parse_cases as J[]).forEach((v, i) => {
      c.run(`parse ${i}: ${String(v.input).slice(0, 40)}`, () => {
        if (v.result.outcome === 'error') {
          expectError(() => decodeMessageJson(v.input), (e) => {
            if (!isM2MError(e) || e.kind !== 'InvalidMessage') throw new Error(`expected InvalidMessage, got ${String(e)}`);
            eqSerdeText(String(e.details.reason), v.result.error.display, 'error text');
          });
          return;
        }
        const m = decodeMessageJson(v.input);
        eq(RUST_TYPE[m.type], v.result.msg_type, 'type');
        eq(m.payload ? RUST_PAYLOAD[m.payload.kind] : null, v.result.payload_variant, 'payload variant');
        eq(encodeMessageJson(m), v.result.reserialized, 'reserialized');
      });
    });
    for (const v of d.negotiation as J[]) {
      c.run(`negotiation ${v.name}`, () => {
        const local = caps(v.local_caps_json);
        const peer = caps(v.peer_caps_json);
        eq(versionsCompatible(local.version, peer.version), v.is_compatible, 'compatible');
        const n = negotiate(local, peer);
        const got = n ? { algorithm: RUST_ALGO[n.algorithm], blocking_mode: n.blockingMode, encoding: n.encoding, ml_routing: n.mlRouting, streaming: n.streaming, threat_detection: n.threatDetection } : null;
        eq(got, v.negotiated, 'negotiated');
      });
    }
    for (const f of d.session_flows as J[]) c.run(`flow ${f.name}`, () => runFlow(f));
  },
]);

// Our own format: the binary message codec (test-vectors/m2m-binary-messages.json).
extraFormats.push([
  'm2m-binary-messages/1',
  (d: J) => d.format === 'm2m-binary-messages/1',
  (c, d: J) => {
    for (const v of d.cases as J[]) {
      c.run(`binary ${v.name}`, () => {
        const m = decodeMessageJson(v.json);
        eq(toHex(encodeMessageBinary(m)), v.binary_hex, 'encode');
        eq(encodeMessageJson(decodeMessageBinary(fromHex(v.binary_hex))), v.json, 'decode');
      });
    }
    for (const v of d.invalid as J[]) {
      c.run(`binary invalid: ${v.name}`, () =>
        expectError(() => decodeMessageBinary(fromHex(v.binary_hex)), (e) => {
          if (!isM2MError(e) || e.kind !== 'InvalidMessage') throw new Error(`expected InvalidMessage, got ${String(e)}`);
          if (!String(e.details.reason).includes(v.reason_contains)) throw new Error(`reason "${e.details.reason}" lacks "${v.reason_contains}"`);
        }),
      );
    }
  },
]);
