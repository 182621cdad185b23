/**
 * Talking to a Rust m2m-protocol (0.4.0) peer: sessions use the reference's `json` codec, and
 * frames are protected with a pre-shared key (the reference has no key exchange). Here our own
 * server plays the Rust side so the example runs anywhere; point `connect` at a Rust agent's
 * HTTP `/message` endpoint (`http://host:port`) to talk to the real thing.
 */
import { aeadProtection, randomBytes } from '@m2m/crypto';
import { connect, listen } from '@m2m/session';

const preShared = randomBytes(32); // distributed out of band, as the reference expects
const frames = aeadProtection(preShared);

const rustLike = await listen({
  transport: 'http', // the reference's server carries one message per POST /message
  codec: 'json',
  protection: frames,
  onSession: async (s) => {
    for await (const m of s) await s.send(m.content);
  },
});

const session = await connect(rustLike.url, { codec: 'json', protection: frames });
console.log(`codec=${session.codec} algorithm=${session.negotiated?.algorithm} (Rust peers read this JSON byte for byte)`);
const replies = session[Symbol.asyncIterator]();
await session.send('{"model":"gpt-4o","messages":[{"role":"user","content":"ping from TypeScript"}]}');
const reply = (await replies.next()).value!;
console.log(`DATA content on the wire starts ${reply.payload.content.slice(0, 24)}… (AEAD frame under the pre-shared key)`);
console.log(`echo: ${reply.content}`);
await session.close();
await rustLike.close();
