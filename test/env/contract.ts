// What the integration global setup provides to every integration test file (vitest `provide` / `inject`).
// Only plain JSON: it crosses from the main process into the test workers.

export interface KubeEndpoint {
  /** kubeconfig with the cluster-admin user (static token, group system:masters) as current context. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Version the server reports, e.g. v1.34.4. */
  version: string;
  /** Bearer tokens from the static token file, by user name; users other than `admin` have no rights until
   * a test binds them (RBAC is on). */
  tokens: Record<string, string>;
  /** The API server's audit log (JSON lines): every write with its user and time, metadata only. */
  auditLogPath: string;
  /** POST `?downMs=<n>`: the integration run's global setup restarts the API server (same port, same etcd data)
   * and answers once it is ready again, with the ApiserverRestart times as JSON. Absent outside test runs. */
  restartUrl?: string;
}

export interface AwsEndpoint {
  /** http://127.0.0.1:<port> of moto in server mode. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface PostgresNode {
  host: string;
  port: number;
  dataDir: string;
}

export interface PostgresCluster {
  primary: PostgresNode;
  replicas: PostgresNode[];
  /** Superuser, password-authenticated over TCP. */
  user: string;
  password: string;
  database: string;
}

export interface Tools {
  kubectl: string;
  helm: string;
}

export interface TestEnv {
  kube: KubeEndpoint;
  aws: AwsEndpoint;
  postgres: PostgresCluster;
  tools: Tools;
  /** Folder (git-ignored) where installed parts are cached between runs. */
  cacheDir: string;
  /** Folder with this run's server logs. */
  logDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testEnv: TestEnv;
  }
}
