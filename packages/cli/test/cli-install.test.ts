/**
 * The rough edges a new user hits with the installed `m2m` command: the bin symlink, a closed
 * pipe, usage exit codes, per-command help, protected frames without a key, short master keys,
 * and pnpm's banner in redirected output. Each runs the real command in a child process: the
 * command bundled from the sources once per run (scripts/test-bin.ts), as installed packages
 * ship it bundled, and once through `pnpm m2m` itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { main, USAGE } from '../src/main.js';

const root = resolve(import.meta.dirname, '../../..');
const mainFile = inject('m2mBin');
const env = { ...process.env, NO_COLOR: '1' };
const runFile = (file: string, args: string[]) => spawnSync(process.execPath, [file, ...args], { cwd: root, encoding: 'utf8', env });
const run = (args: string[]) => runFile(mainFile, args);
const dir = mkdtempSync(join(tmpdir(), 'm2m-cli-install-'));
/** Every command the usage text names. */
const USAGE_COMMANDS = new Set([...USAGE.matchAll(/^\s*m2m ([a-z-]+)/gm)].map((m) => m[1]));
const REQUEST = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';

describe('the m2m command as installed', () => {
  it('runs through a symlink, as node_modules/.bin/m2m is', () => {
    const link = join(dir, 'm2m');
    symlinkSync(mainFile, link);
    const r = runFile(link, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('m2m frame encode');
  });

  it('exits quietly when the reader of its output goes away (errors list | head -1)', async () => {
    const child = spawn(process.execPath, [mainFile, 'errors', 'list'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read one chunk, then close our end as `head -1` does.
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('treats an unknown error code as a usage error (exit 2)', () => {
    const r = run(['errors', 'explain', 'NOPE']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown error code NOPE');
  });

  it('answers --help for every command, without option errors', async () => {
    const spawned = run(['serve', '--help']); // an unknown-option error before
    expect(spawned.status).toBe(0);
    expect(spawned.stdout).toMatch(/^m2m serve /m);
    const commands = [...USAGE_COMMANDS];
    expect(commands.length).toBeGreaterThan(7);
    for (const command of commands) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main([command, '--help'], { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => '', color: false });
      expect(code, command).toBe(0);
      expect(out.join('\n'), command).toMatch(new RegExp(`^m2m ${command}\\b`, 'm'));
      expect(err, command).toEqual([]);
    }
  });

  it('says that a protected frame needs --key instead of a payload length error', () => {
    const key = '11'.repeat(32);
    const frame = run(['frame', 'encode', REQUEST, '--key', key]).stdout.trim();
    const r = run(['frame', 'decode', frame]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('this frame is protected (aead): pass --key HEX');
    expect(r.stderr).not.toContain('Frame too short');
    const hmac = run(['frame', 'encode', REQUEST, '--key', key, '--mode', 'hmac']).stdout.trim();
    expect(run(['frame', 'decode', hmac]).stderr).toContain('pass --key HEX --mode hmac');
  });

  it('refuses a master key shorter than 32 bytes', () => {
    const r = run(['derive', '--master', 'abcd', '--org', 'acme']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--master must be at least 32 bytes');
    const ok = run(['derive', '--master', '42'.repeat(32), '--org', 'acme']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('m2m/v1/acme');
  });

  it('`pnpm m2m frame encode … > file` writes only the frame, so decode reads the file back', () => {
    // The pnpm running `pnpm test` when there is one (npx's own start-up costs seconds).
    const pnpm = process.env.npm_execpath?.includes('pnpm') ? [process.execPath, process.env.npm_execpath] : [process.platform === 'win32' ? 'npx.cmd' : 'npx', '-y', 'pnpm@10'];
    const enc = spawnSync(pnpm[0], [...pnpm.slice(1), 'm2m', 'frame', 'encode', REQUEST], { cwd: root, encoding: 'utf8', env });
    expect(enc.status).toBe(0);
    expect(enc.stdout).toMatch(/^234d324d7c317c[0-9a-f]+\n$/);
    const file = join(dir, 'frame.txt');
    writeFileSync(file, enc.stdout);
    const dec = run(['frame', 'decode', `@${file}`]);
    expect(dec.status).toBe(0);
    expect(dec.stdout.trim()).toBe(REQUEST);
  }, 60_000);
});
