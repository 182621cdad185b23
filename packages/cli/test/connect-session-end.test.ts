/**
 * `m2m connect` when the server goes away while stdin stays open (a person typing, a pipe that
 * is idle): the command ends at once with the session's error and exit 1. It used to wait for
 * the next line or for EOF, print the error twice (once without its code) and exit 0.
 * In process through `main(argv, io)`, with a TCP relay in front of the server so that the test
 * can cut the connection as a killed server would.
 */
import { createConnection, createServer, type Server as NetServer, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { listen, type Server } from '@m2m/session';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';
import { connect } from '@m2m/session';

const serverKey = KeyPair.generate();
let server: Server | undefined;
let relay: NetServer | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (relay ? relay.close(() => r()) : r()));
  await server?.close();
  relay = server = undefined;
});

/** An echo server behind a relay whose connections the test can cut. */
async function start(): Promise<string> {
  server = await listen({ transport: 'tcp', secure: { staticKey: serverKey }, onSession: (s) => void (async () => { for await (const m of s) await s.send(m.content); })().catch(() => undefined) });
  return relayTo(server.url);
}

/** A TCP relay in front of `url` (kept in `relay`, its sockets in `sockets`); returns its URL. */
async function relayTo(url: string): Promise<string> {
  const target = new URL(url);
  relay = createServer((inbound) => {
    const outbound = createConnection({ host: target.hostname, port: Number(target.port) });
    sockets.push(inbound, outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((r) => relay!.listen(0, '127.0.0.1', r));
  const { port } = relay.address() as { port: number };
  return `tcp://127.0.0.1:${port}`;
}

/** Runs connect with a stdin that sends one line and then stays open. */
function connectWithOpenStdin(url: string) {
  const stdin = new PassThrough();
  const lines = { out: [] as string[], err: [] as string[] };
  const io: Io = { out: (l) => void lines.out.push(l), err: (l) => void lines.err.push(l), stdin: () => '', stdinStream: () => stdin, color: false };
  stdin.write('{"model":"gpt-4o","messages":[]}\n');
  const code = main(['connect', url, '--peer-key', toHex(serverKey.publicKey)], io);
  return { code, lines, stdin };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

describe('m2m connect ends when the session does, with stdin still open', () => {
  it('a lost connection (server killed): exit 1, SESSION_CLOSED with its code, printed once', async () => {
    const run = connectWithOpenStdin(await start());
    await until(() => run.lines.out.length === 1);
    for (const s of sockets) s.destroy();
    expect(await run.code).toBe(1);
    const errors = run.lines.err.filter((l) => l.includes('connection lost'));
    expect(errors).toEqual(['SESSION_CLOSED: Session closed: ERROR: connection lost']);
    expect(run.stdin.writableEnded).toBe(false);
  });

  it('an orderly server shutdown: exit 1 with SESSION_CLOSED SERVER_SHUTDOWN', async () => {
    const run = connectWithOpenStdin(await start());
    await until(() => run.lines.out.length === 1);
    await server!.close();
    expect(await run.code).toBe(1);
    expect(run.lines.err.filter((l) => l.includes('SERVER_SHUTDOWN'))).toHaveLength(1);
    expect(run.lines.err.join('\n')).toMatch(/^SESSION_CLOSED: Session closed: SERVER_SHUTDOWN/m);
  });

  it('still exits 0 after stdin ends and the session is closed by this side', async () => {
    const run = connectWithOpenStdin(await start());
    await until(() => run.lines.out.length === 1);
    run.stdin.end();
    expect(await run.code).toBe(0);
    expect(run.lines.err.at(-1)).toBe('closed (CLIENT_SHUTDOWN) after sending 1 message');
  });
});

describe('m2m serve when a client dies mid-session', () => {
  it('says so once, with the close reason, and keeps its exit code 0 (--once)', async () => {
    const lines = { out: [] as string[], err: [] as string[] };
    const io: Io = { out: (l) => void lines.out.push(l), err: (l) => void lines.err.push(l), stdin: () => '', color: false };
    const serving = main(['serve', '--transport', 'tcp', '--echo', '--once'], io);
    await until(() => lines.out.length === 1);
    const { url, publicKey } = JSON.parse(lines.out[0]) as { url: string; publicKey: string };
    // What to type next is on stderr, with this server's URL and key.
    expect(lines.err).toContain(`  connect with: m2m connect ${url} --peer-key ${publicKey}`);
    const client = await connect(await relayTo(url), { secure: { staticKey: KeyPair.generate(), verifyPeer: (p) => toHex(p.staticKey) === publicKey } });
    client.closed.catch(() => undefined);
    await client.send('{"model":"gpt-4o","messages":[]}');
    await until(() => lines.out.length === 2);
    for (const s of sockets) s.destroy();
    expect(await serving).toBe(0);
    const about = lines.err.filter((l) => l.includes('connection lost'));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/^session \S+ closed \(ERROR: connection lost\) after 1 message$/);
  });
});
