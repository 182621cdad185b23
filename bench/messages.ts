/**
 * Message decoding benchmark: the binary codec's bounded MessagePack decoder
 * (packages/session/src/codec/msgpack-decode.ts) against msgpackr's unpack, which it replaced on
 * received bytes, on the session's own messages. Ratios are medians of paired rounds. It reports
 * and sets no target yet (issue 18 will): msgpackr reads every string of a message in one native
 * call, the bounded decoder one strict decode per string longer than 16 bytes, so messages with
 * short or very long strings come out ahead and mid-sized ones somewhat behind.
 * @module
 */
import { Unpackr } from 'msgpackr';
import { compress } from '@m2m/core';
import { defaultCapabilities, encodeMessageBinary, type Message } from '@m2m/session';
import { decodeMsgpack } from '../packages/session/src/codec/msgpack-decode.js';
import { pairedRatio } from './measure.js';

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const request = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const data = (content: string): Message => ({ type: 'DATA', sessionId: 'f6c1e0d2-5b7a-4f7e-9a51-3c0d8e2b9a10', timestamp: Date.now(), payload: { kind: 'data', value: { algorithm: 'm2m', content, originalSize: request.length } } });

/** Runs the messages section. */
export function runMessagesBench(log: (line: string) => void): boolean {
  const cases: Array<[string, Uint8Array]> = [
    ['PING', encodeMessageBinary({ type: 'PING', sessionId: 's', timestamp: Date.now(), payload: { kind: 'empty' } })],
    ['DATA (bench/session.ts request)', encodeMessageBinary(data(compress(request, 'm2m')))],
    ['DATA 2 KiB', encodeMessageBinary(data(compress(JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: 12 }, (_, i) => ({ role: 'user', content: `${i}: ${request}` })) }), 'm2m')))],
    ['DATA 64 KiB', encodeMessageBinary(data('#M2M[v3.0]|DATA:' + 'QUJD'.repeat(16_384)))],
    ['HELLO', encodeMessageBinary({ type: 'HELLO', timestamp: Date.now(), payload: { kind: 'capabilities', value: defaultCapabilities() } })],
  ];
  for (const [name, bytes] of cases) {
    const r = pairedRatio(() => decodeMsgpack(bytes), () => unpackr.unpack(bytes), 15, 60);
    log(`${name.padEnd(34)} ${String(bytes.length).padStart(6)} B  bounded decoder ×${r.toFixed(2)} of msgpackr`);
  }
  return true;
}
