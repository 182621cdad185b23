/**
 * `m2m connect` peer verification flags (issue 13): in process against a `listen()` server, so
 * each case costs a handshake, not a process start.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, type Server } from '@m2m/session';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'm2m-cli-flags-'));
const request = join(dir, 'request.json');
writeFileSync(request, '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}');
const serverKey = KeyPair.generate();
const serverHex = toHex(serverKey.publicKey);

function capture(): Io & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => void lines.out.push(l), err: (l) => void lines.err.push(l), stdin: () => '', color: false };
}

async function connectWith(url: string, flags: string[]) {
  const io = capture();
  const code = await main(['connect', url, '--file', request, '--wait', '50', ...flags], io);
  return { code, out: io.lines.out.join('\n'), err: io.lines.err.join('\n') };
}

describe('m2m connect verifies the server', () => {
  let xx: Server;
  let ik: Server;
  const handshakes = { xx: 0 };
  beforeAll(async () => {
    const echo = async (s: AsyncIterable<{ content: string }> & { send(c: string): Promise<void> }) => {
      for await (const m of s) await s.send(m.content);
    };
    xx = await listen({ transport: 'tcp', secure: { staticKey: serverKey }, onSession: (s) => void echo(s), onHandshakeError: () => handshakes.xx++ });
    ik = await listen({ transport: 'tcp', secure: { pattern: 'IK', staticKey: serverKey }, onSession: (s) => void echo(s) });
  });
  afterAll(async () => {
    await xx.close();
    await ik.close();
  });

  it('without a peer key it is a usage error, before any connection', async () => {
    const before = { accepted: xx.counters.accepted, failed: xx.counters.failedHandshakes };
    const r = await connectWith(xx.url, []);
    expect(r.code).toBe(2);
    expect(r.err).toContain('CONFIG_ERROR');
    expect(r.err).toContain('--peer-key');
    expect(r.err).toContain('--insecure-skip-peer-verification');
    expect(r.err).not.toContain('--transport rest');
    await new Promise((res) => setTimeout(res, 50));
    expect({ accepted: xx.counters.accepted, failed: xx.counters.failedHandshakes }).toEqual(before);
  });

  it('--server-key is checked under XX: a wrong key is refused, the right one connects', async () => {
    const wrong = await connectWith(xx.url, ['--server-key', '00'.repeat(32)]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('HANDSHAKE_PEER_REFUSED');
    // It shows the start of the key that answered and says where the right one comes from.
    expect(wrong.err).toContain(`peer static key not allowed (${serverHex.slice(0, 16)}…)`);
    expect(wrong.err).toContain('m2m serve without --identity makes a new key each run');
    const right = await connectWith(xx.url, ['--server-key', serverHex]);
    expect(right.code).toBe(0);
    expect(right.out).toContain('"content":"Hi"');
  });

  it('--peer-key pins the key for IK; --insecure-skip-peer-verification connects unverified under XX', async () => {
    const pinned = await connectWith(ik.url, ['--pattern', 'IK', '--peer-key', serverHex]);
    expect(pinned.code).toBe(0);
    expect(pinned.err).toContain('encrypted (IK)');
    const ikNoKey = await connectWith(ik.url, ['--pattern', 'IK']);
    expect(ikNoKey.code).toBe(2);
    const open = await connectWith(xx.url, ['--insecure-skip-peer-verification']);
    expect(open.code).toBe(0);
    expect(open.out).toContain('"content":"Hi"');
    // The status line says that the server's key was not checked; a verified one does not.
    expect(open.err).toContain('encrypted (XX), server key NOT verified');
    expect(pinned.err).not.toContain('NOT verified');
  });

  it('--identity with a file that is not JSON fails without quoting the file', async () => {
    const bad = join(dir, 'bad-identity');
    writeFileSync(bad, 'SECRETSAUCE-0123456789abcdef not json at all');
    const r = await connectWith(xx.url, ['--identity', bad, '--peer-key', serverHex]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not an m2m identity file');
    expect(r.err).not.toContain('SECRET');
    expect(r.err).not.toContain('0123');
  });

  it("an http:// URL without a key also points at --transport rest (the Rust reference's API)", async () => {
    const r = await connectWith('http://127.0.0.1:1', []);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/CONFIG_ERROR: .*needs the server's key.*Rust reference's HTTP API .* --transport rest instead/);
  });

  it('a key flag with --transport rest or --plaintext is a usage error, not a quietly plaintext session', async () => {
    const before = xx.counters.accepted;
    const rest = await connectWith('http://127.0.0.1:1', ['--transport', 'rest', '--peer-key', serverHex]);
    expect(rest.code).toBe(2);
    expect(rest.err).toMatch(/CONFIG_ERROR: .*--transport rest .*plaintext.*: --peer-key cannot apply/);
    const plain = await connectWith(xx.url, ['--plaintext', '--server-key', serverHex, '--pattern', 'IK']);
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/--plaintext connects without encryption: --server-key, --pattern cannot apply; drop them/);
    expect(xx.counters.accepted).toBe(before);
    const io = capture();
    expect(await main(['serve', '--transport', 'tcp', '--plaintext', '--identity', request], io)).toBe(2);
    expect(io.lines.err.join('\n')).toMatch(/--plaintext serves without encryption: --identity cannot apply/);
  });
});

describe('m2m serve --peer-key', () => {
  it('admits only the listed client keys under XX', async () => {
    const alice = KeyPair.generate();
    const stranger = KeyPair.generate();
    const io = capture();
    const served = main(['serve', '--transport', 'tcp', '--peer-key', toHex(alice.publicKey), '--once'], io);
    for (let i = 0; i < 200 && !io.lines.out.length; i++) await new Promise((r) => setTimeout(r, 10));
    const { url, publicKey } = JSON.parse(io.lines.out[0]) as { url: string; publicKey: string };
    const pin = allowKeys([publicKey]);
    const refused = await connect(url, { secure: { staticKey: stranger, verifyPeer: pin } });
    const info = await refused.closed;
    expect(info.error?.code).toBe('REJECTED');
    expect(info.error?.message).toContain('peer static key not allowed');
    // A client pinning another server key hangs up before AUTH: serve says what that usually means.
    await connect(url, { secure: { staticKey: alice, verifyPeer: allowKeys([KeyPair.generate().publicKey]) } }).catch(() => undefined);
    for (let i = 0; i < 200 && !io.lines.err.some((l) => l.includes('refused this server')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(io.lines.err.join('\n')).toContain("most often refused this server's key");
    const admitted = await connect(url, { secure: { staticKey: alice, verifyPeer: pin } });
    await admitted.send('{"model":"gpt-4o","messages":[]}');
    await admitted.close();
    expect(await served).toBe(0);
    expect(io.lines.err.join('\n')).toMatch(/handshake failed: \[HANDSHAKE_[A-Z_]+\] Handshake failed at message 3 \(AUTH\): peer static key not allowed/);
    // Its key is made for this run: it says so, and how to keep one.
    expect(io.lines.err.join('\n')).toContain('a new key each run: m2m keygen --out server.json, then --identity server.json');
  });
});
