import { describe, expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, defaultCapabilities, listen, type Server } from '@m2m/session';
import { agentSubject } from '@m2m/session/nats';
import { runNatsFailover, runNatsPool } from '../../../reliability/lib/nats-pool.js';
import { freePort, natsServerPath, startNatsCluster } from './fixtures/nats-server.js';

const bin = natsServerPath();
if (!bin) console.warn('nats-cluster.test.ts skipped: nats-server is not installed (apt-get install nats-server)');

// Small counts here; `pnpm stress:nats` runs the full size (300 sessions × 100 messages).
describe.skipIf(!bin)('server pool over a 3-node NATS cluster', () => {
  it('spreads XX sessions over three instances; every message arrives once, in order, both ways', async () => {
    const r = await runNatsPool({ sessions: 30, messages: 10 });
    expect({ lost: r.lost, duplicated: r.duplicated, reordered: r.reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
    expect(r.delivered).toBe(300);
    expect(r.perServer.reduce((a, b) => a + b, 0)).toBe(30);
    for (const n of r.perServer) expect(n).toBeGreaterThan(0);
    // The queue group picks across the cluster: some sessions' frames cross the routes.
    expect(r.crossNode).toBeGreaterThan(0);
  }, 60_000);

  it('killing one server process ends its sessions with a typed error; they reconnect to the others and nothing is lost', async () => {
    // 24 sessions, so that the queue group gives the killed instance some (all miss it with p ≈ 6e-5).
    const r = await runNatsFailover({ sessions: 24, messages: 20, spreadMs: 2500, killAtMs: 1000 });
    expect({ lost: r.lost, duplicated: r.duplicated, reordered: r.reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
    expect(r.delivered).toBe(24 * 20);
    // The clients of the killed instance failed over; the others never failed.
    expect(r.failedSessions).toBeGreaterThan(0);
    expect(r.reconnects).toBe(r.failedSessions);
    expect(r.survivorFailures).toBe(0);
    for (const code of Object.keys(r.errorCodes)) expect(code).toMatch(/NETWORK_ERROR|SESSION_CLOSED/);
    // Detected through no-responders probes well before the PING/PONG timeout (3 × 60 s).
    expect(r.detectMs).toBeLessThan(10_000);
    expect(r.resent).toBeGreaterThanOrEqual(0);
  }, 90_000);

  it('finds an agent by its AgentId wherever it runs: nats://any-node/agent.<id>', async () => {
    const cluster = await startNatsCluster(2);
    const client = KeyPair.generate();
    const agents = { 'alice-1': KeyPair.generate(), bob_2: KeyPair.generate() };
    const servers: Server[] = [];
    try {
      let node = 0;
      for (const [id, key] of Object.entries(agents)) {
        servers.push(await listen({
          transport: 'nats', servers: cluster.nodes[node++].address, subject: agentSubject(id), capabilities: defaultCapabilities({ agentId: id }),
          secure: { pattern: 'XX', staticKey: key, verifyPeer: allowKeys([client.publicKey]) },
          onSession: (s) => void (async () => {
            for await (const m of s) await s.send(m.content);
          })().catch(() => undefined),
        }));
      }
      // From either node, each agent's subject reaches that agent (its key and its AgentId).
      for (const n of cluster.nodes) {
        for (const [id, key] of Object.entries(agents)) {
          const s = await connect(`nats://${n.address}/${agentSubject(id)}`, { secure: { pattern: 'XX', staticKey: client, verifyPeer: allowKeys([key.publicKey]) }, signal: AbortSignal.timeout(10_000) });
          expect(s.peerAgentId).toBe(id);
          await s.send('{"ping":1}');
          const echo = await s[Symbol.asyncIterator]().next();
          expect(echo.value?.content).toBe('{"ping":1}');
          await s.close();
        }
      }
      // A list of servers: a dead one is skipped.
      const dead = await freePort();
      const s = await connect(`nats://127.0.0.1:${dead},${cluster.nodes[1].address}/${agentSubject('bob_2')}`, { secure: { pattern: 'XX', staticKey: client, verifyPeer: allowKeys([agents.bob_2.publicKey]) }, signal: AbortSignal.timeout(10_000) });
      expect(s.peerAgentId).toBe('bob_2');
      await s.close();
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await cluster.stop();
    }
  });
});
