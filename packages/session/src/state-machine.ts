/**
 * The session state machine of the spec (m2m-spec §6.2.3), enforced: every event has a table
 * entry per state, an event without one throws and leaves the state as it was, and CLOSED is
 * terminal. The reference implements only part of this (wire-format notes §6.5, §8.15–16).
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** Session states. */
export const SessionState = {
  INITIAL: 'INITIAL',
  HELLO_SENT: 'HELLO_SENT',
  ESTABLISHED: 'ESTABLISHED',
  CLOSING: 'CLOSING',
  CLOSED: 'CLOSED',
} as const;
/** One of {@link SessionState}. */
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** Things that happen to a session. `receive*` come from the peer, `send*` from this side. */
export type SessionEvent =
  | 'sendHello'
  | 'receiveHello'
  | 'receiveAuth'
  | 'sendAccept'
  | 'sendReject'
  | 'receiveAccept'
  | 'receiveReject'
  | 'sendData'
  | 'receiveData'
  | 'sendPing'
  | 'receivePing'
  | 'sendPong'
  | 'receivePong'
  | 'sendClose'
  | 'receiveClose'
  | 'helloTimeout'
  | 'pongTimeout'
  | 'idleTimeout'
  | 'closingTimeout'
  | 'transportClosed';

const { INITIAL, HELLO_SENT, ESTABLISHED, CLOSING, CLOSED } = SessionState;

/** The transition table: state → event → next state. A missing entry is an illegal event. */
export const TRANSITIONS: Readonly<Record<SessionState, Partial<Record<SessionEvent, SessionState>>>> = {
  [INITIAL]: {
    sendHello: HELLO_SENT,
    receiveHello: INITIAL, // the server answers next, with sendAccept or sendReject
    sendAccept: ESTABLISHED,
    sendReject: INITIAL, // the server stays ready for another HELLO (as the reference); its owner drops it
    transportClosed: CLOSED,
  },
  [HELLO_SENT]: {
    receiveAccept: ESTABLISHED,
    receiveReject: CLOSED,
    helloTimeout: CLOSED,
    sendClose: CLOSED, // abandoning a handshake needs no CLOSING phase
    transportClosed: CLOSED,
  },
  [ESTABLISHED]: {
    sendData: ESTABLISHED,
    receiveData: ESTABLISHED,
    sendPing: ESTABLISHED,
    receivePing: ESTABLISHED,
    sendPong: ESTABLISHED,
    receivePong: ESTABLISHED,
    sendClose: CLOSING,
    receiveClose: CLOSED,
    pongTimeout: CLOSING, // the third missed PONG: CLOSE with TIMEOUT
    idleTimeout: CLOSING,
    transportClosed: CLOSED,
  },
  [CLOSING]: {
    // Frames the peer sent before it saw our CLOSE still arrive: deliver them, lose nothing.
    receiveData: CLOSING,
    receivePing: CLOSING,
    receivePong: CLOSING,
    receiveClose: CLOSED,
    closingTimeout: CLOSED,
    transportClosed: CLOSED,
  },
  [CLOSED]: {},
};

/**
 * Holds a state and applies events by the table.
 * @example
 * ```ts
 * const m = new StateMachine();
 * m.apply('sendHello');    // 'HELLO_SENT'
 * m.apply('sendData');     // throws M2MError Protocol {state:'HELLO_SENT', event:'sendData'}
 * ```
 */
export class StateMachine {
  #state: SessionState = INITIAL;
  /** The current state. */
  get state(): SessionState {
    return this.#state;
  }
  /** The state `event` would lead to, or `undefined` when it is illegal now. */
  next(event: SessionEvent): SessionState | undefined {
    return TRANSITIONS[this.#state][event];
  }
  /**
   * Applies `event`.
   * @throws M2MError of kind Protocol with details `{state, event}` when illegal; the state stays.
   */
  apply(event: SessionEvent): SessionState {
    const to = this.next(event);
    if (to === undefined) {
      throw new M2MError('Protocol', { reason: `Cannot ${event} in state ${this.#state}`, state: this.#state, event });
    }
    this.#state = to;
    return to;
  }
}
