import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

// Lives in test/ so the top level stays package.json, tsconfig.json, src, config, systemd,
// scripts, test (+ README, LICENSE, .ci, bench results). Run with --config test/vitest.config.mts.
export default defineConfig({
  root: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
