import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@m2m/source', '@m2m/platform-source'] },
  ssr: { resolve: { conditions: ['@m2m/source', '@m2m/platform-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'test-vectors/**/*.test.ts', 'reliability/**/*.test.ts'],
    testTimeout: 30_000,
    // vitest runs one worker per core less one: a single file at a time here. Most of the suite
    // waits on sockets, timers and child processes, so two files at a time fit two cores.
    maxWorkers: 2,
    // Builds the m2m command once for the tests that spawn it (inject('m2mBin')).
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    // Only the type tests and what they import (`pnpm typecheck` checks the whole tree).
    typecheck: { enabled: true, tsconfig: './tsconfig.type-tests.json', include: ['packages/*/test/**/*.test-d.ts'] },
  },
});
