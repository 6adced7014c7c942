// What `npm pack` puts in the published contract package, and all it makes a consumer install.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  exports: Record<string, unknown>;
};

describe('the published contract package', () => {
  it('packs the compiled contract with its types, the JSON Schema, the README and the changelog, and nothing else', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '-w', 'contract'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path).sort();
    expect(files.filter((f) => !f.startsWith('dist/'))).toEqual(['CHANGELOG.md', 'README.md', 'package.json', 'topology.schema.json']);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/schema.js', 'dist/environment.js']));
    expect(files.filter((f) => /\.test\.|testing/.test(f))).toEqual([]);
  });

  it('depends on zod only and exports its entry point and the JSON Schema', () => {
    expect(Object.keys(manifest.dependencies)).toEqual(['zod']);
    expect(Object.keys(manifest.exports)).toEqual(['.', './topology.schema.json']);
  });
});
