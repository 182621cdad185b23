/**
 * `pnpm demo`: two agents in one process on loopback. A server agent and a client agent open
 * an encrypted session (Noise XX over WebSocket), exchange realistic chat-completion traffic,
 * and show what travels: the negotiated capabilities, each frame's readable header, sizes and
 * the encoding chosen for it (plain below 512 B or when Brotli would not shrink it, else brotli). Then three failures (a tampered frame, a replay, a REJECT) are logged as JSON and
 * decoded back into typed error chains, as an operator would read them.
 */
import { inspectFrame, isSdkError } from '@m2m/core';
import { deserializeError, formatErrorChain, serializeError } from '@m2m/core/errors';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, dataFrame, decodeMessageBinary, encodeMessageBinary, listen, Session, type DataPayload, type Transport } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';

const dim = (s: string) => (process.stdout.isTTY ? `\u001b[2m${s}\u001b[0m` : s);
const bold = (s: string) => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[0m` : s);

const conversation = [
  { model: 'gpt-4o', messages: [{ role: 'system', content: 'You are the triage agent for the payments team.' }, { role: 'user', content: 'Ticket 4411: card payments failing for EU customers since 09:12 UTC. Summarise and suggest the next step.' }], temperature: 0.2, max_tokens: 400 },
  { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Classify this log line: "ERR upstream timeout after 30000ms host=psp-eu-2"' }], response_format: { type: 'json_object' } },
  { model: 'claude-3-5-sonnet', messages: [{ role: 'system', content: 'Answer as a runbook.' }, { role: 'user', content: 'How do we fail over the EU payment service provider?' }, { role: 'assistant', content: 'Step 1: confirm the outage on the status page.' }, { role: 'user', content: 'Continue with steps 2 to 5.' }], stream: true, max_tokens: 800 },
];
const answer = (req: { model: string }, i: number) => ({
  id: `chatcmpl-demo${i}`,
  object: 'chat.completion',
  model: req.model,
  choices: [{ index: 0, message: { role: 'assistant', content: `Summary ${i + 1}: EU card payments fail because psp-eu-2 times out. Next step: fail over to psp-eu-1 and page the on-call engineer. `.repeat(3) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 180 + 40 * i, completion_tokens: 95, total_tokens: 275 + 40 * i },
});

function describe(payload: DataPayload, json: string): string {
  const frame = dataFrame(payload)!; // bytes in the binary codec (docs/PROTOCOL.md §4.2)
  const jsonBytes = Buffer.byteLength(json);
  const h = inspectFrame(frame); // headers only: no key needed, nothing decrypted
  const route = h.routing
    ? `model=${h.routing.model} messages=${h.routing.msgCount} roles=${h.routing.roles.join('/')}${h.routing.maxTokens !== null ? ` max_tokens=${h.routing.maxTokens}` : ''}`
    : `id=${h.response?.id} finish=${h.response?.finishReason} tokens=${h.response?.promptTokens}/${h.response?.completionTokens}`;
  // Sessions compress only where Brotli pays (docs/PROTOCOL.md §1): small frames travel plain.
  return `${h.schema} [${h.security}, ${h.compressed ? 'brotli' : 'plain'}] ${route}\n           ${jsonBytes} B JSON → ${frame.length} B frame (×${(jsonBytes / frame.length).toFixed(2)}, including 28 B of nonce and tag)`;
}

function logAndDecode(what: string, error: unknown): void {
  // What a service writes to its JSON log …
  const line = JSON.stringify({ level: 50, time: Date.now(), msg: what, err: serializeError(error) });
  // … and what an operator gets back from it (this is what `m2m errors decode` does).
  const back = deserializeError((JSON.parse(line) as { err: unknown }).err);
  const code = isSdkError(back) ? `${back.code}${back.retryable ? ', retryable' : ''}` : 'uncoded';
  console.log(`${bold(what)} → ${code}`);
  console.log(dim(formatErrorChain(back).replace(/^/gm, '    ')));
}

const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();

console.log(bold('== An encrypted session between two agents (Noise XX over WebSocket, loopback) =='));
const server = await listen({
  transport: 'ws',
  secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) },
  onSession: async (s) => {
    let i = 0;
    for await (const m of s) {
      console.log(`  server ← ${describe(m.payload, m.content)}`);
      await s.send(JSON.stringify(answer(JSON.parse(m.content) as { model: string }, i++)));
    }
  },
});
const client = await connect(server.url, { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } });
const n = client.negotiated!;
console.log(`session ${client.id} with ${client.peerAgentId}; server key verified ${Buffer.from(client.peerStaticKey!).toString('hex').slice(0, 16)}…`);
console.log(`negotiated: algorithm=${n.algorithm} encoding=${n.encoding} streaming=${n.streaming} threat_detection=${n.threatDetection} max_payload=${n.maxPayload || 'unlimited'}`);
console.log(`handshake hash ${Buffer.from(client.handshakeHash!).toString('hex').slice(0, 32)}…\n`);

const replies = client[Symbol.asyncIterator]();
for (const req of conversation) {
  const json = JSON.stringify(req);
  await client.send(json);
  const reply = (await replies.next()).value!;
  console.log(`  client ← ${describe(reply.payload, reply.content)}`);
}
console.log(`\n${conversation.length} requests sent by the client (${client.stats.messagesSent} messages with the handshake); every DATA frame is AEAD-encrypted, its header readable for routing.`);
await client.close('CLIENT_SHUTDOWN', 'demo finished');
await server.close();

console.log(bold('\n== Three failures, logged as JSON and decoded back =='));
/** A memory link whose client→server direction passes through `edit`. */
function tapped(edit: (bytes: Uint8Array, n: number) => Uint8Array[]): [Transport, Transport] {
  const [a, b] = memoryTransportPair();
  let n = 0;
  const wrapped: Transport = { kind: 'tap', send: async (d) => { for (const x of edit(d, n++)) await a.send(x); }, close: () => a.close(), [Symbol.asyncIterator]: () => a[Symbol.asyncIterator]() };
  return [wrapped, b];
}
async function provoke(what: string, edit: (bytes: Uint8Array, n: number) => Uint8Array[]): Promise<void> {
  const [a, b] = tapped(edit);
  const serverSide = Session.server(b, { secure: { staticKey: serverKey } });
  const c = await Session.client(a, { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } });
  const s = (await serverSide)!;
  for (let i = 0; i < 3; i++) await c.send(JSON.stringify(conversation[0])).catch(() => undefined);
  const info = await s.closed;
  logAndDecode(what, info.error);
}
// 1. A bit flipped in the ciphertext of the second DATA frame.
await provoke('tampered frame', (d) => {
  const m = decodeMessageBinary(d);
  if (m.type !== 'DATA' || m.payload?.kind !== 'data') return [d];
  const content = dataFrame(m.payload.value)!.slice();
  content[content.length - 20] ^= 0x04;
  return [encodeMessageBinary({ ...m, payload: { kind: 'data', value: { ...m.payload.value, content } } })];
});
// 2. The first DATA frame sent twice.
let replayed = false;
await provoke('replayed frame', (d) => (!replayed && decodeMessageBinary(d).type === 'DATA' && (replayed = true) ? [d, d] : [d]));
// 3. A server at capacity answers HELLO with REJECT.
const busy = await listen({ transport: 'tcp', secure: { staticKey: serverKey }, serverLimits: { maxSessions: 1, retryAfterMs: 2000 } });
const first = await connect(busy.url, { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } });
try {
  await connect(busy.url, { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } });
} catch (e) {
  logAndDecode('session refused', e);
}
await first.close();
await busy.close();
