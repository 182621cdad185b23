/**
 * The platform seam of `@m2m/core`: CRC-32, base64 and Brotli, with a Node implementation
 * (node:zlib, Buffer) and a browser one (tables, brotli-wasm). Selected by package.json
 * conditional imports (`#platform`), not by runtime sniffing.
 * @module
 */

/** A Brotli failure: the reference reports every one as `Invalid Data`. */
export class BrotliDataError extends Error {
  override readonly name = 'BrotliDataError';
}

/** Decompressed output passed the caller's limit; decompression stopped there. */
export class BrotliLimitError extends Error {
  override readonly name = 'BrotliLimitError';
  constructor(readonly max: number) {
    super(`decompressed output exceeds ${max} bytes`);
  }
}

/** What each platform provides. */
export interface Platform {
  readonly name: 'node' | 'browser';
  crc32(data: Uint8Array): number;
  base64Encode(bytes: Uint8Array): string;
  /** Decodes base64 that has already passed strict validation. */
  base64Decode(text: string): Uint8Array;
  brotliCompress(data: Uint8Array, quality: number, lgwin: number): Uint8Array;
  /** @throws BrotliDataError, BrotliLimitError */
  brotliDecompress(data: Uint8Array, maxOutput: number): Uint8Array;
  /**
   * UTF-8 bytes of a string for the codec's own use, valid until the next call (never handed to
   * callers: on Node a view of one reused scratch, `utf8Length` long when the caller knows it, or
   * of Buffer's memory for long texts).
   */
  utf8EncodeScratch(text: string, utf8Length?: number): Uint8Array;
  /** UTF-8 byte length of a string (lone surrogates count 3, as U+FFFD). */
  utf8Length(text: string): number;
  /** Strict UTF-8 decoding (`undefined` for invalid input), as fast as the platform allows. */
  utf8Decode(bytes: Uint8Array): string | undefined;
  /**
   * `bytes[start, end)` as a string of one character per byte (latin1), for bytes the caller has
   * checked are all ASCII, where UTF-8 and latin1 agree: Node copies them (`Buffer#latin1Slice`)
   * at about half a fatal TextDecoder's cost on short inputs. Browsers leave it out.
   */
  readonly asciiText?: (bytes: Uint8Array, start: number, end: number) => string;
  /** The js-tiktoken rank table of an encoding, loaded synchronously where the platform can. */
  loadTokenizerRanks(name: 'cl100k_base' | 'o200k_base'): unknown;
  /** js-tiktoken's tokenizer class (Node loads it on first use: most processes never tokenize). */
  tiktoken(): typeof import('js-tiktoken/lite').Tiktoken;
  /**
   * The encoder's one-pass header scan (`wire/header-scan.ts` `scanHeader`) where the platform
   * carries it: Node does; the browser build leaves it out (about 3 KB min+gz of bundle) and
   * builds headers on the full JSON parse, which gives the same bytes (docs/ARCHITECTURE.md,
   * Performance notes).
   */
  readonly scanHeader?: typeof import('../wire/header-scan.js').scanHeader;
  /**
   * The same scan over a text's UTF-8 bytes (short texts, and long ASCII ones; `wire/header-scan.ts`
   * `scanHeaderBytes`), tried before {@link Platform.scanHeader} where the platform carries both.
   */
  readonly scanHeaderBytes?: typeof import('../wire/header-scan.js').scanHeaderBytes;
}
