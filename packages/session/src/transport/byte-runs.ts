/**
 * The chunks of one body as they arrive, bounded in objects as well as bytes: a chunk under
 * {@link COALESCE_BELOW} bytes is copied into a run of {@link RUN_BYTES} instead of being kept, so
 * a peer trickling one byte per read does not make the reader hold an array object (about 100
 * bytes) per byte its limit counts. transport/length-prefixed.ts does the same for TCP.
 * @module
 */

/** Chunks below this size are copied into a run instead of being kept (also length-prefixed.ts). */
export const COALESCE_BELOW = 512;
/** Bytes of one run. */
export const RUN_BYTES = 4096;

/** Collects a body's chunks; {@link ByteRuns.join} gives them as one array. */
export class ByteRuns {
  #parts: Uint8Array[] = [];
  #run: Uint8Array | undefined;
  #runUsed = 0;
  #bytes = 0;

  /** Bytes pushed so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Arrays held: at most about one per {@link COALESCE_BELOW} bytes, whatever the chunk sizes. */
  get pieces(): number {
    return this.#parts.length + (this.#run ? 1 : 0);
  }

  /** Adds a chunk (a small one is copied, so the caller's array is not kept). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#bytes += chunk.length;
    if (chunk.length >= COALESCE_BELOW) {
      this.#closeRun();
      this.#parts.push(chunk);
      return;
    }
    if (this.#run && this.#runUsed + chunk.length > this.#run.length) this.#closeRun();
    this.#run ??= new Uint8Array(RUN_BYTES);
    this.#run.set(chunk, this.#runUsed);
    this.#runUsed += chunk.length;
  }

  /** Everything pushed, as one array (the chunk itself when a single large chunk came; empty when none). */
  join(): Uint8Array {
    // A small body alone: its own bytes, not a view pinning a whole run.
    if (this.#parts.length === 0 && this.#run) return this.#run.slice(0, this.#runUsed);
    this.#closeRun();
    const parts = this.#parts;
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(this.#bytes);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #closeRun(): void {
    if (!this.#run) return;
    this.#parts.push(this.#run.subarray(0, this.#runUsed));
    this.#run = undefined;
    this.#runUsed = 0;
  }
}
