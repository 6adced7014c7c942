import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IamTokenSource, loadRdsSigner, type TokenSigner } from './iam-auth.js';
import type { Credentials } from './options.js';

export type ResolvedCredentials =
  | { user: string; password: string | (() => Promise<string>) }
  /** IAM authentication: each endpoint has its own token, signed for its host and port. */
  | { user: string; passwordFor: (host: string, port: number) => () => Promise<string> };

/** The password setting of node-postgres for connections to one endpoint. */
export function passwordFor(credentials: ResolvedCredentials, host: string, port: number): string | (() => Promise<string>) {
  return 'passwordFor' in credentials ? credentials.passwordFor(host, port) : credentials.password;
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

export async function resolveCredentials(credentials: Credentials, loadSigner: () => Promise<TokenSigner> = loadRdsSigner): Promise<ResolvedCredentials> {
  if ('iam' in credentials) {
    const { iam } = credentials;
    if (!iam.region || !iam.username) throw new TypeError('credentials.iam needs a region and a username');
    const tokens = new IamTokenSource(iam, await loadSigner());
    return { user: iam.username, passwordFor: (host, port) => tokens.passwordFor(host, port) };
  }
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
