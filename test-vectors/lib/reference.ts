/**
 * Runners for the Rust reference's vector files (`../shared/vectors/reference/`).
 * @module
 */
import { ALGORITHM_NAMES, decodeBrotliText, decodeTokenNative, frameTextToBytes, decompress, decodeFrame, decodeFrameText, detectAlgorithm, encodeBrotliText, encodeFrame, encodeFrameText, estimateCost, fromHex, isCryptoError, isM2MError, toHex, type FrameHeader, type FrameProtection } from '@m2m/core';
import { encodeVarint, readVarint, utf8Encode, wrapCrypto, crc32 } from '@m2m/core/internal';
import { AeadCipher, HmacAuth, KeyExchange, KeyMaterial, KeyPair, aeadProtection, agentId, hkdf, hmacProtection, orgId, publicKeyFromSlice, x25519SharedSecret } from '@m2m/crypto';
import { AgentKeyContext, KeyHierarchy, Keyring } from '@m2m/crypto/keys';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { Cases, eq, eqBytes, eqSerdeText, expectThrow, innerMessage, isNone, normalizeDisplay, splitPosition, unwrapSome } from './check.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A case's list of sub-cases; a missing list is a named failure rather than nothing run. */
function sub(c: Cases, name: string, v: J | undefined, key: string): J[] {
  const list = v?.[key];
  if (Array.isArray(list)) return list as J[];
  c.fail(`${name}`, `no ${key}`);
  return [];
}

const SECURITY_NAMES: Record<string, string> = { none: 'None', hmac: 'Hmac', aead: 'Aead' };
const f32hex = (v: number | null) => {
  if (v === null) return null;
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return toHex(b);
};

/** Compares our decoded header with a reference `decoded` object. */
export function compareHeader(h: FrameHeader, ref: J, crc?: number): void {
  const fx = ref.fixed;
  eq(h.headerLen, fx.header_len, 'header_len');
  eq(h.schema, fx.schema, 'schema');
  eq(SECURITY_NAMES[h.security], fx.security, 'security');
  eq(h.flags, fx.flags_specific, 'flags_specific');
  eq(h.flagsCommon, fx.flags_common, 'flags_common');
  eq(h.flagsReserved, fx.flags_reserved, 'flags_reserved');
  eq(h.compressed, fx.compressed, 'compressed');
  eq(toHex(h.reserved), fx.reserved_hex, 'reserved');
  if (crc !== undefined && !isNone(ref.checksum_crc32)) eq(crc.toString(16).padStart(8, '0'), ref.checksum_crc32, 'crc32');
  if (!isNone(ref.routing)) {
    const r = ref.routing;
    if (!h.routing) throw new Error('routing header missing');
    eq(h.routing.model, r.model, 'model');
    eq(h.routing.msgCount, r.msg_count, 'msg_count');
    eq(h.routing.roles, r.roles, 'roles');
    eq(h.routing.contentHint, r.content_hint, 'content_hint');
    eq(h.routing.maxTokens, r.max_tokens, 'max_tokens');
    eq(f32hex(h.routing.estCostUsd), isNone(r.est_cost_usd) ? null : r.est_cost_usd.f32_le_hex, 'est_cost');
  } else eq(h.routing, null, 'routing');
  if (!isNone(ref.response)) {
    const r = ref.response;
    if (!h.response) throw new Error('response header missing');
    eq(h.response.id, r.id, 'id');
    eq(h.response.model, r.model, 'model');
    eq(h.response.finishReason, r.finish_reason, 'finish_reason');
    eq(h.response.promptTokens, r.prompt_tokens, 'prompt_tokens');
    eq(h.response.completionTokens, r.completion_tokens, 'completion_tokens');
    eq(h.response.cachedTokens, r.cached_tokens, 'cached_tokens');
    eq(h.response.reasoningTokens, r.reasoning_tokens, 'reasoning_tokens');
    eq(f32hex(h.response.estCostUsd), isNone(r.est_cost_usd) ? null : r.est_cost_usd.f32_le_hex, 'est_cost');
  } else eq(h.response, null, 'response');
}

/** frames.json */
export function runFrames(c: Cases, d: J): void {
  for (const v of (d.cases ?? []) as J[]) {
    const json: string = v.input_json ?? v.input_string ?? v.json;
    // One object per security mode: `none`/`hmac`/`aead`, or any key whose object holds a wire (mode from its name, API or fields).
    const modes = Object.keys(v).filter((k) => v[k] !== null && typeof v[k] === 'object' && typeof v[k].wire_hex === 'string');
    if (modes.length === 0) c.fail(`${v.name}`, 'no wire_hex in any mode');
    for (const key of modes) {
      const w = v[key] as J;
      const mode = (['none', 'hmac', 'aead'] as const).find((m) => m === key) ?? encodeModeOf({ ...w, name: key });
      if (!mode) {
        c.fail(`${v.name}/${key}`, 'names no security mode');
        continue;
      }
      const key32 = mode === 'none' ? undefined : fromHex(w.key_hex);
      const nonce = typeof w.nonce_hex === 'string' ? fromHex(w.nonce_hex) : undefined;
      const sealing = () => (mode === 'none' ? {} : { protection: mode === 'hmac' ? hmacProtection(key32!) : aeadProtection(key32!, nonce ? { nextNonce: () => nonce } : {}) });
      const opening = () => (mode === 'none' ? {} : { protection: mode === 'hmac' ? hmacProtection(key32!) : aeadProtection(key32!) });
      const header = mode === 'none' ? v.decoded : mode === 'aead' ? (v.decoded_aead ?? v[`decoded_${key}`]) : v[`decoded_${key}`];
      if (mode !== 'aead' || nonce) {
        c.run(`${v.name}/${key}.encode`, () => eq(toHex(encodeFrame(json, sealing())), w.wire_hex, 'wire'));
        if (w.wire_string !== undefined) c.run(`${v.name}/${key}.text`, () => eq(encodeFrameText(json, sealing()), w.wire_string, 'wire_string'));
      }
      c.run(`${v.name}/${key}.decode`, () => {
        const r = decodeFrame(fromHex(w.wire_hex), opening());
        eq(r.payload, json, 'payload');
        if (header) compareHeader(r.header, header, mode === 'none' ? r.crc32 : undefined);
      });
      if (mode === 'none' && w.wire_string !== undefined) c.run(`${v.name}/${key}.decodeText`, () => eq(decodeFrameText(w.wire_string).payload, json, 'payload'));
    }
  }
}

/**
 * Compares an SDK error with a reference error object (`variant`, `display`, `source_chain`).
 * serde_json texts (anything ending in ` at line L column C`, whatever the error kind) are
 * compared on their message part with the position verified when the SDK names one.
 */
export function compareError(e: unknown, ref: J): void {
  const err = isCryptoError(e) ? wrapCrypto(e) : e;
  if (!isM2MError(err)) throw new Error(`not an M2MError: ${String(err)}`);
  eq(err.kind, ref.variant, 'variant');
  const expected = normalizeDisplay(ref.display);
  if (splitPosition(expected).line !== undefined) eqSerdeText(err.message, expected, 'message');
  else eq(err.message, expected, 'message');
  if (err.kind === 'Crypto') {
    eq(isCryptoError(err.cause), true, 'cause is CryptoError');
    if (ref.source_chain?.[0]) eq((err.cause as Error).message, normalizeDisplay(ref.source_chain[0].display), 'cause message');
  }
}

function protectionFor(input: Uint8Array, keyHex: string | null): FrameProtection | undefined {
  if (!keyHex) return undefined;
  const key = fromHex(keyHex);
  return input.length > 10 && input[10] === 2 ? aeadProtection(key) : hmacProtection(key);
}

type SecurityMode = 'none' | 'hmac' | 'aead';

/**
 * The security mode of an encode case, from an explicit field (`mode`, `security`,
 * `security_mode`), else from the API name (`encode_secure(Aead)`, `SecurityMode::Hmac`,
 * `encode_hmac`), else from the case name or description. Undefined when none names one.
 */
export function encodeModeOf(v: J): SecurityMode | undefined {
  const pick = (s: unknown): SecurityMode | undefined => {
    if (typeof s !== 'string') return undefined;
    const m = /(?:^|[^a-z])(none|hmac|aead)(?:[^a-z]|$)/i.exec(s.replace(/_/g, ' '));
    return m ? (m[1].toLowerCase() as SecurityMode) : undefined;
  };
  for (const f of [v.mode, v.security, v.security_mode, v.securityMode]) {
    const m = pick(f);
    if (m) return m;
  }
  return pick(v.api) ?? pick(v.name) ?? pick(v.description);
}

const DEFAULT_ENCODE_INPUT = '{"model":"gpt-4o","messages":[]}';

/** One encode case: the call its `api` names, and whether its output is the text form. */
function encodeCall(v: J, expectError: boolean): { call: () => Uint8Array | string; text: boolean; mode: SecurityMode } {
  const api = String(v.api ?? '');
  const fn = /(encode(?:_secure)?(?:_string)?|compress)\b/.exec(api)?.[1];
  if (!fn) throw new Error(`unknown api ${api}`);
  const text = fn.endsWith('_string') || fn === 'compress';
  const secure = fn.startsWith('encode_secure') || typeof v.key_hex === 'string';
  const mode = encodeModeOf(v) ?? (secure ? undefined : 'none');
  if (!mode) throw new Error(`the case names no security mode (api ${api})`);
  const input: unknown = v.input_string ?? v.input_json ?? v.json ?? v.input;
  if (typeof input !== 'string' && !expectError) throw new Error('the case gives no input');
  const json = typeof input === 'string' ? input : DEFAULT_ENCODE_INPUT;
  if (mode !== 'none' && typeof v.key_hex !== 'string') throw new Error(`mode ${mode} without key_hex`);
  const nonce = typeof v.nonce_hex === 'string' ? fromHex(v.nonce_hex) : undefined;
  // The protection is built inside the call: a bad key is the error some cases expect.
  const options = (): { protection?: FrameProtection } => {
    if (mode === 'none') return {};
    const key = fromHex(v.key_hex);
    return { protection: mode === 'hmac' ? hmacProtection(key) : aeadProtection(key, nonce ? { nextNonce: () => nonce } : {}) };
  };
  return { call: () => (text ? encodeFrameText(json, options()) : encodeFrame(json, options())), text, mode };
}

/**
 * One decode case: the call its `api` names (`decode`, `decode_secure`, `decode_string`,
 * `decode_secure_string` of `M2MFrame` or `M2MCodec`, or `decompress`). Secure calls verify with
 * `key_hex` under the mode the case names, else the mode the frame's security byte declares (as
 * the reference dispatches); nothing is required of the security (`minSecurity: 'none'`).
 */
function decodeCall(v: J): () => { payload: string; header: FrameHeader } {
  const api = String(v.api ?? '');
  const fn = /(decode(?:_secure)?(?:_string)?|decompress)\b/.exec(api)?.[1];
  if (!fn) throw new Error(`unknown api ${api}`);
  const text = fn.endsWith('_string') || fn === 'decompress';
  const secure = fn.startsWith('decode_secure');
  return () => {
    const bytes = text ? undefined : fromHex(v.input_hex);
    let protection: FrameProtection | undefined;
    if (secure && typeof v.key_hex === 'string') {
      const named = v.mode ?? v.security ?? v.security_mode ?? /\((\w+)\)/.exec(api)?.[1];
      const mode = named === undefined ? undefined : encodeModeOf({ mode: named });
      const key = fromHex(v.key_hex);
      if (mode === 'hmac') protection = hmacProtection(key);
      else if (mode === 'aead') protection = aeadProtection(key);
      else if (mode === undefined) protection = protectionFor(bytes ?? textBytes(String(v.input_string)), v.key_hex);
    }
    const options = { protection, minSecurity: 'none' as const };
    return text ? decodeFrameText(v.input_string, options) : decodeFrame(bytes!, options);
  };
}

/** A text frame's bytes for reading its security byte; bytes that do not decode dispatch as HMAC (the decode then reports the error). */
function textBytes(text: string): Uint8Array {
  try {
    return frameTextToBytes(text);
  } catch {
    return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  }
}

/** frame_errors.json */
export function runFrameErrors(c: Cases, d: J): void {
  for (const v of (d.cases ?? []) as J[]) {
    c.run(`${v.name}`, () => {
      const call = decodeCall(v);
      if (v.result.outcome === 'error') compareError(expectThrow(call, 'decode'), v.result.error);
      else {
        const r = call();
        const value = v.result.value;
        if (typeof value === 'string') return eq(r.payload, value, 'payload');
        eq(r.payload, value.payload, 'payload');
        if (!isNone(value.frame)) compareHeader(r.header, value.frame);
      }
    });
  }
  for (const v of (d.encode_cases ?? []) as J[]) {
    c.run(`${v.name}`, () => {
      const isError = v.result.outcome === 'error';
      const { call, text, mode } = encodeCall(v, isError);
      if (isError) return compareError(expectThrow(call, 'encode'), v.result.error);
      const wire = call();
      const expected: unknown = v.result.value ?? (text ? v.result.wire_string : v.result.wire_hex);
      const got = typeof wire === 'string' ? wire : toHex(wire);
      const key = typeof v.key_hex === 'string' ? fromHex(v.key_hex) : undefined;
      if (mode === 'aead' && v.nonce_hex === undefined) {
        // A random nonce: both wires must decode under the key to the input.
        if (typeof expected !== 'string') throw new Error('the case gives no expected wire');
        const open = (w: string) => (text ? decodeFrameText(w, { protection: aeadProtection(key!) }) : decodeFrame(fromHex(w), { protection: aeadProtection(key!) })).payload;
        eq(open(got), open(expected), 'payload of our wire vs the reference wire');
      } else eq(got, expected, 'wire');
      if (v.decode_result) {
        const protection = mode === 'none' ? undefined : mode === 'hmac' ? hmacProtection(key!) : aeadProtection(key!);
        const r = typeof wire === 'string' ? decodeFrameText(wire, { protection }) : decodeFrame(wire, { protection });
        eq(r.payload, v.input_string ?? v.input_json ?? v.json ?? v.input, 'payload');
        compareHeader(r.header, v.decode_result.value.frame);
      }
    });
  }
}

/**
 * An algorithm name in any spelling the reference's vectors use (Debug `TokenNative`, Display
 * `TOKEN_NATIVE`, serde `tokennative`, `Some(Brotli)`), as the SDK's {@link Algorithm}; `null`
 * for no algorithm (`null`, absent, `"None"`). The reference's detection never yields
 * `Algorithm::None`, so `"None"` is the absent Option.
 */
export function algorithmOf(name: unknown, noneIsAlgorithm = false): string | null {
  const v = unwrapSome(name);
  if (isNone(v) && !(noneIsAlgorithm && v === 'None')) return null;
  const key = String(v).toLowerCase().replace(/[^a-z0-9]/g, '');
  const map: Record<string, string> = { m2m: 'm2m', m2mv1: 'm2m', brotli: 'brotli', tokennative: 'tokennative', token: 'tokennative', none: 'none', passthrough: 'none' };
  if (!(key in map)) throw new Error(`unknown algorithm name ${JSON.stringify(name)}`);
  return map[key];
}

/** brotli_v3.json */
export function runBrotli(c: Cases, d: J): void {
  for (const a of (d.algorithms ?? []) as J[]) {
    c.run(`algorithm ${a.debug ?? a.name}`, () => {
      // In the algorithm table "None" is `Algorithm::None`, not an absent Option.
      const ours = algorithmOf(a.debug ?? a.name ?? a.serde, true);
      for (const field of ['debug', 'display', 'name', 'serde'] as const) if (a[field] !== undefined) eq(algorithmOf(a[field], true), ours, field);
      if (ours && ours !== 'none' && typeof a.prefix === 'string') eq(detectAlgorithm(`${a.prefix}x`), ours, 'prefix detection');
      if (ours) eq(ALGORITHM_NAMES[ours as keyof typeof ALGORITHM_NAMES], a.display ?? a.name ?? ALGORITHM_NAMES[ours as keyof typeof ALGORITHM_NAMES], 'display name');
    });
  }
  for (const v of (d.cases ?? []) as J[]) {
    for (const enc of sub(c, v.name, v, 'encodings')) {
      const label = enc.codec ?? `q${enc.quality ?? 11}`;
      c.run(`${v.name}/${label}.encode`, () => eq(encodeBrotliText(v.input, enc.quality ?? 11), enc.wire, 'wire'));
      c.run(`${v.name}/${label}.decode`, () => eq(decodeBrotliText(enc.wire), v.input, 'content'));
    }
  }
  for (const v of (d.decompress_errors ?? []) as J[]) {
    c.run(v.name, () => {
      const api = String(v.api ?? 'BrotliCodec::decompress');
      const call = () => {
        if (/^Brotli/.test(api)) return decodeBrotliText(v.input);
        if (/^TokenNative/.test(api)) return decodeTokenNative(v.input);
        if (/^(CodecEngine|Session)::decompress|^decompress$/.test(api)) return decompress(v.input);
        throw new Error(`unknown api ${api}`);
      };
      if (v.result.outcome === 'ok') return eq(call(), v.result.value, 'value');
      compareError(expectThrow(call, 'decode'), v.result.error);
    });
  }
  for (const v of (d.detect_algorithm ?? []) as J[]) {
    c.run(`detect ${JSON.stringify(v.input)}`, () => {
      const ours = detectAlgorithm(v.input);
      // The reference's detection returns no algorithm for passthrough text.
      eq(ours === 'none' ? null : ours, algorithmOf(v.detect_algorithm ?? v.algorithm ?? v.expected), 'algorithm');
      if (v.is_m2m_format !== undefined) eq(ours === 'm2m', v.is_m2m_format, 'is_m2m_format');
    });
  }
}

/** primitives.json */
export function runPrimitives(c: Cases, d: J): void {
  for (const v of (d.varint_encode ?? []) as J[]) c.run(`varint_encode ${v.value}`, () => eq(toHex(encodeVarint(BigInt(v.value))), v.encoded_hex, 'encoded'));
  for (const v of (d.varint_decode ?? []) as J[]) {
    c.run(`varint_decode ${v.input_hex}`, () => {
      if (v.result.outcome === 'ok') {
        const r = readVarint(fromHex(v.input_hex));
        eq(r.value.toString(), String(v.result.value), 'value');
        eq(r.length, v.result.consumed, 'consumed');
      } else compareError(expectThrow(() => readVarint(fromHex(v.input_hex)), 'varint'), v.result.error);
    });
  }
  for (const v of (d.crc32 ?? []) as J[]) c.run(`crc32 ${JSON.stringify(v.input).slice(0, 30)}`, () => eq(crc32(utf8Encode(v.input)).toString(16).padStart(8, '0'), v.crc32, 'crc'));
  for (const m of (d.cost_estimates ?? []) as J[]) {
    for (const e of sub(c, `cost ${m.model}`, m, 'estimates')) c.run(`cost ${m.model} ${e.prompt_tokens}/${e.completion_tokens}`, () => eq(f32hex(estimateCost(m.model, e.prompt_tokens, e.completion_tokens)), e.cost.f32_le_hex, 'cost'));
  }
  for (const v of (d.aead ?? []) as J[]) {
    c.run(`aead ${v.name}`, () => {
      const cipher = new AeadCipher(fromHex(v.key_hex));
      const out = cipher.encrypt(fromHex(v.plaintext_hex), fromHex(v.aad_hex), fromHex(v.nonce_hex));
      eq(toHex(out), v.output_hex, 'output');
      eq(toHex(cipher.decrypt(out, fromHex(v.aad_hex))), v.plaintext_hex, 'roundtrip');
    });
  }
  for (const v of (d.aead_errors ?? []) as J[]) {
    c.run(`aead_error ${v.name}`, () => {
      const n = Number(/(\d+) bytes/.exec(v.error.display)?.[1] ?? 0);
      const e = expectThrow(() => new AeadCipher(new Uint8Array(n)), 'AeadCipher');
      eq(innerMessage(e), v.error.display, 'message');
      eq((e as { reason: string }).reason, v.error.variant, 'variant');
    });
  }
  for (const v of (d.hmac ?? []) as J[]) {
    c.run(`hmac ${v.name}`, () => {
      if (v.result.outcome === 'error') {
        const e = expectThrow(() => new HmacAuth(fromHex(v.key_hex)).sign(fromHex(v.data_hex)), 'hmac');
        eq(innerMessage(e), v.result.error.display, 'message');
        return;
      }
      const auth = new HmacAuth(fromHex(v.key_hex));
      eq(toHex(auth.computeTag(fromHex(v.data_hex))), v.result.tag_hex, 'tag');
      eq(toHex(auth.sign(fromHex(v.data_hex))), v.result.signed_hex, 'signed');
    });
  }
  for (const v of (d.hmac_errors ?? []) as J[]) {
    c.run(`hmac_error ${v.name}`, () => {
      const call = () => new HmacAuth(fromHex(v.key_hex)).verify(fromHex(v.input_hex));
      if (v.result.outcome === 'ok') {
        const data = v.result.data_hex ?? v.result.value_hex ?? v.result.value;
        if (typeof data !== 'string') throw new Error('an ok case without the verified data (data_hex)');
        return eq(toHex(call()), data, 'verified data');
      }
      const e = expectThrow(call, 'verify');
      eq(innerMessage(e), v.result.error.display, 'message');
      eq((e as { reason: string }).reason, v.result.error.variant, 'variant');
    });
  }
}

/** hkdf_hierarchy.json */
export function runHkdf(c: Cases, d: J): void {
  const hexOf = (k: KeyMaterial) => toHex(k.bytes);
  for (const v of (d.cases ?? []) as J[]) {
    const master = fromHex(v.master_hex);
    const h = new KeyHierarchy(master, v.org_id);
    c.run(`${v.master_name}/${v.org_id}/org`, () => eq(hexOf(h.deriveOrgKey()), v.org_key.key_hex, 'org'));
    c.run(`${v.master_name}/${v.org_id}/agent_a`, () => eq(hexOf(h.deriveAgentKey(v.agent_a)), v.agent_key_a.key_hex, 'agent a'));
    c.run(`${v.master_name}/${v.org_id}/agent_b`, () => eq(hexOf(h.deriveAgentKey(v.agent_b)), v.agent_key_b.key_hex, 'agent b'));
    for (const p of sub(c, `${v.master_name}/${v.org_id}`, v, 'purpose_keys_a')) c.run(`${v.master_name}/${v.org_id}/purpose ${p.purpose}`, () => eq(hexOf(h.deriveAgentKeyForPurpose(v.agent_a, p.purpose)), p.key_hex, p.purpose));
    c.run(`${v.master_name}/${v.org_id}/session`, () => {
      eq(hexOf(h.deriveSessionKey(v.agent_a, v.agent_b, v.session_id)), v.session_key.key_hex, 'session');
      eq(hexOf(h.deriveSessionKey(v.agent_b, v.agent_a, v.session_id)), v.session_key.key_hex, 'session (swapped)');
    });
    c.run(`${v.master_name}/${v.org_id}/shared`, () => eq(hexOf(h.deriveSharedKey()), v.shared_key.key_hex, 'shared'));
    const ctx = AgentKeyContext.fromHierarchy(h, v.agent_a);
    c.run(`${v.master_name}/${v.org_id}/context identity`, () => eq(hexOf(ctx.identityKey), v.agent_context.identity_key_hex, 'identity'));
    for (const p of sub(c, `${v.master_name}/${v.org_id}/context`, v.agent_context, 'purpose_keys_a')) c.run(`${v.master_name}/${v.org_id}/context ${p.purpose}`, () => eq(hexOf(ctx.deriveKey(p.purpose)), p.key_hex, p.purpose));
    c.run(`${v.master_name}/${v.org_id}/context session`, () => eq(hexOf(ctx.deriveSessionKey(v.agent_b, v.session_id)), v.agent_context.session_key.key_hex, 'ctx session'));
  }
  if (d.keyring_no_default_key_error) c.run('keyring no default key', () => {
    const e = expectThrow(() => new Keyring().deriveSessionKey('x', 'y'), 'keyring');
    eq(innerMessage(e), d.keyring_no_default_key_error.display, 'message');
  });
  for (const v of (d.keyring_session ?? []) as J[]) {
    c.run(`keyring ${v.info}`, () => {
      const ring = new Keyring();
      ring.addKey('k', fromHex(v.default_key_hex));
      eq(hexOf(ring.deriveSessionKey(v.context, v.session_id)), v.key_hex, 'key');
    });
  }
  for (const v of (d.raw_derive ?? []) as J[]) {
    c.run(`raw_derive ${v.name}`, () => {
      const length = v.length ?? v.okm_len ?? v.result?.okm_len;
      const info = typeof v.info_hex === 'string' ? fromHex(v.info_hex) : utf8Encode(v.info_utf8 ?? v.info ?? '');
      const call = () => hkdf(fromHex(v.ikm_hex), isNone(v.salt) ? undefined : fromHex(v.salt), info, length);
      // Long outputs may be given as okm_len + okm_sha256 instead of okm_hex.
      if (v.result.outcome === 'ok') return eqBytes(call(), v.result, 'okm', 'okm');
      const e = expectThrow(call, 'hkdf');
      eq(innerMessage(e), v.result.error.display, 'message');
    });
  }
  if (d.reference_test_vector) c.run('reference_test_vector', () => eq(toHex(hkdf(fromHex(d.reference_test_vector.master_hex), undefined, utf8Encode(d.reference_test_vector.path), 32)), d.reference_test_vector.expected_hex, 'okm'));
}

/** x25519.json */
export function runX25519(c: Cases, d: J): void {
  for (const v of (d.cases ?? []) as J[]) {
    c.run(`${v.name}/public`, () => {
      eq(toHex(KeyPair.fromSecret(fromHex(v.secret_a_hex)).publicKey), v.public_a_hex, 'public a');
      eq(toHex(KeyPair.fromSecret(fromHex(v.secret_b_hex)).publicKey), v.public_b_hex, 'public b');
    });
    c.run(`${v.name}/shared`, () => {
      eq(toHex(x25519SharedSecret(fromHex(v.secret_a_hex), fromHex(v.public_b_hex))), v.shared_secret_hex, 'a·B');
      eq(toHex(x25519SharedSecret(fromHex(v.secret_b_hex), fromHex(v.public_a_hex))), v.shared_secret_hex, 'b·A');
    });
    for (const s of sub(c, v.name, v, 'session_keys')) {
      c.run(`${v.name}/session ${s.context}`, () => {
        const kx = new KeyExchange(KeyPair.fromSecret(fromHex(v.secret_a_hex)));
        kx.setPeerPublic(fromHex(v.public_b_hex));
        eq(toHex(kx.deriveSessionKey(s.context)!.bytes), s.key_hex, 'session key');
      });
    }
  }
  for (const v of (d.edge_public_keys ?? []) as J[]) {
    const zero = /^0+$/.test(v.shared_secret_hex);
    c.run(`${v.name}/shared`, () => {
      if (zero) {
        const e = expectThrow(() => x25519SharedSecret(fromHex(v.secret_hex), fromHex(v.peer_public_hex)), 'default policy');
        eq((e as { reason: string }).reason, 'LowOrderPoint', 'reason');
      }
      eq(toHex(x25519SharedSecret(fromHex(v.secret_hex), fromHex(v.peer_public_hex), { allowZeroSharedSecret: zero })), v.shared_secret_hex, 'shared');
    });
    for (const s of sub(c, v.name, v, 'session_keys')) {
      c.run(`${v.name}/session ${s.context}`, () => {
        const kx = new KeyExchange(KeyPair.fromSecret(fromHex(v.secret_hex)));
        kx.setPeerPublic(fromHex(v.peer_public_hex), { allowZeroSharedSecret: true });
        eq(toHex(kx.deriveSessionKey(s.context)!.bytes), s.key_hex, 'session key');
      });
    }
  }
  for (const v of (d.errors ?? []) as J[]) {
    c.run(`${v.api} ${v.input_len}`, () => {
      const e = expectThrow(() => publicKeyFromSlice(new Uint8Array(v.input_len)), 'from_slice');
      eq(innerMessage(e), v.error.display, 'message');
    });
  }
  for (const v of (d.seeded_generation ?? []) as J[]) {
    c.run(`seeded ${v.rng.slice(0, 48)}`, () => {
      const seed = BigInt(/seed_from_u64\((\d+)\)/.exec(v.rng)![1]);
      const stream = chachaRngBytes(seed, 64);
      const a = KeyPair.fromSecret(stream.subarray(0, 32));
      const b = KeyPair.fromSecret(stream.subarray(32, 64));
      eq(toHex(a.publicKey), v.public_a_hex, 'public a');
      eq(toHex(b.publicKey), v.public_b_hex, 'public b');
      eq(toHex(a.diffieHellman(b.publicKey).bytes), v.shared_secret_hex, 'shared');
    });
  }
}

/** rand_chacha's `ChaCha20Rng::seed_from_u64`: PCG32 expands the seed into the key (rand_core 0.6), then the ChaCha20 keystream. */
function chachaRngBytes(seed: bigint, n: number): Uint8Array {
  const MASK = (1n << 64n) - 1n;
  const key = new Uint8Array(32);
  let state = seed;
  for (let i = 0; i < 8; i++) {
    state = (state * 6364136223846793005n + 11634580027462260723n) & MASK;
    const xorshifted = Number((((state >> 18n) ^ state) >> 27n) & 0xffffffffn) >>> 0;
    const rot = Number(state >> 59n);
    const x = ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
    new DataView(key.buffer).setUint32(i * 4, x, true);
  }
  return chacha20(key, new Uint8Array(12), new Uint8Array(n));
}

/** ids.json */
export function runIds(c: Cases, d: J): void {
  const check = (fn: () => unknown, ref: J, what: string) => {
    if (ref.outcome === 'ok') return eq(fn(), ref.value, what);
    const e = expectThrow(fn, what);
    eq((e as { reason: string }).reason, ref.error.variant, `${what} variant`);
    eq(innerMessage(e), ref.error.display, `${what} message`);
  };
  for (const v of (d.cases ?? []) as J[]) {
    c.run(`${v.name}/agent`, () => check(() => agentId(v.input), v.agent_id_try_new, 'AgentId'));
    c.run(`${v.name}/org`, () => check(() => orgId(v.input), v.org_id_try_new, 'OrgId'));
    c.run(`${v.name}/hierarchy`, () => check(() => KeyHierarchy.tryNew(new Uint8Array(32), v.input).orgId, v.key_hierarchy_try_new, 'KeyHierarchy'));
  }
  for (const v of (d.key_material ?? []) as J[]) {
    c.run(`key_material ${v.name}`, () => {
      const input = v.input_hex !== undefined ? fromHex(v.input_hex) : new Uint8Array(0);
      const call = () => {
        if (v.api === 'KeyMaterial::try_new_with_min_length') return KeyMaterial.tryNewWithMinLength(input, v.min_length).length;
        if (v.api === 'KeyMaterial::try_new') return KeyMaterial.tryNew(input).length;
        if (v.api === 'KeyMaterial::from_hex') return toHex(KeyMaterial.fromHex(v.input_string).bytes);
        throw new Error(`unknown api ${v.api}`);
      };
      if (v.result.outcome === 'ok') return eq(call(), v.result.bytes_hex ?? v.result.len, 'value');
      const e = expectThrow(call, 'key material');
      if (v.result.as_crypto_error_display) eq((e as Error).message, v.result.as_crypto_error_display, 'message');
      else eq(innerMessage(e), v.result.error.display, 'message');
    });
  }
}
