/**
 * Types of the two brotli-wasm files the browser platform builds in (brotli-wasm's exports map
 * names only its root, so these paths are resolved by scripts/brotli-wasm-plugin.ts).
 */
declare module 'brotli-wasm/pkg.web/brotli_wasm_bg.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
declare module 'brotli-wasm/pkg.web/brotli_wasm.js' {
  export default function init(module: BufferSource): Promise<unknown>;
  export function compress(data: Uint8Array, options?: { quality?: number }): Uint8Array;
  export class DecompressStream {
    decompress(input: Uint8Array, outputSize: number): { buf: Uint8Array; code: number; input_offset: number };
    total_out(): number;
  }
  export const BrotliStreamResultCode: { ResultSuccess: number; NeedsMoreInput: number; NeedsMoreOutput: number };
}
