// Runs before `npm test`, `npm run demo` and `npm run bench` (npm pre-scripts): installs the locked npm
// dependencies when node_modules is missing or older than package-lock.json, so that each of the README's
// commands works on a fresh clone with nothing installed by hand. Plain JavaScript: nothing is installed yet.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = readFileSync(join(root, 'package-lock.json'));
const wanted = createHash('sha256').update(lock).digest('hex');
const stamp = join(root, 'node_modules', '.rsdb-lock-sha256');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) process.exit(0);

console.log('[deps] installing locked npm dependencies (npm ci)');
const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`[deps] npm ci failed with exit code ${result.status}`);
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, wanted);
