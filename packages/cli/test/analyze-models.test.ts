import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compress } from '@m2m/core';
import { countChatTokens, getModel, MODEL_CARDS } from '@m2m/core/models';
import { encode as independentCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as independentO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { main } from '../src/main.js';
import type { Io } from '../src/io.js';

/** Runs the CLI in this process through its Io seam. */
async function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => stdin, color: false };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'm2m-cli16-'));
const REQUEST = '{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Explain the M2M protocol in one sentence, with a little detail."}],"max_tokens":100}';
const CORPUS = resolve(import.meta.dirname, '../../../../shared/bench-corpus');
if (!existsSync(CORPUS)) console.warn(`[tokens] ${CORPUS} not found: the bench-corpus checks are skipped, not passed.`);

describe('every new subcommand answers --help', () => {
  for (const args of [['compress', '--help'], ['decompress', '-h'], ['analyze', '--help'], ['models', '--help'], ['models', 'list', '--help'], ['models', 'info', '--help']]) {
    it(args.join(' '), async () => {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^m2m ${args[0]}`));
    });
  }
});

describe('compress / decompress: the reference flags and aliases', () => {
  it('maps m, tn, br, n (and token-native) to their algorithms', async () => {
    const expected: Record<string, string> = { m: 'm2m', tn: 'tokennative', 'token-native': 'tokennative', br: 'brotli', n: 'none', m2m: 'm2m' };
    for (const [alias, algorithm] of Object.entries(expected)) {
      const r = await cli(['compress', REQUEST, '-a', alias]);
      expect(r.code, alias).toBe(0);
      expect(r.out).toBe(compress(REQUEST, algorithm as 'm2m'));
    }
    const bad = await cli(['compress', REQUEST, '-a', 'zip']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown algorithm zip');
  });

  it('-f reads a file, -o writes one, -s prints statistics, --pretty indents JSON', async () => {
    const input = join(dir, 'req.json');
    const wire = join(dir, 'req.m2m');
    const back = join(dir, 'back.json');
    writeFileSync(input, REQUEST);
    const c = await cli(['compress', '-f', input, '-o', wire, '-a', 'br', '-s']);
    expect(c.code).toBe(0);
    expect(c.out).toBe('');
    expect(readFileSync(wire, 'utf8').trim()).toBe(compress(REQUEST, 'brotli'));
    expect(c.err).toContain('Compression statistics:');
    expect(c.err).toMatch(new RegExp(`Original: +${Buffer.byteLength(REQUEST)} bytes`));
    const d = await cli(['decompress', '--file', wire, '--output', back]);
    expect(d.code).toBe(0);
    expect(readFileSync(back, 'utf8').trim()).toBe(REQUEST);
    const p = await cli(['decompress', '-f', wire, '--pretty']);
    expect(p.out).toBe(JSON.stringify(JSON.parse(REQUEST), null, 2));
    expect((await cli(['compress', REQUEST, '-f', input])).code).toBe(2);
    const notJson = await cli(['decompress', 'plain text', '--pretty']);
    expect(notJson.code).toBe(1);
    expect(notJson.err).toContain('JSON_INVALID');
  });
});

describe('analyze', () => {
  it('prints sizes, tokens, every algorithm and the best one', async () => {
    const r = await cli(['analyze', REQUEST]);
    expect(r.code).toBe(0);
    const tokens = countChatTokens(JSON.parse(REQUEST).messages, 'gpt-4o');
    expect(r.out).toContain(`tokens      ${tokens} (o200k_base, chat format`);
    expect(r.out).toContain(`as text     ${independentO200k(REQUEST).length} tokens`);
    expect(r.out).toContain(`size        ${Buffer.byteLength(REQUEST)} bytes`);
    const sizes = Object.fromEntries((['m2m', 'tokennative', 'brotli', 'none'] as const).map((a) => [a, Buffer.byteLength(compress(REQUEST, a))]));
    for (const [a, s] of Object.entries(sizes)) expect(r.out).toMatch(new RegExp(`${a} +${s} bytes`));
    const best = Object.entries(sizes).sort((x, y) => x[1] - y[1])[0][0];
    expect(r.out).toMatch(new RegExp(`${best} +\\d+ bytes .*best`));
    const j = JSON.parse((await cli(['analyze', '-', '--json'], 'not json at all')).out) as { isJson: boolean; sizes: { m2m: number | null }; tokens: number };
    expect(j.isJson).toBe(false);
    expect(j.sizes.m2m).toBeNull();
    expect(j.tokens).toBe(independentCl100k('not json at all').length);
  });

  it.skipIf(!existsSync(CORPUS))('prints tokens per file of the bench corpus (../shared/bench-corpus)', async () => {
    const r = await cli(['analyze', '-f', CORPUS]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').slice(1);
    expect(lines[0]).toMatch(/^file +bytes +tokens +as text +encoding/);
    const req = JSON.parse(readFileSync(join(CORPUS, 'request_2KB.json'), 'utf8')) as { model: string; messages: [] };
    const row = lines.find((l) => l.startsWith('request_2KB.json'))!;
    expect(row.split(/\s+/)[2]).toBe(String(countChatTokens(req.messages, req.model)));
    expect(row.split(/\s+/)[3]).toBe(String(independentO200k(readFileSync(join(CORPUS, 'request_2KB.json'), 'utf8')).length));
    expect(lines.length).toBe(1 + 8);
  });
});

describe('models', () => {
  it('list, search and info; unknown models exit 1 with MODEL_NOT_FOUND', async () => {
    const list = await cli(['models', 'list']);
    expect(list.out).toContain(`${MODEL_CARDS.length} models`);
    expect((await cli(['models', 'list', '--provider', 'anthropic', '--json'])).out).toContain('claude-3-5-haiku-20241022');
    const search = await cli(['models', 'search', 'gpt-4o']);
    expect(search.out.split('\n')[1].startsWith('gpt-4o ')).toBe(true);
    expect((await cli(['models', 'search', 'zzz'])).code).toBe(1);
    const info = await cli(['models', 'info', 'gpt-4o-2024-08-06']);
    expect(info.out).toContain('GPT-4o (gpt-4o)');
    expect(info.out).toContain(`context window  ${getModel('gpt-4o').contextWindow} tokens`);
    const missing = await cli(['models', 'info', 'nope-1']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('MODEL_NOT_FOUND');
  });
});

describe('m2m analyze -f DIR without a .json file', () => {
  it('says the directory held none (it said "nothing to analyze"), exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2m-analyze-empty-'));
    writeFileSync(join(dir, 'notes.txt'), 'not json');
    const r = await cli(['analyze', '-f', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no .json file in ${dir}`);
  });
});

describe('m2m models info with a name that is no card', () => {
  it('names the cards that match its words, exit 1', async () => {
    const r = await cli(['models', 'info', 'claude-sonnet']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^MODEL_NOT_FOUND: .*cards that match: .*claude-sonnet-4-20250514/);
  });
  it('stays a plain MODEL_NOT_FOUND when nothing matches', async () => {
    const r = await cli(['models', 'info', 'nope']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('MODEL_NOT_FOUND: Model not found: no model card for "nope"');
  });
});
