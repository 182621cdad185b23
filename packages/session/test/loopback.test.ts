import { describe, expect, it } from 'vitest';
import { loopbackExchange } from '../../../reliability/lib/loopback.js';

// The full 200 sessions × 1,000 messages run is in `pnpm stress` (reliability/run-stress.ts).
const SESSIONS = 20;
const MESSAGES = 50;

describe(`loopback: ${SESSIONS} concurrent sessions × ${MESSAGES} messages each way`, () => {
  for (const transport of ['ws', 'tcp'] as const) {
    it(`${transport}: none lost, duplicated or reordered`, async () => {
      const { results, serverSeen, serverErrors } = await loopbackExchange(transport, SESSIONS, MESSAGES);
      expect(serverErrors).toEqual([]);
      expect(results).toEqual(Array(SESSIONS).fill(MESSAGES));
      expect([...serverSeen.values()]).toEqual(Array(SESSIONS).fill(MESSAGES));
    }, 120_000);
  }
});
