import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, M2MError } from '@m2m/core';

// header_len is a u16 (docs/PROTOCOL.md §1); a request whose routing header needs more would
// wrap it and position the payload wrongly, so the encoder refuses it (attack review, hatk4).
const request = (messages: number) => JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: messages }, () => ({ role: 'user', content: '' })) });

describe('routing header past 65535 bytes', () => {
  it('is refused with LimitExceeded (maxHeaderBytes) instead of encoded with a wrapped header_len', () => {
    let error: unknown;
    try {
      encodeFrame(request(300_000), { compression: 'auto', compressionMinBytes: Number.MAX_SAFE_INTEGER });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(M2MError);
    expect((error as M2MError).code).toBe('LIMIT_EXCEEDED');
    expect((error as M2MError).details).toMatchObject({ limit: 'maxHeaderBytes', max: 65535 });
  });

  it('a header just under the limit still encodes and decodes with every message', () => {
    // 4 roles a byte: ~255,000 messages stay below 65535 header bytes.
    const json = request(250_000);
    const frame = encodeFrame(json, { compression: 'auto', compressionMinBytes: Number.MAX_SAFE_INTEGER });
    const { header, payload } = decodeFrame(frame, { limits: { maxMessageBytes: 64 << 20, maxDecompressedBytes: 64 << 20 } });
    expect(payload).toBe(json);
    expect(header.routing?.msgCount).toBe(250_000);
  });
});
