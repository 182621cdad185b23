/**
 * Attack on `server.close()` waiting for handshakes whose HELLO was accepted (listen.node.ts):
 * an encrypted client that sends its HELLO and never its AUTH (here: a proxy drops everything
 * after the first message) must not hold shutdown past the handshake deadline.
 */
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen } from '../src/index.js';

/** A TCP proxy to `port` that forwards the client's first length-prefixed message only, and everything back. */
async function helloOnlyProxy(port: number): Promise<{ url: string; close: () => void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.push(client, upstream);
    let forwarded = 0;
    let first = -1;
    client.on('data', (chunk: Buffer) => {
      if (first < 0 && chunk.length >= 4) first = 4 + chunk.readUInt32BE(0);
      const room = Math.max(0, first - forwarded);
      if (room > 0) upstream.write(chunk.subarray(0, room));
      forwarded += Math.min(room, chunk.length);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

describe('server.close() and a client that stops after its HELLO', () => {
  it('tcp XX: close() resolves within the handshake deadline, not later', async () => {
    const handshakeTimeoutMs = 600;
    const serverKey = KeyPair.generate();
    const clientKey = KeyPair.generate();
    const server = await listen({ transport: 'tcp', secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) }, serverLimits: { handshakeTimeoutMs } });
    const proxy = await helloOnlyProxy(Number(new URL(server.url).port));
    try {
      // connect resolves once AUTH is sent (which the proxy drops): the server holds an admitted handshake.
      const client = await connect(proxy.url, { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await server.close();
      const took = Date.now() - started;
      expect(took).toBeLessThan(handshakeTimeoutMs + 1500);
      if (client && typeof (client as { close?: unknown }).close === 'function') await (client as { close: () => Promise<unknown> }).close().catch(() => undefined);
    } finally {
      proxy.close();
      await server.close();
    }
  }, 10_000);
});
