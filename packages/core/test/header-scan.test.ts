import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, toHex, type EncodeFrameOptions } from '@m2m/core';
import { scanHeader, scanHeaderBytes, SHORT_SCAN_BYTES } from '../src/wire/header-scan.js';
import { platform } from '../src/platform/index.node.js';

// header-scan.ts reads the header in one pass over the text; the full path (json.ts
// parseForHeaders + header-build.ts buildHeader) is the oracle. A `promptTokens` callback that
// returns undefined forces encodeFrame onto the full path without changing a byte (the estimate
// falls back to the reference's), so each case encodes twice and compares bytes or errors.

type Outcome = string;

function outcome(json: string, options: EncodeFrameOptions): Outcome {
  try {
    return toHex(encodeFrame(json, options));
  } catch (e) {
    const err = e as { kind?: string; message?: string; details?: unknown };
    return `error ${err.kind} ${err.message} ${JSON.stringify(err.details)}`;
  }
}

/** Fast path and full path agree; returns whether the scan decided the text itself. */
function agree(json: string, maxJsonDepth = 32): boolean {
  const limits = { maxJsonDepth };
  const fast = outcome(json, { limits });
  const full = outcome(json, { limits, promptTokens: () => undefined });
  expect(fast, json).toBe(full);
  return scanHeader(json, maxJsonDepth, Buffer.byteLength(json) === json.length) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// JSON text generators that reach every branch: the keys the header reads, duplicates, escapes,
// whitespace, number literals of every shape, lone surrogates, deep nesting.

const TOP = ['model', 'id', 'messages', 'stream', 'max_tokens', 'max_completion_tokens', 'choices', 'usage', 'tools', 'functions', 'tool_choice', 'function_call', 'response_format', 'reasoning_effort', 'service_tier', 'seed', 'logprobs', 'user', 'temperature', 'top_p', 'stop', 'object', '__proto__', 'Model', 'modelx', 'mode', 'messagez', 'message'];
// Near misses of the names the scans compare in place (one letter changed, added or missing).
const INNER = ['role', 'content', 'text', 'type', 'message', 'finish_reason', 'tool_calls', 'refusal', 'prompt_tokens', 'completion_tokens', 'prompt_tokens_details', 'completion_tokens_details', 'cached_tokens', 'reasoning_tokens', 'name', 'index', 'typo', 'tex', 'texts', 'rol', 'roles', 'contend', 'contents'];
const WORDS = ['system', 'developer', 'user', 'assistant', 'tool', 'image_url', 'text', 'stop', 'length', 'tool_calls', 'content_filter', 'chatcmpl-abc', 'chatcmpl-', 'gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'o3', ''];
const NUMBERS = ['0', '-0', '1', '7', '300', '-1', '1.0', '1e3', '1E+2', '2.5', '-0.0', '0.25', '1.5e-3', '4294967295', '4294967296', '4294967297', '123456789012345', '1234567890123456', '18446744073709551615', '18446744073709551616', '1e400', '-1e400', '9007199254740993', '5e-324'];
const WS = ['', '', '', ' ', '\n', '\t', '\r\n  '];

/** A string literal for `s`, with some characters escaped in one of several ways. */
const stringLiteral = (s: string, escapes: number[]): string => {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const how = escapes[i % escapes.length] ?? 0;
    if (c === 0x22 || c === 0x5c || c < 0x20) out += JSON.stringify(s[i]).slice(1, -1);
    else if (how === 1) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (how === 2 && c === 0x2f) out += '\\/';
    else if (how === 3) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += s[i];
  }
  return out + '"';
};

const text = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\ud800', 'a\udc00b', '\ud83d\ude00', 'héllo wörld', 'x/y"z\\w', 'tab\there', 'line\nbreak', 'x'.repeat(300)),
);
const str = fc.tuple(text, fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 5 })).map(([s, e]) => stringLiteral(s, e));
const ws = fc.constantFrom(...WS);
const num = fc.oneof(fc.constantFrom(...NUMBERS), fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)));
const key = (names: string[]) => fc.oneof(fc.constantFrom(...names).chain((k) => fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 3 }).map((e) => stringLiteral(k, e))), str);

const { value } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, str, num, fc.constantFrom('true', 'false', 'null'), tie('object'), tie('array')),
  object: fc.array(fc.tuple(ws, key([...INNER, ...TOP]), ws, tie('value'), ws), { maxLength: 5 }).map((ms) => `{${ms.map(([a, k, b, v, c]) => `${a}${k}${b}:${c}${v}`).join(',')}}`),
  array: fc.array(fc.tuple(ws, tie('value')), { maxLength: 5 }).map((es) => `[${es.map(([a, v]) => `${a}${v}`).join(',')}]`),
}));

const obj = (members: fc.Arbitrary<[string, string]>, max = 6) => fc.array(fc.tuple(members, ws, ws), { maxLength: max }).map((ms) => `{${ms.map(([[k, v], a, b]) => `${a}${k}:${b}${v}`).join(',')}}`);
const member = (names: string[], v: fc.Arbitrary<string>) => fc.tuple(key(names), v);
const arr = (el: fc.Arbitrary<string>, max = 5) => fc.array(fc.tuple(el, ws), { maxLength: max }).map((es) => `[${es.map(([e, a]) => `${a}${e}`).join(',')}]`);

const word = fc.constantFrom(...WORDS).map((w) => JSON.stringify(w));
const roleWord = fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'critic', 'System', 'users', 'use', 'tools', 'toal', 'systen', 'assistants', 'assistan', 'developers').map((w) => JSON.stringify(w));
const part = obj(fc.oneof({ weight: 4, arbitrary: member(['text', 'type', 'text', 'type', 'typo', 'texts'], fc.oneof(word, str, str, value)) }, { weight: 1, arbitrary: member(INNER, value) }), 4);
const content = fc.oneof({ weight: 3, arbitrary: str }, { weight: 2, arbitrary: arr(fc.oneof({ weight: 4, arbitrary: part }, { weight: 1, arbitrary: value })) }, { weight: 1, arbitrary: value });
const message = obj(fc.oneof({ weight: 3, arbitrary: member(['role'], fc.oneof({ weight: 4, arbitrary: roleWord }, { weight: 1, arbitrary: value })) }, { weight: 3, arbitrary: member(['content'], content) }, { weight: 1, arbitrary: member(INNER, value) }), 5);
const choiceMessage = obj(fc.oneof(member(['tool_calls', 'refusal'], fc.oneof(str, value)), member(INNER, value)), 4);
const choice = obj(fc.oneof({ weight: 2, arbitrary: member(['message'], fc.oneof(choiceMessage, choiceMessage, value)) }, { weight: 2, arbitrary: member(['finish_reason'], fc.oneof(word, word, value)) }, { weight: 1, arbitrary: member(INNER, value) }), 4);
const details = obj(member(['cached_tokens', 'reasoning_tokens', 'name'], fc.oneof(num, num, value)), 3);
const usage = obj(fc.oneof(member(['prompt_tokens', 'completion_tokens'], fc.oneof(num, num, value)), member(['prompt_tokens_details', 'completion_tokens_details'], fc.oneof(details, details, value))), 5);
const messagesValue = fc.oneof({ weight: 6, arbitrary: arr(fc.oneof({ weight: 5, arbitrary: message }, { weight: 1, arbitrary: value }), 6) }, { weight: 1, arbitrary: value });
const choicesValue = fc.oneof({ weight: 6, arbitrary: arr(fc.oneof({ weight: 5, arbitrary: choice }, { weight: 1, arbitrary: value }), 3) }, { weight: 1, arbitrary: value });
const topMember = fc.oneof(
  member(['model', 'id'], fc.oneof(word, str, value)),
  member(['messages'], messagesValue),
  member(['choices'], choicesValue),
  member(['usage'], fc.oneof(usage, usage, value)),
  member(['stream'], fc.constantFrom('true', 'false', '"true"', '1', 'null')),
  member(['max_tokens', 'max_completion_tokens'], fc.oneof(num, num, value)),
  member(TOP, value),
);
/** An object holding `base` members (for its kind) and `extra` ones, duplicates possible, in a random order. */
const shaped = (base: Array<fc.Arbitrary<[string, string]>>) =>
  fc.tuple(fc.tuple(...base), fc.array(topMember, { maxLength: 6 }), fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), fc.array(fc.tuple(ws, ws), { minLength: 20, maxLength: 20 })).map(([b, extra, ranks, spaces]) => {
    const all = [...b, ...extra].map((m) => [m, ranks.next().value as number] as const).sort((x, y) => x[1] - y[1]);
    return `{${all.map(([[k, v]], i) => `${spaces[i % 20][0]}${k}:${spaces[i % 20][1]}${v}`).join(',')}}`;
  });
const modelValue = fc.oneof({ weight: 5, arbitrary: word }, { weight: 1, arbitrary: str }, { weight: 1, arbitrary: value });
const request = shaped([fc.tuple(fc.constant('"model"'), modelValue), fc.tuple(fc.constant('"messages"'), messagesValue)]);
const response = shaped([fc.tuple(fc.constantFrom('"id"', '"model"'), modelValue), fc.tuple(fc.constant('"choices"'), choicesValue), fc.tuple(fc.constant('"usage"'), fc.oneof(usage, value))]);
const document = fc
  .tuple(ws, fc.oneof({ weight: 4, arbitrary: request }, { weight: 3, arbitrary: response }, { weight: 2, arbitrary: obj(topMember, 10) }, { weight: 1, arbitrary: value }), ws)
  .map(([a, d, b]) => a + d + b);

/** Mutations that usually break the text: every error path of the full parser. */
const mutated = fc.tuple(document, fc.nat(), fc.constantFrom('delete', 'insert', 'truncate', 'replace'), fc.constantFrom(...'{}[],:"\\ x0-.eE+tfn\u0001\u001f\n\ud800'.split(''))).map(([d, at, op, c]) => {
  const i = d.length ? at % d.length : 0;
  if (op === 'delete') return d.slice(0, i) + d.slice(i + 1);
  if (op === 'insert') return d.slice(0, i) + c + d.slice(i);
  if (op === 'truncate') return d.slice(0, i);
  return d.slice(0, i) + c + d.slice(i + 1);
});

describe('header scan against the full parse', () => {
  it('agrees on generated requests, responses and other JSON (bytes of the whole frame)', () => {
    let decided = 0;
    fc.assert(
      fc.property(document, (d) => {
        if (agree(d)) decided++;
      }),
      { numRuns: 1500 },
    );
    // Many generated documents are decided by the scan itself (the rest hold integral number
    // literals with a fraction or exponent, which go to the exact parser), so the comparison is
    // not vacuous.
    expect(decided).toBeGreaterThan(300);
  });

  it('agrees on broken JSON: the same error kind, text and details', () => {
    fc.assert(
      fc.property(mutated, (d) => {
        agree(d);
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees on long texts (the native string search above the precheck size)', () => {
    const long = fc.tuple(document, fc.constantFrom('x'.repeat(1200), 'é'.repeat(700), 'a\\nb'.repeat(400), `${'q'.repeat(600)}\\"${'r'.repeat(600)}`)).map(([d, pad]) => `{"pad":"${pad}","doc":${d},"model":"gpt-4o","messages":[{"role":"user","content":"${pad}"}]}`);
    let decided = 0;
    fc.assert(
      fc.property(long, (d) => {
        if (agree(d)) decided++;
      }),
      { numRuns: 300 },
    );
    expect(decided).toBeGreaterThan(60);
    fc.assert(fc.property(fc.tuple(long, fc.nat(), fc.constantFrom('"', '\\', '\u0001', '\n', '}', '')), ([d, at, c]) => {
      const i = at % d.length;
      agree(d.slice(0, i) + c + d.slice(i + 1));
    }), { numRuns: 300 });
  });

  it('the byte scan of short texts decides requests and responses without \\u escapes itself, and agrees', () => {
    // Request texts without \\u escapes (the byte scan hands those to scanHeader), some with
    // raw non-ASCII characters and lone surrogates, some mutated into broken JSON.
    const raw = fc.constantFrom('héllo wörld', '\ud83d\ude00 ok', 'a\ud800b', '\udc00', 'ü', '日本語のテキスト').map((t) => JSON.parse(`"${t}"`) as string);
    const plainText = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 30 }).map((t) => Array.from(t, (c) => (c === '"' || c === '\\' || c < ' ' ? 'x' : c)).join('')), raw);
    // Every escape (only ever inside a string) becomes a plain letter, or only the \\u ones do:
    // the strings stay valid.
    const strip = (d: string) => d.replace(/\\(?:u[0-9a-fA-F]{4}|[^])/g, 'e');
    const noEscapes = fc.oneof(request, request, request, response, response, obj(topMember, 8)).chain((d) => fc.constantFrom(strip(d), d.replace(/\\u[0-9a-fA-F]{4}/g, 'e')));
    // Responses whose fields take every shape the header distinguishes.
    const pick = (...xs: string[]) => fc.constantFrom(...xs);
    const nums = pick('0', '7', '300', '4294967297', '-1', '1.5', '"3"', 'null', '123456789012345');
    const plain = (names: string[], v: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom(...names.map((n) => JSON.stringify(n))), v);
    const replyMessage = obj(fc.oneof(plain(['refusal'], pick('"no"', 'null', '1', '[]')), plain(['tool_calls'], pick('[]', 'null', '1')), plain(['role', 'content'], pick('"a"', 'null'))), 4);
    const replyChoice = obj(fc.oneof(plain(['message'], fc.oneof(replyMessage, pick('null', '"m"'))), plain(['finish_reason'], pick('"stop"', '"length"', '"content_filter"', '"tool_calls"', 'null', '3')), plain(['index'], pick('0', '1'))), 4);
    const replyDetails = obj(plain(['cached_tokens', 'reasoning_tokens', 'x'], nums), 3);
    const replyUsage = obj(fc.oneof(plain(['prompt_tokens', 'completion_tokens'], nums), plain(['prompt_tokens_details', 'completion_tokens_details'], fc.oneof(replyDetails, pick('null', '1')))), 5);
    const replies = shaped([fc.tuple(fc.constant('"id"'), pick('"chatcmpl-9"', '"r"', '7')), fc.tuple(fc.constant('"choices"'), fc.oneof(arr(fc.oneof(replyChoice, replyChoice, pick('1', 'null')), 3), pick('null', '{}'))), fc.tuple(fc.constant('"usage"'), fc.oneof(replyUsage, pick('null', '[]')))]).map(strip);
    const withRaw = fc.tuple(noEscapes, plainText, plainText).map(([d, a, b]) => d.replace(/"gpt-4o"/, `"${a}"`).replace(/"system"/, `"${b}"`));
    const broken = fc.tuple(noEscapes, fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', ' ', '0', '-', '.', 'e', 't', '\u0001', '\u001f', '\u007f', '\u00e9', '\ud800')).map(([d, at, c]) => {
      const i = d.length ? at % d.length : 0;
      return d.slice(0, i) + c + d.slice(i + 1);
    });
    let decided = 0;
    let responses = 0;
    fc.assert(
      fc.property(fc.oneof(noEscapes, withRaw, broken, replies), (d) => {
        const isAscii = Buffer.byteLength(d) === d.length;
        const h = scanHeaderBytes(new TextEncoder().encode(d), d, 32, isAscii);
        if (h !== undefined) decided++;
        if (h?.schemaByte === 2) responses++;
        agree(d);
      }),
      { numRuns: 2000 },
    );
    expect(decided).toBeGreaterThan(400);
    expect(responses).toBeGreaterThan(100);
    const chat = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: [{ type: 'text', text: 'Hï' }, { type: 'image_url', image_url: { url: 'x' } }] }], max_tokens: 7, stream: true });
    expect(scanHeaderBytes(new TextEncoder().encode(chat), chat, 32, false)).toBeDefined();
    // Near misses of the literals and keys it reads, control characters, and each container at the depth limit.
    for (const c of ['a\\nb', '\\"', '\\\\', '\\/\\b\\f\\r\\t', 'x\\', '\\x', '\\u0041', '\\\\u0041']) {
      agree(`{"model":"m","messages":[{"role":"user","content":"${c}"},{"role":"user","content":[{"type":"text","text":"${c}"}]}],"x":"${c}"}`);
      agree(`{"model":"${c}","messages":[{"role":"${c}"}],"${c}":1}`);
    }
    for (const tail of ['', ' ', '\n', 'x', '}', ',', ' {}', '\u0000']) agree(`{"model":"m","messages":[]}${tail}`);
    const decides = (d: string) => {
      expect(scanHeaderBytes(new TextEncoder().encode(d), d, 32, true), d).toBeDefined();
      agree(d);
    };
    // \\u escapes in measured strings of ASCII texts (ASCII-only JSON writers escape every other
    // character): every UTF-8 length class, surrogate pairs, lone and reversed surrogates, both
    // hex cases, at the string's ends; decided by the byte scan (in short and long texts), and
    // handed over in texts that are not ASCII or where an escape is broken.
    const unicode = ['\\u0041', '\\u007f', '\\u0080', '\\u07FF', '\\u0800', '\\uffff', '\\ud83d\\ude00', '\\uD83D\\uDE00', '\\ud800', '\\udc00', '\\udc00\\ud800', '\\ud800\\ud800\\udc00', '\\ud800\\u0041', '\\ud800\\n', '\\ud800\\ue000', '\\udbff\\udfff', '\\ud7ff\\udc00', '\\u0000', 'x\\u00e9y'];
    for (const u of unicode) {
      for (const filler of ['', 'z'.repeat(1100)]) {
        decides(`{"model":"m","messages":[{"role":"user","content":"${u}"},{"role":"user","content":[{"type":"text","text":"a${u}"}]}],"pad":"${filler}${u}"}`);
      }
      agree(`{"model":"m","messages":[{"role":"user","content":"é${u}"}]}`);
    }
    // An escaped surrogate next to a raw one pairs with it in the text (4 bytes), while the bytes
    // hold the raw one as U+FFFD: only ASCII texts take escapes in the byte scan.
    for (const c of ['\\ud83d\ude00', '\ud83d\\ude00']) agree(`{"model":"m","messages":[{"role":"user","content":"${c}"}]}`);
    for (const bad of ['\\u004', '\\u00g1', '\\uD83D\\uDE0', '\\u', '\\U0041']) agree(`{"model":"m","messages":[{"role":"user","content":"${bad}"}]}`);
    // Near misses of every name compared in place with constants, each decided by the byte scan.
    for (const k of ['type', 'typo', 'typx', 'tyoe', 'ttpe', 'tex', 'texts', 'text', 'next', 'texx']) decides(`{"model":"m","messages":[{"role":"user","content":[{"${k}":"image_url"},{"${k}":"abc"}]}]}`);
    for (const r of ['user', 'usex', 'users', 'use', 'system', 'systex', 'sys', 'assistant', 'assistanx', 'assistants', 'tool', 'tooo', 'toolx', 'developer', 'developex', 'd']) decides(`{"model":"m","messages":[{"role":"${r}","content":"x"}]}`);
    for (const k of ['role', 'rol', 'roles', 'rolf', 'rple', 'content', 'contents', 'contend', 'conten', 'xontent']) decides(`{"model":"m","messages":[{"${k}":"system","content":"abc"},{"${k}":"xyz"}]}`);
    for (const k of ['model', 'mode', 'models', 'modex', 'mxdel', 'messages', 'messagez', 'message', 'messages_', 'mexsages']) decides(`{"${k}":"gpt-4o","model":"m","messages":[{"role":"user"}],"${k}":[]}`);
    // Every ASCII character after a backslash: the eight two-character escapes, \\u, and the invalid rest.
    for (let c = 0x20; c < 0x7f; c++) agree(`{"model":"m","messages":[{"role":"user","content":"a\\${String.fromCharCode(c)}bcde"}]}`);
    for (const v of ['true', 'trux', 'tru', 'trUe', 'truee', 'false', 'fals', 'null', 'nul', '"\u001f"', '"\u007f"', '1.0', '-0', '10e1', '1e-1', '0.50']) {
      agree(`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":${v},"max_tokens":5}`);
      agree(`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":${v}}`);
    }
    const parts = '{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","text":"abc"}]}]}';
    for (const depth of [4, 5, 6]) {
      expect(scanHeaderBytes(new TextEncoder().encode(parts), parts, depth, true) !== undefined, `depth ${depth}`).toBe(depth >= 5);
      agree(parts, depth);
    }
    const reply = JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'x', refusal: 'no', tool_calls: [] }, finish_reason: 'length' }, 7], usage: { prompt_tokens: 3, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 1 } } });
    expect(scanHeaderBytes(new TextEncoder().encode(reply), reply, 32, true)?.schemaByte).toBe(2);
    for (const depth of [2, 3, 4]) agree(reply, depth);
    for (const depth of [1, 2, 3]) {
      agree('{"id":"chatcmpl-1","choices":[{"finish_reason":"length"}]}', depth);
      agree('{"id":"chatcmpl-1","usage":{"prompt_tokens_details":{"cached_tokens":1}}}', depth);
    }
    // Duplicate keys: the last `choices` (or message) decides, as the last `usage` does.
    agree('{"id":"chatcmpl-1","choices":[{"message":{"tool_calls":[],"refusal":"x"},"finish_reason":"length"}],"choices":[]}');
    agree('{"id":"chatcmpl-1","choices":[{"message":{"tool_calls":[]},"message":{}}],"usage":{"prompt_tokens":5},"usage":{}}');
    // \\u escapes, escaped texts it would keep, and long texts that are not ASCII or hold a
    // control byte (a raw line break between tokens included) are left to scanHeader.
    const pad = 'x'.repeat(SHORT_SCAN_BYTES);
    for (const d of ['{"model":"a\\u0041","messages":[]}', '{"id":"chatcmpl-\\n","choices":[]}', `{"model":"m","messages":[],"pad":"${pad}é"}`, `{"model":"m",\n"messages":[],"pad":"${pad}"}`]) {
      expect(scanHeaderBytes(new TextEncoder().encode(d), d, 32, Buffer.byteLength(d) === d.length), d).toBeUndefined();
      agree(d);
    }
    const long = `{"model":"m","messages":[],"pad":"${pad}"}`;
    expect(scanHeaderBytes(new TextEncoder().encode(long), long, 32, true)).toBeDefined();
    agree(long);
  });

  it('the byte scan of long ASCII texts (native string searches after a control-byte check) agrees, at any alignment of the bytes', () => {
    // The variable header written, as hex, or undefined (copied out: the writer is shared).
    const headerOf = (h: ReturnType<typeof scanHeaderBytes>): string | undefined => {
      if (h === undefined) return undefined;
      const out = new Uint8Array(h.variable.length);
      h.variable.copyTo(out, 0);
      return `${h.schemaByte} ${h.flags} ${toHex(out)}`;
    };
    /** scanHeaderBytes of `d` from bytes starting at each offset 0-3 of a buffer: one answer, returned. */
    const atEveryOffset = (d: string): string | undefined => {
      const bytes = new TextEncoder().encode(d);
      const isAscii = bytes.length === d.length;
      const answers = [0, 1, 2, 3].map((off) => {
        const buf = new Uint8Array(bytes.length + 4);
        buf.set(bytes, off);
        return headerOf(scanHeaderBytes(buf.subarray(off, off + bytes.length), d, 32, isAscii));
      });
      for (const a of answers) expect(a, d).toBe(answers[0]);
      return answers[0];
    };
    // String bodies (JSON source) around the 32-byte table run: escapes at and across its end,
    // escaped quotes and backslashes just before the closing quote, \\u and invalid escapes.
    const piece = fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom('a', 'b c', '\\n', '\\"', '\\\\', '\\/', '\\t', '\\b\\f\\r') },
      { weight: 30, arbitrary: fc.string({ unit: fc.constantFrom('x', 'y', ' ', '.', '{', ':'), maxLength: 70 }) },
      { weight: 1, arbitrary: fc.constantFrom('\\u0041', '\\x', '"') },
    );
    const body = fc.array(piece, { maxLength: 30 }).map((ps) => ps.join(''));
    // Generated documents made ASCII without raw whitespace controls (still valid: both only ever
    // occur inside strings or between tokens there), placed among long strings.
    const asciiDoc = fc.oneof(document, fc.json({ maxDepth: 3 }), fc.constantFrom('null', '{}', '[1,"x",{"a":[true]}]')).map((d) => d.replace(/[\t\n\r]/g, ' ').replace(/[^ -~]/g, 'q'));
    const long = fc.tuple(asciiDoc, body, body, body, fc.nat({ max: 1200 })).map(([d, a, b, c, fill]) => `{"pad":"${a}${'x'.repeat(fill)}","doc":${d},"model":"gpt-4o","messages":[{"role":"user","content":"${b}"},{"role":"system","content":[{"type":"text","text":"${c}"}]}],"filler":"${'z'.repeat(1100)}"}`);
    let decided = 0;
    fc.assert(
      fc.property(long, (d) => {
        if (atEveryOffset(d) !== undefined) decided++;
        agree(d);
      }),
      { numRuns: 400 },
    );
    expect(decided).toBeGreaterThan(80);
    // Broken ones: a control byte (raw tab and line feed included), quote, backslash or bracket
    // anywhere, each at every alignment, none decided wrongly.
    fc.assert(
      fc.property(long, fc.nat(), fc.constantFrom('\u0001', '\u001f', '\t', '\n', '\r', '"', '\\', '}', ''), (d, at, c) => {
        const i = at % d.length;
        const m = d.slice(0, i) + c + d.slice(i + 1);
        atEveryOffset(m);
        agree(m);
      }),
      { numRuns: 300 },
    );
    // A control byte inside a long string, at each position of its last words and of the text's
    // first and last bytes (the word test's head and tail), is never missed.
    const base = `{"model":"m","messages":[{"role":"user","content":"${'w'.repeat(1500)}"}]}`;
    expect(atEveryOffset(base)).toBeDefined();
    const inString = base.indexOf('w');
    const closing = base.lastIndexOf('w');
    for (const at of [inString, inString + 1, inString + 2, inString + 3, inString + 40, closing - 3, closing - 2, closing - 1, closing]) {
      for (const c of ['\u0000', '\u0001', '\t', '\n', '\u001f']) {
        const m = base.slice(0, at) + c + base.slice(at + 1);
        expect(atEveryOffset(m), JSON.stringify([at, c])).toBeUndefined();
      }
    }
    // Control bytes outside strings are between tokens or after the text: handed over too.
    expect(atEveryOffset(`\n${base}`)).toBeUndefined();
    expect(atEveryOffset(`${base}\n`)).toBeUndefined();
    expect(atEveryOffset(`${base} `)).toBeDefined();
  });

  it('agrees at and around the depth limit, and past the depth the scan follows itself', () => {
    for (const limit of [0, 1, 2, 5, 32, 63, 64, 65, 100]) {
      for (const depth of [0, 1, 2, 4, 5, 6, 31, 32, 33, 63, 64, 65, 66, 99, 100, 101]) {
        const nested = '['.repeat(depth) + '1' + ']'.repeat(depth);
        agree(`{"model":"m","messages":[{"role":"user","content":"hi","x":${nested}}]}`, limit);
        agree(nested, limit);
        agree(`{"a":${'{"b":'.repeat(depth)}null${'}'.repeat(depth)}}`, limit);
      }
    }
  });

  it('is the Node platform\'s header path (the browser platform leaves it out for size)', () => {
    expect(platform.scanHeader).toBe(scanHeader);
  });

  it('decides the common documents itself and hands over what it must', () => {
    const chat = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
    expect(agree(chat)).toBe(true);
    expect(agree(JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'x', tool_calls: [] }, finish_reason: 'length' }], usage: { prompt_tokens: 3, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 1 } } }))).toBe(true);
    // Integral literals whose source matters (serde's as_u64) go to the exact parser.
    expect(agree('{"model":"m","messages":[],"max_tokens":1000.0}')).toBe(false);
    expect(agree('{"model":"m","messages":[],"max_tokens":-0}')).toBe(false);
    // Invalid JSON: the full path writes the serde-style error.
    expect(agree('{"model":"m","messages":[')).toBe(false);
    expect(outcome('not json', {})).toContain('Invalid JSON: expected ident at line 1 column 2');
    // Duplicate keys: the last one wins, as with JSON.parse.
    expect(agree('{"model":"a","messages":[{"role":"system"}],"model":"gpt-4o","messages":[{"role":"user","content":"héllo"}],"max_tokens":5,"max_tokens":"x"}')).toBe(true);
  });
});
