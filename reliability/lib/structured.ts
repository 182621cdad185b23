/**
 * Structure-aware fuzz inputs: well-formed shapes (nested MessagePack, nested JSON, M2M frames,
 * TokenNative and base64 text forms, session messages) whose length and count fields lie. Random
 * mutation of seeds rarely builds structure (a million inputs never nested 25 `array32`
 * headers); these generators build it on purpose, so every length field of every decoder that
 * network bytes reach gets big, off-by-one and self-contradicting values.
 * @module
 */
import { encodeFrame, M2M_PREFIX_BYTES } from '@m2m/core';
import { base64Encode } from '@m2m/core/internal';
import { brotliCompressSync, constants } from 'node:zlib';
import type { Prng } from './prng.js';

const te = new TextEncoder();
const brotli = (b: Uint8Array) => new Uint8Array(brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }));

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(256);
  n = 0;
  room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.n++] = b & 0xff;
  }
  be(v: number, width: number): void {
    for (let i = width - 1; i >= 0; i--) this.byte(width === 4 && i === 3 ? Math.floor(v / 2 ** 24) : v >>> (8 * i));
  }
  le(v: number, width: number): void {
    for (let i = 0; i < width; i++) this.byte(i === 3 ? Math.floor(v / 2 ** 24) : v >>> (8 * i));
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** A length for a field: mostly the true one, often a lie (off by one, huge, near V8's array limit). */
export function lyingLength(rng: Prng, truth: number, max = 0xffffffff): number {
  const lies = [truth + 1, truth * 2 + 1, 0x7f, 0xff, 0xffff, 0x10000, 27_042_091, 0x7fffffff, 0xffffffff, rng.u32()];
  return rng.int(3) === 0 ? Math.min(max, rng.pick(lies)) : truth;
}

// ---------------------------------------------------------------------------------------------
// MessagePack

function msgpackLength(out: Bytes, rng: Prng, kind: 'array' | 'map' | 'str' | 'bin', n: number): void {
  const fix = kind === 'array' ? 0x90 : kind === 'map' ? 0x80 : kind === 'str' ? 0xa0 : -1;
  const fixMax = kind === 'str' ? 31 : 15;
  const ops = kind === 'array' ? [-1, 0xdc, 0xdd] : kind === 'map' ? [-1, 0xde, 0xdf] : kind === 'str' ? [0xd9, 0xda, 0xdb] : [0xc4, 0xc5, 0xc6];
  const form = rng.int(4);
  if (form === 0 && fix >= 0 && n <= fixMax) return out.byte(fix | n);
  const widths = [1, 2, 4];
  for (let w = Math.max(0, form - 1); w < 3; w++) {
    if (ops[w] < 0) continue;
    if (n < 2 ** (8 * widths[w]) || w === 2) {
      out.byte(ops[w]);
      out.be(Math.min(n, 2 ** (8 * widths[w]) - 1), widths[w]);
      return;
    }
  }
}

/** One MessagePack value, nested up to `depth` more levels, with lying lengths here and there. */
function msgpackValue(rng: Prng, out: Bytes, depth: number): void {
  if (out.n > 2_000_000) depth = 0; // keeps nested long arrays from exploding
  const r = rng.int(depth > 0 ? 14 : 9);
  switch (r) {
    case 0:
      return out.byte(rng.int(0x80));
    case 1:
      return out.byte(0xe0 | rng.int(32));
    case 2:
      return out.byte(rng.pick([0xc0, 0xc2, 0xc3]));
    case 3: {
      const op = rng.pick([0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xca, 0xcb]);
      out.byte(op);
      return out.bytes(rng.bytes({ 0xcc: 1, 0xd0: 1, 0xcd: 2, 0xd1: 2, 0xce: 4, 0xd2: 4, 0xca: 4 }[op] ?? 8));
    }
    case 4:
    case 5: {
      const s = te.encode(rng.int(4) === 0 ? 'é'.repeat(rng.int(40)) : 'x'.repeat(rng.int(rng.int(10) === 0 ? 70_000 : 40)));
      msgpackLength(out, rng, 'str', lyingLength(rng, s.length));
      return out.bytes(s);
    }
    case 6: {
      const b = rng.bytes(rng.int(64));
      msgpackLength(out, rng, 'bin', lyingLength(rng, b.length));
      return out.bytes(b);
    }
    case 7: // an extension type, or the reserved byte
      out.byte(rng.pick([0xc1, 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]));
      return out.bytes(rng.bytes(rng.int(20)));
    case 8: // a bare container header claiming much and holding nothing
      out.byte(rng.pick([0xdc, 0xdd, 0xde, 0xdf]));
      return out.be(rng.pick([27_042_091, 0xffffffff, 0xffff, rng.u32()]), rng.int(2) ? 4 : 2);
    case 9: // the bomb: nested array32 headers
      for (let i = 1 + rng.int(30); i > 0; i--) {
        out.byte(0xdd);
        out.be(rng.pick([27_042_091, 0x01ffffff, 0xffffffff]), 4);
      }
      return;
    case 10:
    case 11: {
      const n = rng.int(8) === 0 ? rng.int(3000) : rng.int(6);
      msgpackLength(out, rng, 'array', lyingLength(rng, n));
      for (let i = 0; i < n; i++) msgpackValue(rng, out, depth - 1);
      return;
    }
    default: {
      const n = rng.int(5);
      msgpackLength(out, rng, 'map', lyingLength(rng, n));
      for (let i = 0; i < n; i++) {
        if (rng.int(8) === 0) msgpackValue(rng, out, 0); // a key that may not be a string
        else {
          const k = te.encode(rng.pick(['k', 'agent', '__proto__', 'constructor', 'x'.repeat(rng.int(300))]));
          msgpackLength(out, rng, 'str', k.length);
          out.bytes(k);
        }
        msgpackValue(rng, out, depth - 1);
      }
    }
  }
}

/** A session message in the binary codec's shape (docs/PROTOCOL.md §4.2) with lies and deep spots. */
export function msgpackMessage(rng: Prng): Uint8Array {
  const out = new Bytes();
  msgpackLength(out, rng, 'array', lyingLength(rng, 4));
  out.byte(rng.int(9)); // type, sometimes unknown
  if (rng.int(2)) out.byte(0xc0);
  else {
    msgpackLength(out, rng, 'str', lyingLength(rng, 8));
    out.bytes(te.encode('sess-001'));
  }
  out.byte(0xcf);
  out.be(0, 4);
  out.be(rng.u32(), 4);
  const kind = rng.int(7);
  const fields = [15, 4, 5, 3, 1, 3, 2][kind];
  msgpackLength(out, rng, 'array', lyingLength(rng, fields));
  out.byte(kind);
  for (let i = 1; i < fields; i++) msgpackValue(rng, out, rng.int(6) === 0 ? 12 : 3);
  if (rng.int(10) === 0) out.bytes(rng.bytes(1 + rng.int(8))); // trailing bytes
  return out.done();
}

/** A capabilities array alone (the Noise payload of HELLO), lying like {@link msgpackMessage}. */
export function msgpackCapabilities(rng: Prng): Uint8Array {
  const out = new Bytes();
  msgpackLength(out, rng, 'array', lyingLength(rng, 15));
  out.byte(0);
  for (let i = 1; i < 15; i++) msgpackValue(rng, out, rng.int(4) === 0 ? 10 : 2);
  return out.done();
}

// ---------------------------------------------------------------------------------------------
// JSON

/** Values and characters left for the current input (keeps nested long arrays from exploding). */
let valuesLeft = 0;
let charsLeft = 0;

/** JSON text nested up to `depth` more levels, of at most about `maxChars`; arrays sometimes long, strings sometimes large. */
export function jsonValue(rng: Prng, depth: number, maxChars = 256 * 1024): string {
  valuesLeft = 5_000;
  charsLeft = maxChars;
  return jsonAt(rng, depth);
}

function jsonAt(rng: Prng, depth: number): string {
  if (--valuesLeft < 0 || charsLeft <= 0) depth = 0;
  switch (rng.int(depth > 0 ? 9 : 5)) {
    case 0:
      return rng.pick(['null', 'true', 'false', '0', '-0', '1e400', '1.0', '18446744073709551616', '-1']);
    case 1:
      return String(rng.u32());
    case 2:
    case 3: {
      const str = JSON.stringify(rng.int(10) === 0 && charsLeft > 0 ? 'é\\"'.repeat(rng.int(Math.min(20_000, charsLeft / 4))) : 'x'.repeat(rng.int(50)));
      charsLeft -= str.length;
      return str;
    }
    case 4:
      return rng.int(2) ? '[]' : '{}';
    case 5: // deep, unbalanced or not
      charsLeft -= 400;
      return `${'['.repeat(rng.int(200))}${rng.int(2) ? ']'.repeat(rng.int(200)) : ''}`;
    case 6: {
      const n = rng.int(8) === 0 ? rng.int(5000) : rng.int(6);
      return `[${Array.from({ length: n }, () => jsonAt(rng, depth - 1)).join(',')}]`;
    }
    default: {
      const n = rng.int(6);
      return `{${Array.from({ length: n }, () => `${JSON.stringify(rng.pick(['a', 'agent_id', '__proto__', 'x'.repeat(rng.int(40))]))}:${jsonAt(rng, depth - 1)}`).join(',')}}`;
    }
  }
}

const text = (rng: Prng, max: number) => JSON.stringify('a'.repeat(rng.int(4) === 0 ? rng.int(max) : rng.int(40)));

/** A json-codec session message: capabilities with fields of any size, data, handshakes with bad base64, unknown keys. */
export function jsonMessage(rng: Prng): Uint8Array {
  const type = rng.pick(['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE', 'AUTH', 'hello']);
  const list = (items: string[]) => `[${Array.from({ length: rng.int(4) === 0 ? rng.int(300) : 3 }, () => rng.pick(items)).join(',')}]`;
  const ext = `{${Array.from({ length: rng.int(4) === 0 ? rng.int(200) : 2 }, (_, i) => `${JSON.stringify(`k${i}${'k'.repeat(rng.int(4) === 0 ? rng.int(300) : 0)}`)}:${text(rng, 10_000)}`).join(',')}}`;
  const payloads = [
    `{"version":${text(rng, 100)},"agent_id":${text(rng, 100_000)},"agent_type":${text(rng, 500)},"compression":{"algorithms":${list(['"m2m"', '"none"', '"brotli"'])},"max_payload":${rng.pick(['0', '18446744073709551615', '1.5', '-1'])},"streaming":true,"ml_routing":false,"encodings":${list(['"Cl100kBase"', '"O200kBase"'])},"preferred_encoding":"Cl100kBase"},"security":{"threat_detection":false,"model_version":${rng.int(2) ? 'null' : text(rng, 1000)},"blocking_mode":false,"block_threshold":0.8},"extensions":${ext}}`,
    `{"algorithm":"m2m","content":${text(rng, 100_000)},"original_size":${rng.u32()},"security_status":{"scanned":true,"safe":false,"threat_type":${text(rng, 100)},"confidence":0.5}}`,
    `{"protocol":"Noise_XX_25519_ChaChaPoly_SHA256","message":${JSON.stringify(rng.pick(['AAAA', 'AA==', 'A', '====', 'QUJD=', '!!!!', 'A'.repeat(rng.int(1000))]))}}`,
    `{"code":"SERVER_BUSY","message":${text(rng, 1000)},"retry_after_ms":${rng.u32()}}`,
    jsonValue(rng, 6),
  ];
  const unknown = rng.int(4) === 0 ? `,"x":${jsonValue(rng, 20)}` : '';
  const body = `{"type":${JSON.stringify(type)},"session_id":"s","payload":${rng.pick(payloads)}${unknown},"timestamp":${rng.pick(['1', '1705520400000', '-1', '1.0', '18446744073709551616'])}}`;
  return te.encode(rng.int(20) === 0 ? body.slice(0, rng.int(body.length)) : body);
}

// ---------------------------------------------------------------------------------------------
// Frames and text forms

function varint(out: Bytes, rng: Prng, v: number): void {
  // Sometimes non-minimal, sometimes 10 bytes, sometimes overflowing (11 continuation bytes).
  const extra = rng.int(6) === 0 ? rng.int(12) : 0;
  let x = v;
  for (let i = 0; ; i++) {
    const more = x >= 0x80 || i < extra;
    out.byte((x & 0x7f) | (more ? 0x80 : 0));
    x = Math.floor(x / 128);
    if (!more) return;
  }
}

/**
 * An M2M v1 frame (docs/PROTOCOL.md §1) with lying fields: header_len, model length, msg_count
 * (up to 2^32 − 1, roles then read from wherever the frame allows), varints of every width,
 * payload_len, and a payload that is JSON, Brotli of JSON, or noise.
 */
export function frameBytes(rng: Prng): Uint8Array {
  if (rng.int(4) === 0) {
    // A real frame with one field overwritten by a lie.
    const json = JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: rng.int(40) }, (_, i) => ({ role: rng.pick(['user', 'assistant', 'function']), content: `m${i}`.repeat(rng.int(30)) })) });
    const f = encodeFrame(json, {}).slice();
    const dv = new DataView(f.buffer);
    const headersEnd = 7 + dv.getUint16(7, true);
    if (rng.int(2)) dv.setUint16(7, lyingLength(rng, dv.getUint16(7, true), 0xffff), true);
    else if (headersEnd + 4 <= f.length) dv.setUint32(headersEnd, lyingLength(rng, dv.getUint32(headersEnd, true)), true);
    return f;
  }
  const out = new Bytes();
  out.bytes(M2M_PREFIX_BYTES);
  const variable = new Bytes();
  const response = rng.int(3) === 0;
  const model = te.encode('gpt-4o'.repeat(rng.int(3)));
  if (response) {
    variable.byte(lyingLength(rng, 4, 0xff));
    variable.bytes(te.encode('chat'));
  }
  variable.byte(lyingLength(rng, model.length, 0xff));
  variable.bytes(model);
  if (response) {
    variable.byte(rng.int(256));
    for (let i = 0; i < 4; i++) varint(variable, rng, rng.u32());
  } else {
    const count = rng.int(3) === 0 ? rng.pick([0xffffffff, 48_000_000, 262_061, rng.u32()]) : rng.int(10);
    varint(variable, rng, count);
    variable.bytes(rng.bytes(Math.min(count, 64) >> 2));
    varint(variable, rng, rng.u32());
    varint(variable, rng, rng.u32());
  }
  variable.bytes(rng.bytes(4));
  const v = variable.done();
  out.le(lyingLength(rng, 20 + v.length, 0xffff), 2);
  out.byte(response ? rng.pick([0x02, 0x05, 0x10]) : rng.pick([0x01, 0x04, 0x03, 0xfe, 0x77]));
  out.byte(rng.pick([0, 0, 1, 2, 3]));
  out.le(rng.int(0x10000), 2);
  out.byte(0);
  const compressed = rng.int(2) === 0;
  out.byte(compressed ? 1 : 0);
  out.bytes(new Uint8Array(12));
  out.bytes(v);
  const json = te.encode(jsonValue(rng, 4));
  const payload = compressed ? (rng.int(3) ? brotli(json) : rng.bytes(rng.int(100))) : json;
  out.le(lyingLength(rng, payload.length), 4);
  out.le(rng.u32(), 4);
  out.bytes(payload);
  // Room for roles a lying msg_count may read from the rest of the frame.
  if (rng.int(8) === 0) out.bytes(new Uint8Array(rng.int(300_000)));
  return out.done();
}

/** TokenNative text: varint ids that are huge, truncated, overflowing, or long tokens repeated; sometimes bad base64. */
export function tokenNativeText(rng: Prng): string {
  const out = new Bytes();
  const n = rng.int(8) === 0 ? rng.int(200_000) : rng.int(50);
  for (let i = 0; i < n; i++) {
    const r = rng.int(20);
    if (r === 0) varint(out, rng, rng.u32());
    else if (r === 1) out.byte(0x80); // truncated when last
    else out.bytes(Uint8Array.of(0xb8, 0xc5, 0x03)); // 128 spaces (docs: reliability/attacks/decoders.ts)
  }
  let b64 = base64Encode(out.done());
  if (rng.int(10) === 0) b64 = b64.slice(0, rng.int(b64.length + 1));
  if (rng.int(10) === 0) b64 += rng.pick(['=', '==', '!', ' ', 'A']);
  return `#TK|${rng.pick(['C', 'O', 'L', '', 'CC', 'X'])}${rng.int(15) === 0 ? '' : '|'}${b64}`;
}

/** A text form: `#M2M|1|` + base64 of a lying frame, `#M2M[v3.0]|DATA:` + base64 of (bad) Brotli, or TokenNative. */
export function codecText(rng: Prng): string {
  switch (rng.int(3)) {
    case 0: {
      const b64 = base64Encode(frameBytes(rng).subarray(7));
      return `#M2M|1|${rng.int(10) === 0 ? b64.slice(0, -1) : b64}`;
    }
    case 1: {
      const plain = te.encode(rng.int(2) ? jsonValue(rng, 3) : 'a'.repeat(rng.int(1_000_000)));
      const packed = rng.int(4) ? brotli(plain) : rng.bytes(rng.int(200));
      const cut = rng.int(6) === 0 ? packed.subarray(0, rng.int(packed.length + 1)) : packed;
      return `#M2M[v3.0]|DATA:${base64Encode(cut)}`;
    }
    default:
      return tokenNativeText(rng);
  }
}

/** Generators by fuzz target name (reliability/lib/targets.ts): each yields that decoder's input. */
export function structuredGenerators(): Record<string, (rng: Prng) => Uint8Array> {
  const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  return {
    'decodeFrame (plain)': frameBytes,
    'decodeFrame (HMAC)': frameBytes,
    'decodeFrame (AEAD)': frameBytes,
    inspectFrame: frameBytes,
    decodeFrameText: (rng) => latin1(codecText(rng)),
    'decompress (TokenNative, Brotli, M2M text)': (rng) => te.encode(codecText(rng)),
    'json message codec': jsonMessage,
    'binary message codec': msgpackMessage,
    'decodeCapabilities (Noise payload of HELLO)': msgpackCapabilities,
    deserializeError: (rng) => te.encode(jsonValue(rng, 8)),
  };
}
