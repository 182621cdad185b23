import { describe, expect, it } from 'vitest';
import { TOKEN_NATIVE_PREFIX, encodeTokenNative } from '../src/wire/token-native.js';
import * as browser from '../src/wire/token-native.browser.js';

// Browser builds resolve `#token-native` to this module (package.json `imports`); tests run the
// Node side, so the browser side is checked here directly.
describe('TokenNative in browser builds', () => {
  it('keeps the format prefix, so detectAlgorithm still recognises TokenNative text', () => {
    expect(browser.TOKEN_NATIVE_PREFIX).toBe(TOKEN_NATIVE_PREFIX);
  });

  it('refuses both directions with a typed Tokenizer error that says why and what to use', () => {
    const text = encodeTokenNative('Hello, world!');
    expect(() => browser.decodeTokenNative(text)).toThrow(expect.objectContaining({ code: 'TOKENIZER_ERROR', message: expect.stringMatching(/browser builds.*m2m or brotli/) }));
    expect(() => browser.encodeTokenNative('Hello')).toThrow(expect.objectContaining({ code: 'TOKENIZER_ERROR' }));
  });
});
