/**
 * What `m2m --version` and the usage lines of `serve` / `connect` tell a new user: the version of
 * the installed package, and every flag those two commands accept (packages/cli/src/commands/session.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStdin } from '../src/io.js';
import { main } from '../src/main.js';

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => '', color: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('m2m --version', () => {
  const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V', 'version']) {
    it(`${flag} prints the package version and exits 0`, async () => {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`m2m ${version}`);
      expect(r.err).toBe('');
    });
  }
});

describe('serve and connect --help name every flag they accept', () => {
  const accepted = {
    serve: ['--transport', '--host', '--port', '--url', '--identity', '--pattern', '--peer-key', '--known-keys', '--codec', '--plaintext', '--echo', '--once'],
    connect: ['--peer-key', '--server-key', '--known-keys', '--file', '--identity', '--pattern', '--codec', '--plaintext', '--wait', '--transport', '--insecure-skip-peer-verification'],
  };
  for (const [command, flags] of Object.entries(accepted)) {
    it(command, async () => {
      const r = await run([command, '--help']);
      expect(r.code).toBe(0);
      for (const flag of flags) expect(r.out, flag).toMatch(new RegExp(`${flag}\\b`));
      // The patterns the handshake accepts (session.ts: XX, IK, NK, KK, NN), not only XX.
      expect(r.out).toContain('--pattern XX|IK|NK|KK|NN');
    });
  }
});

describe('serve, connect and keygen --help say what their flags do, not only their names', () => {
  it('serve: the stdout protocol, the default transport, --echo and --once', async () => {
    const r = await run(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('{"url":…,"publicKey":…}');
    expect(r.out).toMatch(/--echo +send each message back/);
    expect(r.out).toMatch(/--once +exit after the first session closes/);
    expect(r.out).toContain('"<public key hex> [agent id]" per line');
  });
  it('connect: non-JSON lines become a chat request, and --wait has a default', async () => {
    const r = await run(['connect', '--help']);
    expect(r.out).toContain('text that is not JSON goes as the user message of a chat request');
    expect(r.out).toMatch(/--wait MS .*\(default 200\)/);
  });
  it('keygen: what the file holds and what to give peers', async () => {
    const r = await run(['keygen', '--help']);
    expect(r.out).toMatch(/^m2m keygen --out FILE/);
    expect(r.out).toContain('mode 0600');
    expect(r.out).toContain('--peer-key');
  });
});

describe('frame, scan, derive and errors --help explain what they do, not only their usage lines', () => {
  const says: Record<string, (string | RegExp)[]> = {
    frame: ['no key needed', /--mode aead\|hmac +aead \(default\)/, '@FILE, or - for stdin'],
    scan: [/--threshold X .*\(default 0\.8\)/, 'Exit code 1 when the result is blocked'],
    derive: ['never the key unless --reveal', /--shared +the organisation's shared key/],
    // An installed CLI has no docs/ folder beside it: the help links to the published page.
    errors: ['reads stdin without FILE', /--code CODE +only chains holding CODE at any link/, 'https://github.com/m2m-sdk/m2m/blob/main/docs/ERRORS.md'],
  };
  for (const [command, texts] of Object.entries(says)) {
    it(command, async () => {
      const r = await run([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.out.split('\n').length).toBeGreaterThan(5);
      for (const t of texts) expect(r.out).toMatch(t);
    });
  }
  it('a subcommand\'s --help is its command\'s help (m2m errors decode --help)', async () => {
    const r = await run(['errors', 'decode', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--since 15m|ISO   only records from that time on');
  });
});

describe('m2m serve --port that is not a number', () => {
  it('names the flag and the value given, not "got NaN"', async () => {
    const r = await run(['serve', '--plaintext', '--port', 'abc']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--port must be a number from 0 to 65535, got abc');
  });
});

describe('m2m keygen into a directory that does not exist', () => {
  it('is an IO_ERROR (exit 1) naming the file, not INTERNAL (exit 70)', async () => {
    const r = await run(['keygen', '--out', '/nonexistent-m2m-dir/agent.json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^IO_ERROR: .*cannot write \/nonexistent-m2m-dir\/agent\.json/);
    expect(r.out).toBe('');
  });
});

describe('m2m connect --file with a missing file', () => {
  it('is an IO_ERROR before any connection (it was INTERNAL after connecting, with the session left open)', async () => {
    // Port 1 refuses connections: reaching it would report NETWORK_ERROR instead.
    const r = await run(['connect', 'tcp://127.0.0.1:1', '--plaintext', '--file', '/nonexistent-m2m-dir/request.json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^IO_ERROR: .*cannot read \/nonexistent-m2m-dir\/request\.json/);
    expect(r.err).not.toContain('connected');
  });
});

describe('m2m analyze on one small request', () => {
  it("says that auto follows the reference's rule when it picks other than the best", async () => {
    // 60 bytes: the reference's rule picks none under 100 bytes, while tokennative is smaller.
    const r = await run(['analyze', '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tokennative .* best/);
    expect(r.out).toContain("auto picks  none  (compress -a auto: the reference's rule by size and shape, not the smallest)");
    // Building js-tiktoken's two BPE tables takes ~2 s of CPU on first use (5 s under vitest);
    // a loaded machine running the whole suite stretched that past the default 30 s.
  }, 90_000);
});

describe('m2m connect without a URL', () => {
  it('prints a usage line naming the same flags as --help', async () => {
    const r = await run(['connect']);
    expect(r.code).toBe(2);
    for (const flag of ['--pattern XX|IK|NK|KK|NN', '--codec json|binary', '--plaintext', '--wait MS']) expect(r.err, flag).toContain(flag);
  });
});

describe('extra arguments are usage errors, not silently dropped', () => {
  const cases: Array<[string, string[]]> = [
    ['analyze', ['analyze', 'a.json', 'b.json']],
    ['compress', ['compress', 'hello', 'world']],
    ['decompress', ['decompress', 'x', 'y']],
    ['scan', ['scan', 'one', 'two']],
    ['frame', ['frame', 'decode', 'AA', 'BB']],
    ['errors', ['errors', 'explain', 'CRYPTO_ERROR', 'extra']],
    ['keygen', ['keygen', '--out', 'k.json', 'extra']],
    ['derive', ['derive', '--master', '00'.repeat(32), 'extra']],
    ['serve', ['serve', 'extra']],
    ['connect', ['connect', 'ws://127.0.0.1:1', 'extra']],
    ['server', ['server', 'extra']],
  ];
  for (const [name, argv] of cases) {
    it(name, async () => {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`unexpected argument '${argv.at(-1)}'`);
    });
  }

  it('analyze says when its text argument is the name of a file', async () => {
    const path = resolve(import.meta.dirname, '../package.json');
    const r = await run(['analyze', path]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`note: ${path} is a path; analyzing the text itself (use @${path}`);
    expect(r.out).toContain(`size        ${Buffer.byteLength(path)} bytes`);
  });
});

describe('m2m errors explain with a code half remembered', () => {
  it('suggests the codes that hold every word given, and still exits 2', async () => {
    const r = await run(['errors', 'explain', 'replay']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('did you mean REPLAY_DETECTED');
    const tag = await run(['errors', 'explain', 'decryption failed']);
    expect(tag.err).toMatch(/did you mean [A-Z_, ]*AEAD_DECRYPTION_FAILED/);
  });
  it('prints the message template, so a line in a log can be matched to it', async () => {
    const r = await run(['errors', 'explain', 'SESSION_CLOSED']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Message: Session closed: {reason}: {message}');
  });
  it('suggests nothing for a word no code has', async () => {
    const r = await run(['errors', 'explain', 'NOPE']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('unknown error code NOPE; see m2m errors list');
  });
});

describe('reading stdin on a terminal', () => {
  it('says how to end the input first (errors decode with no FILE looked hung); says nothing for a pipe', () => {
    const said: string[] = [];
    expect(readStdin({ isTTY: true }, (l) => said.push(l), () => 'log text')).toBe('log text');
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('Ctrl-D');
    expect(readStdin({ isTTY: false }, (l) => said.push(l), () => 'piped')).toBe('piped');
    expect(said).toHaveLength(1);
  });
});

describe('option parser errors', () => {
  it('an unknown option is named plainly, once, exit 2', async () => {
    const r = await run(['frame', 'encode', '{}', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('CONFIG_ERROR: Config error: unknown option --bogus (--help lists the options; a value that starts with - goes after --)');
  });
  it('a missing option value is one line, not the same line again as its cause', async () => {
    const r = await run(['frame', 'encode', '{}', '--key']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("CONFIG_ERROR: Config error: Option '--key <value>' argument missing");
  });
});

describe('the error chain a person reads', () => {
  it('drops a non-SDK cause whose text the line above already holds (ENOENT twice)', async () => {
    const r = await run(['frame', 'decode', '@/nonexistent-m2m-dir/f.hex']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([expect.stringMatching(/^IO_ERROR: IO error: cannot read \/nonexistent-m2m-dir\/f\.hex: ENOENT/)]);
  });
  it('keeps an SDK cause, whose code is news (CRYPTO_ERROR caused by AEAD_DECRYPTION_FAILED)', async () => {
    const key = '11'.repeat(32);
    const enc = await run(['frame', 'encode', '{"model":"x","messages":[]}', '--key', key]);
    const r = await run(['frame', 'decode', enc.out, '--key', '22'.repeat(32)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('\nCaused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed');
  });
  it('keeps a foreign cause that says something new', async () => {
    const r = await run(['frame', 'encode', '{bad']);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(r.err).toMatch(/\nCaused by: .*JSON/);
  });
});

describe('m2m errors decode --code with a code that is not in the catalog', () => {
  const runWith = async (argv: string[], stdin: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => stdin, color: false });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  it('notes a mistyped code and what was probably meant, instead of a bare "0 errors"', async () => {
    const r = await runWith(['errors', 'decode', '-', '--code', 'AEAD_DECRYPT_FAIL'], 'a line\n');
    expect(r.code).toBe(0);
    expect(r.err).toContain('note: --code AEAD_DECRYPT_FAIL is no m2m error code; did you mean AEAD_DECRYPTION_FAILED?');
  });
  it('says nothing for a catalog code, or a foreign code the log holds', async () => {
    const log = `${JSON.stringify({ level: 50, err: { type: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET' } })}\n`;
    expect((await runWith(['errors', 'decode', '-', '--code', 'REPLAY_DETECTED'], log)).err).toBe('');
    const foreign = await runWith(['errors', 'decode', '-', '--code', 'ECONNRESET'], log);
    expect(foreign.err).not.toContain('note:');
  });
});
