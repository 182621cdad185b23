// Builds packages/crypto/src/noise/sha256-wasm-bytes.ts: the WebAssembly module behind Node's
// Noise HKDF and MixHash (packages/crypto/src/noise/sha256-wasm.ts explains why and how it is used).
// SHA-256 is FIPS 180-4 (§4.2.2 constants, §5.3.3 initial hash, §6.2.2 compression), HMAC RFC 2104,
// Noise's HKDF the Noise spec §4.3. The WAT text is generated here (the compression fully
// unrolled: a loop ran ~0.45-0.55 µs a block on the bench machine, unrolled ~0.33) and assembled
// with `wat2wasm` from WABT (Debian package `wabt`):
//
//   node scripts/gen-noise-sha256-wasm.mjs          # writes the .ts (needs wat2wasm on PATH)
//   node scripts/gen-noise-sha256-wasm.mjs --wat    # prints the WAT only
//
// Tests compare every export with node:crypto (packages/crypto/test/noise-sha256-wasm.test.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// Memory layout (one 64 KiB page; the JS side uses the same offsets, sha256-wasm.ts).
export const LAYOUT = {
  H: 0, // working state, 8 words
  IS: 32, // HMAC inner midstate (key ⊕ ipad block compressed)
  OS: 64, // HMAC outer midstate
  TMP: 96, // inner digest
  PAD: 128, // last block(s) with padding, 128 bytes
  CK: 256, // HKDF chaining key (32)
  PRK: 288, // HKDF pseudorandom key (32)
  T: 320, // HKDF `T(i-1) ‖ i`, 33 bytes
  OUT: 384, // HKDF outputs, 3 × 32
  DIGEST: 480, // MixHash output (32)
  IKM: 512, // HKDF input key material, up to 512 bytes
  MIX: 1024, // MixHash input h ‖ data, up to 32 + 2048 bytes
  END: 4096,
};
const L = LAYOUT;

const g = (n) => `(local.get $${n})`;
// Byte swap written out at each use: V8 does not inline calls between WebAssembly functions here.
const be = (x) => `(i32.or (i32.and (i32.rotl ${x} (i32.const 8)) (i32.const 0x00ff00ff)) (i32.and (i32.rotr ${x} (i32.const 8)) (i32.const 0xff00ff00)))`;
const rotr = (x, n) => `(i32.rotr ${x} (i32.const ${n}))`;

function compress() {
  const v = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  let s = '(func $compress (param $p i32)\n (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32) (local $g i32) (local $h i32) (local $t i32)\n';
  for (let i = 0; i < 16; i++) s += ` (local $w${i} i32)`;
  s += '\n';
  for (let i = 0; i < 8; i++) s += ` (local.set $${v[i]} (i32.load offset=${L.H + 4 * i} (i32.const 0)))\n`;
  for (let r = 0; r < 64; r++) {
    // Names rotate instead of values: at round r, the working variable a is held in v[-r mod 8].
    const [a, b, c, d, e, f, gg, h] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => v[(((k - r) % 8) + 8) % 8]);
    const w = `w${r % 16}`;
    if (r < 16) s += ` (local.set $${w} (i32.load offset=${4 * r} (local.get $p)))\n (local.set $${w} ${be(g(w))})\n`;
    else {
      const w15 = g(`w${(r - 15) % 16}`);
      const w2 = g(`w${(r - 2) % 16}`);
      const s0 = `(i32.xor (i32.xor ${rotr(w15, 7)} ${rotr(w15, 18)}) (i32.shr_u ${w15} (i32.const 3)))`;
      const s1 = `(i32.xor (i32.xor ${rotr(w2, 17)} ${rotr(w2, 19)}) (i32.shr_u ${w2} (i32.const 10)))`;
      s += ` (local.set $${w} (i32.add (i32.add ${g(w)} ${g(`w${(r - 7) % 16}`)}) (i32.add ${s0} ${s1})))\n`;
    }
    const S1 = `(i32.xor (i32.xor ${rotr(g(e), 6)} ${rotr(g(e), 11)}) ${rotr(g(e), 25)})`;
    const ch = `(i32.xor ${g(gg)} (i32.and ${g(e)} (i32.xor ${g(f)} ${g(gg)})))`;
    s += ` (local.set $t (i32.add (i32.add ${g(h)} ${S1}) (i32.add ${ch} (i32.add (i32.const ${K[r] | 0}) ${g(w)}))))\n`;
    s += ` (local.set $${d} (i32.add ${g(d)} (local.get $t)))\n`;
    const S0 = `(i32.xor (i32.xor ${rotr(g(a), 2)} ${rotr(g(a), 13)}) ${rotr(g(a), 22)})`;
    const maj = `(i32.or (i32.and ${g(a)} ${g(b)}) (i32.and ${g(c)} (i32.or ${g(a)} ${g(b)})))`;
    s += ` (local.set $${h} (i32.add (local.get $t) (i32.add ${S0} ${maj})))\n`;
  }
  for (let i = 0; i < 8; i++) s += ` (i32.store offset=${L.H + 4 * i} (i32.const 0) (i32.add (i32.load offset=${L.H + 4 * i} (i32.const 0)) (local.get $${v[i]})))\n`;
  return s + ')\n';
}

export function wat() {
  let ivInit = '';
  for (let i = 0; i < 8; i++) ivInit += ` (i32.store offset=${L.H + 4 * i} (i32.const 0) (i32.const ${IV[i] | 0}))\n`;
  let out = '';
  for (let i = 0; i < 8; i++) out += ` (i32.store offset=${4 * i} (local.get $o) (call $be (i32.load offset=${L.H + 4 * i} (i32.const 0))))\n`;
  return `(module
 (memory (export "memory") 1)
 ;; big-endian word <-> little-endian load/store
 (func $be (param $x i32) (result i32)
  (i32.or (i32.and (i32.rotl (local.get $x) (i32.const 8)) (i32.const 0x00ff00ff))
          (i32.and (i32.rotr (local.get $x) (i32.const 8)) (i32.const 0xff00ff00))))
 ${compress()}
 (func $iv
${ivInit} )
 ;; Finishes a hash whose state H already absorbed \`done\` bytes (a multiple of 64): \`len\` more at
 ;; \`p\`, then the padding (FIPS 180-4 §5.1.1); the digest goes big-endian to \`o\`.
 (func $finish (param $p i32) (param $len i32) (param $done i32) (param $o i32)
  (local $end i32) (local $bits i32)
  (local.set $bits (i32.shl (i32.add (local.get $done) (local.get $len)) (i32.const 3)))
  (block $full (loop $blocks
   (br_if $full (i32.lt_u (local.get $len) (i32.const 64)))
   (call $compress (local.get $p))
   (local.set $p (i32.add (local.get $p) (i32.const 64)))
   (local.set $len (i32.sub (local.get $len) (i32.const 64)))
   (br $blocks)))
  (local.set $end (select (i32.const 64) (i32.const 128) (i32.le_u (i32.add (local.get $len) (i32.const 9)) (i32.const 64))))
  (memory.fill (i32.const ${L.PAD}) (i32.const 0) (i32.const 128))
  (memory.copy (i32.const ${L.PAD}) (local.get $p) (local.get $len))
  (i32.store8 offset=${L.PAD} (local.get $len) (i32.const 0x80))
  (i32.store offset=${L.PAD - 4} (local.get $end) (call $be (local.get $bits)))
  (call $compress (i32.const ${L.PAD}))
  (if (i32.eq (local.get $end) (i32.const 128)) (then (call $compress (i32.const ${L.PAD + 64}))))
${out} )
 ;; HMAC midstates of a 32-byte key at \`k\`: (key ⊕ ipad) and (key ⊕ opad) blocks compressed once.
 (func $key (param $k i32)
  (local $i i32)
  (loop $x
   (i32.store offset=${L.PAD} (local.get $i) (i32.xor (i32.load (i32.add (local.get $k) (local.get $i))) (i32.const 0x36363636)))
   (i32.store offset=${L.PAD + 64} (local.get $i) (i32.xor (i32.load (i32.add (local.get $k) (local.get $i))) (i32.const 0x5c5c5c5c)))
   (local.set $i (i32.add (local.get $i) (i32.const 4)))
   (br_if $x (i32.lt_u (local.get $i) (i32.const 32))))
  (memory.fill (i32.const ${L.PAD + 32}) (i32.const 0x36) (i32.const 32))
  (memory.fill (i32.const ${L.PAD + 96}) (i32.const 0x5c) (i32.const 32))
  (call $iv) (call $compress (i32.const ${L.PAD}))
  (memory.copy (i32.const ${L.IS}) (i32.const ${L.H}) (i32.const 32))
  (call $iv) (call $compress (i32.const ${L.PAD + 64}))
  (memory.copy (i32.const ${L.OS}) (i32.const ${L.H}) (i32.const 32)))
 ;; HMAC of \`len\` bytes at \`p\` under the key $key set, into \`o\` (32 bytes).
 (func $mac (param $p i32) (param $len i32) (param $o i32)
  (memory.copy (i32.const ${L.H}) (i32.const ${L.IS}) (i32.const 32))
  (call $finish (local.get $p) (local.get $len) (i32.const 64) (i32.const ${L.TMP}))
  (memory.copy (i32.const ${L.H}) (i32.const ${L.OS}) (i32.const 32))
  (call $finish (i32.const ${L.TMP}) (i32.const 32) (i32.const 64) (local.get $o)))
 ;; Noise's HKDF (§4.3): chaining key at CK, \`len\` bytes of input key material at IKM, \`n\` (2 or 3)
 ;; outputs to OUT. Everything but OUT is zeroed before returning; the caller copies OUT and zeroes it.
 (func (export "hkdf") (param $len i32) (param $n i32)
  (call $key (i32.const ${L.CK}))
  (call $mac (i32.const ${L.IKM}) (local.get $len) (i32.const ${L.PRK}))
  (call $key (i32.const ${L.PRK}))
  (i32.store8 (i32.const ${L.T}) (i32.const 1))
  (call $mac (i32.const ${L.T}) (i32.const 1) (i32.const ${L.OUT}))
  (memory.copy (i32.const ${L.T}) (i32.const ${L.OUT}) (i32.const 32))
  (i32.store8 (i32.const ${L.T + 32}) (i32.const 2))
  (call $mac (i32.const ${L.T}) (i32.const 33) (i32.const ${L.OUT + 32}))
  (if (i32.eq (local.get $n) (i32.const 3)) (then
   (memory.copy (i32.const ${L.T}) (i32.const ${L.OUT + 32}) (i32.const 32))
   (i32.store8 (i32.const ${L.T + 32}) (i32.const 3))
   (call $mac (i32.const ${L.T}) (i32.const 33) (i32.const ${L.OUT + 64}))))
  (memory.fill (i32.const 0) (i32.const 0) (i32.const ${L.OUT}))
  (memory.fill (i32.const ${L.IKM}) (i32.const 0) (local.get $len)))
 ;; SHA-256 of \`len\` bytes at MIX into DIGEST (MixHash: public h ‖ public data).
 (func (export "sha256") (param $len i32)
  (call $iv)
  (call $finish (i32.const ${L.MIX}) (local.get $len) (i32.const 0) (i32.const ${L.DIGEST})))
)
`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  if (process.argv.includes('--wat')) process.stdout.write(wat());
  else {
    const dir = mkdtempSync(join(tmpdir(), 'sha256-wasm-'));
    try {
      writeFileSync(join(dir, 'm.wat'), wat());
      execFileSync('wat2wasm', [join(dir, 'm.wat'), '-o', join(dir, 'm.wasm')], { stdio: 'inherit' });
      const bytes = readFileSync(join(dir, 'm.wasm'));
      const b64 = bytes.toString('base64');
      const lines = b64.match(/.{1,120}/g).map((l) => `  '${l}'`).join(' +\n');
      const layout = Object.entries(LAYOUT).map(([k, v]) => `  ${k}: ${v},`).join('\n');
      writeFileSync(
        fileURLToPath(import.meta.resolve('../packages/crypto/src/noise/sha256-wasm-bytes.ts')),
        `/**\n * Generated by scripts/gen-noise-sha256-wasm.mjs (do not edit): the WebAssembly module of\n * ./sha256-wasm.ts (${bytes.length} bytes, base64) and its memory layout.\n * @module\n */\n\n/** Byte offsets in the module's memory. */\nexport const LAYOUT = {\n${layout}\n} as const;\n\n/** The module, base64. */\nexport const WASM_BASE64 =\n${lines};\n`,
      );
      console.log(`wrote sha256-wasm-bytes.ts (${bytes.length} bytes of wasm)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
