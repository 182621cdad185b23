/**
 * The check that an encrypted side has its own static key before anything connects or listens
 * (called by connect.ts and listen-check.ts, beside checkPeerVerification in handshake.ts).
 * @module
 */
import { checkArg } from '@m2m/core/internal';
import { staticsOf, type SecureOptions } from './handshake.js';

/**
 * Checks that this side has a usable `staticKey` when its pattern sends or pre-shares one (XX, IK
 * and KK clients; every server but NN): without it a server listened and then failed every
 * handshake, and a client failed at message 3, or with a bare TypeError for a hex string. An
 * unknown pattern is left to checkPeerVerification and the handshake.
 * @throws M2MError of kind Config naming what to pass (arg-check.ts).
 */
export function checkStaticKey(options: SecureOptions, role: 'client' | 'server'): void {
  const name = options.pattern ?? 'XX';
  // Whether this side sends its static key or has it as a pre-message (handshake.ts, staticsOf).
  if (!staticsOf(name)?.[role === 'client' ? 'initiator' : 'responder']) return;
  const k = options.staticKey as { publicKey?: unknown; secret?: unknown; exportSecret?: unknown } | undefined;
  const usable = k?.publicKey instanceof Uint8Array && k.publicKey.length === 32 && (k.secret instanceof Uint8Array || typeof k.exportSecret === 'function');
  checkArg(usable, `${name}: the ${role}'s secure.staticKey`, 'a key pair such as KeyPair.generate() from @m2m/crypto', k);
}
