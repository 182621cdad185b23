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
  /** A result in wasm memory: each getter copies out; `free` releases it. */
  export interface BrotliStreamResult {
    readonly buf: Uint8Array;
    readonly code: number;
    readonly input_offset: number;
    free(): void;
  }
  /** A decoder in wasm memory until `free` (the glue registers no finalizer). */
  export class DecompressStream {
    decompress(input: Uint8Array, outputSize: number): BrotliStreamResult;
    free(): void;
  }
  export const BrotliStreamResultCode: { ResultSuccess: number; NeedsMoreInput: number; NeedsMoreOutput: number };
}
