/**
 * `m2m keygen` (a static X25519 identity in a 0600 file) and `m2m derive` (key-hierarchy paths).
 * @module
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromHex, M2MError, toHex } from '@m2m/core';
import { KeyPair, sha256 } from '@m2m/crypto';
import { KeyHierarchy, keyPaths, type KeyPurpose } from '@m2m/crypto/keys';
import { parse } from '../args.js';
import { readInput, toJson, type Io } from '../io.js';

/** The identity file format. */
export interface IdentityFile {
  type: 'm2m-x25519-identity';
  publicKey: string;
  secretKey: string;
}

/** Reads an identity written by `keygen`. @throws M2MError Io/Config. */
export function readIdentity(path: string): KeyPair {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new M2MError('Io', { reason: `cannot read identity ${path}: ${(e as Error).message}` }, { cause: e });
  }
  // The file holds a secret: no error here quotes it (JSON.parse's message and cause would).
  let parsed: Partial<IdentityFile> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<IdentityFile>;
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || parsed.type !== 'm2m-x25519-identity' || typeof parsed.secretKey !== 'string' || !/^[0-9a-fA-F]{64}$/.test(parsed.secretKey)) {
    throw new M2MError('Config', { reason: `${path} is not an m2m identity file (expected the JSON written by m2m keygen)` });
  }
  return KeyPair.fromSecret(fromHex(parsed.secretKey));
}

/** Runs `keygen`; returns the exit code. @throws M2MError Config (usage, existing file), Io (the file cannot be written). */
export function keygenCommand(io: Io, argv: string[]): number {
  const { values } = parse(argv, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' }, json: { type: 'boolean' } }, 0);
  if (!values.out) throw new M2MError('Config', { reason: 'usage: m2m keygen --out FILE [--force]' });
  if (existsSync(values.out) && !values.force) throw new M2MError('Config', { reason: `${values.out} exists; use --force to replace it` });
  const kp = KeyPair.generate();
  const secret = kp.exportSecret();
  const file: IdentityFile = { type: 'm2m-x25519-identity', publicKey: toHex(kp.publicKey), secretKey: toHex(secret) };
  secret.fill(0);
  try {
    writeFileSync(values.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(values.out, 0o600); // also when the file existed with wider permissions
  } catch (e) {
    throw new M2MError('Io', { reason: `cannot write ${values.out}: ${(e as Error).message}` }, { cause: e });
  }
  if (values.json) io.out(toJson({ file: values.out, publicKey: file.publicKey }));
  else io.out(`${file.publicKey}  (public key; secret written to ${values.out}, mode 0600)`);
  return 0;
}

/** Shortest master key `derive` accepts: 256 bits, the size of every key it derives. */
const MIN_MASTER_BYTES = 32;

const PURPOSES: readonly KeyPurpose[] = ['identity', 'encryption', 'authentication', 'session'];

/** Runs `derive`; returns the exit code. */
export function deriveCommand(io: Io, argv: string[]): number {
  const { values } = parse(argv, {
    master: { type: 'string' },
    org: { type: 'string' },
    agent: { type: 'string' },
    purpose: { type: 'string' },
    peer: { type: 'string' },
    session: { type: 'string' },
    shared: { type: 'boolean' },
    reveal: { type: 'boolean' },
    json: { type: 'boolean' },
  }, 0);
  if (!values.master || !values.org) throw new M2MError('Config', { reason: 'usage: m2m derive --master HEX|@file --org ORG [--agent A [--purpose P] | --agent A --peer B --session SID | --shared] [--reveal]' });
  const masterHex = readInput(io, values.master, 'master key').trim();
  // Checked here so the message names the flag (and never quotes the secret).
  if (!/^([0-9a-fA-F]{2})+$/.test(masterHex)) throw new M2MError('Config', { reason: '--master must be hex (or @file holding hex)' });
  const master = fromHex(masterHex);
  // The reference never checks the master's length; a short master silently weakens every derived key.
  if (master.length < MIN_MASTER_BYTES) {
    master.fill(0);
    throw new M2MError('Config', { reason: `--master must be at least ${MIN_MASTER_BYTES} bytes (${MIN_MASTER_BYTES * 2} hex digits), got ${master.length}` });
  }
  const h = KeyHierarchy.tryNew(master, values.org);
  master.fill(0);
  let path: string;
  let key;
  if (values.shared) {
    path = keyPaths.shared(values.org);
    key = h.deriveSharedKey();
  } else if (values.agent && values.session) {
    if (!values.peer) throw new M2MError('Config', { reason: '--session needs --peer' });
    path = keyPaths.session(values.org, values.agent, values.peer, values.session);
    key = h.deriveSessionKey(values.agent, values.peer, values.session);
  } else if (values.agent && values.purpose) {
    if (!(PURPOSES as readonly string[]).includes(values.purpose)) throw new M2MError('Config', { reason: `--purpose must be one of ${PURPOSES.join(', ')}` });
    path = keyPaths.purpose(values.org, values.agent, values.purpose as KeyPurpose);
    key = h.deriveAgentKeyForPurpose(values.agent, values.purpose as KeyPurpose);
  } else if (values.agent) {
    path = keyPaths.agent(values.org, values.agent);
    key = h.deriveAgentKey(values.agent);
  } else {
    path = keyPaths.org(values.org);
    key = h.deriveOrgKey();
  }
  // A fingerprint identifies the key without showing it; --reveal prints the key itself.
  const fingerprint = toHex(sha256(key.bytes)).slice(0, 16);
  const result: Record<string, string> = { path, fingerprint };
  if (values.reveal) result.key = toHex(key.bytes);
  key.dispose();
  h.dispose();
  if (values.json) io.out(toJson(result));
  else io.out(`${path}\n  fingerprint ${fingerprint}${result.key ? `\n  key ${result.key}` : '  (add --reveal to print the key)'}`);
  return 0;
}
