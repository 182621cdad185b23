/**
 * Identity hooks: who may be on the other end of an encrypted session.
 * @module
 */
import { checkArg, CryptoError, M2MError, toHex } from '@m2m/core/internal';
import { platform } from '#platform';
import type { Capabilities } from '../message.js';

/** What the hook learns about the peer. */
export interface PeerIdentity {
  /** The peer's static X25519 public key (32 bytes). */
  staticKey: Uint8Array;
  /** The AgentId the peer claims in its capabilities (bound into the handshake). */
  agentId: string;
  /** The peer's full capabilities, as sent in its handshake message (bound into the handshake, like `agentId`). */
  capabilities: Capabilities;
}

/** Accepts (true) or refuses (false) a peer. */
export type PeerVerifier = (peer: PeerIdentity) => boolean | Promise<boolean>;

/**
 * Accepts only the listed static public keys (32 bytes, or 64 hex characters as `m2m keygen`
 * prints them).
 * @example `verifyPeer: allowKeys([bob.publicKey])`
 * @throws CryptoError (Exchange/InvalidPublicKey) for anything else, a whole KeyPair included:
 *   such a key could never match, so every handshake would be refused with no hint why;
 *   M2MError (Config) when `keys` is not a list.
 */
export function allowKeys(keys: Iterable<Uint8Array | string>): PeerVerifier {
  // Iterable, not just an object: a whole KeyPair failed in the spread (test/attack-wrong-type-objects.test.ts).
  checkArg(typeof keys == 'object' && keys?.[Symbol.iterator], 'allowKeys', 'a list of keys', keys);
  const set = new Set([...keys].map((k, i) => publicKeyHex(k, i)));
  return (peer) => set.has(toHex(peer.staticKey));
}

function publicKeyHex(key: unknown, index: number): string {
  if (typeof key === 'string' && /^[0-9a-fA-F]{64}$/.test(key)) return key.toLowerCase();
  if (key instanceof Uint8Array && key.length === 32) return toHex(key);
  const hint = (key as { publicKey?: unknown } | undefined)?.publicKey ? ': pass the key pair\'s .publicKey' : '';
  const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key === 'string' ? `${key.length} characters` : typeof key;
  throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: `allowKeys key ${index}: expected a 32-byte public key or 64 hex characters, got ${got}${hint}` });
}

/**
 * Parses a known-keys text: one peer per line, `<64 hex chars> <agent id>`; `#` starts a
 * comment. A peer is accepted when its key is listed and, if the line names an agent, its
 * AgentId matches.
 * @throws CryptoError (Exchange/InvalidPublicKey) for a malformed line, naming its number;
 *   M2MError (Config) when `text` is not a string.
 */
export function knownKeys(text: string): PeerVerifier {
  checkArg(typeof text == 'string', 'knownKeys', 'a text', text);
  const known = new Map<string, string | undefined>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const [hex, agent] = line.split(/\s+/);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: `known-keys line ${i + 1}: expected 64 hex characters` });
    known.set(hex.toLowerCase(), agent);
  });
  return (peer) => {
    const hex = toHex(peer.staticKey);
    if (!known.has(hex)) return false;
    const agent = known.get(hex);
    return agent === undefined || agent === peer.agentId;
  };
}

/**
 * Reads a known-keys file (Node only: the file is read through `#platform`, so browser bundles
 * reach no `node:` module).
 * @throws M2MError of kind Io when it cannot be read (Config in browsers); CryptoError for a malformed line.
 */
export async function loadKnownKeys(path: string): Promise<PeerVerifier> {
  let text: string;
  try {
    text = await platform.readTextFile(path);
  } catch (e) {
    throw new M2MError('Io', { reason: `cannot read known-keys file ${path}: ${(e as Error).message}` }, { cause: e });
  }
  return knownKeys(text);
}
