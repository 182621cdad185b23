/**
 * LIMIT_EXCEEDED's message reads as "what you sent is over the limit": it read
 * "maxMessageBytes is 52428855, maximum 16777216", which a new user took for an option they had
 * set to 52 MB.
 */
import { describe, expect, it } from 'vitest';
import { M2MError } from '../src/index.js';
import { createError } from '../src/errors.js';

describe('LIMIT_EXCEEDED message', () => {
  it('puts the measured size first, then the limit it is over and that limit', () => {
    const e = new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: 52428855, max: 16777216 });
    expect(e.message).toBe('Limit exceeded: 52428855 is over maxMessageBytes = 16777216');
    expect(createError('LIMIT_EXCEEDED', { limit: 'jsonDepth', actual: 70, max: 64 }).message).toBe('Limit exceeded: 70 is over jsonDepth = 64');
  });
});
