// RDS IAM database authentication: a short-lived token signed with the application's AWS credentials takes the
// place of the password. A token is valid for 15 minutes and is only checked when a connection opens, so each
// endpoint keeps one and signs a new one well before it expires.
import { now as monotonicNow } from './clock.js';

/** RDS accepts a token for 15 minutes after it was signed. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Signed again this long after the last one: a third of the lifetime spare covers slow clocks and retries. */
export const TOKEN_REFRESH_AFTER_MS = 10 * 60_000;

export interface IamAuthOptions {
  /** AWS Region of the instances, e.g. us-east-1. */
  region: string;
  /** The database user, created with GRANT rds_iam. */
  username: string;
  /** AWS credentials; default: the SDK's default chain (IRSA / Pod Identity in a pod, the environment, ...). */
  credentials?: unknown;
}

/** Signs one token for one endpoint; the default is @aws-sdk/rds-signer's Signer. */
export type TokenSigner = (endpoint: { host: string; port: number; username: string; region: string; credentials?: unknown }) => Promise<string>;

const SIGNER_PACKAGE = '@aws-sdk/rds-signer';

/** Loads @aws-sdk/rds-signer only when IAM authentication is used: it is an optional peer dependency, so
 * applications that sign in with a password do not install the AWS SDK. */
export async function loadRdsSigner(): Promise<TokenSigner> {
  let module: { Signer: new (config: Record<string, unknown>) => { getAuthToken(): Promise<string> } };
  try {
    module = (await import(SIGNER_PACKAGE)) as typeof module;
  } catch (err) {
    throw new Error(`credentials.iam needs the package ${SIGNER_PACKAGE}: npm install ${SIGNER_PACKAGE}`, { cause: err });
  }
  return ({ host, port, username, region, credentials }) =>
    new module.Signer({ hostname: host, port, username, region, ...(credentials !== undefined ? { credentials } : {}) }).getAuthToken();
}

interface CachedToken {
  token: string;
  signedAt: number;
}

/** A token this close to its expiry is not handed out: the connection still has to reach the server with it. */
const EXPIRY_MARGIN_MS = 60_000;
/** A signing still unanswered after this long is abandoned: the next connection starts another. */
export const SIGNING_GIVEN_UP_MS = 30_000;

/**
 * One token per endpoint, signed on first use and again once it is TOKEN_REFRESH_AFTER_MS old; concurrent
 * connections share one signing. While the token held is still valid, connections use it and the new one is signed
 * alongside, so a credentials endpoint that fails or hangs does not stop new connections until the token expires.
 */
export class IamTokenSource {
  readonly #cache = new Map<string, CachedToken>();
  readonly #signing = new Map<string, { startedAt: number; token: Promise<string> }>();

  constructor(
    private readonly options: IamAuthOptions,
    private readonly sign: TokenSigner,
    private readonly now: () => number = monotonicNow,
  ) {}

  /** The password function node-postgres calls for every new connection to this endpoint. */
  passwordFor(host: string, port: number): () => Promise<string> {
    return () => this.token(host, port);
  }

  async token(host: string, port: number): Promise<string> {
    const key = `${host}:${port}`;
    const cached = this.#cache.get(key);
    const age = cached === undefined ? Infinity : this.now() - cached.signedAt;
    if (cached !== undefined && age < TOKEN_REFRESH_AFTER_MS) return cached.token;
    const signing = this.#signingFor(key, host, port);
    if (cached !== undefined && age < TOKEN_LIFETIME_MS - EXPIRY_MARGIN_MS) {
      // Renewed in the background; a failure shows at the next connection once the token held is too old.
      signing.catch(() => undefined);
      return cached.token;
    }
    try {
      return await signing;
    } catch (err) {
      throw new Error(`cannot sign an IAM authentication token for ${this.options.username}@${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The signing in progress for `key`, or a new one; one that has not answered within SIGNING_GIVEN_UP_MS is no
   * longer waited for, so a credentials endpoint that swallowed a request does not stop every later attempt. */
  #signingFor(key: string, host: string, port: number): Promise<string> {
    const running = this.#signing.get(key);
    if (running !== undefined && this.now() - running.startedAt < SIGNING_GIVEN_UP_MS) return running.token;
    const signedAt = this.now();
    const { region, username, credentials } = this.options;
    const signing = {
      startedAt: signedAt,
      token: this.sign({ host, port, username, region, credentials }).then((token) => {
        const held = this.#cache.get(key);
        if (held === undefined || held.signedAt <= signedAt) this.#cache.set(key, { token, signedAt });
        return token;
      }),
    };
    const done = () => {
      if (this.#signing.get(key) === signing) this.#signing.delete(key);
    };
    signing.token.then(done, done);
    this.#signing.set(key, signing);
    return signing.token;
  }
}
