/**
 * `m2m analyze`: what a content is and what each algorithm makes of it: size, JSON or not, an
 * LLM API request or response, tokens (the chat count for requests, plain text otherwise),
 * every algorithm's output size, and the smallest. Several files (or a directory) give one
 * line per file.
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ALGORITHMS, compress, M2MError, selectAlgorithm, type Algorithm } from '@m2m/core';
import { countChatTokens, countTokens, modelEncoding, type CountableMessage } from '@m2m/core/models';
import { parse } from '../args.js';
import { paint, readInput, toJson, type Io } from '../io.js';

const HELP = `m2m analyze: sizes, tokens and every algorithm's output for a content (one line per file for several)

Usage: m2m analyze [INPUT|@file|-] [-f FILE|DIR]... [--model M] [--json]

  -f, --file FILE|DIR    analyze FILE, or every .json file in DIR (repeatable)
      --model M          count tokens for model M (default: the request's model, else cl100k_base)
      --json             machine-readable output
  -h, --help             this help`;

/** What `analyze` finds for one content. */
export interface Analysis {
  name: string;
  bytes: number;
  isJson: boolean;
  /** `request`, `response` or `null` (not LLM API JSON). */
  llmApi: 'request' | 'response' | null;
  model: string | null;
  encoding: string;
  /** Chat tokens for a request (messages with overhead; tool definitions not included), text tokens otherwise. */
  tokens: number;
  /** Tokens of the whole content read as text (JSON syntax included). */
  textTokens: number;
  /** Output bytes per algorithm; `null` when the algorithm refuses the content (m2m needs JSON). */
  sizes: Record<Algorithm, number | null>;
  best: Algorithm;
  /** What `compress --algorithm auto` (the reference's rule) picks. */
  auto: Algorithm;
}

/** Analyzes one content. @throws M2MError Tokenizer when a rank table cannot be loaded. */
export function analyze(name: string, content: string, model?: string): Analysis {
  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(content);
  } catch {
    isJson = false;
  }
  const obj = isJson && json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const llmApi = obj && Array.isArray(obj.messages) ? 'request' : obj && Array.isArray(obj.choices) ? 'response' : null;
  const reqModel = typeof obj?.model === 'string' ? obj.model : null;
  const countModel = model ?? reqModel ?? undefined;
  const encoding = countModel ? modelEncoding(countModel) : 'cl100k_base';
  const textTokens = countTokens(content, { encoding });
  const tokens = llmApi === 'request' ? countChatTokens(obj!.messages as CountableMessage[], countModel ?? 'gpt-4') : textTokens;
  const bytes = Buffer.byteLength(content);
  const sizes = {} as Record<Algorithm, number | null>;
  let best: Algorithm = 'none';
  for (const a of ALGORITHMS) {
    try {
      sizes[a] = Buffer.byteLength(compress(content, a));
    } catch {
      sizes[a] = null;
    }
    const s = sizes[a];
    if (s !== null && s < (sizes[best] ?? Infinity)) best = a;
  }
  return { name, bytes, isJson, llmApi, model: reqModel, encoding, tokens, textTokens, sizes, best, auto: selectAlgorithm(content) };
}

function inputs(io: Io, files: string[], positional: string | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const f of files) {
    let isDir = false;
    try {
      isDir = statSync(f).isDirectory();
    } catch (e) {
      throw new M2MError('Io', { reason: `cannot read ${f}: ${(e as Error).message}` }, { cause: e });
    }
    const paths = isDir ? readdirSync(f).filter((n) => n.endsWith('.json')).sort().map((n) => join(f, n)) : [f];
    for (const p of paths) out.push([isDir ? basename(p) : p, readInput(io, `@${p}`, 'file')]);
  }
  if (positional !== undefined && !positional.startsWith('@') && positional !== '-' && existsSync(positional)) {
    // The reference's `analyze` reads its argument as content; a new user often means the file.
    io.err(`note: ${positional} is a path; analyzing the text itself (use @${positional} or -f ${positional} to read it)`);
  }
  if (positional !== undefined) out.push([positional.startsWith('@') ? positional.slice(1) : positional === '-' ? 'stdin' : 'input', readInput(io, positional, 'content')]);
  if (out.length === 0) {
    const why = files.length ? `no .json file in ${files.join(', ')}` : 'nothing to analyze';
    throw new M2MError('Config', { reason: `${why}: give content, @file, -, or --file FILE|DIR (a DIR's .json files)` });
  }
  return out;
}

/** Runs `analyze`; returns the exit code. */
export function analyzeCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, {
    file: { type: 'string', short: 'f', multiple: true },
    model: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, 1);
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const results = inputs(io, values.file ?? [], positionals[0]).map(([name, content]) => analyze(name, content, values.model));
  if (values.json) {
    io.out(toJson(results.length === 1 ? results[0] : results));
    return 0;
  }
  if (results.length === 1) {
    const r = results[0];
    io.out(
      [
        `${paint(io, 'bold', r.name)}`,
        `  size        ${r.bytes} bytes`,
        `  JSON        ${r.isJson ? 'yes' : 'no'}${r.llmApi ? `, LLM API ${r.llmApi}${r.model ? ` (${r.model})` : ''}` : ''}`,
        `  tokens      ${r.tokens} (${r.encoding}${r.llmApi === 'request' ? ', chat format: messages with their overhead' : ''})`,
        `  as text     ${r.textTokens} tokens (the whole JSON)`,
        '  algorithms',
        ...ALGORITHMS.map((a) => {
          const s = r.sizes[a];
          return `    ${a.padEnd(12)} ${s === null ? 'n/a (needs JSON)' : `${String(s).padStart(8)} bytes  ×${(r.bytes / s).toFixed(2)}`}${a === r.best ? paint(io, 'green', '  best') : ''}`;
        }),
        `  auto picks  ${r.auto}  (compress -a auto: the reference's rule by size and shape, not the smallest)`,
      ].join('\n'),
    );
    return 0;
  }
  const rows = results.map((r) => [r.name, String(r.bytes), String(r.tokens), String(r.textTokens), r.encoding, ...ALGORITHMS.map((a) => (r.sizes[a] === null ? '-' : String(r.sizes[a]))), r.best]);
  const header = ['file', 'bytes', 'tokens', 'as text', 'encoding', ...ALGORITHMS, 'best'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  io.out('tokens: chat tokens of requests (messages with their overhead), text tokens otherwise; as text: the whole file');
  io.out([line(header), ...rows.map(line)].join('\n'));
  return 0;
}
