// What `npm pack` puts in the published package, and the dependency contract a consumer installs against.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;

describe('the published client package', () => {
  it('packs the compiled library, its types, the JSON Schema, the README and the changelog, and nothing else', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '-w', 'client'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const expected of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'topology.schema.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/tls.js',
      'dist/iam-auth.js',
    ]) {
      expect(files, expected).toContain(expected);
    }
    expect(files.filter((f) => !f.startsWith('dist/'))).toEqual(expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'topology.schema.json']));
    expect(files.filter((f) => !f.startsWith('dist/'))).toHaveLength(4);
    expect(files.filter((f) => /\.test\.|^src\/|^test\//.test(f))).toEqual([]);
  });

  it('lets the application bring pg (and optionally the RDS signer and prom-client), ships the pg types, and needs a Node that can require() ES modules', () => {
    expect(manifest.peerDependencies).toMatchObject({
      pg: expect.stringMatching(/^\^8\./),
      '@aws-sdk/rds-signer': expect.any(String),
      'prom-client': expect.stringMatching(/^\^15\./),
    });
    expect(manifest.peerDependenciesMeta).toEqual({ '@aws-sdk/rds-signer': { optional: true }, 'prom-client': { optional: true } });
    expect(manifest.dependencies).toHaveProperty('@types/pg');
    expect(manifest.dependencies).not.toHaveProperty('pg');
    expect(manifest.devDependencies).toHaveProperty('pg');
    expect(manifest.engines).toEqual({ node: '>=20.19' });
    expect(manifest.scripts).toHaveProperty('prepack');
  });

  it('asks no less of Node than the contract package it installs with, and the repository asks the same', () => {
    const engines = (path: string) => (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { engines?: unknown }).engines;
    // The contract is ES modules too: a CommonJS consumer require()s it through the client.
    expect(engines('../../contract/package.json')).toEqual(manifest.engines);
    expect(engines('../../package.json')).toEqual(manifest.engines);
  });
});
