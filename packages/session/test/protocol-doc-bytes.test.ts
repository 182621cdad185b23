/**
 * The byte examples of docs/PROTOCOL.md are what the codecs write: §1's frame and §4.2's PING
 * and REJECT in MessagePack, read from the document itself so an edit to either side shows here
 * (the trial of 2026-12-02 found the PING's JSON size off by one).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@m2m/core';
import { encodeMessageBinary, type Message } from '@m2m/session';
import { encodeMessageJson } from '@m2m/session/json';

const doc = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');

/** The hex of a diagram's lines from `first` up to a blank line or a fence: the leading hex column only. */
function diagramHex(first: string): string {
  const start = doc.indexOf(first);
  expect(start, `docs/PROTOCOL.md has a line starting ${first}`).toBeGreaterThanOrEqual(0);
  const lines = doc.slice(start).split('\n').slice(1);
  // A heading's diagram begins after a blank line and its fence.
  while (lines.length && (lines[0].trim() === '' || lines[0].startsWith('```'))) lines.shift();
  let hex = '';
  for (const line of lines) {
    if (line.trim() === '' || line.startsWith('```')) break;
    // The byte column (before a gap of two spaces): whole bytes in hex and quoted strings as their
    // UTF-8, up to the first word of a comment.
    for (const token of line.split(/\s{2,}/)[0].match(/"[^"]*"|[^\s"]+/g) ?? []) {
      if (token.startsWith('"')) hex += Buffer.from(token.slice(1, -1)).toString('hex');
      else if (token.split('...').every((part) => /^(?:[0-9a-f]{2})+$/.test(part))) hex += token.split('...').join('');
      else break;
    }
  }
  return hex;
}

describe('docs/PROTOCOL.md byte examples', () => {
  it("§1's example frame header is encodeFrame's, and its payload length and CRC", () => {
    const json = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';
    const frame = Buffer.from(encodeFrame(json)).toString('hex');
    const shown = diagramHex('### Example: `{"model":"gpt-4o"').replace(/7b226d6f7d5d7d$/, '');
    // The diagram elides the JSON (`7b226d6f...7d5d7d`): everything before it is the frame's head.
    expect(frame.slice(0, shown.length)).toBe(shown);
    expect(frame.slice(shown.length)).toBe(Buffer.from(json).toString('hex'));
  });

  it("§4.2's PING and REJECT are encodeMessageBinary's bytes, with the sizes the text gives", () => {
    const ping: Message = { type: 'PING', sessionId: 's', payload: { kind: 'empty' }, timestamp: 1705520400000 };
    const binary = encodeMessageBinary(ping);
    expect(Buffer.from(binary).toString('hex')).toBe(diagramHex('PING {"session_id":"s"'));
    const sizes = /PING \{"session_id":"s","timestamp":1705520400000\}\s+\((\d+) bytes; JSON: (\d+)\)/.exec(doc);
    expect(sizes, 'the PING line states its sizes').not.toBeNull();
    expect(Number(sizes![1])).toBe(binary.length);
    expect(Number(sizes![2])).toBe(encodeMessageJson(ping).length);
    const reject: Message = { type: 'REJECT', payload: { kind: 'rejection', value: { code: 'SERVER_BUSY', message: 'server at capacity', retryAfterMs: 1500 } }, timestamp: 1705520400000 };
    expect(Buffer.from(encodeMessageBinary(reject)).toString('hex')).toBe(diagramHex('REJECT SERVER_BUSY, retry after 1500 ms'));
  });
});
