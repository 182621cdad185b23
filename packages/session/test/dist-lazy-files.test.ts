/**
 * The built Node files (scripts/bundle.ts `--node-over-module`, docs/ARCHITECTURE.md "Cold
 * import, the server and the dialers out of the one module"): `import '@m2m/session'` loads the
 * main module and nothing of the server, the dialers or the subpaths; `listen()` loads its file
 * on first call; a subpath shares the main module's classes and state (one instance of each).
 * Runs `dist/` in child processes (CI builds before testing); skipped when it is not built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dist = resolve(import.meta.dirname, '../dist');
const built = existsSync(join(dist, '_module.js')) && existsSync(join(dist, 'listen-server.js'));
if (!built) console.warn('dist-lazy-files.test.ts skipped: @m2m/session is not built (pnpm build)');

const dir = mkdtempSync(join(tmpdir(), 'm2m-dist-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` (an ES module) in a child that prints, last, every file of dist/ it loaded. */
function run(body: string): { loaded: string[]; out: string } {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, `export async function load(url, context, next) { if (url.startsWith(${JSON.stringify(pathToFileURL(dist).href + '/')})) globalThis.port?.postMessage(url); return next(url, context); }
export function initialize(data) { globalThis.port = data.port; }`);
  const main = join(dir, `main-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    main,
    `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const loaded = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (u) => loaded.push(u.slice(u.lastIndexOf('/') + 1)));
port1.unref();
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { port: port2 }, transferList: [port2] });
const dist = ${JSON.stringify(pathToFileURL(dist).href)};
${body}
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify(loaded));`,
  );
  const r = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return { loaded: JSON.parse(lines.at(-1) ?? '[]') as string[], out: lines.slice(0, -1).join('\n') };
}

describe.skipIf(!built)('@m2m/session on Node, from dist/', () => {
  it('loads only the main module at import', () => {
    const { loaded } = run(`await import(dist + '/index.js');`);
    expect(loaded.sort()).toEqual(['_module.js', 'index.js']);
    // What only servers, dialers and subpaths run is not in it (a static import would pull it in).
    const main = readFileSync(join(dist, '_module.js'), 'utf8');
    const defines = (name: string) => new RegExp(`(?:function |class )${name}\\b|\\b${name}=class\\b`).test(main);
    for (const name of ['httpHandler', 'listenNats', 'NatsTransport', 'TcpTransport', 'NodeWebSocketTransport', 'BatchWriter', 'decodeStreamEnvelope']) expect(defines(name), name).toBe(false);
    expect(defines('Session')).toBe(true);
  });

  it('loads the server on the first listen() and serves a session', () => {
    const { loaded, out } = run(`const { listen, connect } = await import(dist + '/index.js');
const server = await listen({ transport: 'tcp', onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
const c = await connect(server.url);
await c.send('{"a":1}');
for await (const m of c) { console.log(m.content); break; }
await c.close();
await server.close();`);
    expect(out).toBe('{"a":1}');
    expect(loaded).toContain('listen-server.js');
    expect(loaded).toContain('platform-tcp-dial.node.js');
    expect(loaded).not.toContain('platform-ws-dial.node.js');
    expect(loaded).not.toContain('nats-dial.js');
  });

  it('gives a subpath the main module’s classes (streams over a memory session)', () => {
    const { out } = run(`const { Session } = await import(dist + '/index.js');
const { memoryTransportPair } = await import(dist + '/testing.js');
const { openStream, incomingStreams } = await import(dist + '/streams.js');
const { AsyncQueue } = await import(dist + '/internal.js');
const [a, b] = memoryTransportPair();
const serverP = Session.server(b);
const client = await Session.client(a);
const server = await serverP;
const incoming = incomingStreams(server);
const w = openStream(client, { id: 's1' });
await w.write('hello');
await w.end();
for await (const s of incoming) { let text = ''; for await (const chunk of s) text += chunk; console.log(s.id, text); break; }
console.log(typeof AsyncQueue, client instanceof Session);
await client.close();`);
    expect(out).toBe('s1 hello\nfunction true');
  });
});
