/**
 * `m2m compress` and `m2m decompress`, with the reference CLI's flags (`-f/--file`,
 * `-o/--output`, `-a/--algorithm` with its spellings and short aliases, `-s/--stats`,
 * `--pretty`) next to this CLI's `@file`, `-` and `--json`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { compress, decompress, detectAlgorithm, M2MError, selectAlgorithm, type Algorithm } from '@m2m/core';
import { parse } from '../args.js';
import { readInput, toJson, type Io } from '../io.js';

/** Algorithm names accepted by `--algorithm`: ours, the reference's (`token-native`) and the short aliases. */
export const ALGORITHM_ALIASES: Readonly<Record<string, Algorithm | 'auto'>> = {
  auto: 'auto',
  m2m: 'm2m',
  m: 'm2m',
  tokennative: 'tokennative',
  'token-native': 'tokennative',
  tn: 'tokennative',
  brotli: 'brotli',
  br: 'brotli',
  none: 'none',
  n: 'none',
};

const COMPRESS_HELP = `m2m compress: compress JSON or text to a wire format

Usage: m2m compress [INPUT|@file|-] [options]

  -f, --file FILE        read the input from FILE
  -o, --output FILE      write the result to FILE (default: stdout)
  -a, --algorithm ALGO   auto (default), m2m|m, tokennative|token-native|tn, brotli|br, none|n
  -s, --stats            print compression statistics (stderr)
      --json             print {algorithm, data, original_bytes, compressed_bytes, ratio}
  -h, --help             this help`;

const DECOMPRESS_HELP = `m2m decompress: decode any wire format back to its content (detected by prefix)

Usage: m2m decompress [INPUT|@file|-] [options]

  -f, --file FILE        read the input from FILE
  -o, --output FILE      write the result to FILE (default: stdout)
      --pretty           pretty-print JSON content
      --json             print {algorithm, content, bytes}
  -h, --help             this help`;

/** The input of a codec command: `--file`, else the positional (text, `@file` or `-`). */
function input(io: Io, file: string | undefined, positional: string | undefined, what: string): string {
  if (file !== undefined && positional !== undefined) throw new M2MError('Config', { reason: 'give the input either as an argument or with --file, not both' });
  return readInput(io, file !== undefined ? `@${file}` : positional, what);
}

/** Writes the result to `--output` or stdout. @throws M2MError Io when the file cannot be written. */
export function output(io: Io, path: string | undefined, text: string): void {
  if (path === undefined) {
    io.out(text);
    return;
  }
  try {
    writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
  } catch (e) {
    throw new M2MError('Io', { reason: `cannot write ${path}: ${(e as Error).message}` }, { cause: e });
  }
}

/** Parses an `--algorithm` value. @throws M2MError Config for an unknown name. */
export function algorithmOption(value: string | undefined): Algorithm | 'auto' {
  const a = ALGORITHM_ALIASES[(value ?? 'auto').toLowerCase()];
  if (!a) throw new M2MError('Config', { reason: `unknown algorithm ${value}: use auto, m2m (m), tokennative (token-native, tn), brotli (br) or none (n)` });
  return a;
}

/** Runs `compress`; returns the exit code. */
export function compressCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, {
    algorithm: { type: 'string', short: 'a' },
    file: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    stats: { type: 'boolean', short: 's' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, 1);
  if (values.help) {
    io.out(COMPRESS_HELP);
    return 0;
  }
  const requested = algorithmOption(values.algorithm);
  const content = input(io, values.file, positionals[0], 'content');
  const algorithm = requested === 'auto' ? selectAlgorithm(content) : requested;
  const text = compress(content, algorithm);
  const original = Buffer.byteLength(content);
  const compressed = Buffer.byteLength(text);
  if (values.json) output(io, values.output, toJson({ algorithm, data: text, original_bytes: original, compressed_bytes: compressed, ratio: original / compressed }));
  else output(io, values.output, text);
  if (values.stats) {
    const saved = original - compressed;
    io.err(
      [
        'Compression statistics:',
        `  Algorithm:   ${algorithm}`,
        `  Original:    ${original} bytes`,
        `  Compressed:  ${compressed} bytes`,
        `  Ratio:       ${(original / compressed).toFixed(2)}x`,
        `  Saved:       ${saved} bytes (${((saved / Math.max(1, original)) * 100).toFixed(1)}%)`,
      ].join('\n'),
    );
  } else if (!values.json) io.err(`${algorithm}: ${original} → ${compressed} bytes (×${(original / compressed).toFixed(2)})`);
  return 0;
}

/** Runs `decompress`; returns the exit code. */
export function decompressCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, {
    file: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    pretty: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, 1);
  if (values.help) {
    io.out(DECOMPRESS_HELP);
    return 0;
  }
  const text = input(io, values.file, positionals[0], 'compressed text').trim();
  const algorithm = detectAlgorithm(text);
  let content = decompress(text, { minSecurity: 'none' });
  if (values.pretty) {
    try {
      content = JSON.stringify(JSON.parse(content), null, 2);
    } catch (e) {
      throw new M2MError('Json', { reason: `--pretty needs JSON content: ${(e as Error).message}` }, { cause: e });
    }
  }
  if (values.json) output(io, values.output, toJson({ algorithm, content, bytes: Buffer.byteLength(content) }));
  else output(io, values.output, content);
  return 0;
}
