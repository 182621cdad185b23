/**
 * The browser side of the browser example: the same SDK calls as on Node. The platform split
 * picks @noble crypto, brotli-wasm and the global WebSocket here.
 */
import { compress, decompress } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, dataFrame } from '@m2m/session';

declare global {
  interface Window {
    m2mResult?: Record<string, unknown>;
  }
}

const log = (line: string) => {
  const el = document.getElementById('log')!;
  el.textContent = `${el.textContent === 'connecting…' ? '' : `${el.textContent}\n`}${line}`;
};

const params = new URLSearchParams(location.search);
try {
  const session = await connect(params.get('ws')!, { secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([params.get('key')!]) } });
  log(`session ${session.id}: encrypted=${session.encrypted}, algorithm=${session.negotiated?.algorithm}`);
  const replies = session[Symbol.asyncIterator]();
  const request = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello from a browser tab. Please describe the weather in Lisbon in one long, detailed sentence.' }] });
  await session.send(request);
  const reply = (await replies.next()).value!;
  log(`reply: ${reply.content}`);
  // brotli-wasm here must read node:zlib's output and the other way round.
  const text = 'brotli from the browser '.repeat(20);
  const viaWasm = compress(text, 'brotli');
  window.m2mResult = {
    ok: true,
    encrypted: session.encrypted,
    reply: reply.content,
    frameSecurity: new TextDecoder().decode(dataFrame(reply.payload)?.subarray(0, 7)),
    wasmRoundTrip: decompress(viaWasm) === text,
    wasmText: viaWasm,
    nodeText: params.get('nodeText') ? decompress(params.get('nodeText')!) : undefined,
  };
  await session.close('CLIENT_SHUTDOWN', 'page done');
} catch (e) {
  log(`failed: ${String(e)}`);
  window.m2mResult = { ok: false, error: String(e) };
}
