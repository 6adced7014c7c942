// Which log fields are secrets. pino redacts by exact path (wildcards match one level), so every sensitive key is
// listed at each depth a log call can reasonably nest it: a field of its own, inside a request or AWS command
// input, inside an object in a list, and so on. The logger test logs each of these shapes and greps for the value.

/** Keys whose value is a secret wherever they appear. `MasterUserPassword` is the RDS SDK's spelling. */
export const SECRET_KEYS = [
  'password',
  'masterUserPassword',
  'MasterUserPassword',
  'newMasterUserPassword',
  'NewMasterUserPassword',
  'secretAccessKey',
  'sessionToken',
  'token',
  'authorization',
  'Authorization',
  'cookie',
  'stringData',
] as const;

/** Keys that hold a Kubernetes Secret's data when the object logged is (or holds) a Secret. A bare `data` is not
 * redacted: ConfigMap data is what operators want to see in logs. */
const SECRET_CONTAINERS = ['secret', 'secretData', 'credentials'] as const;

const DEPTH = 4;

function atEveryDepth(leaf: string): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= DEPTH; depth++) paths.push([...Array<string>(depth).fill('*'), leaf].join('.'));
  return paths;
}

export function redactPaths(): string[] {
  const paths = new Set<string>();
  for (const key of SECRET_KEYS) for (const p of atEveryDepth(key)) paths.add(p);
  for (const key of SECRET_CONTAINERS) for (const p of atEveryDepth(key)) paths.add(p);
  // Header maps are logged by HTTP clients with lower-case names too.
  for (const p of atEveryDepth('headers.authorization')) paths.add(p);
  for (const p of atEveryDepth('headers.cookie')) paths.add(p);
  // A Kubernetes Secret object logged as is: `data` under a Secret manifest.
  for (const p of atEveryDepth('secret.data')) paths.add(p);
  return [...paths];
}

export const REDACTED = '[REDACTED]';
