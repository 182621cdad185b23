/**
 * Node's CRC-32 of a frame's JSON in a tiny WebAssembly function that reads it where it was
 * encoded: the UTF-8 scratch (`_utf8-scratch-node.ts`) lives in this function's memory, so a
 * session's 162 B request is checksummed in place by the same slicing-by-8 as `crc32Table`
 * (wire/crc32.ts, the same eight tables), whose WebAssembly loads carry no per-element bounds or
 * detach checks: 130-160 ns against 210-340 ns for the JavaScript loop on this repo's bench
 * machine (docs/ARCHITECTURE.md, Performance notes, "CRC of the sent JSON"). Anything else
 * (received payloads, other arrays) takes `crc32Table`: copying it into the memory first cost
 * what the faster loop saved. Memory (one page, never grown): the tables at 0, the scratch from
 * {@link SCRATCH_AT}. Without WebAssembly (`--jitless`) there is no such scratch and every CRC
 * is the table's. Node only: the browser bundle keeps its one-table CRC.
 * @module
 */
import { crc32Table, crc32Tables } from '../wire/crc32.js';

/** Where the UTF-8 scratch starts (after the 8 KiB of tables). */
const SCRATCH_AT = 8192;
/** One WebAssembly page. */
const PAGE = 65536;

// ---------------------------------------------------------------------------------------------
// The module, assembled here (one function, no imports) so that its instructions can be read:
// (func (export "crc") (param $p i32) (param $n i32) (result i32) ...) with locals
// 2 c, 3 end, 4 a, 5 b, 6 stop: CRC-32 of memory[p, p + n).

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const GET = 0x20, SET = 0x21, CONST = 0x41, LOAD = 0x28, LOAD8 = 0x2d;
const AND = 0x71, XOR = 0x73, SHL = 0x74, SHR_U = 0x76, ADD = 0x6a, GE_U = 0x4f;
const BLOCK = 0x02, LOOP = 0x03, VOID = 0x40, BR = 0x0c, BR_IF = 0x0d, END = 0x0b;
const get = (i: number) => [GET, i];
const set = (i: number) => [SET, i];
const c32 = (v: number) => [CONST, ...sleb(v)];
/** i32.load (align 4) at the address on the stack plus `offset`. */
const load = (offset: number) => [LOAD, 2, ...uleb(offset)];
/** Table `k`'s entry for byte `shift` of local `l`: `tables[k * 256 + ((l >>> shift) & 0xff)]`. */
const lookup = (k: number, l: number, shift: number) => [
  ...get(l),
  ...(shift === 24 ? [...c32(24), SHR_U] : shift === 0 ? [...c32(255), AND] : [...c32(shift), SHR_U, ...c32(255), AND]),
  ...c32(2),
  SHL,
  ...load(k * 1024),
];
// Assembled when first instantiated (not at import: ~0.5 ms of every cold import, bench/startup.ts).
const body = () => [
  // c = -1; stop = p + n; end = p + (n & ~7)
  ...c32(-1), ...set(2),
  ...get(0), ...get(1), ADD, ...set(6),
  ...get(0), ...get(1), ...c32(-8), AND, ADD, ...set(3),
  // Eight bytes a step (little-endian words, as crc32Table reads them): a = word(p) ^ c, b = word(p + 4).
  BLOCK, VOID, LOOP, VOID,
  ...get(0), ...get(3), GE_U, BR_IF, 1,
  ...get(0), ...load(0), ...get(2), XOR, ...set(4),
  ...get(0), ...load(4), ...set(5),
  ...lookup(7, 4, 0), ...lookup(6, 4, 8), XOR, ...lookup(5, 4, 16), XOR, ...lookup(4, 4, 24), XOR,
  ...lookup(3, 5, 0), XOR, ...lookup(2, 5, 8), XOR, ...lookup(1, 5, 16), XOR, ...lookup(0, 5, 24), XOR, ...set(2),
  ...get(0), ...c32(8), ADD, ...set(0), BR, 0,
  END, END,
  // The rest a byte a step: c = tables[(c ^ byte) & 0xff] ^ (c >>> 8).
  BLOCK, VOID, LOOP, VOID,
  ...get(0), ...get(6), GE_U, BR_IF, 1,
  ...get(2), ...get(0), LOAD8, 0, 0, XOR, ...c32(255), AND, ...c32(2), SHL, ...load(0), ...get(2), ...c32(8), SHR_U, XOR, ...set(2),
  ...get(0), ...c32(1), ADD, ...set(0), BR, 0,
  END, END,
  // return ~c
  ...get(2), ...c32(-1), XOR,
  END,
];
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
const moduleBytes = (): number[] => {
  const FUNC = [1, 5, 0x7f, ...body()]; // one run of five i32 locals
  return [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f]), // type: (i32, i32) -> i32
    ...section(3, [1, 0]), // function 0 of type 0
    ...section(5, [1, 0x00, 1]), // one memory of exactly one page (min 1, no max: never grown)
    ...section(7, [2, ...name('m'), 0x02, 0, ...name('crc'), 0x00, 0]), // exports
    ...section(10, [1, ...uleb(FUNC.length), ...FUNC]),
  ];
};

// ---------------------------------------------------------------------------------------------

interface Loaded {
  crc: (p: number, n: number) => number;
  bytes: Uint8Array;
}

/** The instance, made on first use; `null` where WebAssembly is unavailable. */
let loaded: Loaded | null | undefined;

function instantiate(): Loaded | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(moduleBytes())));
    const memory = instance.exports.m as WebAssembly.Memory;
    // The eight slicing tables at 0, the same as crc32.ts uses.
    new Int32Array(memory.buffer).set(crc32Tables());
    return { crc: instance.exports.crc as (p: number, n: number) => number, bytes: new Uint8Array(memory.buffer) };
  } catch {
    return null;
  }
}

const wasm = (): Loaded | null => (loaded === undefined ? (loaded = instantiate()) : loaded);

/** The whole scratch region (made once) and the view of it {@link scratchBytes} handed out last. */
let scratchRegion: Uint8Array | undefined;
let scratchView: Uint8Array | undefined;

/**
 * The UTF-8 scratch inside the CRC function's memory (56 KiB), for `_utf8-scratch-node.ts` to
 * encode into; `undefined` without WebAssembly.
 */
export function crcScratch(): Uint8Array | undefined {
  const w = wasm();
  return w === null ? undefined : (scratchRegion ??= w.bytes.subarray(SCRATCH_AT, PAGE));
}

/** The first `length` bytes of {@link crcScratch} (valid until the next call), remembered: {@link crc32Scratch} reads them in place. */
export function scratchBytes(length: number): Uint8Array {
  return (scratchView = scratchRegion!.subarray(0, length));
}

/**
 * CRC-32 of `d`, `crc32Table`'s result: in place by the WebAssembly function when `d` is the
 * view {@link scratchBytes} handed out last, else by the table.
 */
export function crc32Scratch(d: Uint8Array): number {
  return d === scratchView ? loaded!.crc(SCRATCH_AT, d.length) >>> 0 : crc32Table(d);
}
