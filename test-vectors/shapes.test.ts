/**
 * Every case shape the conformance runner must read (issue 13, "Held-out vectors"): each test
 * builds a variant of a shared vector file in memory (other field spellings, optional fields left
 * out, other renderings of the same facts), writes it to a temporary directory, runs the runner on
 * it and expects every case to pass; a deliberately corrupted copy must fail with the case named.
 */
import { spawnSync } from 'node:child_process';
import { createHash, hkdfSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Cases, type FileResult } from './lib/check.js';
import { runFile } from './lib/run.js';
import './lib/session.js';
import './lib/secure.js';
import './lib/frame-policy.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const shared = resolve(import.meta.dirname, '../../shared/vectors');
const present = existsSync(shared);
if (!present) console.warn(`[shapes] ${shared} not found: the held-out shape variants are skipped (not counted as passed).`);
const dir = mkdtempSync(join(tmpdir(), 'm2m-shapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// `describe.skipIf` still collects its body: without the vectors, `load` gives an empty object the skipped tests never read.
const load = (rel: string): J => (present ? (JSON.parse(readFileSync(join(shared, rel), 'utf8')) as J) : {});
let n = 0;
function run(data: J): FileResult {
  const path = join(dir, `variant-${n++}.json`);
  writeFileSync(path, JSON.stringify(data));
  return runFile(path);
}
function expectAllPass(r: FileResult, atLeast: number): void {
  expect(r.failures).toEqual([]);
  expect(r.failed).toBe(0);
  expect(r.passed).toBeGreaterThanOrEqual(atLeast);
}
function expectFailureNamed(r: FileResult, name: string, why?: RegExp): void {
  expect(r.failed).toBeGreaterThan(0);
  const hit = r.failures.find((f) => f.startsWith(`${name}: `));
  expect(hit, `no failure named ${name} in ${JSON.stringify(r.failures)}`).toBeDefined();
  if (why) expect(hit).toMatch(why);
}
const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const flipHex = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

describe('a case without a check', () => {
  it('fails as "no check performed", and a check that passes counts', () => {
    const c = new Cases('x', 'test');
    c.run('empty', () => undefined);
    c.run('true without a check', () => true);
    expect(c.failed).toBe(2);
    expect(c.failures).toEqual(['empty: no check performed', 'true without a check: no check performed']);
  });
});

describe.skipIf(!present)('Noise vectors (snow, cacophony, noise-c spellings)', () => {
  const base = load('noise/noise_25519_chachapoly_sha256.json');
  it('runs every vector without the optional handshake_hash', () => {
    const d = structuredClone(base);
    for (const v of d.vectors) delete v.handshake_hash;
    expectAllPass(run(d), d.vectors.length);
  });
  it("reads snow's spelling (empty psk arrays) and noise-c's (name, single psk)", () => {
    const d = structuredClone(base);
    d.vectors.forEach((v: J, i: number) => {
      delete v.handshake_hash;
      v.init_psks ??= [];
      v.resp_psks ??= [];
      // snow gives the responder an ephemeral key even in one-way patterns, where it is unused.
      v.resp_ephemeral ??= '11'.repeat(32);
      if (i % 2 === 1) {
        v.name = v.protocol_name;
        delete v.protocol_name;
        if (v.init_psks.length === 1) {
          v.init_psk = v.init_psks[0];
          v.resp_psk = v.resp_psks[0];
          delete v.init_psks;
          delete v.resp_psks;
        }
      }
    });
    expectAllPass(run(d), d.vectors.length);
  });
  it('fails a corrupted ciphertext by protocol name', () => {
    const d = structuredClone(base);
    for (const v of d.vectors) delete v.handshake_hash;
    const v = d.vectors[3];
    v.messages[1].ciphertext = flipHex(v.messages[1].ciphertext);
    expectFailureNamed(run(d), v.protocol_name, /handshake message 2/);
  });
  it('a `fail: true` vector passes only when a step refuses it', () => {
    const d = structuredClone(base);
    d.vectors = d.vectors.slice(0, 2).map((v: J) => ({ ...v, fail: true }));
    d.vectors[0].messages[0].ciphertext = flipHex(d.vectors[0].messages[0].ciphertext);
    const r = run(d);
    expect(r.passed).toBe(1);
    expectFailureNamed(r, `${d.vectors[1].protocol_name} (must fail)`, /marked fail/);
  });
  it('fails fallback, hybrid and other suites by name as unsupported', () => {
    const d = structuredClone(base);
    d.vectors = [
      { ...d.vectors[0], fallback: true, fallback_pattern: 'XXfallback' },
      { ...d.vectors[1], hybrid: 'Kyber1024' },
      { ...d.vectors[2], protocol_name: 'Noise_NK_25519_AESGCM_BLAKE2s' },
    ];
    const r = run(d);
    expect(r.passed).toBe(0);
    expect(r.failed).toBe(3);
    expectFailureNamed(r, base.vectors[0].protocol_name, /unsupported: Noise Pipes fallback/);
    expectFailureNamed(r, base.vectors[1].protocol_name, /unsupported: hybrid/);
    expectFailureNamed(r, 'Noise_NK_25519_AESGCM_BLAKE2s', /unsupported/);
  });
});

describe.skipIf(!present)("the reference's algorithm names", () => {
  // Debug names (`TokenNative`, `Brotli`, `M2M`), Option renderings (`Some(..)`, `None`); detection order per wire-format.md §5.1.
  const variant = () => {
    const d = load('reference/brotli_v3.json');
    const debug: Record<string, string> = { M2M: 'Some(M2M)', BROTLI: 'Brotli', TOKEN_NATIVE: 'TokenNative' };
    for (const v of d.detect_algorithm) v.detect_algorithm = v.detect_algorithm === null ? 'None' : debug[v.detect_algorithm];
    d.detect_algorithm.push({ input: '#TK|C|sk0L/Q4A', detect_algorithm: 'TokenNative', is_m2m_format: false });
    d.detect_algorithm.push({ input: '#M2M[v3.0]|DATA:CwKASGVsbG8D', detect_algorithm: 'Brotli' });
    d.algorithms.push({ debug: 'TokenNative', display: 'TOKEN_NATIVE', name: 'TOKEN_NATIVE', prefix: '#TK|', serde: 'tokennative' });
    d.algorithms.push({ debug: 'None', display: 'NONE', name: 'NONE', prefix: '', serde: 'none' });
    return d;
  };
  it('reads TokenNative, Brotli, Some(M2M) and None in detection cases and the algorithm table', () => {
    const d = variant();
    expectAllPass(run(d), d.detect_algorithm.length + d.algorithms.length);
  });
  it('fails a wrong algorithm by the input it names', () => {
    const d = variant();
    d.detect_algorithm[0].detect_algorithm = 'Brotli';
    expectFailureNamed(run(d), `detect ${JSON.stringify(d.detect_algorithm[0].input)}`, /algorithm/);
  });
});

describe.skipIf(!present)('encode cases whose security mode is given by the API name or a field', () => {
  const variant = () => {
    const d = load('reference/frame_errors.json');
    const frames = load('reference/frames.json');
    const f = frames.cases[1];
    for (const v of d.encode_cases) {
      if (v.api === 'M2MFrame::encode_secure') {
        v.api = 'M2MFrame::encode_secure(Aead)';
        v.name = 'encode_secure_short_key';
        v.description = 'a 16-byte key';
      }
    }
    d.encode_cases.push(
      { api: 'M2MFrame::encode_secure(Hmac)', name: 'hmac_by_api', input_string: f.input_json, key_hex: f.hmac.key_hex, result: { outcome: 'ok', value: f.hmac.wire_hex } },
      { api: 'M2MFrame::encode_secure', mode: 'Hmac', name: 'hmac_by_field', input_string: f.input_json, key_hex: f.hmac.key_hex, result: { outcome: 'ok', value: f.hmac.wire_hex } },
      { api: 'M2MFrame::encode_secure(SecurityMode::Aead)', name: 'aead_fixed_nonce', input_string: f.input_json, key_hex: f.aead.key_hex, nonce_hex: f.aead.nonce_hex, result: { outcome: 'ok', value: f.aead.wire_hex } },
      { api: 'M2MFrame::encode_secure_string(Aead)', name: 'aead_string_random_nonce', input_string: f.input_json, key_hex: f.aead.key_hex, result: { outcome: 'ok', value: f.aead.wire_string } },
      { api: 'M2MFrame::encode_string', name: 'plain_string', input_string: f.input_json, result: { outcome: 'ok', value: f.none.wire_string } },
    );
    return d;
  };
  it('runs HMAC and AEAD cases named only by the API or a mode field', () => {
    const d = variant();
    expectAllPass(run(d), d.cases.length + d.encode_cases.length);
  });
  it('fails a case whose mode disagrees with its expected wire, and one that names no mode', () => {
    const d = variant();
    d.encode_cases.find((v: J) => v.name === 'hmac_by_api').api = 'M2MFrame::encode_secure(Aead)';
    d.encode_cases.push({ api: 'M2MFrame::encode_secure', name: 'secure_without_mode', input_string: '{}', key_hex: '00'.repeat(32), result: { outcome: 'ok', value: '' } });
    const r = run(d);
    expectFailureNamed(r, 'hmac_by_api', /wire|weaker than the required aead/);
    expectFailureNamed(r, 'secure_without_mode', /names no security mode/);
  });
});

describe.skipIf(!present)('frames and decode cases keyed by API name', () => {
  it('reads a frame mode keyed by its encode API, and decode cases of M2MCodec or with an explicit mode', () => {
    const frames = load('reference/frames.json');
    for (const v of frames.cases) {
      v['M2MFrame::encode_secure(Hmac)'] = v.hmac;
      delete v.hmac;
    }
    const r = run(frames);
    expectAllPass(r, frames.cases.length * 10);
    expect(r.passed).toBe(load('reference/frames.json').cases.length * 10);
    const errors = load('reference/frame_errors.json');
    for (const v of errors.cases) {
      if (v.api === 'M2MFrame::decode') v.api = 'M2MCodec::decode';
      if (v.api === 'M2MFrame::decode_secure' && v.name.startsWith('aead_wrong_key')) v.api = 'M2MFrame::decode_secure(Aead)';
    }
    expectAllPass(run(errors), errors.cases.length + errors.encode_cases.length);
  });
  it('fails a frame mode whose key names no mode', () => {
    const frames = load('reference/frames.json');
    frames.cases[0].mystery = frames.cases[0].hmac;
    expectFailureNamed(run(frames), `${frames.cases[0].name}/mystery`, /names no security mode/);
  });
});

describe.skipIf(!present)('HKDF outputs given as okm_len + okm_sha256', () => {
  // An independent oracle for the long output: node's HKDF (empty salt = 32 zero bytes, RFC 5869).
  const long = (len: number, okm: string) => ({ name: `long_${len}`, ikm_hex: '42'.repeat(32), info_hex: Buffer.from('m2m/v1/long').toString('hex'), length: len, salt: null, result: { outcome: 'ok', okm_len: len, okm_sha256: okm } });
  const okm8160 = sha256(Buffer.from(hkdfSync('sha256', Buffer.alloc(32, 0x42), Buffer.alloc(0), Buffer.from('m2m/v1/long'), 8160)).toString('hex'));
  const variant = () => {
    const d = load('reference/hkdf_hierarchy.json');
    for (const v of d.raw_derive) {
      if (v.result.outcome !== 'ok') continue;
      v.result.okm_sha256 = sha256(v.result.okm_hex);
      delete v.result.okm_hex;
    }
    d.raw_derive.push(long(8160, okm8160));
    return d;
  };
  it('checks each output by length and digest, up to 8160 bytes', () => {
    const d = variant();
    expectAllPass(run(d), d.raw_derive.length);
  });
  it('fails a wrong digest or a wrong length by case name', () => {
    const d = variant();
    d.raw_derive.at(-1).result.okm_sha256 = flipHex(okm8160);
    const ok = d.raw_derive.find((v: J) => v.result.outcome === 'ok' && v.length > 0);
    ok.result.okm_len += 1;
    const r = run(d);
    expectFailureNamed(r, 'raw_derive long_8160', /sha256/);
    expectFailureNamed(r, `raw_derive ${ok.name}`, /length/);
  });
});

describe.skipIf(!present)('"None" where no value is expected', () => {
  const toNone = (x: unknown): unknown => {
    if (x === null) return 'None';
    if (Array.isArray(x)) return x.map(toNone);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toNone(v)]));
    return x;
  };
  it('reads "None" in frame headers, negotiation results and parse results', () => {
    const frames = load('reference/frames.json');
    for (const v of frames.cases) for (const k of ['decoded', 'decoded_aead']) v[k] = toNone(v[k]);
    expectAllPass(run(frames), frames.cases.length);
    const session = load('reference/session_messages.json');
    for (const v of session.negotiation) v.negotiated = toNone(v.negotiated);
    for (const v of session.parse_cases) if (v.result.outcome === 'ok') v.result.payload_variant = toNone(v.result.payload_variant);
    expect(session.negotiation.some((v: J) => v.negotiated === 'None')).toBe(true);
    expectAllPass(run(session), session.negotiation.length + session.parse_cases.length);
  });
  it('fails "None" where the SDK has a value', () => {
    const frames = load('reference/frames.json');
    const resp = frames.cases.find((v: J) => v.decoded.response !== null);
    resp.decoded.response = 'None';
    expectFailureNamed(run(frames), `${resp.name}/none.decode`, /response/);
  });
});

describe.skipIf(!present)('serde_json error texts with their position', () => {
  // serde_json's texts for these inputs (message, then ` at line L column C`).
  const serde: Array<[string, string]> = [
    ['{', 'EOF while parsing an object at line 1 column 1'],
    ['[1,2', 'EOF while parsing a list at line 1 column 4'],
    ['{"a":1}x', 'trailing characters at line 1 column 8'],
    ['{"a" 1}', 'expected `:` at line 1 column 6'],
    ['{"a":1,}', 'trailing comma at line 1 column 8'],
    ['[1,', 'EOF while parsing a value at line 1 column 3'],
    ['{"a":01}', 'invalid number at line 1 column 7'],
    ['[1.]', 'invalid number at line 1 column 4'],
    ['[-]', 'invalid number at line 1 column 3'],
  ];
  const variant = () => {
    const d = load('reference/frame_errors.json');
    const template = d.encode_cases.find((v: J) => v.name === 'encode_invalid_json');
    serde.forEach(([input, text], i) => d.encode_cases.push({ ...structuredClone(template), name: `serde_${i}`, input_string: input, result: { outcome: 'error', error: { ...template.result.error, display: `Compression error: Invalid JSON: ${text}` } } }));
    const session = load('reference/session_messages.json');
    // A kind the SDK words without a position: the reference's suffix is accepted, the message must match.
    const serdeError = (input: string, display: string) => ({ input, result: { outcome: 'error', error: { variant: 'Error', display, source_chain: [] } } });
    session.parse_cases.push(
      serdeError('{"type":"PING"}', 'missing field `timestamp` at line 1 column 15'),
      // The timestamp cases wire-format.md §6.7 lists (-1, 1.5) and a non-string session id, in serde's wording.
      serdeError('{"type":"PING","timestamp":-1}', 'invalid value: integer `-1`, expected u64 at line 1 column 29'),
      serdeError('{"type":"PING","timestamp":1.5}', 'invalid type: floating point `1.5`, expected u64 at line 1 column 30'),
      serdeError('{"type":"PING","session_id":5,"timestamp":1}', 'invalid type: integer `5`, expected a string at line 1 column 29'),
    );
    return { d, session };
  };
  it('compares the message and verifies the position of every serde text', () => {
    const { d, session } = variant();
    expectAllPass(run(d), d.encode_cases.length);
    expectAllPass(run(session), session.parse_cases.length);
  });
  it('fails a wrong position and a wrong message by case name', () => {
    const { d, session } = variant();
    const c = d.encode_cases.find((v: J) => v.name === 'encode_invalid_json');
    c.result.error.display = c.result.error.display.replace(/column \d+$/, 'column 5');
    d.encode_cases.find((v: J) => v.name === 'serde_0').result.error.display = 'Compression error: Invalid JSON: EOF while parsing a list at line 1 column 1';
    const r = run(d);
    expectFailureNamed(r, 'encode_invalid_json', /position/);
    expectFailureNamed(r, 'serde_0', /message/);
    const i = session.parse_cases.findIndex((v: J) => v.input === '{"type":"PING"}');
    session.parse_cases[i].result.error.display = 'missing field `type` at line 1 column 15';
    expectFailureNamed(run(session), `parse ${i}: {"type":"PING"}`, /error text/);
  });
});

describe.skipIf(!present)('session flow steps', () => {
  const T = 1705520400000;
  const notEstablished = { outcome: 'error', error: { variant: 'SessionNotEstablished', display: 'Session not established', source_chain: [] } };
  // Facts from wire-format.md §6.5: DATA before the handshake fails; a HELLO of another major version gets REJECT VERSION_MISMATCH.
  const flows = (): J[] => [
    {
      name: 'compress_before_handshake',
      steps: [
        { step: 'client.compress({"a":1})', result: notEstablished, client_state: 'Initial' },
        { step: 'server.decompress(data)', result: notEstablished, server_state: 'Initial' },
      ],
    },
    {
      name: 'hello_version_override',
      steps: [
        { step: 'client.create_hello()', client_version: '4.0', client_state: 'HelloSent' },
        { step: 'server.process_hello(hello)', result: { outcome: 'ok', message_json: `{"type":"REJECT","payload":{"code":"VERSION_MISMATCH","message":"Version 4.0 not compatible with 3.0"},"timestamp":${T}}` }, server_state: 'Initial' },
        { step: 'client.process_message(reject)', result: { outcome: 'error', error: { variant: 'NegotiationFailed', display: 'Negotiation failed: VersionMismatch: Version 4.0 not compatible with 3.0', source_chain: [] } }, client_state: 'Closed' },
      ],
    },
  ];
  const variant = () => {
    const d = load('reference/session_messages.json');
    const happy = d.session_flows.find((f: J) => f.name === 'happy_path_default_caps');
    // A second HELLO to an established server: the reference's state error.
    d.session_flows.push({
      name: 'hello_when_established',
      steps: [...happy.steps.slice(0, 3), { step: 'server.process_message(hello)', result: { outcome: 'error', error: { variant: 'Protocol', display: 'Protocol error: Cannot process HELLO in state Established', source_chain: [] } }, server_state: 'Established' }, { step: 'server.state()', value: 'Established' }],
    });
    d.session_flows.push(...flows());
    return d;
  };
  it('runs calls before the handshake, a HELLO with a version override and state errors', () => {
    const d = variant();
    const r = run(d);
    expectAllPass(r, d.cases.length + d.parse_cases.length + d.negotiation.length + d.session_flows.length);
  });
  it('fails a wrong expectation and an unknown step by flow name and step', () => {
    const d = variant();
    const f = d.session_flows.find((x: J) => x.name === 'hello_version_override');
    f.steps[1].result.message_json = f.steps[1].result.message_json.replace('4.0 not', '5.0 not');
    d.session_flows.push({ name: 'unknown_step', steps: [{ step: 'client.teleport()' }] });
    const r = run(d);
    expectFailureNamed(r, 'flow hello_version_override', /step 2 \(server.process_hello\(hello\)\)/);
    expectFailureNamed(r, 'flow unknown_step', /step not understood: client.teleport\(\)/);
  });
});

describe.skipIf(!present)('files holding only some sections', () => {
  it('are recognised by any one of their sections and run fully', () => {
    const session = load('reference/session_messages.json');
    delete session.session_flows;
    delete session.cases;
    const r = run(session);
    expect(r.format).toBe('reference/session_messages');
    expectAllPass(r, session.parse_cases.length + session.negotiation.length);
    const brotli = load('reference/brotli_v3.json');
    delete brotli.detect_algorithm;
    const b = run(brotli);
    expect(b.format).toBe('reference/brotli');
    expectAllPass(b, brotli.decompress_errors.length);
  });
  it('fail by name when a case lacks its list of sub-cases', () => {
    const brotli = load('reference/brotli_v3.json');
    delete brotli.cases[0].encodings;
    expectFailureNamed(run(brotli), brotli.cases[0].name, /no encodings/);
  });
});

describe.skipIf(!present)('sections and cases the runner cannot read', () => {
  it('fail by name, never pass silently', () => {
    const d = load('reference/brotli_v3.json');
    d.token_native_cases = [{ name: 'tk', input: 'x' }];
    d.decompress_errors.push({ name: 'no_result', api: 'BrotliCodec::decompress', input: 'x' });
    const r = run(d);
    expectFailureNamed(r, 'section token_native_cases', /not understood/);
    expectFailureNamed(r, 'no_result', /threw/);
  });
});

describe.skipIf(!present)('pnpm conformance on variant files', () => {
  it('ends with "N passed, 0 failed" and exit 0, and names the failing case of a corrupted copy', () => {
    const sub = mkdtempSync(join(dir, 'cli-'));
    const noise = load('noise/noise_25519_chachapoly_sha256.json');
    for (const v of noise.vectors) delete v.handshake_hash;
    writeFileSync(join(sub, 'snow.json'), JSON.stringify(noise));
    const cli = (p: string) =>
      spawnSync(process.execPath, [inject('programs')['scripts/conformance.ts'], p], { cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8' });
    const ok = cli(sub);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n').at(-1)).toBe(`${noise.vectors.length} passed, 0 failed`);
    const v = noise.vectors[5];
    v.messages.at(-1).ciphertext = flipHex(v.messages.at(-1).ciphertext);
    writeFileSync(join(sub, 'snow.json'), JSON.stringify(noise));
    const bad = cli(sub);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`${v.protocol_name}: threw transport message ${v.messages.length}`);
    expect(bad.stdout.trim().split('\n').at(-1)).toBe(`${noise.vectors.length - 1} passed, 1 failed`);
  });
});
