// One operator per test file, in-process against the real API server and the emulator: before the file's first
// test the CRD is installed, the file's namespaces created and the operator started with the file's options; after
// its last, every operator the file started is stopped and the ReplicaSetDBs of its namespaces are deleted.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { deleteAllReplicaSetDBs, installReplicaSetDBCrd } from '../../../operator/src/kube/testing/replicasetdb-fixture.js';
import type { RunningOperator } from '../../../operator/src/operator.js';
import { createNamespace, kubeConfig } from '../../env/helpers.js';
import { startTestOperator, type TestOperatorOptions } from './operator-harness.js';

/** The API clients every file reads and writes with. */
export function apiClients() {
  const kc = kubeConfig();
  return {
    kc,
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    core: kc.makeApiClient(k8s.CoreV1Api),
    mergePatch: k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  };
}

export interface OperatorPerFileOptions {
  /** The operator's namespace, watched unless the settings say otherwise. */
  namespace: string;
  /** Further namespaces the file uses, created and cleaned up with the operator's own. */
  otherNamespaces?: readonly string[];
  /** Silent unless given. */
  log?: Logger;
  /** Called once the namespaces exist and `beforeStart` has run, so options may use what it set up. */
  operator: () => Omit<TestOperatorOptions, 'namespace'>;
  /** Setup the operator needs before it starts (a DB subnet group, a layer in front of the emulator). */
  beforeStart?: () => Promise<void>;
  /** Teardown after the operators stopped and the objects are deleted. */
  afterCleanup?: () => Promise<void>;
}

export interface OperatorPerFile {
  /** Another operator with the file's options and `overrides` (a different RDS client); stopped with the file. */
  start(overrides?: Partial<TestOperatorOptions>): RunningOperator;
  /** Stops every operator of the file, as a crash or a shutdown would. */
  stopAll(): Promise<void>;
}

export function operatorPerFile(options: OperatorPerFileOptions): OperatorPerFile {
  const { kc } = apiClients();
  const log = options.log ?? pino({ level: 'silent' });
  const namespaces = [options.namespace, ...(options.otherNamespaces ?? [])];
  const running = new Set<RunningOperator>();

  function start(overrides: Partial<TestOperatorOptions> = {}): RunningOperator {
    const operator = startTestOperator(kc, log, { namespace: options.namespace, ...options.operator(), ...overrides });
    running.add(operator);
    return {
      hasSynced: () => operator.hasSynced(),
      queueDepth: () => operator.queueDepth(),
      stop: async () => {
        running.delete(operator);
        await operator.stop();
      },
    };
  }

  async function stopAll(): Promise<void> {
    const stopping = [...running];
    running.clear();
    for (const operator of stopping) await operator.stop();
  }

  const created: string[] = [];
  beforeAll(async () => {
    await installReplicaSetDBCrd(kc);
    for (const namespace of namespaces) created.push(await createNamespace(kc, namespace));
    await options.beforeStart?.();
    start();
  });

  afterAll(async () => {
    await stopAll();
    for (const namespace of created) await deleteAllReplicaSetDBs(kc, namespace);
    await options.afterCleanup?.();
  });

  return { start, stopAll };
}
