// The git-ignored folder where installed parts persist between runs, so that a second run starts in seconds.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function cacheDir(): string {
  const dir = process.env.RSDB_CACHE_DIR ?? join(projectRoot, '.cache');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function cachePath(...parts: string[]): string {
  return join(cacheDir(), ...parts);
}
