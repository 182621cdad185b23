/**
 * Runs vector files, recognising each format from its content (a renamed copy runs the same).
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Cases, type FileResult } from './check.js';
import { runBrotli, runFrameErrors, runFrames, runHkdf, runIds, runPrimitives, runX25519 } from './reference.js';
import { runAead, runHkdfW, runHmacW, runX25519W } from './wycheproof.js';
import { runNoise } from './noise.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Runner = (c: Cases, d: J) => void;

/** Format detectors, most specific first. */
const FORMATS: Array<[string, (d: J) => boolean, Runner]> = [
  ['reference/frames', (d) => Array.isArray(d.cases) && d.cases[0]?.none?.wire_hex !== undefined && d.cases[0]?.input_json !== undefined, runFrames],
  ['reference/frame_errors', (d) => Array.isArray(d.cases) && Array.isArray(d.encode_cases), runFrameErrors],
  ['reference/brotli', (d) => Array.isArray(d.decompress_errors) && Array.isArray(d.detect_algorithm), runBrotli],
  ['reference/primitives', (d) => Array.isArray(d.varint_encode) && Array.isArray(d.cost_estimates), runPrimitives],
  ['reference/hkdf_hierarchy', (d) => Array.isArray(d.keyring_session) && Array.isArray(d.raw_derive), runHkdf],
  ['reference/x25519', (d) => Array.isArray(d.edge_public_keys) && Array.isArray(d.seeded_generation), runX25519],
  ['reference/ids', (d) => Array.isArray(d.key_material) && typeof d.max_id_length === 'number', runIds],
  ['wycheproof/chacha20_poly1305', (d) => d.algorithm === 'CHACHA20-POLY1305', (c, d) => runAead(c, d, false)],
  ['wycheproof/xchacha20_poly1305', (d) => d.algorithm === 'XCHACHA20-POLY1305', (c, d) => runAead(c, d, true)],
  ['wycheproof/hkdf_sha256', (d) => d.algorithm === 'HKDF-SHA-256', runHkdfW],
  ['wycheproof/hmac_sha256', (d) => d.algorithm === 'HMACSHA256', runHmacW],
  ['wycheproof/x25519', (d) => d.algorithm === 'XDH' && d.testGroups?.[0]?.curve === 'curve25519', runX25519W],
  ['noise/cacophony', (d) => Array.isArray(d.vectors) && typeof d.vectors[0]?.protocol_name === 'string', runNoise],
];

/** Extra runners registered by other packages (session message vectors, our own formats). */
export const extraFormats: Array<[string, (d: J) => boolean, Runner]> = [];

/** Runs one file; an unrecognised file counts as one failed case. */
export function runFile(path: string): FileResult {
  let data: J;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as J;
  } catch (e) {
    return { file: path, format: 'unreadable', passed: 0, failed: 1, failures: [`cannot parse: ${(e as Error).message}`] };
  }
  // Registered formats first: ours name themselves in a `format` field, so they never pass for a reference file.
  for (const [format, detect, run] of [...extraFormats, ...FORMATS]) {
    if (detect(data)) {
      const c = new Cases(path, format);
      run(c, data);
      if (c.passed + c.failed === 0) c.run('file', () => 'no cases found');
      return c.result();
    }
  }
  return { file: path, format: 'unknown', passed: 0, failed: 1, failures: [`${basename(path)}: format not recognised`] };
}
