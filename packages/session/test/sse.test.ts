import { describe, expect, it } from 'vitest';
import { isM2MError } from '@m2m/core';
import { accumulateChatCompletion, ChatCompletionAccumulator, formatSseEvent, parseChatCompletionStream, parseSse, SseParser, type ChatCompletionChunk, type SseEvent } from '@m2m/session/sse';

const enc = new TextEncoder();

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = enc.encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('SSE parsing', () => {
  const stream = ': keep-alive\r\nevent: update\r\nid: 7\r\ndata: {"a":"é"}\r\n\r\ndata: line1\ndata: line2\n\n: comment\n\ndata: [DONE]\n\n';
  const expected: SseEvent[] = [{ event: 'update', id: '7', data: '{"a":"é"}' }, { data: 'line1\nline2' }, { data: '[DONE]' }];

  it('reads fields, comments, CRLF and multi-line data the same whatever the read size (1 byte splits UTF-8)', async () => {
    for (const size of [1, 2, 3, 7, 1000]) {
      const comments: string[] = [];
      const events = await collect(parseSse(pieces(stream, size), { onComment: (c) => comments.push(c) }));
      expect(events).toEqual(expected);
      expect(comments.map((c) => c.trim())).toEqual(['keep-alive', 'comment']);
    }
  });

  it('drops an event whose blank line never came', async () => {
    expect(await collect(parseSse(pieces('data: a\n\ndata: b', 4)))).toEqual([{ data: 'a' }]);
  });

  it('bounds one line or event in characters with LIMIT_EXCEEDED', () => {
    const parser = new SseParser(() => undefined, { maxEventChars: 64 });
    parser.feed('data: ' + 'x'.repeat(40));
    let err: unknown;
    try {
      parser.feed('x'.repeat(40));
    } catch (e) {
      err = e;
    }
    expect(isM2MError(err) && err.code).toBe('LIMIT_EXCEEDED');
    expect(() => parser.feed('\n\n')).toThrow(/Limit exceeded/);
  });

  it('formats events that parse back to the same data', async () => {
    const text = formatSseEvent('a\nb', { event: 'x', id: '1' }) + formatSseEvent('{"k":1}');
    expect(text).toBe('event: x\nid: 1\ndata: a\ndata: b\n\ndata: {"k":1}\n\n');
    expect(await collect(parseSse(pieces(text, 5)))).toEqual([{ event: 'x', id: '1', data: 'a\nb' }, { data: '{"k":1}' }]);
    expect(() => formatSseEvent('a', { id: 'x\ny' })).toThrow(/line break/);
  });
});

describe('chat completion streams', () => {
  // A hand-written stream as OpenAI sends it: role first, content in pieces, two parallel tool
  // calls whose arguments arrive interleaved, a second choice, usage in a last chunk without choices.
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-2024-08-06', system_fingerprint: 'fp_1' };
  const chunks: ChatCompletionChunk[] = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }, { index: 1, delta: { role: 'assistant', content: 'Bon' }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Par' } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'is"}' } }, { index: 1, function: { arguments: '"CET"}' } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 1, delta: { content: 'jour' }, finish_reason: 'stop' }] },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    { ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 } },
  ];
  const expected = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-2024-08-06',
    system_fingerprint: 'fp_1',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Hello',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
      { index: 1, message: { role: 'assistant', content: 'Bonjour' }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
  };
  const sse = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n' + 'data: {"ignored":true}\n\n';

  it('accumulates deltas: content, roles, tool-call arguments by index, finish reasons, usage, several choices', async () => {
    for (const size of [1, 13, 4096]) {
      expect(await accumulateChatCompletion(parseChatCompletionStream(pieces(sse, size)))).toEqual(expected);
    }
  });

  it('legacy function_call deltas are accumulated', () => {
    const acc = new ChatCompletionAccumulator();
    acc.add({ id: 'f', choices: [{ index: 0, delta: { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '' } } }] });
    acc.add({ id: 'f', choices: [{ index: 0, delta: { function_call: { arguments: '{"q":' } } }] });
    acc.add({ id: 'f', choices: [{ index: 0, delta: { function_call: { arguments: '1}' } }, finish_reason: 'function_call' }] });
    expect(acc.result().choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":1}' } }, logprobs: null, finish_reason: 'function_call' });
  });

  it('refusals and log probabilities are appended too', () => {
    const acc = new ChatCompletionAccumulator();
    acc.add({ id: 'x', choices: [{ index: 0, delta: { role: 'assistant', refusal: 'I can' }, logprobs: { content: [{ token: 'I' }] } }] });
    acc.add({ id: 'x', choices: [{ index: 0, delta: { refusal: "'t" }, logprobs: { content: [{ token: "'t" }] }, finish_reason: 'stop' }] });
    const r = acc.result();
    expect(r.choices[0].message).toEqual({ role: 'assistant', content: null, refusal: "I can't" });
    expect(r.choices[0].logprobs).toEqual({ content: [{ token: 'I' }, { token: "'t" }] });
    expect(acc.chunks).toBe(2);
  });

  it('fails with typed errors on malformed or hostile streams', async () => {
    const code = async (text: string, opts = {}) => {
      try {
        await accumulateChatCompletion(parseChatCompletionStream(pieces(text, 16), opts));
        return 'ok';
      } catch (e) {
        return isM2MError(e) ? e.code : String(e);
      }
    };
    expect(await code('data: {not json}\n\n')).toBe('STREAM_ERROR');
    expect(await code('data: [1,2]\n\n')).toBe('STREAM_ERROR');
    expect(await code('data: {"id":"a"}\n\n')).toBe('STREAM_ERROR'); // no choices array
    expect(await code('data: {"id":"a","choices":[{"index":-1,"delta":{}}]}\n\n')).toBe('STREAM_ERROR');
    expect(await code('data: {"id":"a","choices":[{"index":100000,"delta":{}}]}\n\n')).toBe('LIMIT_EXCEEDED');
    expect(await code('data: {"id":"a","choices":[{"index":0,"delta":{"tool_calls":[{"index":1e9}]}}]}\n\n')).toBe('LIMIT_EXCEEDED');
    expect(await code('data: {"error":{"message":"overloaded"}}\n\n')).toBe('UPSTREAM_ERROR');
    expect(await code('data: {"id":"a","choices":[]}\n\n', { requireDone: true })).toBe('STREAM_CLOSED');
    expect(await code('data: {"id":"a","choices":[]}\n\n')).toBe('ok');
    const acc = new ChatCompletionAccumulator({ maxChars: 10 });
    acc.add({ id: 'a', choices: [{ index: 0, delta: { content: '12345' } }] });
    expect(() => acc.add({ id: 'a', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '123456' } }] } }] })).toThrow(/streamChars/);
  });
});
