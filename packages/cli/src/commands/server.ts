/**
 * `m2m server`: the reference's HTTP API plus the OpenAI-compatible gateway, with the reference's
 * flags (`--port`, `--host`, `--bind-all`, `--blocking`, `--threshold`, `--no-security`) and the
 * gateway's. One JSON log line per request (pino, stdout); SIGTERM/SIGINT close gracefully.
 * @module
 */
import { readFileSync } from 'node:fs';
import { M2MError, fromHex, toHex } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { parseRate } from '@m2m/server';
import { startServer, type StartServerOptions } from '@m2m/server/node';
import pino from 'pino';
import { parse } from '../args.js';
import type { Io } from '../io.js';
import { readIdentity } from './keys.js';

/** `m2m server --help`. */
export const SERVER_USAGE = `m2m server: the m2m-protocol HTTP API and the OpenAI-compatible gateway

  m2m server [options]

Reference API (/health /status /session /compress /compress/auto /decompress /scan /message):
  -p, --port N              port (default 3000)
      --host IP             address to bind (default 127.0.0.1)
      --bind-all            bind 0.0.0.0
      --blocking            blocking mode: refuse content the security scan blocks
      --threshold X         blocking threshold, 0-1 (default 0.8)
      --no-security         no security scan at all
      --max-sessions N      HTTP sessions held at once (default 10000)
      --session-idle MS     idle timeout of HTTP sessions (default 300000)
      --max-body BYTES      largest request body (default 10485760)
      --max-buffered-body BYTES  request bodies held at once, beyond 64 KiB each (default 67108864)
                            -> 503 SERVER_BUSY past it
Gateway (/v1/chat/completions, /v1/models):
      --upstream URL        OpenAI-compatible upstream, with its /v1 (e.g. https://api.openai.com/v1);
                            the key sent upstream comes from M2M_UPSTREAM_API_KEY, else the client's own
      --upstream-timeout MS longest upstream silence (default 60000) -> 504
      --api-key KEY|@FILE   a client key (repeatable; @FILE: one key per line, # comments)
      --api-key-nats URL    share the key list with a gateway pool through NATS JetStream key-value:
                            adds this gateway's --api-key keys, accepts every key in the list
                            (stored as SHA-256 digests); without NATS the last list seen stays
      --api-key-bucket NAME the pool's key list bucket (default m2m-keys)
      --rate-limit N/s      requests per second per key (also N/min) -> 429; a token bucket of
                            ceil(N/s) requests at once: 600/min takes 10 at once, 3/min one per 20 s
      --rate-limit-nats URL share --rate-limit with a gateway pool through NATS JetStream key-value
                            (nats://host:port, comma-separated for a cluster); without NATS reachable
                            this gateway applies the limit alone and logs it once
      --rate-limit-bucket NAME  the pool's key-value bucket (default m2m-rate)
Gateway to gateway over encrypted M2M (Noise XX, keys pinned):
      --identity FILE       this gateway's key (m2m keygen); default: a fresh key, printed at start
      --m2m-listen ADDR     accept peer gateways on [host:]port and forward them to --upstream
      --m2m-upstream ADDR   forward /v1 to the peer gateway at host:port instead of --upstream
      --peer-key HEX        the peer gateway's public key (repeatable with --m2m-listen)
  -h, --help                this text`;

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'bind-all': { type: 'boolean' },
  blocking: { type: 'boolean' },
  threshold: { type: 'string' },
  'no-security': { type: 'boolean' },
  'max-sessions': { type: 'string' },
  'session-idle': { type: 'string' },
  'max-body': { type: 'string' },
  'max-buffered-body': { type: 'string' },
  upstream: { type: 'string' },
  'upstream-timeout': { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  'api-key-nats': { type: 'string' },
  'api-key-bucket': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-limit-nats': { type: 'string' },
  'rate-limit-bucket': { type: 'string' },
  identity: { type: 'string' },
  'm2m-listen': { type: 'string' },
  'm2m-upstream': { type: 'string' },
  'peer-key': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

/** A positive integer flag. @throws M2MError Config. */
function integer(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new M2MError('Config', { reason: `--${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}` });
  return n;
}

/** Keys from `--api-key` values: each a key, or `@file` with one key per line. @throws M2MError Io. */
export function apiKeys(values: readonly string[]): string[] {
  const keys: string[] = [];
  for (const v of values) {
    if (!v.startsWith('@')) {
      keys.push(v);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(v.slice(1), 'utf8');
    } catch (e) {
      throw new M2MError('Io', { reason: `cannot read keys file ${v.slice(1)}: ${(e as Error).message}` }, { cause: e });
    }
    for (const line of text.split(/\r?\n/)) {
      const k = line.replace(/#.*/, '').trim();
      if (k) keys.push(k);
    }
  }
  return keys;
}

/**
 * `--rate-limit-nats` / `--api-key-nats`: `nats://host:port` or `host:port`, comma-separated, into a server list.
 * @throws M2MError Config for anything else.
 */
export function natsServers(v: string, flag: string): string[] {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) if (!/^(?:(?:nats|tls):\/\/)?[^/\s:]+:\d+\/?$/.test(s)) throw new M2MError('Config', { reason: `--${flag} must be nats://host:port[,nats://host:port…], got ${JSON.stringify(s)}` });
  if (!list.length) throw new M2MError('Config', { reason: `--${flag} gave no server` });
  return list;
}

/** `host:port` or `port` → parts. @throws M2MError Config. */
function address(flag: string, v: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port < 65536)) throw new M2MError('Config', { reason: `--${flag} must be [host:]port, got ${JSON.stringify(v)}` });
  return { host: m[1] || '127.0.0.1', port };
}

/**
 * The warning for a gateway that anyone on the network may use: bound beyond loopback, without
 * `--api-key`, forwarding to an upstream (with M2M_UPSTREAM_API_KEY when set) or a peer gateway.
 * Returns undefined when the gateway is off, keyed, or loopback-only. Never throws.
 */
export function openGatewayWarning(options: Pick<StartServerOptions, 'host' | 'upstream' | 'm2mUpstream' | 'apiKeys' | 'apiKeysShared'>): string | undefined {
  const gateway = options.upstream !== undefined || options.m2mUpstream !== undefined;
  const loopback = options.host === undefined || /^(127\.|::1$|localhost$)/.test(options.host);
  if (!gateway || loopback || options.apiKeys?.length || options.apiKeysShared) return undefined;
  return `the gateway on ${options.host} takes requests without an API key: anyone who reaches it can use the upstream; pass --api-key KEY|@FILE`;
}

/** Logged at start without `--upstream` or `--m2m-upstream`: the /v1 routes then answer 404 with a CONFIG_ERROR body that says the gateway is off. */
export const GATEWAY_OFF = 'gateway off: /v1/chat/completions and /v1/models answer 404 until --upstream URL or --m2m-upstream ADDR is given';

/** Runs `m2m server` until SIGTERM/SIGINT; resolves with the exit code. */
export async function serverCommand(io: Io, argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, 0);
  if (values.help) {
    io.out(SERVER_USAGE);
    return 0;
  }
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new M2MError('Config', { reason: `--threshold must be between 0 and 1, got ${values.threshold}` });
  if ((values['m2m-listen'] || values['m2m-upstream']) && !values['peer-key']?.length) throw new M2MError('Config', { reason: '--m2m-listen and --m2m-upstream need --peer-key HEX' });
  const peerKeys = (values['peer-key'] ?? []).map((k) => {
    if (!/^[0-9a-fA-F]{64}$/.test(k)) throw new M2MError('Config', { reason: `--peer-key must be 64 hex characters (an X25519 public key)` });
    return fromHex(k);
  });
  const staticKey = values.identity ? readIdentity(values.identity) : KeyPair.generate();
  const logger = pino({ base: undefined, level: values.verbose ? 'debug' : 'info' });
  const options: StartServerOptions = {
    port: integer('port', values.port) ?? 3000,
    host: values['bind-all'] ? '0.0.0.0' : (values.host ?? '127.0.0.1'),
    security: !values['no-security'],
    blocking: values.blocking ?? false,
    ...(threshold !== undefined ? { threshold } : {}),
    ...(values['max-sessions'] ? { maxSessions: integer('max-sessions', values['max-sessions'], 1)! } : {}),
    ...(values['session-idle'] ? { sessionIdleMs: integer('session-idle', values['session-idle'], 1)! } : {}),
    ...(values['max-body'] ? { maxBodyBytes: integer('max-body', values['max-body'], 1)! } : {}),
    ...(values['max-buffered-body'] ? { maxBufferedBodyBytes: integer('max-buffered-body', values['max-buffered-body'])! } : {}),
    ...(values.upstream ? { upstream: values.upstream } : {}),
    ...(values['upstream-timeout'] ? { upstreamTimeoutMs: integer('upstream-timeout', values['upstream-timeout'], 1)! } : {}),
    ...(values['api-key']?.length ? { apiKeys: apiKeys(values['api-key']) } : {}),
    ...(values['api-key-nats'] ? { apiKeysShared: { servers: natsServers(values['api-key-nats'], 'api-key-nats'), ...(values['api-key-bucket'] ? { bucket: values['api-key-bucket'] } : {}) } } : {}),
    ...(values['rate-limit'] ? { rateLimitPerSecond: parseRate(values['rate-limit']) } : {}),
    ...(values['rate-limit-nats'] ? { rateLimitShared: { servers: natsServers(values['rate-limit-nats'], 'rate-limit-nats'), ...(values['rate-limit-bucket'] ? { bucket: values['rate-limit-bucket'] } : {}) } } : {}),
    ...(process.env.M2M_UPSTREAM_API_KEY ? { upstreamApiKey: process.env.M2M_UPSTREAM_API_KEY } : {}),
    ...(values['m2m-listen'] ? { m2mListen: { ...address('m2m-listen', values['m2m-listen']), staticKey, peerKeys } } : {}),
    ...(values['m2m-upstream'] ? { m2mUpstream: { address: values['m2m-upstream'], staticKey, peerPublicKey: peerKeys[0]! } } : {}),
    logger,
  };
  if (values['rate-limit-nats'] && !values['rate-limit']) throw new M2MError('Config', { reason: '--rate-limit-nats shares --rate-limit N/s: give the rate too' });
  if (values['api-key-bucket'] && !values['api-key-nats']) throw new M2MError('Config', { reason: '--api-key-bucket needs --api-key-nats URL' });
  if (values['rate-limit-bucket'] && !values['rate-limit-nats']) throw new M2MError('Config', { reason: '--rate-limit-bucket needs --rate-limit-nats URL' });
  if (values['api-key']?.length && options.apiKeys?.length === 0) throw new M2MError('Config', { reason: '--api-key gave no keys' });
  const server = await startServer(options);
  logger.info(
    {
      url: server.url,
      gateway: options.upstream ? 'upstream' : options.m2mUpstream ? 'm2m-peer' : 'off',
      m2mListen: server.peerListener?.url,
      publicKey: options.m2mListen || options.m2mUpstream ? toHex(staticKey.publicKey) : undefined,
      apiKeys: options.apiKeys?.length ?? 0,
      sharedApiKeys: server.sharedApiKeys?.size,
      rateLimit: options.rateLimitPerSecond ? `${options.rateLimitPerSecond}/s per key${options.rateLimitShared ? ' (shared through NATS)' : ''}` : undefined,
    },
    'm2m server listening',
  );
  const open = openGatewayWarning(options);
  if (open) logger.warn({ host: options.host }, open);
  if (!options.upstream && !options.m2mUpstream) logger.info({}, GATEWAY_OFF);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({}, 'shutting down');
  await server.close(5000);
  logger.flush?.();
  return 0;
}
