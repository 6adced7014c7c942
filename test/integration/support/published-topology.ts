// The endpoints ConfigMap of a ReplicaSetDB as a test reads it, and the ReplicaLag datapoints a test writes to move
// it: the published topology is how lag gating shows.
import * as k8s from '@kubernetes/client-node';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { parseTopology, type Topology } from '@servio/replicasetdb-contract';
import { TOPOLOGY_KEY } from '../../../operator/src/topology/index.js';
import { cloudWatchClient, eventually, kubeConfig } from '../../env/helpers.js';

export function topologyOf(cm: k8s.V1ConfigMap | undefined): Topology | undefined {
  const text = cm?.data?.[TOPOLOGY_KEY];
  return text === undefined ? undefined : parseTopology(text);
}

/** The ConfigMaps of the test namespace; looked up at each call, so a file can create it in `beforeAll`. */
export function publishedTopology(namespaceOf: () => string) {
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);

  async function readConfigMap(name: string): Promise<k8s.V1ConfigMap | undefined> {
    try {
      return await core.readNamespacedConfigMap({ namespace: namespaceOf(), name: `${name}-endpoints` });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** Waits until the published ConfigMap satisfies `done`. */
  function published(
    name: string,
    done: (t: Topology, cm: k8s.V1ConfigMap) => boolean,
    timeoutMs?: number,
    intervalMs?: number,
  ): Promise<{ topology: Topology; configMap: k8s.V1ConfigMap }> {
    return eventually(
      `ConfigMap of ${name}`,
      async () => {
        const configMap = await readConfigMap(name);
        const topology = topologyOf(configMap);
        return configMap !== undefined && topology !== undefined && done(topology, configMap) ? { topology, configMap } : undefined;
      },
      timeoutMs,
      intervalMs,
    );
  }

  return { readConfigMap, published };
}

/** One ReplicaLag datapoint, at standard resolution as RDS publishes it, or at one second (`highResolution`) so that
 * a later datapoint is a later bucket. */
export async function putReplicaLag(identifier: string, seconds: number, at: Date, { highResolution = false } = {}): Promise<void> {
  await cloudWatchClient().send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [
        {
          MetricName: 'ReplicaLag',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: identifier }],
          Value: seconds,
          Unit: 'Seconds',
          Timestamp: at,
          ...(highResolution ? { StorageResolution: 1 } : {}),
        },
      ],
    }),
  );
}
