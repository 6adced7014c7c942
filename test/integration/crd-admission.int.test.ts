// The generated CRD against the real kube-apiserver: it installs, the examples are admitted with the defaults zod
// applies, kubectl explain shows the schema's descriptions, and every corpus case is refused by the API server
// and by the operator's own parse, both naming the same field.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { CRD_FILE_NAME } from '../../operator/src/api/crd-yaml.js';
import { buildCrd } from '../../operator/src/api/crd.js';
import { CRD_NAME, GROUP, PLURAL, VERSION, parseReplicaSetDB } from '../../operator/src/api/replicasetdb.js';
import { validateSpecTransition } from '../../operator/src/api/transition.js';
import { loadBase, loadInvalidCorpus, mergePatch, zodErrors } from '../fixtures/invalid-rsdb/corpus.js';
import { createNamespace, kubeConfig, testEnv, uniqueName } from '../env/helpers.js';

const run = promisify(execFile);
type Json = Record<string, unknown>;

const repoFile = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const readYaml = (path: string): Json => parseYaml(readFileSync(repoFile(path), 'utf8')) as Json;

async function kubectl(...args: string[]): Promise<string> {
  const env = testEnv();
  const { stdout } = await run(env.tools.kubectl, ['--kubeconfig', env.kube.kubeconfigPath, ...args]);
  return stdout;
}

interface StatusCause {
  field?: string;
  message?: string;
}

/** The API server's refusal: HTTP code, message, and the fields its causes name. */
async function refusal(request: Promise<unknown>): Promise<{ code: number; message: string; fields: string[] }> {
  try {
    await request;
  } catch (err) {
    if (!(err instanceof k8s.ApiException)) throw err;
    const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as {
      message?: string;
      details?: { causes?: StatusCause[] };
    };
    const fields = (body.details?.causes ?? [])
      // After a type or enum error the API server skips the CEL rules, and says so in a cause of its own.
      .filter((c) => !(c.message ?? '').includes('validation rules were not checked'))
      .map((c) => c.field ?? '');
    return { code: err.code, message: body.message ?? '', fields: [...new Set(fields)] };
  }
  throw new Error('the API server accepted the object');
}

const squash = (text: string): string => text.replace(/\s+/g, ' ');

describe('ReplicaSetDB admission by kube-apiserver', () => {
  const kc = kubeConfig();
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  let namespace = '';
  const where = () => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace });
  const created = new Set<string>();

  async function create(obj: Json, name: string): Promise<Json> {
    const body = { ...obj, metadata: { ...(obj.metadata as Json), name, namespace } };
    const stored = (await custom.createNamespacedCustomObject({ ...where(), body })) as Json;
    created.add(name);
    return stored;
  }

  async function remove(name: string): Promise<void> {
    await custom.deleteNamespacedCustomObject({ ...where(), name });
    created.delete(name);
  }

  beforeAll(async () => {
    namespace = await createNamespace(kc, uniqueName('rsdb-admission'));
    // The committed file, not buildCrd(): it is what users and the chart install (the drift test ties the two).
    await kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=crd-admission-test', '-f', repoFile(`crds/${CRD_FILE_NAME}`));
    // Polled rather than `kubectl wait`, which fails instead of waiting when it reads the CRD before the API server
    // has set any condition. Established can come before the resource's REST endpoint is served.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const established = await kubectl('get', 'crd', CRD_NAME, '-o', `jsonpath={.status.conditions[?(@.type=="Established")].status}`);
      if (established.trim() === 'True') break;
      if (Date.now() > deadline) throw new Error(`${CRD_NAME} is not Established 60 s after it was applied`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (;;) {
      const outcome = await custom.listNamespacedCustomObject(where()).then(() => 'served', String);
      if (outcome === 'served') break;
      if (Date.now() > deadline) throw new Error(`${PLURAL} is not served 30 s after Established: ${outcome}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(async () => {
    // The CRD stays: it is cluster-wide and other test files apply the same one. No controller-manager runs, so
    // the namespace would never finish deleting; the objects in it are deleted one by one instead.
    for (const name of [...created]) {
      await remove(name).catch((err: unknown) => {
        if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
      });
    }
  });

  it('installs: names accepted, Established, with the schema the generator produced', async () => {
    const crd = await ext.readCustomResourceDefinition({ name: CRD_NAME });
    const condition = (type: string) => crd.status?.conditions?.find((c) => c.type === type)?.status;
    expect(condition('NamesAccepted')).toBe('True');
    expect(condition('Established')).toBe('True');
    expect(crd.status?.acceptedNames?.shortNames).toEqual(['rsdb']);
    expect(crd.status?.acceptedNames?.categories).toEqual(['servio']);
    expect(crd.spec.versions.map((v) => v.name)).toEqual(buildCrd().spec.versions.map((v) => v.name));
  });

  it.each(['examples/servio.yaml', 'examples/minimal.yaml'])('admits %s and stores the same defaults zod applies', async (file) => {
    const example = readYaml(file);
    const expected = parseReplicaSetDB(example);
    if (!expected.ok) throw new Error(expected.message);
    const name = (example.metadata as { name: string }).name;
    const stored = await create(example, name);
    expect(stored.spec).toEqual(expected.value.spec);
    // And the stored object, read back, parses to itself: nothing the server adds upsets the parse.
    const read = (await custom.getNamespacedCustomObject({ ...where(), name })) as Json;
    const reparsed = parseReplicaSetDB(read);
    if (!reparsed.ok) throw new Error(reparsed.message);
    expect(reparsed.value.spec).toEqual(read.spec);
    await remove(name);
  });

  it('kubectl explain rsdb.spec.replicas shows the descriptions from the schema', async () => {
    const replicas = buildCrd().spec.versions[0]?.schema.openAPIV3Schema as Json;
    const node = ((replicas.properties as Json).spec as { properties: Record<string, Json> }).properties.replicas as {
      description: string;
      properties: Record<string, { description: string }>;
    };
    // The OpenAPI document that kubectl explain reads is republished a few seconds after a CRD changes.
    await expect
      .poll(async () => squash(await kubectl('explain', 'rsdb.spec.replicas').catch((err: Error) => err.message)), {
        timeout: 60_000,
        interval: 1_000,
      })
      .toContain(squash(node.description));
    const output = squash(await kubectl('explain', 'rsdb.spec.replicas'));
    expect(output).toContain(squash(node.properties.count?.description ?? 'missing'));
    expect(output).toContain(squash(node.properties.instanceClass?.description ?? 'missing'));
    expect(output).toMatch(/count\s+<integer>/);
  });

  it('prints the columns kubectl get shows', async () => {
    await create(readYaml('examples/servio.yaml'), 'columns');
    const header = (await kubectl('get', 'rsdb', '-n', namespace)).split('\n')[0] ?? '';
    expect(header.split(/\s{2,}/).map((h) => h.trim())).toEqual(['NAME', 'PHASE', 'READY', 'DESIRED', 'PRIMARY CLASS', 'PRIMARY ENDPOINT', 'AGE']);
    const row = (await kubectl('get', 'rsdb', 'columns', '-n', namespace, '--no-headers')).trim();
    expect(row).toMatch(/^columns\s+2\s+db\.r6g\.xlarge\s+\S+$/);
    await remove('columns');
  });

  it('admits the corpus base object (each case differs from it by one defect)', async () => {
    expect(parseReplicaSetDB(loadBase()).ok).toBe(true);
    await create(loadBase(), 'corpus-base');
    await remove('corpus-base');
  });

  const corpus = loadInvalidCorpus();
  it.each(corpus.map((c) => [c.name, c] as const))('refuses %s, naming the field, as zod does', async (_name, c) => {
    let server: Awaited<ReturnType<typeof refusal>>;
    if (c.kind === 'create') {
      server = await refusal(create(c.object, c.name));
    } else {
      const stored = await create(c.base, c.name);
      const update = mergePatch(c.update, { metadata: { name: c.name, namespace, resourceVersion: (stored.metadata as Json).resourceVersion } });
      server = await refusal(custom.replaceNamespacedCustomObject({ ...where(), name: c.name, body: update }));
      await remove(c.name);
    }
    expect(server.code, server.message).toBe(422);
    expect(server.fields, server.message).toEqual([c.field]);
    expect(server.message).toContain(`${c.field}:`);

    const zod = zodErrors(c);
    expect([...new Set(zod.map((e) => e.path))]).toEqual(server.fields);
  });

  it('admits updates RDS can apply in place, as validateSpecTransition does', async () => {
    const base = loadBase();
    const stored = await create(base, 'in-place');
    const next = mergePatch(stored, {
      spec: {
        engineVersion: '16.2',
        primary: { instanceClass: 'db.r6g.xlarge', allocatedStorageGiB: 150, maxAllocatedStorageGiB: 300 },
        replicas: { count: 3 },
        parameters: { work_mem: '8MB' },
      },
    });
    const updated = (await custom.replaceNamespacedCustomObject({ ...where(), name: 'in-place', body: next })) as Json;
    const before = parseReplicaSetDB(stored);
    const after = parseReplicaSetDB(updated);
    if (!before.ok || !after.ok) throw new Error('stored objects must parse');
    expect(validateSpecTransition(before.value.spec, after.value.spec)).toEqual([]);
    await remove('in-place');
  });

  it('validates status written through the status subresource with the same schema as zod', async () => {
    const stored = await create(loadBase(), 'with-status');
    const status = {
      phase: 'Ready',
      observedGeneration: 1,
      readyReplicas: 2,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-02T03:04:05Z', reason: 'AllAvailable', message: '' }],
      primary: { identifier: 'with-status', role: 'primary', endpoint: { host: 'with-status.rds.example', port: 5432 } },
      replicas: [{ identifier: 'with-status-r1', role: 'replica', lagSeconds: 0.25, routable: true }],
      endpoints: { configMapName: 'with-status-endpoints', secretName: 'with-status-credentials', topologyRevision: 1 },
      pendingChanges: [],
    };
    const accepted = (await custom.replaceNamespacedCustomObjectStatus({
      ...where(),
      name: 'with-status',
      body: { ...stored, status },
    })) as Json;
    expect(accepted.status).toEqual(status);
    expect(parseReplicaSetDB(accepted).ok).toBe(true);
    const row = (await kubectl('get', 'rsdb', 'with-status', '-n', namespace, '--no-headers')).trim();
    expect(row).toMatch(/^with-status\s+Ready\s+2\s+2\s+db\.r6g\.large\s+with-status\.rds\.example\s+\S+$/);

    const bad = { ...status, phase: 'Running', conditions: [...status.conditions, ...status.conditions] };
    const server = await refusal(custom.replaceNamespacedCustomObjectStatus({ ...where(), name: 'with-status', body: { ...accepted, status: bad } }));
    const zod = parseReplicaSetDB({ ...accepted, status: bad });
    expect(zod.ok).toBe(false);
    expect(server.fields.sort()).toEqual(zod.ok ? [] : [...new Set(zod.errors.map((e) => e.path))].sort());
    expect(server.fields.sort()).toEqual(['status.conditions[1]', 'status.phase']);
    await remove('with-status');
  });
});
