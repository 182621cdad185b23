#!/usr/bin/env node
/**
 * `m2m`: the command-line tool of the M2M SDK. Every failure exits non-zero and prints the
 * error's code and message chain.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { formatErrorChain, isSdkError } from '@m2m/core';
import { compressCommand, decompressCommand } from './commands/codec.js';
import { errorsCommand } from './commands/errors.js';
import { frameCommand } from './commands/frame.js';
import { deriveCommand, keygenCommand } from './commands/keys.js';
import { connectCommand, serveCommand } from './commands/session.js';
import { paint, processIo, type Io } from './io.js';

const USAGE = `m2m: the M2M Protocol command-line tool

  m2m frame encode JSON|@file|- [--text] [--key HEX --mode aead|hmac] [--json]
  m2m frame decode HEX|TEXT|@file|- [--key HEX --mode aead|hmac] [--json]
  m2m frame inspect HEX|TEXT|@file|- [--json]
  m2m compress TEXT|@file|- [--algorithm auto|m2m|tokennative|brotli|none] [--json]
  m2m decompress TEXT|@file|- [--json]
  m2m keygen --out FILE [--force]
  m2m derive --master HEX|@file --org ORG [--agent A [--purpose P] | --agent A --peer B --session SID | --shared] [--reveal]
  m2m serve [--transport ws|tcp|http|nats] [--port N] [--url nats://host:port/SUBJECT] [--identity FILE] [--pattern XX] [--known-keys FILE] [--echo] [--once]
  m2m connect URL|nats://host:port/SUBJECT [--file PATH]... [--identity FILE] [--server-key HEX] [--pattern XX|IK]
  m2m errors list | explain CODE | decode [FILE|-] [--json] [--code CODE] [--since 15m|ISO]`;

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'frame':
        return frameCommand(io, rest);
      case 'compress':
        return compressCommand(io, rest);
      case 'decompress':
        return decompressCommand(io, rest);
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
    io.err(`${paint(io, 'red', code)}: ${formatErrorChain(e).replace(/^Error: /, '')}`);
    if (isSdkError(e) && e.code === 'CONFIG_ERROR') return 2;
    return isSdkError(e) ? 1 : 70;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
