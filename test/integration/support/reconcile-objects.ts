// What the reconcile integration tests share, against the instant emulator or the realistic RDS layer in front of
// it: an RDS client that records every command, and the ReplicaSetDB and its instances as a test reads them.
import { readFile } from 'node:fs/promises';
import * as k8s from '@kubernetes/client-node';
import { DescribeDBInstancesCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';
import { parse as parseYaml } from 'yaml';
import type { ReplicaSetDBStatus } from '../../../operator/src/api/index.js';
import { aReplicaSetDB, replicaSetDBResource } from '../../../operator/src/kube/testing/replicasetdb-fixture.js';
import { awsClientConfig, eventually, kubeConfig } from '../../env/helpers.js';

export interface AwsCall {
  operation: string;
  input: Record<string, unknown>;
}

/** Puts `around` in front of every command the client sends: it sees the operation (without "Command") and the
 * input as asked, and calls `send` to pass the command on, or throws instead (an error AWS would answer). */
export function interceptCommands<Client extends { middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void } }>(
  client: Client,
  around: (operation: string, input: Record<string, unknown>, send: () => Promise<unknown>) => Promise<unknown>,
): Client {
  client.middlewareStack.add(
    (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) =>
      around((context.commandName ?? '').replace(/Command$/, ''), args.input as Record<string, unknown>, () => next(args)),
    { step: 'initialize', name: 'testInterceptor' },
  );
  return client;
}

/** Every command a client sends, by operation, with its input; optionally stalls one operation forever after it
 * got through (a process that died right after the call). `endpoint` replaces the emulator's (e.g. the layer's). */
export function recordingClient(calls: AwsCall[], options: { stallAfter?: string; endpoint?: string } = {}): RDSClient {
  const client = new RDSClient({ ...awsClientConfig(), ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}), maxAttempts: 2 });
  return interceptCommands(client, async (operation, input, send) => {
    calls.push({ operation, input: { ...input } });
    const out = await send();
    if (operation === options.stallAfter) await new Promise(() => {});
    return out;
  });
}

/** A valid ReplicaSetDB of the smallest spec, with `spec` merged over it. */
export function minimalReplicaSetDB(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  const object = aReplicaSetDB(name, metadata);
  return { ...object, spec: { ...(object.spec as Record<string, unknown>), ...spec } };
}

export interface Stored {
  metadata: { name: string; generation: number; uid: string; finalizers?: string[] };
  spec: Record<string, unknown>;
  status?: ReplicaSetDBStatus;
}

export function tagsOf(i: DBInstance | undefined): Record<string, string> {
  return Object.fromEntries((i?.TagList ?? []).map((t) => [t.Key!, t.Value!]));
}

/** The objects of the test namespace and the instances RDS holds for them; namespace and client are looked up at
 * each call, so a file can create them in `beforeAll`. */
export function reconcileObjects(namespaceOf: () => string, rdsOf: () => RDSClient, settleTimeoutMs = 60_000) {
  const custom = kubeConfig().makeApiClient(k8s.CustomObjectsApi);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  async function getObject(name: string): Promise<Stored | undefined> {
    try {
      return (await custom.getNamespacedCustomObject({ ...replicaSetDBResource, namespace: namespaceOf(), name })) as Stored;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** The object once its status reflects its current generation and `done` holds. */
  function settled(name: string, done: (s: ReplicaSetDBStatus) => boolean = (s) => s.phase === 'Ready', timeoutMs = settleTimeoutMs): Promise<Stored> {
    return eventually(
      `${name} to settle`,
      async () => {
        const obj = await getObject(name);
        const status = obj?.status;
        return obj !== undefined && status !== undefined && status.observedGeneration === obj.metadata.generation && done(status) ? obj : undefined;
      },
      timeoutMs,
    );
  }

  async function patchSpec(name: string, spec: Record<string, unknown>): Promise<void> {
    await custom.patchNamespacedCustomObject({ ...replicaSetDBResource, namespace: namespaceOf(), name, body: { spec } }, mergePatch);
  }

  async function instances(prefix: string): Promise<Map<string, DBInstance>> {
    const all = (await rdsOf().send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
    return new Map(
      all.filter((i) => i.DBInstanceIdentifier === prefix || i.DBInstanceIdentifier?.startsWith(`${prefix}-r`)).map((i) => [i.DBInstanceIdentifier!, i]),
    );
  }

  /** examples/servio.yaml as applied in the test namespace. Its maintenance window is moved an hour: the example's
   * 02:00-03:00 backup window and Mon:03:00 maintenance window touch, which the emulator counts as overlapping. */
  async function servioExample(name: string): Promise<{ metadata: Record<string, unknown>; spec: Record<string, unknown> }> {
    const example = parseYaml(await readFile(new URL('../../../examples/servio.yaml', import.meta.url), 'utf8')) as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    // A short drain keeps scale-downs quick here; the drain itself is proved in topology.int.test.ts.
    const routing = { ...(example.spec.routing as Record<string, unknown>), drainSeconds: 2, maxDrainSeconds: 2 };
    return { ...example, metadata: { name, namespace: namespaceOf() }, spec: { ...example.spec, maintenanceWindow: 'Mon:04:00-Mon:05:00', routing } };
  }

  async function createObject(body: Record<string, unknown>): Promise<void> {
    await custom.createNamespacedCustomObject({ ...replicaSetDBResource, namespace: namespaceOf(), body });
  }

  return { getObject, settled, patchSpec, instances, servioExample, createObject };
}
