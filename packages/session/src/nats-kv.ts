/**
 * The setup the pool's JetStream key-value users share (nats-rate-limit.ts, nats-key-list.ts):
 * a NATS connection (the caller's, or one opened from `servers` and kept by the caller) and the
 * optional `@nats-io/kv` manager over it. Internal.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { natsConnect, type NatsConnectionLike } from './transport/nats-link.js';

/** The part of `@nats-io/kv`'s `Kvm` this SDK uses. */
export interface KvManagerLike<Kv> {
  create(name: string, opts: object): Promise<Kv>;
}

/**
 * Returns a key-value manager over `existing`, or over a new connection to `servers` (reported
 * through `opened` so the caller can reuse and close it).
 * @throws M2MError Network when NATS cannot be reached; Config when `@nats-io/kv` is not installed
 * (`purpose` names the feature that needs it).
 */
export async function openKvManager<Kv>(
  existing: NatsConnectionLike | undefined,
  servers: string | string[] | undefined,
  clientName: string,
  purpose: string,
  opened: (nc: NatsConnectionLike) => void,
): Promise<KvManagerLike<Kv>> {
  let nc = existing;
  if (!nc) {
    const list = servers ?? [];
    nc = await natsConnect(typeof list === 'string' ? list.split(',') : list, clientName);
    opened(nc);
  }
  let mod: { Kvm: new (nc: unknown) => KvManagerLike<Kv> };
  try {
    mod = (await import('@nats-io/kv')) as unknown as typeof mod;
  } catch (e) {
    throw new M2MError('Config', { reason: `${purpose} needs the optional package @nats-io/kv (npm install @nats-io/kv@~3.3.1)` }, { cause: e });
  }
  return new mod.Kvm(nc);
}
