/**
 * A Node agent over WebSocket: a "summariser" agent listens, a "planner" agent connects with
 * an encrypted session, sends chat-completion requests and reads the answers.
 * Run (from the repository root; the conditions read the TypeScript sources, so no build is needed):
 * npx tsx --conditions=@m2m/source --conditions=@m2m/platform-source examples/node-agent-ws.ts
 */
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen } from '@m2m/session';

const summariser = KeyPair.generate();
const planner = KeyPair.generate();

// The summariser: answers every request with a chat completion.
const server = await listen({
  transport: 'ws',
  secure: { staticKey: summariser, verifyPeer: allowKeys([planner.publicKey]) },
  onSession: async (session) => {
    for await (const { content } of session) {
      const req = JSON.parse(content) as { model: string; messages: Array<{ content: string }> };
      const text = req.messages.at(-1)?.content ?? '';
      await session.send(JSON.stringify({ id: `chatcmpl-${Date.now()}`, object: 'chat.completion', model: req.model, choices: [{ index: 0, message: { role: 'assistant', content: `Summary: ${text.slice(0, 40)}…` }, finish_reason: 'stop' }], usage: { prompt_tokens: text.length / 4, completion_tokens: 12, total_tokens: text.length / 4 + 12 } }));
    }
  },
});

// The planner: ten lines to an encrypted conversation.
const session = await connect(server.url, { secure: { staticKey: planner, verifyPeer: allowKeys([summariser.publicKey]) } });
const replies = session[Symbol.asyncIterator]();
for (const topic of ['the Q3 incident review', 'the on-call rota change', 'the EU payment outage']) {
  await session.send(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `Summarise ${topic} for the weekly report.` }] }));
  const { value } = await replies.next();
  console.log((JSON.parse(value!.content) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content);
}
await session.close();
await server.close();
