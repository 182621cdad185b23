/**
 * `listen` in browsers: not available (a page cannot accept connections).
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { ListenOptions, Server } from './listen-types.js';

/** @throws M2MError of kind Config: browsers cannot listen. */
export async function listen(_options: ListenOptions = {}): Promise<Server> {
  throw new M2MError('Config', { reason: 'listen() needs Node: browsers cannot accept connections' });
}

/** Browsers cannot reach NATS: the shared rate limit is Node-only (see nats-rate-limit.ts). */
export class SharedRateLimiter {
  /** @throws M2MError of kind Config always. */
  constructor(_options: unknown) {
    throw new M2MError('Config', { reason: 'SharedRateLimiter needs Node (NATS JetStream)' });
  }
}

/** Browsers cannot reach NATS: the shared API key list is Node-only (see nats-key-list.ts). */
export class SharedKeyList {
  /** @throws M2MError of kind Config always. */
  constructor(_options: unknown) {
    throw new M2MError('Config', { reason: 'SharedKeyList needs Node (NATS JetStream)' });
  }
}
