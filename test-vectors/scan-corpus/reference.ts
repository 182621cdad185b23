/**
 * Runs the Rust reference's scanner over the corpus through the `/scan` route of its server
 * (../shared/reference/bin/m2m-ref-server, started once on a loopback port), so its
 * detection and false-positive rates can be printed beside ours. JSON cannot carry invalid
 * UTF-8, so byte items are sent as their lenient decoding (U+FFFD in place of bad bytes).
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { bytesOf, type CorpusItem, type Verdict } from './evaluate.js';

/** Where the reference binary is expected. */
export const REFERENCE_BIN = resolve(import.meta.dirname, '../../../shared/reference/bin/m2m-ref-server');

const CATEGORY: Record<string, string> = { injection: 'PROMPT_INJECTION', jailbreak: 'JAILBREAK', malformed: 'MALFORMED_INPUT', data_exfil: 'DATA_EXFILTRATION', dataexfil: 'DATA_EXFILTRATION', exfiltration: 'DATA_EXFILTRATION' };

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function waitHealthy(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`reference server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('reference server did not become healthy in 5 s');
}

/** Whether the reference binary exists here. */
export function referenceAvailable(): boolean {
  return existsSync(REFERENCE_BIN);
}

/** The reference's verdicts on every item (its default threshold 0.8, as ours). */
export async function referenceVerdicts(items: readonly CorpusItem[]): Promise<Map<string, Verdict>> {
  const port = await freePort();
  const child = spawn(REFERENCE_BIN, ['server', '--port', String(port)], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const out = new Map<string, Verdict>();
  try {
    await waitHealthy(base, child);
    const decoder = new TextDecoder();
    for (const item of items) {
      const content = decoder.decode(bytesOf(item));
      try {
        const res = await fetch(`${base}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content }) });
        if (!res.ok) {
          out.set(item.id, { block: false, error: `HTTP ${res.status}` });
          continue;
        }
        const body = (await res.json()) as { should_block: boolean; threats: Array<{ category: string }> };
        out.set(item.id, { block: body.should_block, topType: body.threats[0] ? (CATEGORY[body.threats[0].category] ?? body.threats[0].category) : undefined });
      } catch (e) {
        out.set(item.id, { block: false, error: (e as Error).message });
      }
    }
  } finally {
    child.kill();
  }
  return out;
}
