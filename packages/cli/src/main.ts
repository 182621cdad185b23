#!/usr/bin/env node
/**
 * `m2m`: the command-line tool of the M2M SDK. Every failure exits non-zero and prints the
 * error's code and message chain.
 * @module
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSdkError } from '@m2m/core';
import { formatErrorChain } from '@m2m/core/errors';
import { analyzeCommand } from './commands/analyze.js';
import { compressCommand, decompressCommand } from './commands/codec.js';
import { modelsCommand } from './commands/models.js';
import { errorsCommand } from './commands/errors.js';
import { frameCommand } from './commands/frame.js';
import { scanCommand } from './commands/scan.js';
import { deriveCommand, keygenCommand } from './commands/keys.js';
import { connectCommand, serveCommand } from './commands/session.js';
import { serverCommand } from './commands/server.js';
import { paint, processIo, terminalSafe, type Io } from './io.js';

/** The usage text: one line per command form. */
export const USAGE = `m2m: the M2M Protocol command-line tool

  m2m frame encode JSON|@file|- [--text] [--key HEX --mode aead|hmac] [--json]
  m2m frame decode HEX|TEXT|@file|- [--key HEX --mode aead|hmac] [--json]
  m2m frame inspect HEX|TEXT|@file|- [--json]
  m2m compress [TEXT|@file|-] [-f FILE] [-o FILE] [-a auto|m2m|m|tokennative|tn|brotli|br|none|n] [-s] [--json]
  m2m decompress [TEXT|@file|-] [-f FILE] [-o FILE] [--pretty] [--json]
  m2m analyze [TEXT|@file|-] [-f FILE|DIR]... [--model M] [--json]
  m2m models list [--provider P] | search QUERY | info MODEL [--json]
  m2m scan TEXT|@file|- [--json] [--threshold 0..1]   (exit 1 when blocked)
  m2m keygen --out FILE [--force]
  m2m derive --master HEX|@file --org ORG [--agent A [--purpose P] | --agent A --peer B --session SID | --shared] [--reveal]
  m2m serve [--transport ws|tcp|http|nats] [--host IP] [--port N] [--url nats://host:port/SUBJECT] [--identity FILE] [--pattern XX|IK|NK|KK|NN]
            [--peer-key HEX]... [--known-keys FILE] [--codec json|binary] [--plaintext] [--echo] [--once]
  m2m connect URL|nats://host:port/SUBJECT --peer-key HEX [--known-keys FILE] [--file PATH]... [--identity FILE] [--pattern XX|IK|NK|KK|NN]
            [--codec json|binary] [--plaintext] [--wait MS]
            (--server-key = --peer-key; --insecure-skip-peer-verification connects without checking the server)
  m2m server [--port N] [--host IP|--bind-all] [--blocking] [--threshold X] [--no-security] [--upstream URL]
             [--upstream-timeout MS] [--api-key KEY|@FILE]... [--api-key-nats URL] [--rate-limit N/s [--rate-limit-nats URL]] [--m2m-listen ADDR | --m2m-upstream ADDR] [--peer-key HEX]  (--help)
  m2m connect http://HOST:PORT --transport rest   (the Rust reference's /message API)
  m2m errors list | explain CODE | decode [FILE|-] [--format auto|json|text] [--json] [--code CODE] [--since 15m|ISO]
  m2m --version`;

/** This package's version, read from its package.json (beside `src/` and `dist/` alike). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The usage lines of one command (`m2m serve --help`), or undefined for an unknown one. */
export function commandUsage(command: string): string | undefined {
  const lines: string[] = [];
  let inCommand = false;
  for (const line of USAGE.split('\n').slice(1)) {
    const form = /^ {2}m2m (\S+)/.exec(line);
    // A form's continuation lines are indented deeper than the forms themselves.
    if (form) inCommand = form[1] === command;
    else if (!/^ {3,}\S/.test(line)) inCommand = false;
    if (inCommand) lines.push(line.trim());
  }
  return lines.length ? lines.join('\n') : undefined;
}

/**
 * What the flags of the commands without a help text of their own do, printed after their usage
 * lines by `m2m <command> --help` (behaviour in commands/frame.ts, scan.ts, keys.ts, session.ts,
 * errors.ts and errors-decode.ts).
 */
const COMMAND_NOTES: Readonly<Record<string, string>> = {
  serve: `Listens for sessions (encrypted, XX, unless --plaintext) until Ctrl-C; stdout's first line is
{"url":…,"publicKey":…}, then the content of each message received; status goes to stderr.
  --transport       ws (default), tcp, http, or nats (with --url nats://host:port/SUBJECT)
  --host, --port    address (default 127.0.0.1, a free port)
  --identity FILE   the static key written by m2m keygen (default: a new key each run)
  --peer-key, --known-keys   admit only these client keys (default: any client); a known-keys
                    FILE has one "<public key hex> [agent id]" per line, # starts a comment
  --echo            send each message back;  --once  exit after the first session closes`,
  connect: `Opens a session to URL (the scheme picks the transport), sends each stdin line or --file as
DATA (text that is not JSON goes as the user message of a chat request), prints each reply on
stdout, then closes; status goes to stderr. If the server closes or goes away first, it ends at
once with the session's error (exit 1), even while stdin is still open.
  --peer-key HEX    the server's public key (from its m2m keygen or serve output); required for
                    an encrypted session unless --known-keys FILE or --insecure-skip-peer-verification
  --identity FILE   this client's static key (default: a new key each run)
  --codec           the message codec: binary (default) or json (the Rust reference's)
  --wait MS         how long to wait for replies after the last send (default 200)
  --plaintext       no encryption (the server must also run --plaintext)`,
  frame: `encode: a JSON request or response as an M2M frame, printed as hex (--text: the #M2M|1| form).
decode: a frame (hex or #M2M|1| text) back to its JSON on stdout, its header on stderr.
inspect: the routing header only (model, messages, roles, cost estimate); no key needed.
  --key HEX         protect (encode) or open (decode) the payload; 32 bytes = 64 hex characters
  --mode aead|hmac  aead (default): encrypted and authenticated; hmac: authenticated only
  --json            machine output (encode: hex, sizes and header; decode: header and payload)
An input is the text itself, @FILE, or - for stdin.`,
  scan: `Scans a text or a chat request's JSON for prompt injection, jailbreaks, data exfiltration,
malformed input and excessive nesting; prints SAFE or UNSAFE with each threat found.
  TEXT|@FILE|-      the text, a file (read as bytes), or stdin
  --threshold X     the confidence from which a result is blocked, 0 to 1 (default 0.8)
  --json            {safe, confidence, should_block, threats}
Exit code 1 when the result is blocked, 0 otherwise.`,
  derive: `Derives a key of the reference's key hierarchy from a master key (at least 32 bytes) and prints
its path and a fingerprint, never the key unless --reveal is given.
  --master HEX|@FILE  the master key, as hex or a file holding hex
  --org ORG           the organisation key (alone), or the root of the others:
  --agent A           an agent's key;  with --purpose identity|encryption|authentication|session
  --peer B --session SID   with --agent A: the session key of A and B
  --shared            the organisation's shared key
  --json              {path, fingerprint} (and key with --reveal)`,
  errors: `list: every error code with its id and title (--json adds whether it is retryable).
explain CODE|ID: what it means, whether to retry, its HTTP status and the remedy.
decode [FILE|-]: the error chains in a log, JSON lines or text (pino, winston, bunyan,
OpenTelemetry records, console.error output, stack traces); reads stdin without FILE.
  --code CODE       only chains holding CODE at any link (repeatable)
  --since 15m|ISO   only records from that time on
  --format auto|json|text   how to read the lines (default auto)
  --json            one JSON object per chain with all its codes, then a summary
Every code's meaning and remedy is also in https://github.com/m2m-sdk/m2m/blob/main/docs/ERRORS.md.`,
  keygen: `Writes a new static X25519 identity {type, publicKey, secretKey} to FILE (mode 0600) and
prints its public key (give it to peers as --peer-key). --force replaces an existing FILE.`,
};

/** Commands that print a detailed help text of their own for `--help`. */
const OWN_HELP: ReadonlySet<string> = new Set(['compress', 'decompress', 'analyze', 'models', 'server']);

/**
 * The error chain as printed on failure: formatErrorChain's lines without the `M2MError [CODE]: `
 * of the first (the code leads the line already), and without a non-SDK cause whose message the
 * line above already holds (`cannot read a.json: ENOENT: …` then `Caused by: [ENOENT] ENOENT: …`).
 * Logs and `--json` keep the whole chain; this is only what a person reads.
 */
export function chainText(e: unknown): string {
  const lines = formatErrorChain(e).replace(/^[\w$]+(?: \[[\w.-]+\])?: /, '').split('\n');
  const links: unknown[] = [];
  for (let c: unknown = e; c !== undefined && c !== null && links.length < 64; c = (c as { cause?: unknown }).cause) links.push(c);
  // One line per link, or the text has shapes this does not know: print it as it is.
  if (lines.length !== links.length) return lines.join('\n');
  return lines.filter((_, i) => {
    const link = links[i];
    return i === 0 || isSdkError(link) || !(link instanceof Error) || !lines[i - 1].includes(link.message);
  }).join('\n');
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  // Every command answers --help: those with a help text of their own print it; for the others
  // their usage lines are printed here, before option parsing could reject --help.
  if (command !== undefined && !OWN_HELP.has(command) && (rest.includes('--help') || rest.includes('-h'))) {
    const usage = commandUsage(command);
    if (usage) {
      io.out(COMMAND_NOTES[command] ? `${usage}\n\n${COMMAND_NOTES[command]}` : usage);
      return 0;
    }
  }
  try {
    switch (command) {
      case 'frame':
        return frameCommand(io, rest);
      case 'compress':
        return compressCommand(io, rest);
      case 'decompress':
        return decompressCommand(io, rest);
      case 'analyze':
        return analyzeCommand(io, rest);
      case 'models':
        return modelsCommand(io, rest);
      case 'scan':
        return scanCommand(io, rest);
      case 'keygen':
        return keygenCommand(io, rest);
      case 'derive':
        return deriveCommand(io, rest);
      case 'serve':
        return await serveCommand(io, rest);
      case 'connect':
        return await connectCommand(io, rest);
      case 'errors':
        return errorsCommand(io, rest);
      case 'server':
        return await serverCommand(io, rest);
      case '--version':
      case '-V':
      case 'version':
        io.out(`m2m ${cliVersion()}`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      default:
        io.err(`unknown command ${command}\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    const code = isSdkError(e) ? e.code : 'INTERNAL';
    // Messages can carry a peer's text (a CLOSE message, a REJECT reason): never raw on a terminal.
    io.err(`${paint(io, 'red', code)}: ${terminalSafe(chainText(e))}`);
    if (isSdkError(e) && e.code === 'CONFIG_ERROR') return 2;
    return isSdkError(e) ? 1 : 70;
  }
}

/** True when this file is the process's entry, also through the `node_modules/.bin/m2m` symlink. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `m2m errors list | head`: a reader that goes away is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = await main(process.argv.slice(2));
  // A serving command is over: a client library still retrying (NATS reconnects after serve's
  // bounded close) must not keep the process. An unref'd timer only fires if something else holds
  // it; other commands are left alone (their output may still be flowing to a slow pipe).
  if (['serve', 'server'].includes(process.argv[2] ?? '')) setTimeout(() => process.exit(), 2000).unref();
}
