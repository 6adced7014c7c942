// Debian packages the test environment needs, installed on demand so that a fresh machine needs no manual step.
import { run } from './process.js';

let updated = false;

export async function aptInstall(part: string, packages: string[], logFile: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(`test environment: ${part}: needs Debian packages ${packages.join(' ')}; install them or run as root`);
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    await run('apt-get', ['update', '-q'], { part, step: 'apt-get update', logFile, env });
    updated = true;
  }
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
    part,
    step: `apt-get install ${packages.join(' ')}`,
    logFile,
    env,
  });
}
