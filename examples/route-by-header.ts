/**
 * Routing by header without decrypting: a router holds no key, reads each AEAD frame's
 * readable header (model, roles, max_tokens, cost estimate) and picks a backend. The header is
 * authenticated as associated data, so a router that edits it breaks the frame.
 */
import { decodeFrame, encodeFrame, inspectFrame } from '@m2m/core';
import { aeadProtection, randomBytes } from '@m2m/crypto';

const key = randomBytes(32); // shared by the two agents, never by the router
const sender = aeadProtection(key);
const frames = [
  { model: 'gpt-4o', messages: [{ role: 'user', content: 'Draft the customer apology email.' }], max_tokens: 600 },
  { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Is this spam? "WIN A PRIZE"' }], max_tokens: 5 },
  { model: 'llama-3.1-70b', messages: [{ role: 'system', content: 'Be exact.' }, { role: 'user', content: 'Convert 12 miles to km.' }] },
].map((r) => encodeFrame(JSON.stringify(r), { protection: sender }));

function route(frame: Uint8Array): string {
  const h = inspectFrame(frame); // no key, no decryption, no decompression
  const r = h.routing!;
  if (r.model.startsWith('llama')) return 'self-hosted-pool';
  return (r.maxTokens ?? 0) > 100 ? 'premium-pool' : 'cheap-pool';
}

for (const f of frames) {
  const h = inspectFrame(f).routing!;
  console.log(`${h.model.padEnd(14)} max_tokens=${String(h.maxTokens ?? '-').padEnd(4)} cost≈$${h.estCostUsd?.toFixed(5)} → ${route(f)}`);
}
// The receiving agent decrypts as usual; a router that altered the header would make this throw.
console.log(`delivered: ${JSON.parse(decodeFrame(frames[0], { protection: aeadProtection(key) }).payload).model}`);
const edited = frames[0].slice();
edited[40] ^= 1; // inside the header (the model name)
try {
  decodeFrame(edited, { protection: aeadProtection(key) });
} catch (e) {
  console.log(`edited header rejected: ${(e as Error).message}`);
}
