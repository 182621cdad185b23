/**
 * `pnpm bench [section...]`: every benchmark of the SDK, each figure printed as a ratio against
 * a baseline measured in the same process. Sections: the keys of `sections` below (default: all).
 * @module
 */
import { runCodecBench } from './codec.js';
import { runCryptoBench } from './crypto.js';
import { runSessionBench } from './session.js';
import { runHandshakeBench } from './handshake.js';
import { runStartupBench } from './startup.js';
import { runLogsBench } from './logs.js';
import { runStreamBench } from './stream.js';
import { runGatewayBench } from './gateway.js';
import { runScanBench } from './scan.js';
import { runMessagesBench } from './messages.js';
import { runNatsBench } from './nats.js';

const sections: Record<string, (log: (line: string) => void) => boolean | Promise<boolean>> = {
  codec: runCodecBench,
  crypto: runCryptoBench,
  session: runSessionBench,
  handshake: runHandshakeBench,
  startup: runStartupBench,
  logs: runLogsBench,
  stream: runStreamBench,
  gateway: runGatewayBench,
  scan: runScanBench,
  messages: runMessagesBench,
  nats: runNatsBench,
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in sections));
if (unknown.length) {
  console.error(`unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}
const results: string[] = [];
for (const name of wanted.length ? wanted : Object.keys(sections)) {
  console.log(`\n== ${name} ==`);
  results.push(`${name}: ${(await sections[name]((l) => console.log(l))) ? 'targets met' : 'targets NOT met'}`);
}
console.log(`\n${results.join('\n')}`);
