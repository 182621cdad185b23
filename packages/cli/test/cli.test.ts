import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { CryptoError, M2MError } from '@m2m/core';
import { formatErrorChain, serializeError } from '@m2m/core/errors';
import { main } from '../src/main.js';

const root = resolve(import.meta.dirname, '../../..');
// The m2m command bundled from the sources once per run (scripts/test-bin.ts): a child starts in
// a fraction of `--import tsx`'s time.
const NODE_ARGS = [inject('m2mBin')];
/** The CLI in a child process, as a user runs it (kept for the end-to-end paths). */
const spawnRun = (args: string[], input?: string) => spawnSync(process.execPath, [...NODE_ARGS, ...args], { cwd: root, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
/** The CLI in this process through its `Io` seam: the same code and exit codes, without a Node start per call. */
async function run(args: string[], input?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { out: (l) => (stdout += `${l}\n`), err: (l) => (stderr += `${l}\n`), stdin: () => input ?? '', color: false });
  return { status, stdout, stderr };
}
const dir = mkdtempSync(join(tmpdir(), 'm2m-cli-'));
const REQUEST = '{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Explain the M2M protocol in one sentence, with a little detail."}],"max_tokens":100}';
const KEY = '11'.repeat(32);

describe('m2m frame', () => {
  it('encodes to hex, inspects the readable header, decodes back; --json for machines', async () => {
    const enc = await run(['frame', 'encode', REQUEST]);
    expect(enc.status).toBe(0);
    const hex = enc.stdout.trim();
    expect(hex.startsWith('234d324d7c317c')).toBe(true); // "#M2M|1|"
    const ins = await run(['frame', 'inspect', hex]);
    expect(ins.stdout).toContain('Request frame, security none, payload Brotli-compressed');
    expect(ins.stdout).toContain('model gpt-4o, 2 messages [System, User]');
    expect(ins.stdout).toContain('max_tokens 100');
    const json = JSON.parse((await run(['frame', 'inspect', hex, '--json'])).stdout) as { routing: { model: string } };
    expect(json.routing.model).toBe('gpt-4o');
    expect((await run(['frame', 'decode', hex])).stdout.trim()).toBe(REQUEST);
  });
  it('reads the text form from a file and stdin, with an AEAD key', async () => {
    const text = (await run(['frame', 'encode', REQUEST, '--text', '--key', KEY])).stdout.trim();
    expect(text.startsWith('#M2M|1|')).toBe(true);
    writeFileSync(join(dir, 'frame.txt'), text);
    expect((await run(['frame', 'decode', `@${join(dir, 'frame.txt')}`, '--key', KEY])).stdout.trim()).toBe(REQUEST);
    expect((await run(['frame', 'decode', '-', '--key', KEY], text)).stdout.trim()).toBe(REQUEST);
    const wrong = await run(['frame', 'decode', text, '--key', '22'.repeat(32)]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('CRYPTO_ERROR');
    expect(wrong.stderr).toContain('CRYPTO_ERROR: Crypto error: AEAD: Decryption failed');
    expect(wrong.stderr).toContain('Caused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed');
    // A key that is not hex is bad usage (exit 2) naming --key, not INVALID_MESSAGE "Invalid hex character".
    const notHex = await run(['frame', 'encode', REQUEST, '--key', 'zz']);
    expect(notHex.status).toBe(2);
    expect(notHex.stderr).toContain('CONFIG_ERROR: Config error: --key must be hex');
  });
  it('fails with the error code and a non-zero status on bad input', async () => {
    const bad = await run(['frame', 'decode', '00']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('DECOMPRESSION_FAILED: Decompression error: Invalid M2M prefix');
    const usage = await run(['frame', 'explode']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('CONFIG_ERROR');
  });
});

describe('m2m compress / decompress', () => {
  for (const algorithm of ['m2m', 'tokennative', 'brotli', 'none']) {
    it(`round-trips with ${algorithm}`, async () => {
      const c = await run(['compress', REQUEST, '--algorithm', algorithm, '--json']);
      expect(c.status).toBe(0);
      const out = JSON.parse(c.stdout) as { algorithm: string; data: string; ratio: number };
      expect(out.algorithm).toBe(algorithm);
      const d = await run(['decompress', out.data]);
      expect(d.stdout.replace(/\n$/, '')).toBe(REQUEST);
    });
  }
  it('picks an algorithm itself with auto and reports the ratio', async () => {
    const c = await run(['compress', REQUEST]);
    expect(c.stderr).toMatch(/^m2m: \d+ → \d+ bytes/);
    expect((await run(['decompress', '#TK|C|sk0L/Q4A'])).stdout.trim()).toBe('Hello, world!');
  });
});

describe('m2m keygen / derive', () => {
  it('writes an identity with mode 0600 and refuses to overwrite it', async () => {
    const file = join(dir, 'id.json');
    const r = await run(['keygen', '--out', file]);
    expect(r.status).toBe(0);
    const id = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; secretKey: string };
    expect(r.stdout).toContain(id.publicKey);
    expect(r.stdout).not.toContain(id.secretKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await run(['keygen', '--out', file])).status).toBe(2);
  });
  it('derives hierarchy paths, showing a fingerprint unless --reveal', async () => {
    const base = ['derive', '--master', 'ab'.repeat(32), '--org', 'acme'];
    const agent = await run([...base, '--agent', 'bot', '--purpose', 'encryption']);
    expect(agent.stdout).toContain('m2m/v1/acme/bot/encryption');
    expect(agent.stdout).not.toMatch(/key [0-9a-f]{64}/);
    const shared = JSON.parse((await run([...base, '--shared', '--reveal', '--json'])).stdout) as { path: string; key: string };
    expect(shared.path).toBe('m2m/v1/acme/shared');
    expect(shared.key).toMatch(/^[0-9a-f]{64}$/);
    const notHex = await run(['derive', '--master', `zz${'ab'.repeat(32)}`, '--org', 'acme', '--agent', 'bot']);
    expect(notHex.status).toBe(2);
    expect(notHex.stderr).toContain('--master must be hex');
    expect(notHex.stderr).not.toContain('abab');
    const session = await run([...base, '--agent', 'b', '--peer', 'a', '--session', 's1']);
    expect(session.stdout).toContain('m2m/v1/acme/session/a:b/s1');
  });
});

describe('m2m serve / connect', () => {
  it('carries lines over an encrypted loopback session and echoes them back', async () => {
    const serverId = join(dir, 'server.json');
    await run(['keygen', '--out', serverId, '--force']);
    const server = spawn(process.execPath, [...NODE_ARGS, 'serve', '--transport', 'tcp', '--identity', serverId, '--echo'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let serverErr = '';
    server.stderr.on('data', (d: Buffer) => (serverErr += String(d)));
    try {
      const first = await new Promise<string>((res) => createInterface({ input: server.stdout }).once('line', res));
      const { url, publicKey } = JSON.parse(first) as { url: string; publicKey: string };
      const client = spawnSync(process.execPath, [...NODE_ARGS, 'connect', url, '--peer-key', publicKey], { cwd: root, encoding: 'utf8', input: `${REQUEST}\nplain words, not JSON\n`, env: { ...process.env, NO_COLOR: '1' } });
      expect(client.status).toBe(0);
      expect(client.stderr).toContain('encrypted (XX)');
      const lines = client.stdout.trim().split('\n');
      expect(lines[0]).toBe(REQUEST);
      expect(JSON.parse(lines[1])).toEqual({ model: 'm2m-cli', messages: [{ role: 'user', content: 'plain words, not JSON' }] });
      const refused = spawnSync(process.execPath, [...NODE_ARGS, 'connect', url, '--peer-key', '00'.repeat(32)], { cwd: root, encoding: 'utf8', input: '', env: { ...process.env, NO_COLOR: '1' } });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('HANDSHAKE_PEER_REFUSED');
      expect(refused.stderr).toContain(`Handshake failed at message 2 (ACCEPT): peer static key not allowed (${publicKey.slice(0, 16)}…)`);
      // With --identity the key outlives the run: no "a new key each run" note.
      expect(serverErr).toContain('listening on');
      expect(serverErr).not.toContain('a new key each run');
    } finally {
      server.kill();
    }
  }, 30_000);
});

describe('m2m errors', () => {
  it('lists and explains codes', async () => {
    expect((await run(['errors', 'list'])).stdout).toMatch(/3102\s+AEAD_DECRYPTION_FAILED/);
    const ex = await run(['errors', 'explain', 'AEAD_DECRYPTION_FAILED']);
    expect(ex.stdout).toContain('AEAD_DECRYPTION_FAILED (3102)');
    expect(ex.stdout).toContain('Remedy:');
    expect((await run(['errors', 'explain', 'NOPE'])).status).toBe(2); // a usage error (README: exit 2)
    // A refused key's remedy says where a client's right key comes from, and why it changes.
    const refused = (await run(['errors', 'explain', 'HANDSHAKE_PEER_REFUSED'])).stdout;
    expect(refused).toContain('verifyPeer');
    expect(refused).toContain('m2m serve without --identity');
  });
  it('explains the other names a log line shows: CLOSE reasons, REJECT codes, threat types, reference names, a cause\'s Node system error', async () => {
    // From `SESSION_CLOSED: Session closed: SERVER_SHUTDOWN` and `Caused by: [ECONNREFUSED] …` lines.
    const closed = await run(['errors', 'explain', 'SERVER_SHUTDOWN']);
    expect(closed.status).toBe(0);
    expect(closed.stdout).toMatch(/^SERVER_SHUTDOWN: a CLOSE reason .*Server shutting down/);
    expect(closed.stdout).toContain('SESSION_CLOSED');
    const refused = await run(['errors', 'explain', 'econnrefused']);
    expect(refused.status).toBe(0);
    expect(refused.stdout).toMatch(/^ECONNREFUSED: a system error code from Node\.js \(connection refused\), not an SDK code/);
    expect((await run(['errors', 'explain', 'ENOTFOUND'])).stdout).toContain('DNS lookup failed');
    expect((await run(['errors', 'explain', 'NO_COMMON_ALGORITHM'])).stdout).toMatch(/a REJECT code.*\n.*REJECTED/);
    expect((await run(['errors', 'explain', 'JAILBREAK'])).stdout).toContain('severity critical');
    // A reference name maps onto its SDK code, whose explanation follows.
    const ref = await run(['errors', 'explain', 'InvalidPrefix']);
    expect(ref.stdout).toContain('this SDK throws DECOMPRESSION_FAILED');
    expect(ref.stdout).toContain('DECOMPRESSION_FAILED (1001)');
    const json = JSON.parse((await run(['errors', 'explain', 'CLIENT_SHUTDOWN', '--json'])).stdout) as { kind: string; name: string };
    expect(json).toMatchObject({ kind: 'close-reason', name: 'CLIENT_SHUTDOWN' });
    // A catalog code that is also a REJECT code keeps its catalog entry; a made-up E-word stays unknown.
    expect((await run(['errors', 'explain', 'SERVER_BUSY'])).stdout).toContain('SERVER_BUSY (5012)');
    expect((await run(['errors', 'explain', 'ENOTACODE'])).status).toBe(2);
  });
  it('decodes a log file end to end; --code matches a code anywhere in the chain', async () => {
    const chain = new M2MError('Crypto', {}, { cause: new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }) });
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c).trim()), cb()) });
    pino(sink).error({ err: chain }, 'frame rejected'); // pino's default serializers: the cause survives as text only
    await new Promise((r) => setImmediate(r));
    const ours = JSON.stringify({ time: new Date().toISOString(), ...serializeError(new M2MError('ReplayDetected', { counter: 7 })) });
    const text = [lines[0], 'not json at all', ours.slice(0, 40), ours, formatErrorChain(chain)].join('\n');
    writeFileSync(join(dir, 'app.log'), text);
    const r = spawnRun(['errors', 'decode', join(dir, 'app.log'), '--code', 'aead_decryption_failed']); // end to end, in a child process
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out.filter((l) => /^\S/.test(l) && !l.startsWith('2 errors'))).toEqual([expect.stringMatching(/line 1 CRYPTO_ERROR not retryable \[pino\]$/), 'lines 5-6 CRYPTO_ERROR not retryable [chain-text]']);
    expect(out).toContain('  Caused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed: authentication tag mismatch (inferred from the message)');
    expect(out).toContain('  Caused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed: authentication tag mismatch');
    expect(out.at(-1)).toBe('2 errors: CRYPTO_ERROR ×2; 1 with links inferred from catalog messages; 6 lines read, 2 JSON records, 1 cut or partial, 1 other lines');
  });
});
