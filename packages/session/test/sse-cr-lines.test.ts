/**
 * SseParser fed one large piece of CR-terminated lines: eventsource-parser searches for the next
 * LF from every CR, quadratic in the piece (1 MiB of `\r` took ~20 s in one feed). The parser
 * now feeds large pieces in slices; CRLF split across slices still ends one line.
 */
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../src/stream/sse.js';

describe('SseParser on CR-terminated lines', () => {
  it('1 MiB of CR lines in one piece does not hang', () => {
    const events: SseEvent[] = [];
    const p = new SseParser((e) => events.push(e));
    // The hang guard is the test timeout; speed is `pnpm bench stream`, never asserted here.
    p.feed(`${'\r'.repeat(1 << 20)}data: {"x":1}\r\n\r\n`);
    expect(events.map((e) => e.data)).toEqual(['{"x":1}']);
  }, 8000);

  it('a CRLF across the slice boundary is one line end', () => {
    const events: SseEvent[] = [];
    const p = new SseParser((e) => events.push(e));
    // "data: a" then CRLF with the CR as the 16,384th character of the piece, then the blank line.
    const head = `data: ${'a'.repeat(16 * 1024 - 7)}`;
    p.feed(`${head}\r\n\r\ndata: b\n\n`);
    expect(events.map((e) => e.data)).toEqual(['a'.repeat(16 * 1024 - 7), 'b']);
  });
});
