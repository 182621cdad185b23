/**
 * Attacker review: a hostile peer writes into the operator's terminal. `m2m connect` prints what
 * the server sends (DATA content, its CLOSE message in the final error) and `m2m serve` prints
 * what each client sends (its agent id, DATA content, its CLOSE message). Before, those texts went
 * out raw, so a peer could send ESC sequences (clear the screen, set the window title, rewrite
 * earlier lines with CR, OSC 52 clipboard writes) or C1 controls (U+009B is CSI). Printed text
 * now carries them as visible `\uXXXX` escapes; line feeds and tabs stay.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, defaultCapabilities, listen, type Server } from '@m2m/session';
import { terminalSafe, type Io } from '../src/io.js';
import { main } from '../src/main.js';

/** Any character a terminal acts on (C0 but LF and TAB, DEL, C1, bidi overrides). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'x\u001b]0;PWNED\u0007\u001b[2J\r\u009b31m\u202eend';

let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not met in 10 s');
}

function captureIo(stdin?: PassThrough) {
  const lines = { out: [] as string[], err: [] as string[] };
  const io: Io = { out: (l) => void lines.out.push(l), err: (l) => void lines.err.push(l), stdin: () => '', ...(stdin ? { stdinStream: () => stdin } : {}), color: false };
  return { io, lines };
}

describe('terminalSafe', () => {
  it('escapes every control a terminal acts on, keeps text, line feeds and tabs', () => {
    expect(terminalSafe(HOSTILE)).toBe('x\\u001b]0;PWNED\\u0007\\u001b[2J\\u000d\\u009b31m\\u202eend');
    expect(terminalSafe('héllo\n\twörld {"a":"😀"}')).toBe('héllo\n\twörld {"a":"😀"}');
    for (let c = 0; c < 0x3000; c++) expect(CONTROL.test(terminalSafe(String.fromCharCode(c)))).toBe(false);
  });
});

describe('m2m connect against a hostile server', () => {
  it('prints neither its DATA content nor its CLOSE message raw', async () => {
    server = await listen({
      transport: 'tcp',
      onSession: (s) =>
        void (async () => {
          for await (const _ of s) {
            // JSON may carry DEL and C1 controls unescaped: JSON.stringify leaves them raw.
            await s.send(JSON.stringify({ echo: 'a\u009b2J\u007fb' }));
            await new Promise((r) => setTimeout(r, 50));
            await s.close('ERROR', HOSTILE);
          }
        })().catch(() => undefined),
    });
    const stdin = new PassThrough();
    const { io, lines } = captureIo(stdin);
    stdin.write('{"a":1}\n');
    const code = main(['connect', server.url, '--plaintext'], io);
    expect(await code).toBe(1);
    expect(lines.out).toHaveLength(1);
    expect(JSON.parse(lines.out[0]!)).toEqual({ echo: 'a\u009b2J\u007fb' }); // same JSON value
    for (const l of [...lines.out, ...lines.err]) expect(l).not.toMatch(CONTROL);
    expect(lines.err.join('\n')).toContain('\\u001b]0;PWNED');
  });
});

describe('m2m serve against a hostile client', () => {
  it('prints neither its agent id, its content nor its CLOSE message raw', async () => {
    const { io, lines } = captureIo();
    const serving = main(['serve', '--transport', 'tcp', '--plaintext', '--once'], io);
    await until(() => lines.err.some((l) => l.startsWith('listening on ')));
    const url = /listening on (\S+)/.exec(lines.err.find((l) => l.startsWith('listening on '))!)![1]!;
    const client = await connect(url, { capabilities: defaultCapabilities({ agentId: HOSTILE }) });
    await client.send(JSON.stringify({ text: 'a\u009b2J\u007fb' }));
    await until(() => lines.out.length === 1);
    await client.close('NORMAL', HOSTILE);
    expect(await serving).toBe(0);
    for (const l of [...lines.out, ...lines.err]) expect(l).not.toMatch(CONTROL);
    expect(lines.err.join('\n')).toContain('\\u001b]0;PWNED');
  });
});

describe('m2m errors decode of a log an attacker wrote into', () => {
  it('prints the logged messages (a peer\'s CLOSE text, a forged code) with controls escaped', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { M2MError } = await import('@m2m/core');
    const { serializeError } = await import('@m2m/core/errors');
    const file = join(mkdtempSync(join(tmpdir(), 'm2m-attack-')), 'server.log');
    const closed = serializeError(new M2MError('Closed', { reason: 'ERROR', message: HOSTILE }));
    const forged = { ...closed, code: `SESSION_CLOSED${HOSTILE}`, name: `M2MError${HOSTILE}` };
    writeFileSync(file, [JSON.stringify({ level: 50, msg: 'session ended', err: closed }), JSON.stringify({ level: 50, err: forged }), `Error: M2MError [SESSION_CLOSED]: Session closed: ERROR: ${HOSTILE}`, ''].join('\n'));
    const { io, lines } = captureIo();
    expect(await main(['errors', 'decode', file], io)).toBe(0);
    expect(lines.out.join('\n')).toContain('\\u001b]0;PWNED');
    for (const l of [...lines.out, ...lines.err]) expect(l).not.toMatch(CONTROL);
  });
});
