/**
 * The XX case of bench/handshake.ts alone, for a CPU profile (issue 18: where a handshake's time
 * goes besides X25519):
 *
 * ```sh
 * N=3000 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx \
 *   --conditions=@m2m/source --conditions=@m2m/platform-source bench/profile-handshake.ts
 * ```
 *
 * Open the `.cpuprofile` in Chrome DevTools or VS Code (the larger file is the main thread;
 * module loading shows in it too). The first `WARMUP` handshakes (default 3,000) run before the
 * timed ones: a session's cost settles only after a few thousand (bench/handshake.ts, warmUp).
 * With `PROFILE=file.cpuprofile` (and no `--cpu-prof`) only the timed handshakes are profiled,
 * through the inspector, sampled every 50 µs: no module loading or warm-up in the profile
 * (native leaves may then show under another native function's name; read them inclusively).
 * Native time (libsodium, N-API, V8's runtime) is attributed better by Linux `perf` than by V8's
 * sampler, which also inflated JavaScript about 2× here:
 * `perf record -g -e cpu-clock -- node --perf-basic-prof --import tsx --conditions=… bench/profile-handshake.ts`
 * then `perf script` (stacks through JIT frames; the eighth round in the notes used it).
 * `PART=noise` profiles Noise alone (HandshakeState ×2, Split, as the bench's "Noise alone") and
 * `PART=plain` a plaintext session handshake, so a session's cost can be split into Noise, the
 * machinery every session has, and what only encrypted sessions add (default `PART=session`).
 * Findings: docs/ARCHITECTURE.md, Performance notes.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { Session as Inspector } from 'node:inspector/promises';
import { generateNoiseKeyPair, KeyPair } from '@m2m/crypto';
import { Session } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';
import { noiseXx } from './handshake.js';

const N = Number(process.env.N ?? 3000);
const WARMUP = Number(process.env.WARMUP ?? 3000);
const PART = process.env.PART ?? 'session';
const client = KeyPair.generate();
const server = KeyPair.generate();
const si = generateNoiseKeyPair();
const sr = generateNoiseKeyPair();
const parts: Record<string, () => Promise<void>> = {
  session: async () => {
    const [x, y] = memoryTransportPair();
    const sp = Session.server(y, { secure: { pattern: 'XX', staticKey: server } });
    const c = await Session.client(x, { secure: { pattern: 'XX', staticKey: client, remoteStaticKey: server.publicKey } });
    await sp;
    await c.transport.close();
  },
  plain: async () => {
    const [x, y] = memoryTransportPair();
    const sp = Session.server(y);
    const c = await Session.client(x);
    await sp;
    await c.transport.close();
  },
  noise: async () => noiseXx(si, sr)(),
};
if (!(PART in parts)) {
  console.error(`PART must be one of ${Object.keys(parts).join(', ')}`);
  process.exit(2);
}
const once = parts[PART];
for (let i = 0; i < WARMUP; i++) await once();
const profileTo = process.env.PROFILE;
const inspector = profileTo ? new Inspector() : undefined;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 50 });
  await inspector.post('Profiler.start');
}
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) await once();
const cpu = process.cpuUsage(c0);
if (inspector && profileTo) {
  const { profile } = await inspector.post('Profiler.stop');
  writeFileSync(profileTo, JSON.stringify(profile));
  inspector.disconnect();
}
console.log(`${N} ${PART === 'plain' ? 'plaintext' : PART === 'noise' ? 'Noise-alone XX' : 'XX'} handshakes: ${(N / ((performance.now() - t0) / 1000)).toFixed(0)}/s, ${((cpu.user + cpu.system) / N).toFixed(0)} µs of CPU each (all threads)`);
