import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credentials } from './options.js';

export interface ResolvedCredentials {
  user: string;
  password: string | (() => Promise<string>);
}

// Secrets written with `kubectl create secret --from-file` often end with a newline that is not part of the
// value; spaces inside a password are, so only the line ending goes.
function stripLineEnding(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readSecretFile(directory: string, key: string): Promise<string> {
  const path = join(directory, key);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the credentials file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const value = stripLineEnding(text);
  if (value === '') throw new Error(`the credentials file ${path} is empty`);
  return value;
}

export async function resolveCredentials(credentials: Credentials): Promise<ResolvedCredentials> {
  if ('directory' in credentials) {
    const { directory } = credentials;
    const user = await readSecretFile(directory, 'username');
    await readSecretFile(directory, 'password');
    return { user, password: () => readSecretFile(directory, 'password') };
  }
  if (!credentials.username || typeof credentials.password !== 'string') {
    throw new TypeError('credentials need a username and a password, or a directory');
  }
  return { user: credentials.username, password: credentials.password };
}
