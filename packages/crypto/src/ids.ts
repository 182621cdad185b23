/**
 * AgentId and OrgId: 1 to 128 bytes of `[A-Za-z0-9_-]`, checked in the reference's order
 * (empty, too long, characters).
 * @module
 */
import { CryptoError } from '@m2m/core/internal';

/** Longest id in UTF-8 bytes. */
export const MAX_ID_LENGTH = 128;

function validate(value: unknown, idKind: 'Agent' | 'Organization'): string {
  if (typeof value !== 'string' || value.length === 0) throw new CryptoError('Id', 'Empty', { idKind });
  const len = new TextEncoder().encode(value).length;
  if (len > MAX_ID_LENGTH) throw new CryptoError('Id', 'TooLong', { idKind, len, max: MAX_ID_LENGTH });
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new CryptoError('Id', 'InvalidChars', { idKind, value });
  return value;
}

/** A validated agent id. */
export type AgentId = string & { readonly __brand: 'AgentId' };
/** A validated organisation id. */
export type OrgId = string & { readonly __brand: 'OrgId' };

/** Validates an agent id (1 to 128 UTF-8 bytes of `[A-Za-z0-9_-]`). @throws CryptoError (Id/Empty, Id/TooLong, Id/InvalidChars). @example `agentId('agent-001')` */
export function agentId(value: string): AgentId {
  return validate(value, 'Agent') as AgentId;
}
/** Validates an organisation id (1 to 128 UTF-8 bytes of `[A-Za-z0-9_-]`). @throws CryptoError (Id/Empty, Id/TooLong, Id/InvalidChars). */
export function orgId(value: string): OrgId {
  return validate(value, 'Organization') as OrgId;
}
