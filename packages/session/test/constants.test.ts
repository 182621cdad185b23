import { expect, it } from 'vitest';
import { MessageType, PROTOCOL_VERSION } from '@m2m/session';

it('speaks the reference protocol version and message types', () => {
  expect(PROTOCOL_VERSION).toBe('3.0');
  expect(MessageType).toEqual(['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE']);
});
