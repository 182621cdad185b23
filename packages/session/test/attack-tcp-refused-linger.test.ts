/**
 * Attack on the TCP oversize refusal (transport/tcp.ts `#refuseMessage`: the socket lingers up to
 * 2 s so that a session can still send CLOSE ERROR). A connection whose first message (its HELLO)
 * is refused for its size must stay counted in `maxPendingHandshakes` until its socket is gone,
 * as a connection with a malformed HELLO does (its graceful close is awaited by the handshake):
 * otherwise every 4-byte oversize prefix holds a server socket for 2 s outside that bound, and a
 * client opening connections fast holds as many as it likes.
 */
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen } from '../src/index.js';

/**
 * Opens a socket that keeps its own side open (as an attacker does), sends `bytes`, and resolves
 * with the ms until the server's socket was gone (a reset on the next write), or `cap`.
 */
function heldFor(port: number, bytes: Uint8Array, cap: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let done = false;
    const poke = setInterval(() => s.writable && s.write(Uint8Array.of(0)), 20);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(t);
      clearInterval(poke);
      s.destroy();
      resolve(Date.now() - started);
    };
    const t = setTimeout(finish, cap);
    s.on('connect', () => s.write(bytes));
    s.on('data', () => undefined);
    s.on('end', () => undefined);
    s.on('error', finish);
    s.on('close', finish);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tcp: connections refused at their first message stay within maxPendingHandshakes', () => {
  for (const [name, bytes] of [
    ['a malformed HELLO', Uint8Array.of(0, 0, 0, 2, 0xff, 0xff)],
    ['an oversize HELLO (1 MiB declared)', Uint8Array.of(0x00, 0x10, 0x00, 0x00)],
  ] as const) {
    it(`${name}: at most maxPendingHandshakes sockets are held`, async () => {
      const maxPendingHandshakes = 2;
      const server = await listen({ transport: 'tcp', serverLimits: { maxPendingHandshakes } });
      try {
        const port = Number(new URL(server.url).port);
        const held: Array<Promise<number>> = [];
        for (let i = 0; i < 6; i++) {
          held.push(heldFor(port, bytes, 1500));
          await sleep(40);
        }
        const times = await Promise.all(held);
        // Older ones are evicted by newer arrivals; only the last few may still be held at the cap.
        expect(times.filter((ms) => ms >= 1000).length, String(times)).toBeLessThanOrEqual(maxPendingHandshakes);
      } finally {
        await server.close();
      }
    }, 10_000);
  }
});
