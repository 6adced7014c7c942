import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../test/temp-dir.js';
import { resolveCredentials } from './credentials.js';

describe('resolveCredentials', () => {
  const dir = useTempDir('rsdb-creds-');

  it('passes a username and password through', async () => {
    expect(await resolveCredentials({ username: 'servio', password: 'p w' })).toEqual({ user: 'servio', password: 'p w' });
  });

  it('reads a mounted Secret, dropping one trailing newline, and re-reads the password after rotation', async () => {
    await writeFile(join(dir(), 'username'), 'servio\n');
    await writeFile(join(dir(), 'password'), ' first secret \n');
    const creds = await resolveCredentials({ directory: dir() });
    expect(creds.user).toBe('servio');
    if (!('password' in creds) || typeof creds.password !== 'function') throw new Error('expected a password function');
    expect(await creds.password()).toBe(' first secret ');
    await writeFile(join(dir(), 'password'), 'rotated');
    expect(await creds.password()).toBe('rotated');
  });

  it('fails at start-up, naming the file, when a key is missing or empty', async () => {
    await writeFile(join(dir(), 'username'), 'servio');
    await expect(resolveCredentials({ directory: dir() })).rejects.toThrow(join(dir(), 'password'));
    await writeFile(join(dir(), 'password'), '\n');
    await expect(resolveCredentials({ directory: dir() })).rejects.toThrow(/is empty/);
  });

  it('rejects an empty username', async () => {
    await expect(resolveCredentials({ username: '', password: 'x' })).rejects.toThrow(TypeError);
  });
});
