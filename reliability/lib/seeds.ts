/**
 * Seed inputs for fuzzing, drawn from every vector file (ours in test-vectors/ and, when present,
 * ../shared/vectors/) plus frames, messages and handshakes made here.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CryptoError, encodeFrame, encodeFrameText, M2MError } from '@m2m/core';
import { serializeError } from '@m2m/core/errors';
import { utf8Encode } from '@m2m/core/internal';
import { aeadProtection, HandshakeState, hmacProtection, KeyPair } from '@m2m/crypto';
import { binaryCodec, defaultCapabilities, type Message } from '@m2m/session';
import { jsonCodec } from '@m2m/session/json';
import { encodeCapabilities } from '@m2m/session/internal';

/** The fixed key every fuzz target decodes with. */
export const FUZZ_KEY = new Uint8Array(32).map((_, i) => i + 1);
const te = new TextEncoder();

function walk(dir: string, files: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, files);
    else if (name.endsWith('.json')) files.push(p);
  }
  return files;
}

function collectStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collectStrings(x, out);
}

/** Seeds as bytes, with the vector files they came from. */
export function loadSeeds(root = resolve(import.meta.dirname, '../..')): { seeds: Uint8Array[]; files: string[] } {
  const dirs = [join(root, 'test-vectors'), resolve(root, '../shared/vectors')].filter(existsSync);
  const files = dirs.flatMap((d) => walk(d)).filter((f) => !f.includes(`${join('test-vectors', 'tools')}`));
  const seen = new Set<string>();
  const seeds: Uint8Array[] = [];
  const add = (b: Uint8Array) => {
    if (b.length === 0 || b.length > 65536) return;
    const key = Buffer.from(b).toString('base64');
    if (seen.has(key)) return;
    seen.add(key);
    seeds.push(b);
  };
  for (const f of files) {
    const strings: string[] = [];
    try {
      collectStrings(JSON.parse(readFileSync(f, 'utf8')), strings);
    } catch {
      continue;
    }
    let taken = 0;
    for (const s of strings) {
      if (taken > 400) break; // keep big files (Wycheproof) from crowding out the rest
      if (/^([0-9a-fA-F]{2}){4,}$/.test(s)) add(new Uint8Array(Buffer.from(s, 'hex')));
      else if (s.startsWith('#') || s.startsWith('{')) add(te.encode(s));
      else continue;
      taken++;
    }
  }
  for (const s of madeHere()) add(s);
  return { seeds, files };
}

function madeHere(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const req = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Explain replay windows in two sentences, please.' }], max_tokens: 120, temperature: 0.3 });
  const res = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'A replay window remembers recent counters.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } });
  for (const json of [req, res, '{"model":"x","messages":[]}']) {
    out.push(encodeFrame(json), encodeFrame(json, { protection: hmacProtection(FUZZ_KEY) }), encodeFrame(json, { protection: aeadProtection(FUZZ_KEY) }));
    out.push(te.encode(encodeFrameText(json)), te.encode(json));
  }
  const msgs: Message[] = [
    { type: 'HELLO', timestamp: 1, payload: { kind: 'capabilities', value: defaultCapabilities({ agentId: 'fuzz' }) } },
    { type: 'DATA', sessionId: 's', timestamp: 2, payload: { kind: 'data', value: { algorithm: 'm2m', content: encodeFrameText(req), originalSize: 100, securityStatus: { scanned: true, safe: true } } } },
    // Issue 18: the binary codec's shapes with bytes: a frame as bin, a sealed control payload as bin.
    { type: 'DATA', sessionId: 's', timestamp: 2, payload: { kind: 'data', value: { algorithm: 'm2m', content: encodeFrame(req) } } },
    { type: 'PING', sessionId: 's', timestamp: 2, payload: { kind: 'data', value: { algorithm: 'm2m', content: new Uint8Array(30).fill(1) } } },
    { type: 'REJECT', timestamp: 3, payload: { kind: 'rejection', value: { code: 'SERVER_BUSY', message: 'busy', retryAfterMs: 100 } } },
    { type: 'CLOSE', sessionId: 's', timestamp: 4, payload: { kind: 'close', value: { reason: 'TIMEOUT', message: 'idle' } } },
    { type: 'AUTH', sessionId: 's', timestamp: 5, payload: { kind: 'handshake', value: { message: new Uint8Array(64) } } },
  ];
  for (const m of msgs) out.push(jsonCodec.encode(m), binaryCodec.encode(m));
  const i = new HandshakeState({ protocol: 'XX', initiator: true, s: pair() });
  const r = new HandshakeState({ protocol: 'XX', initiator: false, s: pair() });
  const m1 = i.writeMessage(encodeCapabilities(defaultCapabilities({ agentId: 'fuzz' })));
  r.readMessage(m1);
  out.push(m1, r.writeMessage(new Uint8Array(40)));
  const chain = new M2MError('Crypto', {}, { cause: new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }) });
  out.push(utf8Encode(JSON.stringify(serializeError(chain))), utf8Encode(JSON.stringify(serializeError(new M2MError('Rejected', { code: 'RATE_LIMITED', message: 'slow', retryAfterMs: 5 })))));
  return out;
}

function pair() {
  const k = KeyPair.generate();
  return { secret: k.exportSecret(), publicKey: k.publicKey };
}
