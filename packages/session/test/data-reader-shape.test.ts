/**
 * The fast DATA reader (codec/data-reader.ts) builds each message with all its fields in one
 * literal (no property added afterwards: one allocation fewer per message, docs/ARCHITECTURE.md,
 * Performance notes, hgc). These check the result is still the message that was written: the
 * same fields, no `sessionId` key when the id is nil, and the fields in the order they had.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readDataMessage } from '../src/codec/data-reader.js';
import { binaryCodec } from '../src/codec/index.js';
import type { Message } from '../src/message.js';

const keep = (v: Uint8Array): Uint8Array => v;

describe('readDataMessage message shape', () => {
  it('reads back what was written, with or without a session id', () => {
    fc.assert(
      fc.property(fc.option(fc.stringMatching(/^[a-z0-9-]{1,40}$/), { nil: undefined }), fc.nat(), fc.uint8Array({ maxLength: 300 }), (sessionId, timestamp, content) => {
        const written: Message = { type: 'DATA', timestamp, payload: { kind: 'data', value: { algorithm: 'm2m', content } } };
        if (sessionId !== undefined) written.sessionId = sessionId;
        const read = readDataMessage(binaryCodec.encode(written), keep);
        expect(read).toStrictEqual(written);
        expect('sessionId' in read!).toBe(sessionId !== undefined);
        expect(Object.keys(read!)).toEqual(sessionId === undefined ? ['type', 'timestamp', 'payload'] : ['type', 'timestamp', 'sessionId', 'payload']);
      }),
      { numRuns: 200 },
    );
  });
});
