import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends, setBackend } from '@m2m/crypto';
import { runFile } from './lib/run.js';
import './lib/session.js';
import './lib/secure.js';
import './lib/frame-policy.js';

const shared = resolve(import.meta.dirname, '../../shared/vectors');
const present = existsSync(shared);
if (!present) console.warn(`[conformance] ${shared} not found: the external vector suites are skipped (not counted as passed).`);

// Every shared vector file must pass fully.
const files = present
  ? ['reference', 'wycheproof', 'noise'].flatMap((d) => readdirSync(join(shared, d)).filter((f) => f.endsWith('.json')).map((f) => join(shared, d, f)))
  : [];

describe.skipIf(!present)('conformance vectors (../shared/vectors)', () => {
  for (const f of files) {
    it(f.slice(shared.length + 1), () => {
      const r = runFile(f);
      expect(r.failures).toEqual([]);
      expect(r.passed).toBeGreaterThan(0);
    });
  }
});

// Every crypto backend must pass the same crypto suites (the default run above uses the platform default).
const cryptoFiles = files.filter((f) => /wycheproof|noise|(frames|primitives|hkdf_hierarchy|x25519|ids)\.json$/.test(f));
describe.skipIf(!present)('crypto vectors under every backend', () => {
  for (const backend of availableBackends()) {
    it(`${backend}: ${cryptoFiles.length} files`, () => {
      setBackend(backend);
      try {
        for (const f of cryptoFiles) {
          const r = runFile(f);
          expect(r.failures, `${backend} ${f}`).toEqual([]);
          expect(r.passed).toBeGreaterThan(0);
        }
      } finally {
        setBackend();
      }
    });
  }
});

// Our own vector files live in the repository and always run.
const own = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.json')).map((f) => join(import.meta.dirname, f));
describe('own vectors (test-vectors/)', () => {
  it('has vector files', () => expect(own.length).toBeGreaterThan(0));
  for (const f of own) {
    it(f.slice(import.meta.dirname.length + 1), () => {
      const r = runFile(f);
      expect(r.failures).toEqual([]);
      expect(r.passed).toBeGreaterThan(0);
    });
  }
});
