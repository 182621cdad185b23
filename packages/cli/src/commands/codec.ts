/**
 * `m2m compress` and `m2m decompress`.
 * @module
 */
import { ALGORITHMS, compress, decompress, detectAlgorithm, M2MError, selectAlgorithm, type Algorithm } from '@m2m/core';
import { parse } from '../args.js';
import { readInput, toJson, type Io } from '../io.js';

/** Runs `compress`; returns the exit code. */
export function compressCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, { algorithm: { type: 'string', short: 'a' }, json: { type: 'boolean' } });
  const content = readInput(io, positionals[0], 'content');
  const requested = values.algorithm ?? 'auto';
  if (requested !== 'auto' && !(ALGORITHMS as readonly string[]).includes(requested)) {
    throw new M2MError('Config', { reason: `--algorithm must be auto, ${ALGORITHMS.join(', ')}; not ${requested}` });
  }
  const algorithm = requested === 'auto' ? selectAlgorithm(content) : (requested as Algorithm);
  const text = compress(content, algorithm);
  const original = Buffer.byteLength(content);
  if (values.json) io.out(toJson({ algorithm, data: text, original_bytes: original, compressed_bytes: Buffer.byteLength(text), ratio: original / Buffer.byteLength(text) }));
  else {
    io.out(text);
    io.err(`${algorithm}: ${original} → ${Buffer.byteLength(text)} bytes (×${(original / Buffer.byteLength(text)).toFixed(2)})`);
  }
  return 0;
}

/** Runs `decompress`; returns the exit code. */
export function decompressCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  const text = readInput(io, positionals[0], 'compressed text').trim();
  const algorithm = detectAlgorithm(text);
  const content = decompress(text, { minSecurity: 'none' });
  if (values.json) io.out(toJson({ algorithm, content, bytes: Buffer.byteLength(content) }));
  else io.out(content);
  return 0;
}
