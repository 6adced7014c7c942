// A reconciler wired to in-memory ports, with a log that keeps every line, for unit tests of the whole loop.
import type { ReplicaSetDBStatus } from '../../api/index.js';
import type { ObjectRef } from '../../ports/kubernetes.js';
import { FakeRds } from '../../rds/testing/fake-rds.js';
import type { ReconcileLogger } from '../logger.js';
import type { RetirementGate } from '../replica-lifecycle/index.js';
import type { ReplicaLagPort } from '../../cloudwatch/port.js';
import type { ReconcileResult } from '@servio/controller-runtime';
import { createReplicaSetDBReconciler, type ReplicaSetDBReconcilerDeps } from '../reconciler.js';
import { FakeKubernetes } from './fake-kubernetes.js';
import { NAME, NAMESPACE, type ReplicaSetDBBuilder } from './fixtures.js';

export const GENERATED_PASSWORD = 'GeneratedPassword0123456789abcdefABCDEF';
export const TRANSITIONING_MS = 1_000;
export const STEADY_MS = 600_000;

export class CapturingLogger implements ReconcileLogger {
  readonly lines: string[] = [];
  private push(level: string, obj: object, msg: string) {
    this.lines.push(JSON.stringify({ level, ...obj, msg }));
  }
  debug(obj: object, msg: string) {
    this.push('debug', obj, msg);
  }
  info(obj: object, msg: string) {
    this.push('info', obj, msg);
  }
  warn(obj: object, msg: string) {
    this.push('warn', obj, msg);
  }
  error(obj: object, msg: string) {
    this.push('error', obj, msg);
  }
}

export interface Harness {
  kube: FakeKubernetes;
  rds: FakeRds;
  log: CapturingLogger;
  ref: ObjectRef;
  reconcile(signal?: AbortSignal): Promise<ReconcileResult>;
  /** Reconciles until nothing is transitioning (at most `max` times); returns how many runs it took. */
  converge(max?: number): Promise<number>;
  status(): ReplicaSetDBStatus | undefined;
  /** Applies a new version of the object (a spec change moves the generation). */
  update(db: ReplicaSetDBBuilder): void;
  clock: { now: Date };
}

export interface HarnessOptions {
  retirementGate?: RetirementGate;
  lag?: ReplicaLagPort;
  metrics?: ReplicaSetDBReconcilerDeps['metrics'];
}

export function aHarness(db: ReplicaSetDBBuilder, options: HarnessOptions = {}): Harness {
  const kube = new FakeKubernetes();
  const rds = new FakeRds();
  const log = new CapturingLogger();
  const ref = { namespace: NAMESPACE, name: NAME };
  const clock = { now: new Date('2026-11-26T16:00:00Z') };
  kube.put(db.build());
  const reconcile = createReplicaSetDBReconciler({
    kube,
    rds,
    resync: { steadyMs: STEADY_MS, transitioningMs: TRANSITIONING_MS },
    now: () => clock.now,
    generatePassword: () => GENERATED_PASSWORD,
    retirementGate: options.retirementGate,
    lag: options.lag,
    metrics: options.metrics,
  });
  const harness: Harness = {
    kube,
    rds,
    log,
    ref,
    clock,
    reconcile: (signal) => reconcile(ref, { log, ...(signal !== undefined ? { signal } : {}) }),
    async converge(max = 20) {
      for (let run = 1; run <= max; run++) {
        const result = await harness.reconcile();
        clock.now = new Date(clock.now.getTime() + (result.requeueAfterMs ?? 0));
        if (result.requeueAfterMs !== TRANSITIONING_MS) return run;
      }
      throw new Error(`did not converge in ${max} reconciles; status: ${JSON.stringify(harness.status())}`);
    },
    status: () => kube.record(ref)?.status,
    update: (next) => kube.put(next.build()),
  };
  return harness;
}
