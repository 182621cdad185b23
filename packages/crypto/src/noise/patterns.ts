/**
 * Handshake patterns of the Noise Protocol Framework (revision 34): the fundamental patterns
 * (§7.4, §7.5) and the deferred ones (§18.1). Each entry lists the initiator's and the
 * responder's pre-message tokens, then the message token lists, alternating from the initiator.
 * @module
 */

/** A message token (§7.1). */
export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

/** A pattern: pre-messages and messages. */
export interface HandshakePattern {
  /** Pattern name, like `XX`, `IK` or `IKpsk2`. */
  name: string;
  /** Tokens of the initiator's pre-message (keys the responder knows in advance); empty if none. */
  initiatorPre: Token[];
  /** Tokens of the responder's pre-message (keys the initiator knows in advance); empty if none. */
  responderPre: Token[];
  /** messages[i] is sent by the initiator when i is even. */
  messages: Token[][];
  /** One-way patterns (N, K, X) carry transport messages from the initiator only. */
  oneWay: boolean;
}

// [initiator pre, responder pre, ...messages]
const TABLE: Record<string, string[]> = {
  N: ['', 's', 'e es'],
  K: ['s', 's', 'e es ss'],
  X: ['', 's', 'e es s ss'],
  NN: ['', '', 'e', 'e ee'],
  NK: ['', 's', 'e es', 'e ee'],
  NX: ['', '', 'e', 'e ee s es'],
  KN: ['s', '', 'e', 'e ee se'],
  KK: ['s', 's', 'e es ss', 'e ee se'],
  KX: ['s', '', 'e', 'e ee se s es'],
  XN: ['', '', 'e', 'e ee', 's se'],
  XK: ['', 's', 'e es', 'e ee', 's se'],
  XX: ['', '', 'e', 'e ee s es', 's se'],
  IN: ['', '', 'e s', 'e ee se'],
  IK: ['', 's', 'e es s ss', 'e ee se'],
  IX: ['', '', 'e s', 'e ee se s es'],
  NK1: ['', 's', 'e', 'e ee es'],
  NX1: ['', '', 'e', 'e ee s', 'es'],
  X1N: ['', '', 'e', 'e ee', 's', 'se'],
  X1K: ['', 's', 'e es', 'e ee', 's', 'se'],
  XK1: ['', 's', 'e', 'e ee es', 's se'],
  X1K1: ['', 's', 'e', 'e ee es', 's', 'se'],
  X1X: ['', '', 'e', 'e ee s es', 's', 'se'],
  XX1: ['', '', 'e', 'e ee s', 'es s se'],
  X1X1: ['', '', 'e', 'e ee s', 'es s', 'se'],
  K1N: ['s', '', 'e', 'e ee', 'se'],
  K1K: ['s', 's', 'e es', 'e ee', 'se'],
  KK1: ['s', 's', 'e', 'e ee se es'],
  K1K1: ['s', 's', 'e', 'e ee es', 'se'],
  K1X: ['s', '', 'e', 'e ee s es', 'se'],
  KX1: ['s', '', 'e', 'e ee se s', 'es'],
  K1X1: ['s', '', 'e', 'e ee s', 'se es'],
  I1N: ['', '', 'e s', 'e ee', 'se'],
  I1K: ['', 's', 'e es s', 'e ee', 'se'],
  IK1: ['', 's', 'e s', 'e ee se es'],
  I1K1: ['', 's', 'e s', 'e ee es', 'se'],
  I1X: ['', '', 'e s', 'e ee s es', 'se'],
  IX1: ['', '', 'e s', 'e ee se s', 'es'],
  I1X1: ['', '', 'e s', 'e ee s', 'se es'],
};

const tokens = (s: string): Token[] => (s ? (s.split(' ') as Token[]) : []);

/** Names of every supported base pattern. */
export const SUPPORTED_PATTERNS: readonly string[] = Object.keys(TABLE);

// Parsed patterns by full name: every handshake looks its pattern up, and parsing costs more
// than the lookup. The cached objects are frozen, so no caller can change another's pattern.
const parsed = new Map<string, HandshakePattern | undefined>();

/**
 * A pattern by name with optional psk modifiers (`XXpsk3`, `NNpsk0+psk2`), §9.2: `psk0` puts a
 * psk token at the start of the first message, `pskN` at the end of message N. The result is
 * frozen and shared between callers.
 * @returns undefined for an unknown pattern.
 */
export function handshakePattern(nameWithModifiers: string): HandshakePattern | undefined {
  if (parsed.has(nameWithModifiers)) return parsed.get(nameWithModifiers);
  const pattern = parsePattern(nameWithModifiers);
  // Unknown names are not remembered, and the map stops growing at 256 names (modifiers make
  // the valid names endless).
  if (pattern && parsed.size < 256) parsed.set(nameWithModifiers, pattern);
  return pattern;
}

function parsePattern(nameWithModifiers: string): HandshakePattern | undefined {
  const m = /^([A-Z0-9]+?)((?:psk\d+\+?)*)$/.exec(nameWithModifiers);
  if (!m) return undefined;
  const base = Object.hasOwn(TABLE, m[1]) ? TABLE[m[1]] : undefined;
  if (!base) return undefined;
  const messages = base.slice(2).map(tokens);
  const mods = m[2] ? m[2].split('+').filter(Boolean) : [];
  for (const mod of mods) {
    const n = Number(mod.slice(3));
    if (n === 0) messages[0].unshift('psk');
    else if (n <= messages.length) messages[n - 1].push('psk');
    else return undefined;
  }
  for (const message of messages) Object.freeze(message);
  return Object.freeze({ name: nameWithModifiers, initiatorPre: Object.freeze(tokens(base[0])), responderPre: Object.freeze(tokens(base[1])), messages: Object.freeze(messages), oneWay: base.length === 3 }) as HandshakePattern;
}
