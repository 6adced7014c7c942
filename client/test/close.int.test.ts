import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './temp-dir.js';
import { cluster, clusterTopology } from './support.js';

const CHILD = fileURLToPath(new URL('./child/router-lifecycle.ts', import.meta.url));
const EXIT_TIMEOUT_MS = 20_000;

describe('close()', () => {
  const pgc = cluster();
  const dir = useTempDir('rsdb-close-', 'all');

  it('leaves nothing open: a process that used and closed a router exits on its own', async () => {
    const config = { topology: clusterTopology(pgc), username: pgc.user, password: pgc.password, dir: dir() };
    const outcome = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', CHILD],
        { env: { ...process.env, ROUTER_CHILD_CONFIG: JSON.stringify(config) }, timeout: EXIT_TIMEOUT_MS, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, signal: err?.signal ?? null, stdout, stderr }),
      );
    });
    // Killed by the timeout means something kept the event loop alive after close().
    expect(outcome.signal, outcome.stderr).toBeNull();
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).not.toMatch(/router error/);
    expect(JSON.parse(outcome.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ closed: true, leftovers: [] });
  });
});
