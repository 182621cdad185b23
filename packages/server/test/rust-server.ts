/**
 * Test helper: runs the Rust reference server (`../shared/reference/bin/m2m-ref-server`) on a
 * free loopback port, or says why it cannot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const RUST_SERVER = fileURLToPath(new URL('../../../../shared/reference/bin/m2m-ref-server', import.meta.url));
export const HTTP_API_MD = fileURLToPath(new URL('../../../../shared/reference/http-api.md', import.meta.url));

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running reference server. */
export interface RustServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the binary, or returns the reason it is not available. */
export async function startRustServer(): Promise<RustServer | string> {
  if (!existsSync(RUST_SERVER)) return `reference server binary not found at ${RUST_SERVER}`;
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn(RUST_SERVER, ['server', '--port', String(port)], { stdio: 'ignore' });
  } catch (e) {
    return `reference server cannot start: ${(e as Error).message}`;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let spawnError: string | undefined;
  child.once('error', (e) => (spawnError = e.message));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (spawnError || child.exitCode !== null) return `reference server did not run: ${spawnError ?? `exit ${child.exitCode}`}`;
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (i === 99) {
      child.kill();
      return 'reference server did not answer /health within 5 s';
    }
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
