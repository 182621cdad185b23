/**
 * The reference's key hierarchy: HKDF-SHA256 (no salt, 32 bytes) of path strings under
 * `m2m/v1/{org}`. `KeyHierarchy` derives everything from the master secret;
 * `AgentKeyContext` derives purpose keys from the agent key and session keys from the org
 * key, giving different bytes for the same path, exactly as the reference does.
 * @module
 */
import { utf8Encode } from '@m2m/core/internal';
import { orgId as validateOrg } from './ids.js';
import { KeyMaterial } from './key-material.js';

/** Purposes of agent keys. */
export type KeyPurpose = 'identity' | 'encryption' | 'authentication' | 'session';

const KDF_VERSION = 'm2m/v1';

function byteOrder(a: string, b: string): [string, string] {
  const x = utf8Encode(a);
  const y = utf8Encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? [a, b] : [b, a];
  return x.length <= y.length ? [a, b] : [b, a];
}

/** Path helpers, exported so documentation and tests name the same strings. */
export const keyPaths = {
  org: (org: string) => `${KDF_VERSION}/${org}`,
  agent: (org: string, agent: string) => `${KDF_VERSION}/${org}/${agent}`,
  purpose: (org: string, agent: string, p: KeyPurpose) => `${KDF_VERSION}/${org}/${agent}/${p}`,
  shared: (org: string) => `${KDF_VERSION}/${org}/shared`,
  session: (org: string, a: string, b: string, sid: string) => {
    const [lo, hi] = byteOrder(a, b);
    return `${KDF_VERSION}/${org}/session/${lo}:${hi}/${sid}`;
  },
};

/**
 * Keys of one organisation, all derived from its master secret.
 * @example
 * ```ts
 * const h = KeyHierarchy.tryNew(master, 'acme');
 * const k = h.deriveSessionKey('alice', 'bob', 'sess-1'); // same for both agents
 * ```
 */
export class KeyHierarchy {
  readonly #master: KeyMaterial;
  /** The organisation id every path is under (`m2m/v1/{orgId}`). */
  readonly orgId: string;
  /** No validation, as the reference's `new`. */
  constructor(master: Uint8Array | KeyMaterial, org: string) {
    this.#master = master instanceof KeyMaterial ? master : new KeyMaterial(master);
    this.orgId = org;
  }
  /** Validates the org id. @throws CryptoError (Id). */
  static tryNew(master: Uint8Array | KeyMaterial, org: string): KeyHierarchy {
    return new KeyHierarchy(master, validateOrg(org));
  }
  /** The organisation key: HKDF of `m2m/v1/{org}` from the master. @throws CryptoError (Key/Empty) after dispose. */
  deriveOrgKey(): KeyMaterial {
    return this.#master.derive(keyPaths.org(this.orgId));
  }
  /** An agent's identity key: HKDF of `m2m/v1/{org}/{agent}` from the master. @throws CryptoError (Key/Empty) after dispose. */
  deriveAgentKey(agent: string): KeyMaterial {
    return this.#master.derive(keyPaths.agent(this.orgId, agent));
  }
  /** An agent's key for one purpose: HKDF of `m2m/v1/{org}/{agent}/{purpose}` from the master. @throws CryptoError (Key/Empty) after dispose. */
  deriveAgentKeyForPurpose(agent: string, purpose: KeyPurpose): KeyMaterial {
    return this.#master.derive(keyPaths.purpose(this.orgId, agent, purpose));
  }
  /** Symmetric in the two agents (ordered by UTF-8 bytes). */
  deriveSessionKey(a: string, b: string, sessionId: string): KeyMaterial {
    return this.#master.derive(keyPaths.session(this.orgId, a, b, sessionId));
  }
  /** The organisation's shared key: HKDF of `m2m/v1/{org}/shared` from the master. @throws CryptoError (Key/Empty) after dispose. */
  deriveSharedKey(): KeyMaterial {
    return this.#master.derive(keyPaths.shared(this.orgId));
  }
  /** Overwrites the master secret; derivations throw afterwards. */
  dispose(): void {
    this.#master.dispose();
  }
  /** Same as `dispose`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** A redacted description naming the org only, never the secret. */
  toJSON(): string {
    return `KeyHierarchy(${this.orgId}, [REDACTED])`;
  }
}

/** One agent's view: purpose keys from its identity key, session keys from the org key. */
export class AgentKeyContext {
  readonly #identity: KeyMaterial;
  readonly #org: KeyMaterial;
  /** The agent these keys belong to. */
  readonly agentId: string;
  /** The agent's organisation. */
  readonly orgId: string;
  constructor(identityKey: KeyMaterial, orgKey: KeyMaterial, agentId: string, orgId: string) {
    this.#identity = identityKey;
    this.#org = orgKey;
    this.agentId = agentId;
    this.orgId = orgId;
  }
  /** The context of `agentId`: its identity key and the org key, derived from `h`. @throws CryptoError (Key/Empty) when `h` was disposed. */
  static fromHierarchy(h: KeyHierarchy, agentId: string): AgentKeyContext {
    return new AgentKeyContext(h.deriveAgentKey(agentId), h.deriveOrgKey(), agentId, h.orgId);
  }
  /** The agent's identity key (owned by this context: disposed with it). */
  get identityKey(): KeyMaterial {
    return this.#identity;
  }
  /** A purpose key: HKDF of `m2m/v1/{org}/{agent}/{purpose}` from the identity key (not the master, so it differs from `KeyHierarchy.deriveAgentKeyForPurpose`). @throws CryptoError (Key/Empty) after dispose. */
  deriveKey(purpose: KeyPurpose): KeyMaterial {
    return this.#identity.derive(keyPaths.purpose(this.orgId, this.agentId, purpose));
  }
  /** The session key shared with `peer`: HKDF from the org key, the same on both sides (agents ordered by UTF-8 bytes). @throws CryptoError (Key/Empty) after dispose. */
  deriveSessionKey(peer: string, sessionId: string): KeyMaterial {
    return this.#org.derive(keyPaths.session(this.orgId, this.agentId, peer, sessionId));
  }
  /** Overwrites the identity and org keys; derivations throw afterwards. */
  dispose(): void {
    this.#identity.dispose();
    this.#org.dispose();
  }
  /** Same as `dispose`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** A redacted description naming org and agent only, never key bytes. */
  toJSON(): string {
    return `AgentKeyContext(${this.orgId}/${this.agentId}, [REDACTED])`;
  }
}
