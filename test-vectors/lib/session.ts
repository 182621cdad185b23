/**
 * The reference's session vectors (session_messages.json): message JSON byte for byte, the
 * untagged payload rules, negotiation, and the state-machine flows, driven through
 * `@m2m/session`'s SessionCore on a manual clock fixed at the vectors' timestamp.
 * @module
 */
import { decompress, frameTextToBytes, fromHex, isM2MError, toHex } from '@m2m/core';
import { base64Decode } from '@m2m/core/internal';
import { decodeMessageBinary, encodeMessageBinary, negotiate, SessionCore, versionsCompatible } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';
import { decodeMessageJson, encodeMessageJson } from '@m2m/session/json';
import type { Capabilities, Message } from '@m2m/session';
import { checked, eq, eqSerdeText, unwrapSome } from './check.js';
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

const REFERENCE_DEFAULT_ALGOS = ['m2m', 'tokennative', 'brotli', 'none'];
function defaultCapsJson(agentId: string, algorithms: string[] = REFERENCE_DEFAULT_ALGOS, version = '3.0'): string {
  return `{"version":${JSON.stringify(version)},"agent_id":${JSON.stringify(agentId)},"agent_type":"m2m-rust","compression":{"algorithms":${JSON.stringify(algorithms)},"max_payload":0,"streaming":true,"ml_routing":false,"encodings":["Cl100kBase","O200kBase"],"preferred_encoding":"Cl100kBase"},"security":{"threat_detection":false,"model_version":null,"blocking_mode":false,"block_threshold":0.8},"extensions":{}}`;
}

/** A version override in a step: a `version`/`<who>_version`/`version_override` field, or `version X` in the step text. */
function versionOverride(s: J, who: string, text: string): string | undefined {
  for (const v of [s[`${who}_version`], s.version_override, s.version]) if (typeof v === 'string') return v;
  const m = /version\W*([0-9]+(?:\.[0-9]+)*)/i.exec(text);
  return m?.[1];
}

/** Reference's session operations as our calls (ops of Rust's `Session`). */
const REF_EVENT: Record<string, string> = { 'process HELLO': 'receiveHello', 'process ACCEPT': 'receiveAccept' };

/**
 * Compares our session error with the reference's `{variant, display}`. A received REJECT is our
 * typed `Rejected` (the reference's `NegotiationFailed("{Code:?}: {message}")`); a state error is
 * our `Protocol` error naming the state and event (the reference names the same in its text).
 */
function compareSessionError(e: unknown, ref: J): void {
  if (!isM2MError(e)) throw new Error(`expected ${ref.variant}, got ${String(e)}`);
  if (e.kind === 'Rejected') {
    eq('NegotiationFailed', ref.variant, 'variant');
    const m = /^Negotiation failed: (\w+): (.*)$/s.exec(ref.display);
    if (!m) throw new Error(`a received REJECT, the reference says ${ref.display}`);
    eq(e.details.code, screaming(m[1]), 'rejection code');
    eq(e.details.message, m[2], 'rejection message');
    return;
  }
  eq(e.kind, ref.variant, 'variant');
  const protocol = /^Protocol error: Cannot (.+) in state (\w+)$/.exec(ref.display);
  if (e.kind === 'Protocol' && protocol) {
    eq(RUST_STATE[String(e.details.state)], protocol[2], 'state named by the error');
    if (REF_EVENT[protocol[1]]) eq(e.details.event, REF_EVENT[protocol[1]], 'operation named by the error');
    return;
  }
  eqSerdeText(e.message, ref.display, 'error text');
}

/** Runs a call whose result the step gives as `result` ({outcome, error|message_json|value}) or as top-level fields. */
function outcome<T>(s: J, call: () => T): T | undefined {
  if (s.result?.outcome === 'error' || (s.result?.error && s.result?.outcome === undefined)) {
    expectError(call, (e) => compareSessionError(e, s.result.error));
    return undefined;
  }
  return call();
}

interface Flow {
  clock: ManualClock;
  client?: SessionCore;
  server?: SessionCore;
  /** The last message of each type seen in the flow, by lower-case type (hello, accept, data...). */
  last: Record<string, Message>;
  steps: J[];
  index: number;
}

/** A session id the flow's later steps show (ACCEPT/DATA/PING carry the server's id). */
function lookAheadSessionId(f: Flow): string | undefined {
  for (const s of f.steps.slice(f.index)) {
    for (const text of [s.result?.message_json, s.message_json, s.ping_json]) {
      if (typeof text !== 'string') continue;
      const id = decodeMessageJson(text).sessionId;
      if (id) return id;
    }
    if (typeof s.client_session_id === 'string') return s.client_session_id;
  }
  return undefined;
}

function ensure(f: Flow, who: 'client' | 'server', s: J, text: string): SessionCore {
  const existing = f[who];
  if (existing) return existing;
  const version = versionOverride(s, who, text) ?? '3.0';
  const capsJson = s[`${who}_caps_json`] ?? defaultCapsJson(`${who}-agent`, REFERENCE_DEFAULT_ALGOS, version);
  const core = new SessionCore({ role: who, capabilities: caps(capsJson), clock: f.clock, sessionId: who === 'server' ? (lookAheadSessionId(f) ?? 'unused') : undefined });
  f[who] = core;
  return core;
}

/** The message a step names as its argument: a `<name>_json` field, else the flow's last message of that type. */
function argMessage(f: Flow, s: J, name: string, required: boolean): Message | undefined {
  const key = name.toLowerCase();
  const json = s[`${key}_json`] ?? s.input_json;
  if (typeof json === 'string') return decodeMessageJson(json);
  const type = key === 'msg' || key === 'message' ? undefined : key;
  const m = type ? f.last[type] : undefined;
  if (!m && required) throw new Error(`no ${name} message in the flow so far`);
  return m;
}

const remember = (f: Flow, m: Message | undefined) => {
  if (m) f.last[m.type.toLowerCase()] = m;
};

/** Checks the observable fields a step may give after its operation. */
function compareSides(f: Flow, s: J): void {
  for (const who of ['client', 'server'] as const) {
    const core = f[who];
    const field = (k: string) => s[`${who}_${k}`];
    if (field('state') !== undefined) eq(core ? RUST_STATE[core.state] : 'Initial', field('state'), `${who} state`);
    if (field('session_id') !== undefined) eq(core?.id, field('session_id'), `${who} session id`);
    if (field('algorithm') !== undefined) {
      const a = core?.negotiated?.algorithm;
      eq(a === undefined ? null : RUST_ALGO[a], unwrapSome(field('algorithm')), `${who} algorithm`);
    }
    if (field('encoding') !== undefined) eq(core?.negotiated?.encoding ?? null, unwrapSome(field('encoding')), `${who} encoding`);
  }
}

function runStep(f: Flow, s: J): void {
  const step = String(s.step);
  if (step === 'handshake') {
    // The vector names only the outcome: each side prefers the algorithm it ends up sending.
    const ca = String(unwrapSome(s.client_algorithm)).toLowerCase();
    const sa = String(unwrapSome(s.server_algorithm)).toLowerCase();
    const c = caps(defaultCapsJson('c', s.client_algorithms ?? [...new Set([ca, sa])]));
    const sv = caps(defaultCapsJson('s', s.server_algorithms ?? [...new Set([sa, ca])]));
    f.index++;
    f.client = new SessionCore({ role: 'client', capabilities: c, clock: f.clock });
    f.server = new SessionCore({ role: 'server', capabilities: sv, clock: f.clock, sessionId: s.session_id ?? lookAheadSessionId(f) ?? 'unused' });
    f.client.receive(f.server.receive(f.client.createHello()).reply!);
    return compareSides(f, s);
  }
  const m = /^(client|server)\.(\w+)(?:\((.*)\))?(.*)$/s.exec(step);
  if (!m) throw new Error(`step not understood: ${step}`);
  const who = m[1] as 'client' | 'server';
  const op = m[2];
  const arg = m[3];
  const rest = m[4].trim();
  const expectedReply = s.result?.message_json;
  if (op === 'create_hello' || op === 'hello') {
    // The reference's agent id is random, so the expected HELLO supplies the capabilities.
    const expected = typeof s.message_json === 'string' ? decodeMessageJson(s.message_json) : undefined;
    const version = versionOverride(s, who, `${arg ?? ''} ${rest}`);
    if (expected || version || !f[who]) {
      const c = expected ? payloadCaps(expected) : caps(defaultCapsJson(`${who}-agent`, REFERENCE_DEFAULT_ALGOS, version ?? '3.0'));
      f[who] = new SessionCore({ role: who, capabilities: c, clock: f.clock });
    }
    const hello = outcome(s, () => f[who]!.createHello());
    remember(f, hello);
    if (hello && expected) eq(encodeMessageJson(hello), s.message_json, step);
    if (hello && version) eq(payloadCaps(hello).version, version, 'HELLO version');
  } else if (op === 'process_hello' || (op === 'process_message' && /^hello$/i.test(arg ?? ''))) {
    const hello = argMessage(f, s, 'hello', true)!;
    if (typeof s.hello_json === 'string' && !f.client) {
      f.client = new SessionCore({ role: 'client', capabilities: payloadCaps(hello), clock: f.clock });
      f.client.createHello();
    }
    if (!f[who]) {
      // The server's capabilities are those its ACCEPT carries, else the reference's defaults.
      const accept = typeof expectedReply === 'string' ? decodeMessageJson(expectedReply) : undefined;
      const version = versionOverride(s, who, rest);
      // A REJECT NO_COMMON_ALGORITHM implies a server without the client's algorithms.
      const noCommon = accept?.payload?.kind === 'rejection' && accept.payload.value.code === 'NO_COMMON_ALGORITHM' && hello.payload?.kind === 'capabilities';
      const algos = noCommon ? REFERENCE_DEFAULT_ALGOS.filter((a) => !(hello.payload as { value: Capabilities }).value.compression.algorithms.includes(a as never)) : REFERENCE_DEFAULT_ALGOS;
      const capsJson = s[`${who}_caps_json`] ?? defaultCapsJson(`${who}-agent`, algos, version ?? '3.0');
      const c = accept?.payload?.kind === 'capabilities' ? accept.payload.value : caps(capsJson);
      f[who] = new SessionCore({ role: who, capabilities: c, clock: f.clock, sessionId: accept?.sessionId ?? lookAheadSessionId(f) ?? 'unused' });
    }
    const r = outcome(s, () => f[who]!.receive(hello));
    if (r) {
      if (typeof expectedReply === 'string') eq(r.reply ? encodeMessageJson(r.reply) : null, expectedReply, step);
      else if (typeof s.returned_message === 'boolean') eq(r.reply !== undefined, s.returned_message, 'returned message');
      else throw new Error('the step gives no expected reply');
      remember(f, r.reply);
    }
  } else if (op === 'process_accept' || op === 'process_reject' || op === 'process_message') {
    const name = op === 'process_accept' ? 'accept' : op === 'process_reject' ? 'reject' : (arg ?? 'message');
    const core = ensure(f, who, s, rest);
    const msg = argMessage(f, s, name, true)!;
    const r = outcome(s, () => core.receive(msg));
    if (r) {
      if (typeof expectedReply === 'string') eq(r.reply ? encodeMessageJson(r.reply) : null, expectedReply, step);
      else if (typeof s.returned_message === 'boolean') eq(r.reply !== undefined, s.returned_message, 'returned message');
      else if (s.result?.outcome === 'ok') eq(r.reply === undefined || msg.type === 'PING', true, 'no reply expected');
      remember(f, r.reply);
    }
  } else if (op === 'compress') {
    const core = ensure(f, who, s, rest);
    let content: string | undefined = arg ?? s.input ?? s.content ?? s.input_json;
    if (content === undefined && typeof expectedReply === 'string') {
      // The vector gives only the DATA: its content decoded is what was compressed.
      const expected = decodeMessageJson(expectedReply);
      content = expected.payload?.kind === 'data' && typeof expected.payload.value.content === 'string' ? decompress(expected.payload.value.content) : undefined;
    }
    const data = outcome(s, () => core.compress(content ?? '{}'));
    remember(f, data);
    if (data) {
      if (typeof expectedReply !== 'string') throw new Error('the step gives no expected DATA');
      eq(encodeMessageJson(data), expectedReply, step);
    }
  } else if (op === 'decompress') {
    const core = ensure(f, who, s, rest);
    const errorExpected = s.result?.outcome === 'error';
    const msg = argMessage(f, s, arg || 'data', !errorExpected) ?? decodeMessageJson('{"type":"DATA","session_id":"x","payload":{"algorithm":"none","content":"x"},"timestamp":0}');
    const value = outcome(s, () => core.decompress(msg));
    if (value !== undefined) eq(value, s.result?.value, step);
  } else if (op === 'close') {
    const core = ensure(f, who, s, rest);
    const close = outcome(s, () => core.close());
    remember(f, close);
    if (s.result?.outcome !== 'error') {
      if (typeof s.message_json === 'string' || typeof expectedReply === 'string') eq(close ? encodeMessageJson(close) : null, s.message_json ?? expectedReply, step);
      else if (s[`${who}_state`] === undefined) throw new Error('the step gives no expected CLOSE or state');
    }
  } else if (op === 'stats') {
    const st = ensure(f, who, s, rest).stats;
    const fields: Array<[string, number]> = [['bytes_compressed', st.bytesCompressed], ['bytes_saved', st.bytesSaved], ['messages_received', st.messagesReceived], ['messages_sent', st.messagesSent]];
    const given = fields.filter(([k]) => s[k] !== undefined);
    if (given.length === 0) throw new Error('the step gives no statistics');
    for (const [k, v] of given) eq(v, s[k], k);
  } else if (op === 'state' || op === 'session_id' || op === 'id' || op === 'is_established') {
    const core = ensure(f, who, s, rest);
    const value = s.result?.value ?? s.value;
    if (op === 'state') eq(RUST_STATE[core.state], value, step);
    else if (op === 'is_established') eq(core.state === 'ESTABLISHED', value, step);
    else eq(core.id, value, step);
  } else {
    throw new Error(`step not understood: ${step}`);
  }
  compareSides(f, s);
}

function runFlow(flow: J, timestamp: number): void {
  const f: Flow = { clock: new ManualClock(timestamp), last: {}, steps: flow.steps as J[], index: 0 };
  for (const s of f.steps) {
    f.index++;
    try {
      runStep(f, s);
    } catch (e) {
      throw new Error(`step ${f.index} (${String(s.step)}): ${(e as Error).message}`);
    }
  }
}

extraFormats.push([
  'reference/session_messages',
  (d: J) => d.format === undefined && (Array.isArray(d.session_flows) || Array.isArray(d.parse_cases) || Array.isArray(d.negotiation)),
  (c, d: J) => {
    for (const v of (d.cases ?? []) as J[]) {
      c.run(`case ${v.name}`, () => {
        const out = encodeMessageJson(decodeMessageJson(v.json));
        if (typeof v.reserialized === 'string') return eq(out, v.reserialized, 'reserialized');
        // roundtrip_equal false without the re-serialized text: the output must differ from the input.
        eq(out === v.json, v.roundtrip_equal ?? true, 'round trip');
      });
    }
    ((d.parse_cases ?? []) as J[]).forEach((v, i) => {
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
    for (const v of (d.negotiation ?? []) as J[]) {
      c.run(`negotiation ${v.name}`, () => {
        const local = caps(v.local_caps_json);
        const peer = caps(v.peer_caps_json);
        if (v.is_compatible !== undefined) eq(versionsCompatible(local.version, peer.version), v.is_compatible, 'compatible');
        const n = negotiate(local, peer);
        const got = n ? { algorithm: RUST_ALGO[n.algorithm], blocking_mode: n.blockingMode, encoding: n.encoding, ml_routing: n.mlRouting, streaming: n.streaming, threat_detection: n.threatDetection } : null;
        eq(got, v.negotiated, 'negotiated');
      });
    }
    for (const f of (d.session_flows ?? []) as J[]) c.run(`flow ${f.name}`, () => runFlow(f, typeof d.timestamp === 'number' ? d.timestamp : 1705520400000));
  },
]);

// Our own format: the binary message codec (test-vectors/m2m-binary-messages.json).
extraFormats.push([
  'm2m-binary-messages/1',
  (d: J) => d.format === 'm2m-binary-messages/1',
  (c, d: J) => {
    for (const v of (d.cases ?? []) as J[]) {
      c.run(`binary ${v.name}`, () => {
        const m = decodeMessageJson(v.json);
        // content_binary: the content travels as bin; json holds its text form (§4.2).
        if (v.content_binary === true && m.payload?.kind === 'data' && typeof m.payload.value.content === 'string') {
          const text = m.payload.value.content;
          m.payload.value.content = text.startsWith('#M2M|1|') ? frameTextToBytes(text) : base64Decode(text);
        }
        eq(toHex(encodeMessageBinary(m)), v.binary_hex, 'encode');
        eq(encodeMessageJson(decodeMessageBinary(fromHex(v.binary_hex))), v.json, 'decode');
      });
    }
    for (const v of (d.invalid ?? []) as J[]) {
      c.run(`binary invalid: ${v.name}`, () =>
        expectError(() => decodeMessageBinary(fromHex(v.binary_hex)), (e) => {
          if (!isM2MError(e) || e.kind !== 'InvalidMessage') throw new Error(`expected InvalidMessage, got ${String(e)}`);
          if (!String(e.details.reason).includes(v.reason_contains)) throw new Error(`reason "${e.details.reason}" lacks "${v.reason_contains}"`);
        }),
      );
    }
  },
]);
