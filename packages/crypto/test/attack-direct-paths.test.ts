// Attacks on the direct libsodium paths (backend/sodium.ts, backend/sodium-aead.ts): Noise's
// HKDF/MixHash through the binding's SHA-256, the fresh-output seal (`sealNew`) and the frame
// open (`openFrame`/`chachaOpenFrame`). A wrong argument reaching the binding kills the process,
// so each attack runs in a child process: a crash fails the test instead of killing vitest.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const hasSodium = (() => {
  try {
    require('sodium-native');
    return true;
  } catch {
    return false;
  }
})();
if (!hasSodium) console.warn('sodium-native is not installed: the direct-path attacks are skipped, not passed');

const src = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const sodiumSrc = fileURLToPath(new URL('../src/backend/sodium.ts', import.meta.url));
const coreSrc = fileURLToPath(new URL('../../core/src/index.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'm2m-attack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `body` (TypeScript, top-level await allowed, `m` = this package's index, `ok(name, cond)`
 * records a check) in a child process on the sodium backend; returns its exit status, signal and
 * the checks that failed.
 */
function attack(name: string, body: string): { status: number | null; signal: string | null; failed: string[]; out: string } {
  const file = join(dir, `${name}.mts`);
  writeFileSync(
    file,
    `const m = await import(${JSON.stringify(src)});
m.setBackend('sodium');
const failed: string[] = [];
const ok = (what: string, cond: boolean) => { if (!cond) failed.push(what); console.log((cond ? 'ok ' : 'FAIL ') + what); };
const throwsTyped = (what: string, f: () => unknown) => {
  try { f(); ok(what + ' (threw nothing)', false); } catch (e) { ok(what + ' typed: ' + String(e), isTyped(e) || (e as { name?: string }).name === 'M2MError' || (e as { name?: string }).name === 'CryptoError'); }
};
const core = await import(${JSON.stringify(coreSrc)});
const isTyped = (e: unknown) => e instanceof core.M2MBaseError;
const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
${body}
console.log('FAILED=' + JSON.stringify(failed));
`,
  );
  const r = spawnSync(process.execPath, ['--conditions=@m2m/source', '--conditions=@m2m/platform-source', '--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
  const m = /FAILED=(.*)/.exec(r.stdout);
  return { status: r.status, signal: r.signal, failed: m ? (JSON.parse(m[1]!) as string[]) : ['(no result line)'], out: r.stdout + r.stderr };
}

function expectSurvives(r: ReturnType<typeof attack>): void {
  expect(r.signal, r.out).toBeNull();
  expect(r.status, r.out).toBe(0);
  expect(r.failed, r.out).toEqual([]);
}

describe.skipIf(!hasSodium)('direct libsodium paths under attack (child processes)', () => {
  it('Noise HKDF into outputs whose buffer a length getter detaches or shrinks after the checks: no crash, the right bytes', () => {
    const r = attack(
      'hkdf-detach',
      `const b = m.getBackend();
b.sha256Into?.(new Uint8Array(1), new Uint8Array(32)); // loads the addon
const sb = await import(${JSON.stringify(sodiumSrc)});
ok('hashes through the binding', sb.sodiumHashDirect() === true);
for (const mode of ['detach', 'shrink', 'detach-ikm']) {
  const out1 = mode === 'shrink' ? new Uint8Array(new (ArrayBuffer as any)(32, { maxByteLength: 64 })) : new Uint8Array(32);
  const out2 = new Uint8Array(32);
  const ck = new Uint8Array(32).fill(3);
  const ikm = new Uint8Array(32).fill(4);
  const hit = () => { if (mode === 'shrink') (out1.buffer as any).resize(0); else if (out1.buffer.byteLength) structuredClone(out1.buffer, { transfer: [out1.buffer] }); return 32; };
  Object.defineProperty(mode === 'detach-ikm' ? ikm : ck, 'length', { get: hit });
  let r: unknown;
  try { r = b.noiseHkdfInto?.(ck, ikm, out1, out2); } catch (e) { r = e; }
  // Either the outputs were written whole (the getter never ran after the checks) or refused.
  ok(mode + ': a result, not a crash: ' + String(r), r === true || r === false || r instanceof Error);
  if (r === true) {
    // HKDF(ck, ikm) by RFC 5869 with salt = ck and no info: T(1) = HMAC(PRK, 0x01), T(2) = HMAC(PRK, T(1) || 0x02).
    const prk = m.hmacSha256(new Uint8Array(32).fill(3), new Uint8Array(32).fill(4));
    const t1 = m.hmacSha256(prk, new Uint8Array([1]));
    const t2 = m.hmacSha256(prk, new Uint8Array([...t1, 2]));
    ok(mode + ': outputs are HKDF(ck, ikm)', out1.length !== 32 || (eq(out1, t1) && eq(out2, t2)));
    ok(mode + ': out2 is HKDF(ck, ikm) T(2)', eq(out2, t2));
  }
}
// Real sizes, not shadowed ones: a 200-byte ikm whose length says 10, a 100-byte ck whose length says 32.
{
  const out1 = new Uint8Array(32), out2 = new Uint8Array(32);
  const ikm = new Uint8Array(200); Object.defineProperty(ikm, 'length', { value: 10 });
  let r: unknown; try { r = b.noiseHkdfInto?.(new Uint8Array(32), ikm, out1, out2); } catch (e) { r = e; }
  ok('shadowed ikm length: refused to the generic path, not a RangeError: ' + String(r), r === false);
  const ck = new Uint8Array(100); Object.defineProperty(ck, 'length', { value: 32 });
  try { r = b.noiseHkdfInto?.(ck, new Uint8Array(0), out1, out2); } catch (e) { r = e; }
  ok('shadowed ck length: refused: ' + String(r), r === false);
}
// Outputs that are not 32 real bytes of a Uint8Array: refused before any native call.
for (const [what, out] of [
  ['31 bytes, length says 32', Object.defineProperty(new Uint8Array(31), 'length', { value: 32 })],
  ['Uint16Array(16)', new Uint16Array(16)],
  ['Float64Array(4)', new Float64Array(4)],
  ['BigInt64Array(4)', new BigInt64Array(4)],
  ['DataView(32)', new DataView(new ArrayBuffer(32))],
  ['Proxy of Uint8Array(32)', new Proxy(new Uint8Array(32), {})],
  ['detached', (() => { const a = new Uint8Array(32); structuredClone(a.buffer, { transfer: [a.buffer] }); return a; })()],
  ['length-tracking, out of bounds', (() => { const ab = new (ArrayBuffer as any)(32, { maxByteLength: 64 }); const a = new Uint8Array(ab); ab.resize(0); return a; })()],
] as [string, Uint8Array][]) {
  let r: unknown; try { r = b.noiseHkdfInto?.(new Uint8Array(32), new Uint8Array(32), out, new Uint8Array(32)); } catch (e) { r = e; }
  ok('hkdf out ' + what + ': refused: ' + String(r), r === false);
  try { r = b.sha256Into?.(new Uint8Array(10), out); } catch (e) { r = e; }
  ok('sha256Into out ' + what + ': refused: ' + String(r), r === false);
}
// MixHash inputs that are not Uint8Arrays, detached, or from another realm.
{
  const vm = await import('node:vm');
  const foreign = vm.runInNewContext('new Uint8Array([1,2,3])') as Uint8Array;
  const out = new Uint8Array(32);
  ok('cross-realm input hashes', b.sha256Into?.(foreign, out) === true && eq(out, m.sha256(new Uint8Array([1, 2, 3]))));
  const det = new Uint8Array(5); structuredClone(det.buffer, { transfer: [det.buffer] });
  let r: unknown; try { r = b.sha256Into?.(det, out); } catch (e) { r = e; }
  ok('detached input: empty hash or refusal: ' + String(r), r === false || (r === true && eq(out, m.sha256(new Uint8Array(0)))));
  try { r = b.sha256Into?.(new Uint16Array(4) as unknown as Uint8Array, out); } catch (e) { r = e; }
  ok('Uint16Array input refused', r === false);
  const sab = new Uint8Array(new SharedArrayBuffer(40)).fill(9);
  ok('SharedArrayBuffer input hashes', b.sha256Into?.(sab, out) === true && eq(out, m.sha256(new Uint8Array(40).fill(9))));
}`,
    );
    expectSurvives(r);
  });

  it('the fresh-output seal with a plaintext viewed in the ciphertext slab (through an earlier ciphertext .buffer): seals the plaintext given, leaves it untouched', () => {
    const r = attack(
      'seal-slab',
      `const b = m.getBackend();
const key = new Uint8Array(32).fill(7), nonce = new Uint8Array(12).fill(1), aad = new Uint8Array(3);
let first = b.chachaSeal(key, nonce, new Uint8Array(100), aad).ciphertext;
for (let i = 0; i < 10000 && first.buffer.byteLength !== 65536; i++) first = b.chachaSeal(key, nonce, new Uint8Array(100), aad).ciphertext;
ok('ciphertexts come from the slab', first.buffer.byteLength === 65536);
for (const shift of [-50, -1, 0, 1, 30]) {
  const c = b.chachaSeal(key, nonce, new Uint8Array(100), aad).ciphertext;
  const next = c.byteOffset + c.length;
  if (next + 200 > c.buffer.byteLength) continue;
  const pt = new Uint8Array(c.buffer, next + shift, 100);
  for (let i = 0; i < pt.length; i++) pt[i] = (i * 7 + shift) & 255;
  const copy = pt.slice();
  const sealed = b.chachaSeal(key, nonce, pt, aad);
  ok('shift ' + shift + ': caller plaintext unchanged', eq(pt, copy));
  m.setBackend('node');
  const opened = m.getBackend().chachaOpen(key, nonce, new Uint8Array([...sealed.ciphertext, ...sealed.tag]), aad);
  m.setBackend('sodium');
  ok('shift ' + shift + ': opens to the plaintext sealed', opened !== undefined && eq(opened, copy));
}`,
    );
    expectSurvives(r);
  });

  it('aeadProtection(key).open on frames with lying or hostile shapes: the real bytes open or a CryptoError, never a crash', () => {
    const r = attack(
      'open-frame',
      `const vm = await import('node:vm');
const key = new Uint8Array(32).fill(5);
const p = m.aeadProtection(key);
const aad = new Uint8Array([1, 2, 3]);
const msg = Uint8Array.from({ length: 300 }, (_, i) => i & 255);
for (let i = 0; i < 300; i++) p.open(aad, (() => { const s = p.seal(aad, msg); return new Uint8Array([...s.nonce, ...s.ciphertext, ...s.tag]); })()); // addon loaded, chooser warm
const s = p.seal(aad, msg);
const frame = new Uint8Array([...s.nonce, ...s.ciphertext, ...s.tag]);
ok('baseline opens', eq(p.open(aad, frame), msg));
const opensOrTyped = (what: string, f: Uint8Array, expected: Uint8Array | undefined | (() => Uint8Array | undefined)) => {
  try { const out = p.open(aad, f); const want = typeof expected === 'function' ? expected() : expected; ok(what + ': opened ' + out.length, want !== undefined && eq(out, want)); }
  // A typed refusal is right unless the frame is a real, valid Uint8Array that does not lie.
  catch (e) { ok(what + ' typed: ' + String(e), isTyped(e) && (expected === undefined || typeof expected === 'function' || /says|shadowed|subclass|Uint16|Float|BigInt|DataView|plain|Proxy|prototype/.test(what))); }
};
// Shadowed sizes: only the real bytes count.
opensOrTyped('length says 28 (real 328)', Object.defineProperty(frame.slice(), 'length', { value: 28 }), msg);
opensOrTyped('length says 1e6 (real 328)', Object.defineProperty(frame.slice(), 'length', { value: 1e6 }), msg);
opensOrTyped('real 20 bytes, length says 400', Object.defineProperty(frame.slice(0, 20), 'length', { value: 400 }), undefined);
opensOrTyped('byteOffset/byteLength/buffer shadowed', Object.defineProperties(frame.slice(), { byteOffset: { value: 1e9 }, byteLength: { value: 1e9 }, buffer: { value: new ArrayBuffer(8) } }), msg);
class Liar extends Uint8Array { override get length() { return 1 << 30; } override get byteOffset() { return 4096; } override get buffer() { return new ArrayBuffer(1) as ArrayBuffer; } }
const liar = new Liar(frame.length); liar.set(frame);
opensOrTyped('subclass getters', liar, msg);
// Offsets: a frame inside a larger buffer, at an odd offset.
const big = new Uint8Array(frame.length + 37); big.set(frame, 17);
opensOrTyped('odd offset view', big.subarray(17, 17 + frame.length), msg);
opensOrTyped('view one byte short', big.subarray(17, 16 + frame.length), undefined);
// Wrong kinds.
for (const [what, f] of [
  ['Uint16Array', new Uint16Array(frame.buffer.slice(0, 328))],
  ['Float64Array', new Float64Array(41)],
  ['BigInt64Array', new BigInt64Array(41)],
  ['DataView', new DataView(frame.buffer)],
  ['Proxy', new Proxy(frame, {})],
  ['made from Uint8Array.prototype', Object.create(Uint8Array.prototype)],
  ['plain object', { length: 328, buffer: frame.buffer, byteOffset: 0 }],
] as [string, Uint8Array][]) opensOrTyped(what, f, msg);
// Detached, shrunk, length-tracking, shared, foreign.
const det = frame.slice(); structuredClone(det.buffer, { transfer: [det.buffer] });
opensOrTyped('detached', det, undefined);
const rab = new (ArrayBuffer as any)(frame.length, { maxByteLength: 4096 }); const tracking = new Uint8Array(rab); tracking.set(frame);
opensOrTyped('length-tracking view', tracking, msg);
rab.resize(100); opensOrTyped('length-tracking view shrunk to 100', tracking, undefined);
rab.resize(0); opensOrTyped('length-tracking view shrunk to 0', tracking, undefined);
const rab2 = new (ArrayBuffer as any)(frame.length + 10, { maxByteLength: 4096 }); const fixed = new Uint8Array(rab2, 10, frame.length); fixed.set(frame);
rab2.resize(50); opensOrTyped('fixed view made out of bounds by a shrink', fixed, undefined);
// A length getter that shrinks the frame's own buffer while the open runs.
const rab3 = new (ArrayBuffer as any)(frame.length, { maxByteLength: 4096 }); const shrinking = new Uint8Array(rab3); shrinking.set(frame);
let reads = 0;
Object.defineProperty(shrinking, 'length', { get() { if (++reads === 2) rab3.resize(30); return frame.length; } });
opensOrTyped('length getter shrinks the buffer during the open', shrinking, undefined);
for (let k = 1; k <= 6; k++) {
  const rab4 = new (ArrayBuffer as any)(frame.length, { maxByteLength: 4096 }); const f4 = new Uint8Array(rab4); f4.set(frame);
  let n = 0; Object.defineProperty(f4, 'length', { get() { if (++n === k) rab4.resize(0); return frame.length; } });
  // Opens only when the getter had not struck yet (the bytes were all there).
  opensOrTyped('shrink to 0 at length read ' + k, f4, () => (n < k ? msg : undefined));
  const f5 = frame.slice(); let n5 = 0;
  Object.defineProperty(f5, 'length', { get() { if (++n5 === k && f5.buffer.byteLength) structuredClone(f5.buffer, { transfer: [f5.buffer] }); return frame.length; } });
  opensOrTyped('detach at length read ' + k, f5, () => (n5 < k ? msg : undefined));
}
const shared = new Uint8Array(new SharedArrayBuffer(frame.length)); shared.set(frame);
opensOrTyped('SharedArrayBuffer', shared, msg);
const foreign = vm.runInNewContext('(f) => new Uint8Array(f)')([...frame]) as Uint8Array;
opensOrTyped('cross-realm', foreign, msg);
// Short frames and forgeries.
for (let n = 0; n < 28; n++) opensOrTyped('short ' + n, frame.slice(0, n), undefined);
const empty = p.seal(aad, new Uint8Array(0));
const emptyFrame = new Uint8Array([...empty.nonce, ...empty.ciphertext, ...empty.tag]);
opensOrTyped('empty plaintext', emptyFrame, new Uint8Array(0));
for (const i of [0, 11, 12, 100, 327]) { const f = frame.slice(); f[i] ^= 1; opensOrTyped('flipped byte ' + i, f, undefined); }
opensOrTyped('the same frame again', frame, msg);
try { p.open(new Uint8Array([9]), frame); ok('other aad refused', false); } catch (e) { ok('other aad refused', isTyped(e)); }
// Hostile aad kinds.
for (const [what, a] of [['Uint16Array', new Uint16Array(3)], ['detached', (() => { const x = new Uint8Array(3); structuredClone(x.buffer, { transfer: [x.buffer] }); return x; })()], ['Proxy', new Proxy(aad, {})]] as [string, Uint8Array][]) {
  try { p.open(a, frame); ok('aad ' + what + ' refused', false); } catch (e) { ok('aad ' + what + ' typed', isTyped(e)); }
}
// The backend's frame open straight, with a 0-byte and a 31-byte key and odd kinds.
const be = m.getBackend();
for (const [what, k] of [['0-byte key', new Uint8Array(0)], ['31-byte key length says 32', Object.defineProperty(new Uint8Array(31), 'length', { value: 32 })], ['Uint16Array key', new Uint16Array(16)]] as [string, Uint8Array][]) {
  let r: unknown; try { r = be.chachaOpenFrame?.(k, frame, aad); } catch (e) { r = e; }
  ok('chachaOpenFrame ' + what + ': refused: ' + String(r), r === undefined || r instanceof Error);
  try { r = be.chachaSeal(k, frame.subarray(0, 12), msg, aad); } catch (e) { r = e; }
  ok('chachaSeal ' + what + ': refused: ' + String(r), r instanceof Error);
}`,
    );
    expectSurvives(r);
  });

  it('seal (sealNew) with hostile plaintexts: the real bytes sealed or a CryptoError, never a crash', () => {
    const r = attack(
      'seal-new',
      `const vm = await import('node:vm');
const key = new Uint8Array(32).fill(5);
const p = m.aeadProtection(key);
const aad = new Uint8Array([1, 2, 3]);
const frameOf = (s: { nonce: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array }) => new Uint8Array([...s.nonce, ...s.ciphertext, ...s.tag]);
for (let i = 0; i < 200; i++) p.seal(aad, new Uint8Array(100));
const sealsAs = (what: string, pt: Uint8Array, real: Uint8Array | undefined) => {
  try { const s = p.seal(aad, pt); ok(what + ': ciphertext ' + s.ciphertext.length, real !== undefined && s.ciphertext.length === real.length && eq(p.open(aad, frameOf(s)), real)); }
  catch (e) { ok(what + ' typed: ' + String(e), isTyped(e) && (real === undefined || /says|NaN|-5|getter|detached/.test(what))); }
};
const msg = Uint8Array.from({ length: 500 }, (_, i) => i & 255);
sealsAs('length says 10 (real 500)', Object.defineProperty(msg.slice(), 'length', { value: 10 }), msg);
sealsAs('real 10, length says 1e6', Object.defineProperty(msg.slice(0, 10), 'length', { value: 1e6 }), msg.slice(0, 10));
sealsAs('length NaN', Object.defineProperty(msg.slice(), 'length', { value: NaN }), msg);
sealsAs('length -5', Object.defineProperty(msg.slice(), 'length', { value: -5 }), msg);
class Liar extends Uint8Array { override get length() { return 3; } override get byteLength() { return 3; } }
const liar = new Liar(500); liar.set(msg);
sealsAs('subclass getters', liar, msg);
const det = msg.slice(); structuredClone(det.buffer, { transfer: [det.buffer] });
sealsAs('detached', det, new Uint8Array(0));
const rab = new (ArrayBuffer as any)(500, { maxByteLength: 4096 }); const tracking = new Uint8Array(rab); tracking.set(msg);
let reads = 0; Object.defineProperty(tracking, 'length', { get() { if (++reads === 1) rab.resize(40); return 500; } });
sealsAs('length getter shrinks the buffer first', tracking, msg.slice(0, 40));
const shared = new Uint8Array(new SharedArrayBuffer(500)); shared.set(msg);
sealsAs('SharedArrayBuffer', shared, msg);
sealsAs('cross-realm', vm.runInNewContext('(a) => new Uint8Array(a)')([...msg]) as Uint8Array, msg);
sealsAs('empty', new Uint8Array(0), new Uint8Array(0));
for (const [what, x] of [['Uint16Array', new Uint16Array(250)], ['Float64Array', new Float64Array(8)], ['BigInt64Array', new BigInt64Array(8)], ['DataView', new DataView(new ArrayBuffer(8))], ['Proxy', new Proxy(msg, {})]] as [string, Uint8Array][]) sealsAs(what, x, undefined);
// In place and overlapping through the backend's in-place seal (the frame encoder's path).
const be = m.getBackend();
const nonce = new Uint8Array(12).fill(2);
const buf = new Uint8Array(600); buf.set(msg, 50);
const tag = new Uint8Array(16);
be.chachaSealInPlace?.(key, nonce, buf.subarray(50, 550), aad, tag);
m.setBackend('node');
const opened = m.getBackend().chachaOpen(key, nonce, new Uint8Array([...buf.subarray(50, 550), ...tag]), aad);
m.setBackend('sodium');
ok('in-place seal opens to the plaintext', opened !== undefined && eq(opened, msg));`,
    );
    expectSurvives(r);
  });

  it('decodeFrame with aead protection on hostile frame shapes: the payload or an M2MError, never a crash', () => {
    const r = attack(
      'decode-frame',
      `const key = new Uint8Array(32).fill(11);
const p = m.aeadProtection(key);
for (const json of ['{"a":1}', JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'y'.repeat(70000) }] })]) {
  const frame = core.encodeFrame(json, { protection: p });
  for (let i = 0; i < 50; i++) core.decodeFrame(core.encodeFrame(json, { protection: p }), { protection: p });
  // ok1: the real bytes are a valid frame (then it must decode, unless a length lies).
  const decodes = (what: string, f: Uint8Array, ok1: boolean) => {
    try { const d = core.decodeFrame(f, { protection: p }); ok(what + ': decoded', ok1 && d.payload === json); }
    catch (e) { ok(what + ' typed: ' + String(e).slice(0, 80), isTyped(e) && (!ok1 || what.includes('says'))); }
  };
  const tag = json.length + ' ';
  decodes(tag + 'baseline', frame, true);
  decodes(tag + 'length says 10', Object.defineProperty(frame.slice(), 'length', { value: 10 }), true);
  decodes(tag + 'length says 1e7', Object.defineProperty(frame.slice(), 'length', { value: 1e7 }), true);
  const big = new Uint8Array(frame.length + 9); big.set(frame, 5);
  decodes(tag + 'odd offset', big.subarray(5, 5 + frame.length), true);
  const shared = new Uint8Array(new SharedArrayBuffer(frame.length)); shared.set(frame);
  decodes(tag + 'SharedArrayBuffer', shared, true);
  const rab = new (ArrayBuffer as any)(frame.length, { maxByteLength: frame.length * 2 }); const tr = new Uint8Array(rab); tr.set(frame);
  decodes(tag + 'length-tracking', tr, true);
  rab.resize(frame.length - 1); decodes(tag + 'length-tracking shrunk by one', tr, false);
  for (const n of [0, 1, 5, 12, 20, 27, 28, 29, 40, frame.length - 17, frame.length - 16, frame.length - 1]) decodes(tag + 'truncated to ' + n, frame.slice(0, n), false);
  for (const i of [frame.length - 1, frame.length - 17, frame.length - 30]) { const f = frame.slice(); f[i] ^= 0x80; decodes(tag + 'flipped ' + i, f, false); }
  const det = frame.slice(); structuredClone(det.buffer, { transfer: [det.buffer] }); decodes(tag + 'detached', det, false);
}`,
    );
    expectSurvives(r);
  });

  it('Noise handshakes and hkdf through the public API still agree with node:crypto after the direct hash', () => {
    const r = attack(
      'noise',
      `const vm = await import('node:vm');
const run = () => {
  const out: Uint8Array[] = [];
  const ikm = new Uint8Array(40).fill(1), salt = new Uint8Array(13).fill(2), info = new Uint8Array(5).fill(3);
  out.push(m.hkdf(ikm, salt, info, 64));
  const s = new m.SymmetricState('Noise_XX_25519_ChaChaPoly_SHA256');
  s.mixHash(new Uint8Array(0)); s.mixHash(new Uint8Array(200).fill(7)); s.mixKey(new Uint8Array(32).fill(9)); s.mixKey(new Uint8Array(0));
  // An ikm from another realm.
  s.mixKey(vm.runInNewContext('new Uint8Array(32).fill(6)') as Uint8Array);
  s.mixKeyAndHash(new Uint8Array(32).fill(8));
  out.push(s.h);
  const [c1, c2] = s.split();
  out.push(c1.encryptWithAd(new Uint8Array(2), new Uint8Array(50).fill(4)));
  out.push(c2.encryptWithAd(new Uint8Array(0), new Uint8Array(0)));
  return out;
};
let sodiumOut: Uint8Array[] = [];
let nodeOut: Uint8Array[] = [];
try { run(); sodiumOut = run(); m.setBackend('node'); nodeOut = run(); ok('ran', true); } catch (e) { ok('noise api: ' + String(e), false); }
// An ikm with a lying length, or whose length getter detaches its own buffer (the backends may
// differ: each reads it differently): no crash, and a state that stays usable.
m.setBackend('sodium');
for (const read of [1, 2, 3]) {
  const st = new m.SymmetricState('Noise_XX_25519_ChaChaPoly_SHA256');
  const d = new Uint8Array(32).fill(5);
  let n = 0;
  Object.defineProperty(d, 'length', { get() { if (++n === read && d.buffer.byteLength) structuredClone(d.buffer, { transfer: [d.buffer] }); return 32; } });
  try { st.mixKey(Object.defineProperty(new Uint8Array(100).fill(1), 'length', { value: 32 })); st.mixKey(Object.defineProperty(new Uint8Array(20).fill(2), 'length', { value: 64 })); st.mixKey(d); st.mixKeyAndHash(d); } catch (e) { ok('detaching ikm: typed or plain refusal ' + String(e), e instanceof Error); }
  const [c1] = st.split();
  ok('state usable after a detaching ikm', c1.encryptWithAd(new Uint8Array(0), new Uint8Array(5)).length === 21);
}
ok('same bytes on both backends', sodiumOut.length > 0 && sodiumOut.length === nodeOut.length);
sodiumOut.forEach((x, i) => ok('output ' + i + ' the same on both backends', eq(x, nodeOut[i]!)));`,
    );
    expectSurvives(r);
  });
});
