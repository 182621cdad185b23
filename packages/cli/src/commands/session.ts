/**
 * `m2m serve` and `m2m connect`: an encrypted session on loopback (or anywhere) that carries
 * lines or files as DATA.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fromHex, isSdkError, M2MError, toHex } from '@m2m/core';
import { handshakePattern, KeyPair } from '@m2m/crypto';
import { allowKeys, checkPeerVerification, connect, listen, loadKnownKeys, type PeerVerifier, type SecureOptions, type Session } from '@m2m/session';
import { httpTransport, restTransport } from '@m2m/session/http';
import { parse } from '../args.js';
import { paint, terminalSafe, type Io } from '../io.js';
import { readIdentity } from './keys.js';

const COMMON = {
  identity: { type: 'string' },
  pattern: { type: 'string' },
  'known-keys': { type: 'string' },
  'peer-key': { type: 'string', multiple: true },
  codec: { type: 'string' },
  plaintext: { type: 'boolean' },
} as const;

const CONNECT_USAGE = 'usage: m2m connect URL [--peer-key HEX]... [--known-keys FILE] [--insecure-skip-peer-verification] [--file PATH]... [--identity FILE] [--pattern XX|IK|NK|KK|NN] [--codec json|binary] [--plaintext] [--wait MS]';

interface SecureFlags {
  identity?: string;
  pattern?: string;
  'known-keys'?: string;
  'peer-key'?: string[];
  'server-key'?: string[];
  'insecure-skip-peer-verification'?: boolean;
}

/**
 * Settings of an encrypted `serve` or `connect`. `--peer-key` (alias `--server-key` on connect)
 * and `--known-keys` name the keys the peer may have: checked under every pattern, and the
 * first `--peer-key` is also the pre-shared key where the pattern needs one (IK, NK, KK clients;
 * KK servers). A client without any of them fails with a usage message unless
 * `--insecure-skip-peer-verification` is given (for an `http(s)://` `url`, the message also
 * points at `--transport rest`); a server without them admits any client.
 * @throws M2MError (Config) for a missing or malformed key, CryptoError for a bad known-keys line.
 */
async function secureOptions(values: SecureFlags, role: 'client' | 'server', url = ''): Promise<SecureOptions> {
  const pattern = values.pattern ?? 'XX';
  const shape = handshakePattern(pattern);
  if (!shape) throw new M2MError('Config', { reason: `unknown --pattern ${pattern} (XX, IK, NK, KK, NN, with psk modifiers)` });
  const keys = [...(values['peer-key'] ?? []), ...(values['server-key'] ?? [])];
  for (const k of keys) if (!/^[0-9a-fA-F]{64}$/.test(k)) throw new M2MError('Config', { reason: '--peer-key must be 64 hex characters (an X25519 public key)' });
  const staticKey = values.identity ? readIdentity(values.identity) : KeyPair.generate();
  let verifyPeer: PeerVerifier | undefined;
  if (values['known-keys']) verifyPeer = await loadKnownKeys(values['known-keys']);
  else if (keys.length) verifyPeer = allowKeys(keys);
  // Patterns in which the peer's static key is a pre-message need it before the handshake.
  const preShared = (role === 'client' ? shape.responderPre : shape.initiatorPre).includes('s');
  if (preShared && !keys.length) throw new M2MError('Config', { reason: `${pattern} needs the ${role === 'client' ? 'server' : 'client'}'s key in advance: --peer-key HEX` });
  const options: SecureOptions = { pattern, staticKey };
  if (verifyPeer) options.verifyPeer = verifyPeer;
  if (preShared) options.remoteStaticKey = fromHex(keys[0]);
  if (role === 'client' && !verifyPeer) {
    if (!values['insecure-skip-peer-verification']) {
      throw new M2MError('Config', { reason: `an encrypted connection needs the server's key: --peer-key HEX (or --known-keys FILE); --insecure-skip-peer-verification connects without checking it (an active man in the middle can then read everything).${/^https?:/i.test(url) ? " The Rust reference's HTTP API (plaintext JSON at /message) takes --transport rest instead." : ''} ${CONNECT_USAGE}` });
    }
    options.insecureSkipPeerVerification = true;
  }
  return options;
}

/** `1 message`, `2 messages`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Lines that are JSON go as they are; other text is wrapped as a chat request (M2M frames carry JSON). */
export function asJson(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify({ model: 'm2m-cli', messages: [{ role: 'user', content: text }] });
  }
}

/** `--url nats://host:port/<subject>` as listen options. @throws M2MError Config. */
function natsTarget(url: string | undefined): { servers: string; subject: string } {
  const m = url ? /^nats:\/\/([^/]+)\/(.+)$/.exec(url) : null;
  if (!m) throw new M2MError('Config', { reason: '--transport nats needs --url nats://host:port/<subject>' });
  return { servers: m[1], subject: decodeURIComponent(m[2]) };
}

/**
 * A key flag asks for a verified, encrypted session: a plaintext one must not quietly replace it.
 * @throws M2MError Config naming the key flags given with a plaintext mode (`why`, `flag`).
 */
function refuseKeyFlags(values: Partial<Record<string, unknown>>, why: string, flag: string): void {
  const given = ['peer-key', 'server-key', 'known-keys', 'identity', 'pattern', 'insecure-skip-peer-verification'].filter((f) => values[f] !== undefined).map((f) => `--${f}`);
  if (given.length) throw new M2MError('Config', { reason: `${why}: ${given.join(', ')} cannot apply; drop ${given.length > 1 ? 'them' : 'it'}, or leave out ${flag} for an encrypted session` });
}

/** Runs `serve`; resolves when the server stops (SIGINT/SIGTERM, or `--once` after one session). */
export async function serveCommand(io: Io, argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...COMMON, transport: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, echo: { type: 'boolean' }, once: { type: 'boolean' }, url: { type: 'string' } }, 0);
  const transport = (values.transport ?? 'ws') as 'ws' | 'tcp' | 'http' | 'nats';
  if (!['ws', 'tcp', 'http', 'nats'].includes(transport)) throw new M2MError('Config', { reason: '--transport must be ws, tcp, http or nats' });
  // nats: `--url nats://host:port/<subject>` joins the subject's queue group (a pool of `serve`s).
  if (values.port !== undefined && !/^\d+$/.test(values.port)) throw new M2MError('Config', { reason: `--port must be a number from 0 to 65535, got ${values.port}` });
  const nats = transport === 'nats' ? natsTarget(values.url) : {};
  if (values.plaintext) refuseKeyFlags(values, '--plaintext serves without encryption', '--plaintext');
  const secure = values.plaintext ? undefined : await secureOptions(values, 'server');
  if (secure) checkPeerVerification(secure, 'server'); // a key check the pattern cannot perform fails now, not per connection
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = await listen({
    transport,
    host: values.host ?? '127.0.0.1',
    port: values.port ? Number(values.port) : 0,
    ...nats,
    secure,
    codec: values.codec as 'json' | 'binary' | undefined,
    onSession: (s: Session) => {
      io.err(paint(io, 'green', `session ${s.id} from ${terminalSafe(s.peerAgentId ?? '?')}${s.peerStaticKey ? ` key ${toHex(s.peerStaticKey).slice(0, 16)}…` : ''} (${s.encrypted ? 'encrypted' : 'plaintext'})`));
      void (async () => {
        let n = 0;
        try {
          for await (const m of s) {
            n++;
            io.out(terminalSafe(m.content));
            if (values.echo) await s.send(m.content);
          }
        } catch (e) {
          // SESSION_CLOSED (a lost connection) is told by the closed line below; other errors
          // (a tampered frame, a timeout, a failed send) are shown once, with their code.
          if (!isSdkError(e) || e.code !== 'SESSION_CLOSED') io.err(paint(io, 'red', `session ${s.id} ended: ${isSdkError(e) ? `[${e.code}] ` : ''}${terminalSafe(String((e as Error)?.message))}`));
        }
        const info = await s.closed;
        io.err(`session ${s.id} closed (${info.reason}${info.message ? `: ${terminalSafe(info.message)}` : ''}) after ${plural(n, 'message')}`);
        if (values.once) done();
      })();
    },
    onHandshakeError: (e) => {
      io.err(paint(io, 'red', `handshake failed: ${isSdkError(e) ? `[${e.code}] ` : ''}${terminalSafe(String((e as Error)?.message))}`));
      // An XX client that refuses this server's key hangs up before AUTH: say the likely why.
      if (isSdkError(e) && e.code === 'HANDSHAKE_FAILED' && (e.details as { stage?: string }).stage === 'AUTH') io.err(paint(io, 'dim', '  (a client that hangs up here most often refused this server\'s key: give it the public key printed above)'));
    },
  });
  const identity = secure?.staticKey && 'publicKey' in secure.staticKey ? toHex(secure.staticKey.publicKey) : undefined;
  io.err(`listening on ${server.url}${identity ? ` (${secure!.pattern}, public key ${identity})` : ' (plaintext)'}`);
  // What a newcomer types next, in another terminal (the pattern and plaintext flags must match).
  // Under NN the server has no key to check (connect refuses --peer-key there).
  const pattern = secure?.pattern ?? 'XX';
  const key = pattern.startsWith('NN') ? '--insecure-skip-peer-verification' : `--peer-key ${identity}`;
  const flags = identity ? `${key}${pattern !== 'XX' ? ` --pattern ${pattern}` : ''}` : '--plaintext';
  io.err(paint(io, 'dim', `  connect with: m2m connect ${server.url} ${flags}`));
  // A key made for this run is gone at exit: clients pinning it fail HANDSHAKE_PEER_REFUSED next time.
  if (identity && !values.identity) io.err(paint(io, 'dim', '  (a new key each run: m2m keygen --out server.json, then --identity server.json keeps it)'));
  // Machine-readable first line on stdout, so scripts (and tests) can connect.
  io.out(JSON.stringify({ url: server.url, publicKey: identity }));
  const stop = () => done();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await finished;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  // A graceful close waits for the peers and the broker: stopped while its NATS client is
  // reconnecting it waited for ever, and Ctrl-C seemed to do nothing. Bounded; the entry point
  // then exits (main.ts).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([server.close('SERVER_SHUTDOWN').then(() => true), new Promise<false>((r) => (timer = setTimeout(r, SERVE_CLOSE_MS, false)))]);
  clearTimeout(timer);
  if (!closed) io.err(paint(io, 'red', `closing did not finish within ${SERVE_CLOSE_MS / 1000} s (a peer or the NATS server is not answering): exiting`));
  return 0;
}

/** How long `serve` waits for its sessions and its broker to close after Ctrl-C. */
const SERVE_CLOSE_MS = 3000;

/** Why a session ended before its input did: the error its reader met, else how it closed. */
async function endedError(session: Session, reader: Promise<unknown>): Promise<unknown> {
  const failure = await reader;
  if (failure !== undefined) return failure;
  const info = await session.closed;
  return info.error ?? new M2MError('Closed', { reason: info.reason, message: info.message });
}

/** Printed when this client refuses the server's key. */
const PEER_KEY_HINT = "the server's key (its start is above) is not a --peer-key/--known-keys one: pass the publicKey that m2m serve printed; m2m serve without --identity makes a new key each run";

/** Runs `connect`: sends stdin lines (or `--file`s) as DATA and prints what comes back. */
export async function connectCommand(io: Io, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON,
    'server-key': { type: 'string', multiple: true }, // alias of --peer-key
    'insecure-skip-peer-verification': { type: 'boolean' },
    file: { type: 'string', multiple: true },
    wait: { type: 'string' },
    transport: { type: 'string' },
  }, 1);
  // --transport rest: the Rust reference's /message API (plaintext JSON; the reference has no Noise).
  if (values.transport !== undefined && values.transport !== 'rest') throw new M2MError('Config', { reason: '--transport must be rest (other transports follow the URL scheme)' });
  const rest = values.transport === 'rest';
  if (rest) refuseKeyFlags(values, "--transport rest speaks the Rust reference's plaintext /message API (no Noise, no server key to check)", '--transport rest');
  else if (values.plaintext) refuseKeyFlags(values, '--plaintext connects without encryption', '--plaintext');
  if (values.wait !== undefined && !/^\d+$/.test(values.wait)) throw new M2MError('Config', { reason: `--wait takes milliseconds (a whole number), not ${values.wait}` });
  const wait = values.wait === undefined ? 200 : Number(values.wait);
  const url = positionals[0];
  if (!url) throw new M2MError('Config', { reason: CONNECT_USAGE });
  // Files are read before connecting: a missing one is an IO_ERROR, not a session left open.
  const items: string[] = [];
  for (const f of values.file ?? []) {
    try {
      items.push(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new M2MError('Io', { reason: `cannot read ${f}: ${(e as Error).message}` }, { cause: e });
    }
  }
  const secure = values.plaintext || rest ? undefined : await secureOptions(values, 'client', url);
  const session = await connect(url, { secure, codec: values.codec as 'json' | 'binary' | undefined, signal: AbortSignal.timeout(15_000), ...(rest ? { transport: restTransport } : /^https?:/.test(url) ? { transport: httpTransport } : {}) }).catch((e: unknown) => {
    // The server's key is not the one given: most often a server restarted without --identity.
    if (isSdkError(e) && e.code === 'HANDSHAKE_PEER_REFUSED' && (e.details as { stage?: string }).stage === 'ACCEPT') io.err(paint(io, 'dim', PEER_KEY_HINT));
    throw e;
  });
  // Say it when nobody checked whose key answered: "encrypted" alone reads as safe.
  const unverified = secure?.insecureSkipPeerVerification ? ', server key NOT verified (--insecure-skip-peer-verification)' : '';
  io.err(paint(io, 'green', `connected: session ${terminalSafe(session.id)}, ${session.encrypted ? `encrypted (${secure!.pattern})${unverified}` : 'plaintext'}, algorithm ${session.negotiated?.algorithm}`));
  // Replies are printed as they come; the loop ends when the session does, and its error (a lost
  // connection, a timeout) is thrown once, below or by the send that meets it, not printed here too.
  const printer = (async () => {
    for await (const m of session) io.out(terminalSafe(m.content));
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  const lines = items.length ? undefined : createInterface({ input: io.stdinStream?.() ?? process.stdin });
  let reading = true;
  let cutShort = false;
  // The session can end under us (the server stopped or died) while stdin is idle: stop reading,
  // so that the command ends with the session's error instead of waiting for a line forever.
  void printer.then(() => {
    if (reading && lines) {
      cutShort = true;
      lines.close();
    }
  });
  let sent = 0;
  const progress = (total?: number) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${paint(io, 'dim', `sent ${sent}${total ? `/${total}` : ''}`)}`);
  };
  try {
    if (lines) {
      for await (const line of lines) {
        if (!line.trim()) continue;
        await session.send(asJson(line));
        sent++;
        progress();
      }
    } else {
      for (const item of items) {
        await session.send(asJson(item));
        sent++;
        progress(items.length);
      }
    }
  } finally {
    // Also when a send fails: an open reader would keep the process waiting on stdin.
    reading = false;
    lines?.close();
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (cutShort) throw await endedError(session, printer);
  // Give echoes a moment to arrive before closing.
  await new Promise((r) => setTimeout(r, wait));
  const info = await session.close('CLIENT_SHUTDOWN', 'done');
  const failure = await printer;
  if (failure !== undefined) throw failure;
  io.err(`closed (${info.reason}) after sending ${plural(sent, 'message')}`);
  return 0;
}
