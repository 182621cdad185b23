/**
 * Runs vector files, recognising each format from its content (a renamed copy runs the same).
 * Nothing is skipped: an unrecognised file, a section of a recognised file that no runner reads,
 * and a runner that cannot read its input each count as a named failure.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Cases, type FileResult } from './check.js';
import { runBrotli, runFrameErrors, runFrames, runHkdf, runIds, runPrimitives, runX25519 } from './reference.js';
import { runAead, runHkdfW, runHmacW, runX25519W } from './wycheproof.js';
import { noiseProtocolName, runNoise } from './noise.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Runner = (c: Cases, d: J) => void;

/** A vector format: its name, how to recognise it, its runner, and the top-level sections the runner reads. */
export type Format = [name: string, detect: (d: J) => boolean, run: Runner, sections?: readonly string[]];

const WYCHEPROOF = ['testGroups'];

/** Format detectors, most specific first. */
const FORMATS: Format[] = [
  ['reference/frames', (d) => Array.isArray(d.cases) && d.cases[0]?.none?.wire_hex !== undefined && d.cases[0]?.input_json !== undefined, runFrames, ['cases']],
  ['reference/frame_errors', (d) => Array.isArray(d.encode_cases) || (Array.isArray(d.cases) && /^M2M(Frame|Codec)::decode/.test(String(d.cases[0]?.api))), runFrameErrors, ['cases', 'encode_cases']],
  ['reference/brotli', (d) => Array.isArray(d.decompress_errors) || Array.isArray(d.detect_algorithm), runBrotli, ['algorithms', 'cases', 'decompress_errors', 'detect_algorithm']],
  ['reference/primitives', (d) => ['varint_encode', 'varint_decode', 'cost_estimates', 'aead_errors', 'hmac_errors'].some((k) => Array.isArray(d[k])), runPrimitives, ['varint_encode', 'varint_decode', 'crc32', 'cost_estimates', 'aead', 'aead_errors', 'hmac', 'hmac_errors']],
  ['reference/hkdf_hierarchy', (d) => Array.isArray(d.keyring_session) || Array.isArray(d.raw_derive), runHkdf, ['cases', 'keyring_session', 'raw_derive']],
  ['reference/x25519', (d) => Array.isArray(d.edge_public_keys) || Array.isArray(d.seeded_generation), runX25519, ['cases', 'edge_public_keys', 'errors', 'seeded_generation']],
  ['reference/ids', (d) => Array.isArray(d.key_material) || typeof d.max_id_length === 'number', runIds, ['cases', 'key_material']],
  ['wycheproof/chacha20_poly1305', (d) => d.algorithm === 'CHACHA20-POLY1305', (c, d) => runAead(c, d, false), WYCHEPROOF],
  ['wycheproof/xchacha20_poly1305', (d) => d.algorithm === 'XCHACHA20-POLY1305', (c, d) => runAead(c, d, true), WYCHEPROOF],
  ['wycheproof/hkdf_sha256', (d) => d.algorithm === 'HKDF-SHA-256', runHkdfW, WYCHEPROOF],
  ['wycheproof/hmac_sha256', (d) => d.algorithm === 'HMACSHA256', runHmacW, WYCHEPROOF],
  ['wycheproof/x25519', (d) => d.algorithm === 'XDH' && d.testGroups?.[0]?.curve === 'curve25519', runX25519W, WYCHEPROOF],
  ['noise/cacophony', (d) => Array.isArray(d.vectors) && d.vectors.some((v: J) => v !== null && typeof v === 'object' && noiseProtocolName(v) !== undefined && Array.isArray(v.messages)), runNoise, ['vectors']],
];

/** Extra runners registered by other modules (session message vectors, our own formats). */
export const extraFormats: Format[] = [];

/** Top-level arrays of objects that the format's runner does not read: each is a failure, not a skip. */
function unreadSections(d: J, sections: readonly string[] | undefined): string[] {
  if (!sections) return [];
  return Object.keys(d).filter((k) => !sections.includes(k) && Array.isArray(d[k]) && d[k].some((x: unknown) => x !== null && typeof x === 'object'));
}

/** Runs one file; an unrecognised file counts as one failed case. */
export function runFile(path: string): FileResult {
  let data: J;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as J;
  } catch (e) {
    return { file: path, format: 'unreadable', passed: 0, failed: 1, failures: [`cannot parse: ${(e as Error).message}`] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { file: path, format: 'unknown', passed: 0, failed: 1, failures: [`${basename(path)}: format not recognised (not a JSON object)`] };
  // Registered formats first: ours name themselves in a `format` field, so they never pass for a reference file.
  for (const [format, detect, run, sections] of [...extraFormats, ...FORMATS]) {
    if (detect(data)) {
      const c = new Cases(path, format);
      try {
        run(c, data);
      } catch (e) {
        c.fail('file', `the runner could not read it: ${(e as Error)?.message ?? String(e)}`);
      }
      for (const k of unreadSections(data, sections)) c.fail(`section ${k}`, `not understood by the ${format} runner (${data[k].length} entries)`);
      if (c.passed + c.failed === 0) c.fail('file', 'no cases found');
      return c.result();
    }
  }
  return { file: path, format: 'unknown', passed: 0, failed: 1, failures: [`${basename(path)}: format not recognised`] };
}
