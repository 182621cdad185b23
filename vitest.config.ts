import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@m2m/source', '@m2m/platform-source'] },
  ssr: { resolve: { conditions: ['@m2m/source', '@m2m/platform-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'test-vectors/**/*.test.ts', 'reliability/**/*.test.ts'],
    testTimeout: 30_000,
    typecheck: { enabled: true, tsconfig: './tsconfig.typecheck.json', include: ['packages/*/test/**/*.test-d.ts'] },
  },
});
