import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode as gtCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as gtO200k, encodeChat as gtChatO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { encodeFrame, inspectFrame, isM2MError } from '@m2m/core';
import { countChatTokens, countRequestTokens, countTokens, DEFAULT_ENCODING, findModelCard, getModel, listModels, MODEL_CARDS, modelCost, modelEncoding, PRICES_AS_OF, searchModels, type CountableMessage } from '@m2m/core/models';

const CORPUS = resolve(import.meta.dirname, '../../../../shared/bench-corpus');
const haveCorpus = existsSync(CORPUS);
if (!existsSync(CORPUS)) console.warn(`[tokens] ${CORPUS} not found: the bench-corpus checks are skipped, not passed.`);

/** gpt-tokenizer, an independent BPE implementation, with special-token text counted as text. */
const independent = (enc: 'cl100k_base' | 'o200k_base', text: string) => (enc === 'cl100k_base' ? gtCl100k : gtO200k)(text, { disallowedSpecial: new Set() }).length;

/** The cookbook's formula, written here from its description, counting with the independent tokenizer. */
function independentChat(messages: CountableMessage[], enc: 'cl100k_base' | 'o200k_base'): number {
  let n = 3;
  for (const m of messages) {
    n += 3;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v === 'string') n += independent(enc, v) + (k === 'name' ? 1 : 0);
    }
  }
  return n;
}

/** Chat requests made here: unicode, code, whitespace runs, names, long words, special-token text. */
function generated(): CountableMessage[][] {
  const texts = [
    'Hello, world!',
    '  leading and trailing spaces  \n\n\ttabs',
    'Zürich, Kraków, São Paulo, 東京, Москва, القاهرة 🚀🔥 emoji 👩‍💻',
    'function f(x) {\n  return x.map((y) => y ** 2).filter(Boolean);\n}\n',
    'supercalifragilisticexpialidocious',
    'see https://example.com/a/path?q=1#frag now',
    'Ignore <|endoftext|> as text, and <|im_start|> too.',
    '1234567890 3.14159 1e-9 0xdeadbeef',
  ];
  const out: CountableMessage[][] = [];
  for (let i = 0; i < texts.length; i++) {
    out.push([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: texts[i], name: `user_${i}` },
      { role: 'assistant', content: texts[(i + 3) % texts.length] },
    ]);
  }
  return out;
}

describe('token counting', () => {
  it('infers encodings from models, with cl100k_base for unknown ones', () => {
    for (const m of ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-mini', 'o1', 'o3-mini', 'gpt-4.1-nano', 'openai/gpt-4o', 'gpt-5-mini']) expect(modelEncoding(m)).toBe('o200k_base');
    for (const m of ['gpt-4', 'gpt-4-0613', 'gpt-3.5-turbo', 'gpt-4-turbo', 'text-embedding-3-small']) expect(modelEncoding(m)).toBe('cl100k_base');
    expect(DEFAULT_ENCODING).toBe('cl100k_base');
    expect(modelEncoding('some-unknown-model')).toBe('cl100k_base');
  });

  it('counts text the same as gpt-tokenizer on the generated texts, both encodings', () => {
    for (const msgs of generated()) {
      for (const m of msgs) {
        const text = m.content as string;
        expect(countTokens(text, { encoding: 'cl100k_base' })).toBe(independent('cl100k_base', text));
        expect(countTokens(text, { encoding: 'o200k_base' })).toBe(independent('o200k_base', text));
      }
    }
    expect(countTokens('Hello, world!', { model: 'gpt-4o' })).toBe(4);
    expect(countTokens('', { model: 'gpt-4o' })).toBe(0);
  });

  it('counts chat requests the same as the cookbook formula over gpt-tokenizer, and as gpt-tokenizer’s own encodeChat', () => {
    for (const msgs of generated()) {
      expect(countChatTokens(msgs, 'gpt-4')).toBe(independentChat(msgs, 'cl100k_base'));
      expect(countChatTokens(msgs, 'gpt-4o')).toBe(independentChat(msgs, 'o200k_base'));
      const unnamed = msgs.map(({ role, content }) => ({ role, content }));
      if (unnamed.some((m) => String(m.content).includes('<|'))) continue; // gpt-tokenizer's chat encoder refuses special-token text
      expect(countChatTokens(unnamed, 'gpt-4o')).toBe(gtChatO200k(unnamed as Parameters<typeof gtChatO200k>[0], 'gpt-4o').length);
    }
    // 3 per message + "user" (1) + "Hi" (1) + 3 priming.
    expect(countChatTokens([{ role: 'user', content: 'Hi' }], 'gpt-4o')).toBe(8);
    // gpt-3.5-turbo-0301: 4 per message, a name costs one less than its text.
    const named = [{ role: 'user', content: 'Hi', name: 'bob' }];
    expect(countChatTokens(named, 'gpt-3.5-turbo-0301')).toBe(3 + 4 + independent('cl100k_base', 'user') + independent('cl100k_base', 'Hi') + independent('cl100k_base', 'bob') - 1);
  });

  it.skipIf(!haveCorpus)('matches the independent tokenizer on every bench-corpus request (../shared/bench-corpus)', () => {
    const files = readdirSync(CORPUS).filter((f) => f.startsWith('request_') && f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const req = JSON.parse(readFileSync(resolve(CORPUS, f), 'utf8')) as { model: string; messages: CountableMessage[] };
      const enc = modelEncoding(req.model);
      const plain = req.messages.map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'string'))) as CountableMessage[];
      expect(countChatTokens(plain, req.model), f).toBe(independentChat(plain, enc));
      expect(countRequestTokens(req as unknown as Record<string, unknown>)).toBe(countChatTokens(req.messages, req.model));
    }
  });

  it('counts pathological runs block by block (js-tiktoken is quadratic in a piece), within a token per 64-character block of the exact count', () => {
    for (const text of ['a'.repeat(3000), 'supercalifragilisticexpialidocious'.repeat(50), 'x' + 'ab1'.repeat(500) + ' tail']) {
      const exact = independent('o200k_base', text);
      const ours = countTokens(text, { encoding: 'o200k_base' });
      expect(Math.abs(ours - exact), text.slice(0, 20)).toBeLessThanOrEqual(Math.ceil(text.length / 64));
    }
  });

  it('past the long-run budget, runs are estimated instead of tokenized (a hostile input stays cheap)', () => {
    const hostile = 'q'.repeat(1 << 20);
    const n = countTokens(hostile, { encoding: 'cl100k_base' });
    // At most 16 Ki characters of runs are tokenized in 64-character blocks; the rest is estimated at 4 characters a token.
    expect(n).toBeGreaterThan((1 << 20) / 8);
    expect(n).toBeLessThan((1 << 20) / 2);
  });

  it.skipIf(!haveCorpus)('every bench-corpus file read as plain text counts the same as gpt-tokenizer', () => {
    for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('_2KB.json') || x.endsWith('_20KB.json'))) {
      const text = readFileSync(resolve(CORPUS, f), 'utf8');
      expect(countTokens(text, { encoding: 'o200k_base' }), f).toBe(independent('o200k_base', text));
    }
  });

  it('counts text parts, tool calls and tool results; bounds the input', () => {
    const parts = countChatTokens([{ role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'image_url' }, { type: 'text', text: ' there' }] }], 'gpt-4o');
    expect(parts).toBe(3 + 3 + 1 + independent('o200k_base', 'Hello') + independent('o200k_base', ' there'));
    const tools = countChatTokens([{ role: 'assistant', content: null, tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }], 'gpt-4o');
    expect(tools).toBe(6 + independent('o200k_base', 'assistant') + independent('o200k_base', 'get_weather') + independent('o200k_base', '{"city":"Paris"}'));
    let err: unknown;
    try {
      countTokens('x'.repeat((4 << 20) + 1), { model: 'gpt-4o' });
    } catch (e) {
      err = e;
    }
    expect(isM2MError(err) && err.code).toBe('LIMIT_EXCEEDED');
    expect(() => countTokens('x', { encoding: 'p50k_base' as 'cl100k_base' })).toThrow(/unknown encoding/);
  });

  it('frame headers can carry a cost from counted tokens; the default stays bytes / 4', () => {
    const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Zürich 東京 🚀 '.repeat(20) }] });
    const byBytes = inspectFrame(encodeFrame(json)).routing!.estCostUsd;
    const counted = inspectFrame(encodeFrame(json, { promptTokens: countRequestTokens })).routing!.estCostUsd;
    expect(counted).not.toBe(byBytes);
    // The counted cost is the reference formula with the counted tokens: 0.25 ¢/1K in, 1 ¢/1K out, 500 out by default.
    const tokens = countChatTokens(JSON.parse(json).messages, 'gpt-4o');
    expect(counted).toBeCloseTo((tokens / 1000 * 0.25 + 500 / 1000 * 1.0) / 100, 6);
  });
});

describe('model cards', () => {
  it('has a few dozen cards with prices, limits, encodings and a dated source', () => {
    expect(MODEL_CARDS.length).toBeGreaterThanOrEqual(30);
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}$/);
    const ids = new Set<string>();
    for (const c of MODEL_CARDS) {
      for (const id of [c.id, ...c.aliases]) {
        expect(ids.has(id), id).toBe(false);
        ids.add(id);
      }
      expect(c.contextWindow).toBeGreaterThan(0);
      expect(c.maxOutputTokens).toBeLessThanOrEqual(c.contextWindow);
    }
    expect(new Set(MODEL_CARDS.map((c) => c.provider))).toEqual(new Set(['openai', 'anthropic', 'google', 'mistral', 'deepseek', 'meta']));
  });

  it('looks up ids, aliases, dated snapshots and provider prefixes', () => {
    expect(getModel('gpt-4o').inputPerMTok).toBe(2.5);
    expect(getModel('GPT-4o-2024-08-06').id).toBe('gpt-4o');
    expect(getModel('gpt-4o-2024-05-13').outputPerMTok).toBe(15); // its own card
    expect(getModel('gpt-4o-2099-01-01').id).toBe('gpt-4o'); // an unknown snapshot falls back to its family
    expect(getModel('openai/gpt-4o-mini').id).toBe('gpt-4o-mini');
    expect(getModel('claude-3-5-sonnet-latest').id).toBe('claude-3-5-sonnet-20241022');
    expect(getModel('gemini-1.5-pro-002').contextWindow).toBe(2_097_152);
    expect(findModelCard('nope')).toBeUndefined();
    expect(() => getModel('nope')).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FOUND' }));
    expect(findModelCard('x'.repeat(10_000))).toBeUndefined();
  });

  it('searches by words and lists by provider', () => {
    const sonnets = searchModels('claude sonnet').map((c) => c.id);
    expect(sonnets.length).toBeGreaterThanOrEqual(3);
    expect(sonnets.every((id) => id.includes('sonnet'))).toBe(true);
    expect(searchModels('gpt-4o')[0].id).toBe('gpt-4o');
    expect(searchModels('no such thing')).toEqual([]);
    expect(listModels({ provider: 'google' }).every((c) => c.provider === 'google')).toBe(true);
    expect(listModels().length).toBe(MODEL_CARDS.length);
    expect(modelCost('gpt-4o', 1_000_000, 1_000_000)).toBe(12.5);
    expect(modelCost('llama-3.1-8b-instruct', 1, 1)).toBeNull();
  });
});
