/**
 * A client dialing a server of another transport, or a port nobody listens on, ends quickly
 * with a Network error that says why (found by a new user trying the packed packages: an
 * upgrade to the HTTP server and a POST to the WebSocket server were held with no answer).
 */
import { createServer } from 'node:http';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { connect, listen, type Server } from '@m2m/session';
import { httpTransport } from '@m2m/session/http';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const serve = async (transport: 'ws' | 'http') => {
  const s = await listen({ transport, secure: { staticKey: KeyPair.generate() }, onSession: async () => undefined });
  servers.push(s);
  return s;
};
const secure = { staticKey: KeyPair.generate(), insecureSkipPeerVerification: true } as const;
const failure = (p: Promise<unknown>) => p.then(() => 'connected', (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`);

describe('wrong transport or port', () => {
  it('a ws:// client dialing an http listener is answered (not held) and fails with NETWORK_ERROR', async () => {
    const server = await serve('http');
    const result = await failure(connect(`ws://127.0.0.1:${server.port}`, { secure, timers: { helloTimeoutMs: 20_000 } }));
    expect(result).toMatch(/^NETWORK_ERROR: .*404/);
  }, 10_000);

  it('an http listener answers a raw WebSocket upgrade request', async () => {
    const server = await serve('http');
    const socket = net.connect(server.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    const first = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    socket.destroy();
    expect(first).toMatch(/^HTTP\/1\.1 404/);
  }, 10_000);

  it('an http:// client dialing a ws listener fails with NETWORK_ERROR naming 426 Upgrade Required', async () => {
    const server = await serve('ws');
    const result = await failure(connect(`http://127.0.0.1:${server.port}`, { transport: httpTransport, secure, timers: { helloTimeoutMs: 20_000 } }));
    expect(result).toMatch(/^NETWORK_ERROR: .*HTTP 426 Upgrade Required/);
  }, 10_000);

  it('an http:// client dialing a JSON-only /message (the Rust reference: 415) is told to use restTransport', async () => {
    // What the reference's server answers a POST without `content-type: application/json`
    // (../shared/reference/http-api.md, "415").
    const reference = createServer((req, res) => {
      req.resume();
      res.writeHead(415, { 'content-type': 'text/plain; charset=utf-8' }).end('Expected request with `Content-Type: application/json`');
    });
    const port = await new Promise<number>((r) => reference.listen(0, '127.0.0.1', () => r((reference.address() as net.AddressInfo).port)));
    try {
      const result = await failure(connect(`http://127.0.0.1:${port}`, { transport: httpTransport, secure, timers: { helloTimeoutMs: 20_000 } }));
      expect(result).toMatch(/^NETWORK_ERROR: .*HTTP 415 .*Content-Type: application\/json.*restTransport.*--transport rest/);
    } finally {
      reference.close();
    }
  }, 10_000);

  it('an http:// client dialing a closed port says why fetch failed', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    const result = await failure(connect(`http://127.0.0.1:${port}`, { transport: httpTransport, secure }));
    expect(result).toMatch(/^NETWORK_ERROR: .*ECONNREFUSED/);
  }, 10_000);
});
