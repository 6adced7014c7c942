import { defineConfig } from 'vitest/config';

// Two layers: `unit` is pure logic with no I/O and runs in seconds; `integration` runs against the real
// servers that test/env/global-setup.ts starts once per run (kube-apiserver + etcd, moto, PostgreSQL).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'operator/**/*.test.ts',
            'controller-runtime/**/*.test.ts',
            'contract/**/*.test.ts',
            'client/**/*.test.ts',
            'scripts/**/*.test.ts',
            'test/unit/**/*.test.ts',
            'test/env/**/*.test.ts',
            'test/faults/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['test/env/global-setup.ts'],
          setupFiles: ['test/env/per-file-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // Test files share one control plane, one emulator and one PostgreSQL cluster; they run one at a time
          // so their resets do not interfere.
          fileParallelism: false,
        },
      },
    ],
  },
});
