// Helpers for integration tests: typed access to the servers the global setup started.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { RDSClient } from '@aws-sdk/client-rds';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { PostgresNode, TestEnv } from './contract.js';

export function testEnv(): TestEnv {
  return inject('testEnv');
}

/** A KubeConfig for the admin user, or for a static-token user (no rights until a test grants them). */
export function kubeConfig(tokenUser?: string): k8s.KubeConfig {
  const env = testEnv();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.kube.kubeconfigPath);
  if (tokenUser === undefined) return kc;
  const token = env.kube.tokens[tokenUser];
  if (!token) throw new Error(`no static token for user ${tokenUser}; known: ${Object.keys(env.kube.tokens).join(', ')}`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const scoped = new k8s.KubeConfig();
  scoped.loadFromOptions({
    clusters: [cluster],
    users: [{ name: tokenUser, token }],
    contexts: [{ name: tokenUser, cluster: cluster.name, user: tokenUser }],
    currentContext: tokenUser,
  });
  return scoped;
}

export function awsClientConfig() {
  const { aws } = testEnv();
  return {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  };
}

export function rdsClient(): RDSClient {
  return new RDSClient(awsClientConfig());
}

export function cloudWatchClient(): CloudWatchClient {
  return new CloudWatchClient(awsClientConfig());
}

/** Drops every resource moto holds (all services, all regions). */
export async function resetAws(): Promise<void> {
  const res = await fetch(`${testEnv().aws.endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}

/** A DNS-1123 name unique to this run, for namespaces and objects that must not collide across test files. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates a namespace. There is no controller-manager, so namespaces are never finalised: tests delete the
 * objects they create themselves and leave the empty namespace behind. */
export async function createNamespace(kc: k8s.KubeConfig, name: string): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export function pgConnection(node: PostgresNode, database?: string) {
  const { postgres } = testEnv();
  return {
    host: node.host,
    port: node.port,
    user: postgres.user,
    password: postgres.password,
    database: database ?? postgres.database,
  };
}

/** Polls `probe` until it returns a value (not undefined); errors from the probe count as "not yet". */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
