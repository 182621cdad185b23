import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
// Each example bundled from the sources once per run (scripts/test-bin.ts), not transpiled per child.
const run = (file: string) => spawnSync(process.execPath, [inject('programs')[`examples/${file}`]], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('examples', () => {
  it('demo: an XX session, readable frame headers, and three decoded failures', () => {
    const r = run('demo.ts');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/negotiated: algorithm=m2m/);
    expect(r.stdout).toMatch(/^3 requests sent by the client/m);
    // Requests (182-341 B) go plain under the sessions' auto policy; ~600 B answers are compressed.
    expect(r.stdout.match(/server ← Request \[aead, plain\]/g)).toHaveLength(3);
    expect(r.stdout.match(/client ← Response \[aead, brotli\]/g)).toHaveLength(3);
    expect(r.stdout).not.toMatch(/Request \[aead, brotli\]|Response \[aead, plain\]/);
    expect(r.stdout).toMatch(/tampered frame → CRYPTO_ERROR\n\s+M2MError \[CRYPTO_ERROR\]: Crypto error: AEAD: Decryption failed: authentication tag mismatch\n\s+Caused by: \[AEAD_DECRYPTION_FAILED\] AEAD/);
    expect(r.stdout).toMatch(/replayed frame → REPLAY_DETECTED/);
    expect(r.stdout).toMatch(/session refused → REJECTED, retryable\n\s+M2MError \[REJECTED\]: Session rejected: SERVER_BUSY/);
  }, 60_000);
  it('node agent over WebSocket', () => {
    const r = run('node-agent-ws.ts');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['Summary: Summarise the Q3 incident review for the…', 'Summary: Summarise the on-call rota change for th…', 'Summary: Summarise the EU payment outage for the …']);
  }, 60_000);
  it('routing by header without the key', () => {
    const r = run('route-by-header.ts');
    expect(r.stdout).toMatch(/gpt-4o\s+max_tokens=600\s+cost≈\$[\d.]+ → premium-pool/);
    expect(r.stdout).toMatch(/gpt-4o-mini\s+max_tokens=5\s+.* → cheap-pool/);
    expect(r.stdout).toMatch(/llama-3.1-70b .* → self-hosted-pool/);
    expect(r.stdout).toContain('edited header rejected: Crypto error: AEAD: Decryption failed');
  }, 60_000);
  it('pino logs decode back to typed errors', () => {
    const r = run('pino-errors.ts');
    expect(r.stdout).toContain('typed again: true code=CRYPTO_ERROR');
    expect(r.stdout).toContain('Caused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed: authentication tag mismatch');
  }, 60_000);
  it('talks to the Rust reference server over HTTP with the rest transport (or our server with the same API)', () => {
    const r = run('rust-peer.ts');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/talking to (the Rust reference server binary|this SDK's @m2m\/server)/);
    expect(r.stdout).toMatch(/HELLO → ACCEPT: session [0-9a-f-]{36}, codec=json, algorithm=m2m/);
    expect(r.stdout).toContain('DATA → DATA: {"model":"gpt-4o","messages":[{"role":"user","content":"ping from TypeScript"}]}');
    expect(r.stdout).toMatch(/PING → PONG in \d/);
    expect(r.stdout).toContain('CLOSE → NORMAL');
    expect(r.stdout).toContain('/compress m2m: 65 → 151 bytes, starts #M2M|1|IgABA…');
    expect(r.stdout).toContain('"shouldBlock":true');
  }, 60_000);
});
