/**
 * Many tiny messages in one TCP read: the reader takes messages out of the received bytes only
 * while the inbox has room, so a chunk of thousands of 5-byte messages is not turned into
 * thousands of message objects at once (each costs far more than its bytes, and the byte
 * accounting counts only the bytes).
 */
import * as net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { ConnectionAccount } from '../src/transport/budget.js';
import { TcpTransport } from '../src/transport/tcp.js';

/** Counts the messages the transport took out of the byte stream (each gives back its 4-byte prefix). */
class CountingAccount extends ConnectionAccount {
  taken = 0;
  override release(n: number): void {
    if (n === 4) this.taken++;
    super.release(n);
  }
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

it('holds at most the inbox capacity of tiny messages, then delivers the rest in order as it is read, up to the end the peer sent', async () => {
  const account = new CountingAccount(undefined);
  let server!: TcpTransport;
  const accepted = new Promise<void>((resolve) => {
    const srv = net.createServer((s) => {
      server = new TcpTransport(s, { highWaterMark: 8 }, account);
      resolve();
    });
    cleanup.push(() => srv.close());
    srv.listen(0, '127.0.0.1');
    srv.once('listening', () => {
      const { port } = srv.address() as net.AddressInfo;
      const client = net.connect(port, '127.0.0.1', () => {
        const count = 4000;
        const body = Buffer.alloc(count * 5);
        for (let i = 0; i < count; i++) {
          body.writeUInt32BE(1, i * 5);
          body[i * 5 + 4] = i & 0xff;
        }
        client.end(body); // and the FIN right behind: nothing held back may be lost
      });
      cleanup.push(() => client.destroy());
    });
  });
  await accepted;
  await new Promise((r) => setTimeout(r, 200));
  // Nobody read yet: only what the inbox holds was made into messages (8, plus one in flight).
  expect(account.taken).toBeLessThanOrEqual(9);
  let n = 0;
  for await (const m of server) {
    expect(m.length).toBe(1);
    expect(m[0]).toBe(n & 0xff);
    n++;
  }
  expect(n).toBe(4000);
  expect(account.taken).toBe(4000);
});
