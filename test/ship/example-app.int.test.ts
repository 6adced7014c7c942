// examples/app.yaml against the real API server: accepted by a server-side dry run, and wired the way the client
// README describes (whole-directory mounts that the kubelet keeps current, envFrom on the endpoints ConfigMap).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createNamespace, kubeConfig, uniqueName } from '../env/helpers.js';
import { kubectl, ROOT } from './chart.js';

const APP = join(ROOT, 'examples', 'app.yaml');

interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
}
interface Deployment {
  kind: string;
  spec: {
    template: {
      spec: {
        containers: Array<{ envFrom?: Array<{ configMapRef?: { name: string } }>; env?: Array<{ name: string; value?: string }>; volumeMounts: VolumeMount[] }>;
        volumes: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string } }>;
      };
    };
  };
}

describe('examples/app.yaml', () => {
  let namespace = '';
  const app = parseYaml(readFileSync(APP, 'utf8')) as Deployment;
  const servio = parseYaml(readFileSync(join(ROOT, 'examples', 'servio.yaml'), 'utf8')) as {
    metadata: { name: string };
    spec: { credentials: { secretName: string } };
  };

  beforeAll(async () => {
    namespace = await createNamespace(kubeConfig(), uniqueName('example-app'));
  });

  it('is accepted by kubectl apply --dry-run=server', async () => {
    const result = await kubectl(['apply', '--dry-run=server', '-n', namespace, '-f', APP]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('deployment.apps/orders created (server dry run)');
  });

  it('mounts the endpoints ConfigMap, the credentials Secret and the CA bundle as whole directories, and takes the environment keys with envFrom', () => {
    const pod = app.spec.template.spec;
    const container = pod.containers[0]!;
    const byName = new Map(pod.volumes.map((v) => [v.name, v]));
    const mounted = (name: string) => container.volumeMounts.find((m) => m.name === name);
    expect(container.volumeMounts.filter((m) => m.subPath !== undefined)).toEqual([]);

    expect(byName.get('db-topology')?.configMap?.name).toBe(`${servio.metadata.name}-endpoints`);
    expect(byName.get('db-credentials')?.secret?.secretName).toBe(servio.spec.credentials.secretName);
    expect(byName.get('rds-ca')?.configMap?.name).toBe('rds-ca-bundle');
    expect(container.envFrom).toEqual([{ configMapRef: { name: `${servio.metadata.name}-endpoints` } }]);

    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env.DB_TOPOLOGY_FILE).toBe(`${mounted('db-topology')?.mountPath}/topology.json`);
    expect(env.DB_CREDENTIALS_DIR).toBe(mounted('db-credentials')?.mountPath);
    expect(env.DB_CA_DIR).toBe(mounted('rds-ca')?.mountPath);
  });
});
