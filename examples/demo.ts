/**
 * `pnpm demo`: encodes chat traffic as M2M frames (plain, HMAC and AEAD), shows each frame's
 * readable header and compression, runs a Noise XX handshake, then provokes failures and
 * decodes their error chains back from JSON logs.
 */
import { decodeFrame, deserializeError, encodeFrame, formatErrorChain, inspectFrame, serializeError } from '@m2m/core';
import { HandshakeState, aeadProtection, generateNoiseKeyPair, randomBytes } from '@m2m/crypto';

const requests = [
  { model: 'gpt-4o', messages: [{ role: 'system', content: 'You are a routing agent.' }, { role: 'user', content: 'Summarise the incident report for ticket 4411 in three bullet points.' }], temperature: 0.2, max_tokens: 400 },
  { id: 'chatcmpl-9x', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: '- Disk filled on db-2\n- Writes failed for 12 minutes\n- Alert threshold lowered' }, finish_reason: 'stop' }], usage: { prompt_tokens: 812, completion_tokens: 41, total_tokens: 853 } },
];

console.log('== Noise XX handshake (the encrypted-session key exchange) ==');
const client = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
const server = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
server.readMessage(client.writeMessage());
client.readMessage(server.writeMessage(new TextEncoder().encode('{"algorithms":["m2m","brotli"]}')));
server.readMessage(client.writeMessage());
console.log(`handshake hash ${Buffer.from(client.handshakeHash).toString('hex').slice(0, 32)}... (both sides agree: ${Buffer.from(client.handshakeHash).equals(Buffer.from(server.handshakeHash))})`);

const key = randomBytes(32);
const protection = aeadProtection(key);
console.log('\n== Frames ==');
for (const r of requests) {
  const json = JSON.stringify(r);
  const frame = encodeFrame(json, { protection });
  const h = inspectFrame(frame);
  const route = h.routing ? `model=${h.routing.model} roles=${h.routing.roles.join(',')} max_tokens=${h.routing.maxTokens}` : `id=${h.response?.id} finish=${h.response?.finishReason} tokens=${h.response?.promptTokens}/${h.response?.completionTokens}`;
  console.log(`${h.schema} [${h.security}] ${route}: ${json.length} B JSON -> ${frame.length} B frame (${(json.length / frame.length).toFixed(2)}x incl. 28 B of AEAD)`);
  console.log(`  decoded back equal: ${decodeFrame(frame, { protection }).payload === json}`);
}

console.log('\n== Failures, logged as JSON and decoded back ==');
const frame = encodeFrame(JSON.stringify(requests[0]), { protection });
const tampered = frame.slice();
tampered[tampered.length - 3] ^= 0x01;
const downgraded = frame.slice();
downgraded[10] = 0;
for (const [what, bytes] of [['tampered frame', tampered], ['security downgrade', downgraded], ['wrong key', frame]] as const) {
  try {
    decodeFrame(bytes, { protection: what === 'wrong key' ? aeadProtection(randomBytes(32)) : protection });
  } catch (e) {
    const line = JSON.stringify({ level: 'error', msg: what, err: serializeError(e) });
    const back = deserializeError(JSON.parse(line).err) as Error & { code: string; retryable: boolean };
    console.log(`${what}: ${back.code} (retryable: ${back.retryable})\n${formatErrorChain(back).replace(/^/gm, '  ')}`);
  }
}
