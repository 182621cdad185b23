import { describe, expect, it } from 'vitest';
import { isM2MError } from '@m2m/core';
import { SessionState, StateMachine, type SessionEvent } from '@m2m/session';

// The legal transitions, written out from m2m-spec §6.2.3 plus this SDK's documented additions
// (keep-alive traffic, CLOSING still receiving, transport loss), independent of the code's table.
const LEGAL: Array<[SessionState, SessionEvent, SessionState]> = [
  ['INITIAL', 'sendHello', 'HELLO_SENT'],
  ['INITIAL', 'receiveHello', 'INITIAL'],
  ['INITIAL', 'sendAccept', 'ESTABLISHED'],
  ['INITIAL', 'sendReject', 'INITIAL'],
  ['INITIAL', 'transportClosed', 'CLOSED'],
  ['HELLO_SENT', 'receiveAccept', 'ESTABLISHED'],
  ['HELLO_SENT', 'receiveReject', 'CLOSED'],
  ['HELLO_SENT', 'helloTimeout', 'CLOSED'],
  ['HELLO_SENT', 'sendClose', 'CLOSED'],
  ['HELLO_SENT', 'transportClosed', 'CLOSED'],
  ['ESTABLISHED', 'sendData', 'ESTABLISHED'],
  ['ESTABLISHED', 'receiveData', 'ESTABLISHED'],
  ['ESTABLISHED', 'sendPing', 'ESTABLISHED'],
  ['ESTABLISHED', 'receivePing', 'ESTABLISHED'],
  ['ESTABLISHED', 'sendPong', 'ESTABLISHED'],
  ['ESTABLISHED', 'receivePong', 'ESTABLISHED'],
  ['ESTABLISHED', 'sendClose', 'CLOSING'],
  ['ESTABLISHED', 'receiveClose', 'CLOSED'],
  ['ESTABLISHED', 'pongTimeout', 'CLOSING'],
  ['ESTABLISHED', 'idleTimeout', 'CLOSING'],
  ['ESTABLISHED', 'transportClosed', 'CLOSED'],
  ['CLOSING', 'receiveData', 'CLOSING'],
  ['CLOSING', 'receivePing', 'CLOSING'],
  ['CLOSING', 'receivePong', 'CLOSING'],
  ['CLOSING', 'receiveClose', 'CLOSED'],
  ['CLOSING', 'closingTimeout', 'CLOSED'],
  ['CLOSING', 'transportClosed', 'CLOSED'],
];
const EVENTS: SessionEvent[] = [
  'sendHello', 'receiveHello', 'receiveAuth', 'sendAccept', 'sendReject', 'receiveAccept', 'receiveReject', 'sendData', 'receiveData',
  'sendPing', 'receivePing', 'sendPong', 'receivePong', 'sendClose', 'receiveClose', 'helloTimeout', 'pongTimeout',
  'idleTimeout', 'closingTimeout', 'transportClosed',
];
const PATH: Record<SessionState, SessionEvent[]> = {
  INITIAL: [],
  HELLO_SENT: ['sendHello'],
  ESTABLISHED: ['sendHello', 'receiveAccept'],
  CLOSING: ['sendHello', 'receiveAccept', 'sendClose'],
  CLOSED: ['transportClosed'],
};
function machineIn(state: SessionState): StateMachine {
  const m = new StateMachine();
  for (const e of PATH[state]) m.apply(e);
  expect(m.state).toBe(state);
  return m;
}

describe('session state machine', () => {
  for (const state of Object.values(SessionState)) {
    for (const event of EVENTS) {
      const legal = LEGAL.find(([s, e]) => s === state && e === event);
      it(`${state} + ${event} → ${legal ? legal[2] : 'Protocol error'}`, () => {
        const m = machineIn(state);
        if (legal) {
          expect(m.apply(event)).toBe(legal[2]);
          expect(m.state).toBe(legal[2]);
          return;
        }
        let error: unknown;
        try {
          m.apply(event);
        } catch (e) {
          error = e;
        }
        expect(isM2MError(error) && error.kind === 'Protocol').toBe(true);
        expect((error as { details: unknown }).details).toMatchObject({ state, event });
        expect(m.state).toBe(state); // unchanged
      });
    }
  }
  it('CLOSED is terminal: no event leaves it', () => {
    const m = machineIn('CLOSED');
    for (const e of EVENTS) expect(() => m.apply(e)).toThrow(/Cannot/);
    expect(m.state).toBe('CLOSED');
  });
});
