/**
 * `m2m frame encode|decode|inspect`.
 * @module
 */
import { decodeFrame, encodeFrame, encodeFrameText, frameTextToBytes, fromHex, inspectFrame, M2MError, requestFlagNames, responseFlagNames, toHex, type FrameHeader, type FrameProtection } from '@m2m/core';
import { aeadProtection, hmacProtection } from '@m2m/crypto';
import { parse } from '../args.js';
import { paint, readInput, toJson, type Io } from '../io.js';

const OPTIONS = { json: { type: 'boolean' }, text: { type: 'boolean' }, key: { type: 'string' }, mode: { type: 'string' } } as const;

/** A frame given as hex or the `#M2M|1|` text form. */
export function frameBytes(input: string): Uint8Array {
  const t = input.trim();
  if (t.startsWith('#M2M|1|')) return frameTextToBytes(t);
  if (!/^([0-9a-fA-F]{2})+$/.test(t)) throw new M2MError('Config', { reason: 'a frame is hex or #M2M|1| text' });
  return fromHex(t);
}

function protection(key: string | undefined, mode: string | undefined): FrameProtection | undefined {
  if (key === undefined) {
    if (mode !== undefined && mode !== 'none') throw new M2MError('Config', { reason: `--mode ${mode} needs --key HEX` });
    return undefined;
  }
  if (!/^([0-9a-fA-F]{2})+$/.test(key)) throw new M2MError('Config', { reason: '--key must be hex (a 32-byte key is 64 hex characters)' });
  const k = fromHex(key);
  if ((mode ?? 'aead') === 'aead') return aeadProtection(k);
  if (mode === 'hmac') return hmacProtection(k);
  throw new M2MError('Config', { reason: `--mode must be hmac or aead, not ${mode}` });
}

/** Readable header lines. */
export function describeHeader(io: Io, h: FrameHeader, frameLength?: number): string[] {
  const lines = [`${paint(io, 'bold', h.schema)} frame, security ${h.security}${h.compressed ? ', payload Brotli-compressed' : ''}${frameLength !== undefined ? `, ${frameLength} bytes` : ''}`];
  if (h.routing) {
    const r = h.routing;
    lines.push(`  model ${r.model || '(none)'}, ${r.msgCount} messages [${r.roles.join(', ')}], ~${r.contentHint} content bytes${r.maxTokens !== null ? `, max_tokens ${r.maxTokens}` : ''}${r.estCostUsd !== null ? `, est. $${r.estCostUsd.toPrecision(3)}` : ''}`);
    const flags = requestFlagNames(h.flags);
    if (flags.length) lines.push(`  flags ${flags.join(' ')}`);
  }
  if (h.response) {
    const r = h.response;
    lines.push(`  id ${r.id || '(none)'}, model ${r.model || '(none)'}, finish ${r.finishReason}, tokens ${r.promptTokens} in / ${r.completionTokens} out${r.estCostUsd !== null ? `, est. $${r.estCostUsd.toPrecision(3)}` : ''}`);
    const flags = responseFlagNames(h.flags);
    if (flags.length) lines.push(`  flags ${flags.join(' ')}`);
  }
  return lines;
}

/** Runs `frame <sub>`; returns the exit code. */
export function frameCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, OPTIONS, 2);
  const [sub, input] = positionals;
  const prot = protection(values.key, values.mode);
  if (sub === 'encode') {
    const json = readInput(io, input, 'JSON');
    if (values.text) {
      io.out(encodeFrameText(json, { protection: prot }));
      return 0;
    }
    const frame = encodeFrame(json, { protection: prot });
    if (values.json) io.out(toJson({ hex: toHex(frame), bytes: frame.length, jsonBytes: Buffer.byteLength(json), header: inspectFrame(frame) }));
    else io.out(toHex(frame));
    return 0;
  }
  if (sub === 'decode') {
    const frame = frameBytes(readInput(io, input, 'frame'));
    if (!prot) {
      // Without a key a protected frame would fail deep in the payload checks; say what is missing.
      const security = inspectFrame(frame).security;
      if (security !== 'none') throw new M2MError('Config', { reason: `this frame is protected (${security}): pass --key HEX${security === 'hmac' ? ' --mode hmac' : ''}` });
    }
    const { header, payload } = decodeFrame(frame, prot ? { protection: prot } : { minSecurity: 'none' });
    if (values.json) io.out(toJson({ header, payload }));
    else {
      for (const l of describeHeader(io, header, frame.length)) io.err(l);
      io.out(payload);
    }
    return 0;
  }
  if (sub === 'inspect') {
    const frame = frameBytes(readInput(io, input, 'frame'));
    const header = inspectFrame(frame);
    if (values.json) io.out(toJson(header));
    else for (const l of describeHeader(io, header, frame.length)) io.out(l);
    return 0;
  }
  throw new M2MError('Config', { reason: 'usage: m2m frame encode|decode|inspect INPUT [--json] [--key HEX --mode aead|hmac] [--text]' });
}
