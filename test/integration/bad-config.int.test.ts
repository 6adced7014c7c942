// The operator's own process (main.ts) given settings it cannot run with: it exits with code 2, like a bad command
// line, before it touches the cluster, and says which setting is wrong.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../operator/src/main.ts', import.meta.url));

function run(env: Record<string, string>) {
  // Only what the test sets, and PATH: nothing of this machine's AWS or Kubernetes settings.
  return spawnSync(process.execPath, ['--import', 'tsx', main], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('the operator process with settings it cannot run with', () => {
  it('exits with 2 and names a malformed interval', () => {
    const result = run({ AWS_REGION: 'us-east-1', RESYNC_STEADY: 'often' });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/RESYNC_STEADY|resync-steady/);
  });

  it('exits with 2 and asks for the region when none is set', () => {
    const result = run({});
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain('AWS region');
  });
});
