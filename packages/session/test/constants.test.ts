import { expect, it } from 'vitest';
import { MessageType, PROTOCOL_VERSION } from '@m2m/session';

it('speaks the reference protocol version and message types, plus AUTH for three-message handshakes', () => {
  expect(PROTOCOL_VERSION).toBe('3.0');
  expect(MessageType.slice(0, 7)).toEqual(['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE']);
  expect(MessageType[7]).toBe('AUTH');
});
