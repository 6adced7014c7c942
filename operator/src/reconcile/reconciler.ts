// One reconcile: observe -> plan -> apply -> status. Level-triggered: it is never told why it runs, reads the
// world and converges, so a missed event never matters.
import { isDeepStrictEqual } from 'node:util';
import { API_VERSION, KIND, type ReplicaSetDBStatus } from '../api/index.js';
import type { KubernetesPort, OwnerIdentity } from '../ports/kubernetes.js';
import type { RdsPort } from '../rds/port.js';
import type { DatabaseConnectionsPort, ReplicaLagPort } from '../cloudwatch/port.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import { isConflict, type ObjectRef, type ReconcileResult } from '@servio/controller-runtime';
import { applyPlan } from './apply.js';
import { generateMasterPassword } from './credentials.js';
import { describeStep } from './describe-step.js';
import type { ReconcileLogger } from './logger.js';
import { observeReplicaSetDB } from './observe.js';
import type { Observed } from './observed.js';
import { planReconcile } from './plan/plan.js';
import { planPublication } from './plan/publication.js';
import { drainBeforeDelete, type RetirementGate } from './replica-lifecycle/index.js';
import { buildPublicationStatus, type PublicationStatus } from './publication-status.js';
import { errorPolicy } from './error-policy.js';
import { requeueAfterMs, type ResyncIntervals } from './requeue.js';
import { buildStatus, decideVerdict } from './status.js';

export interface ReplicaSetDBReconcilerDeps {
  kube: KubernetesPort;
  rds: RdsPort;
  resync: ResyncIntervals;
  now?: () => Date;
  generatePassword?: () => string;
  /** Default: drain before delete (the replica is published as draining for routing.drainSeconds first). */
  retirementGate?: RetirementGate;
  /** CloudWatch ReplicaLag; unset: every replica's lag is unknown. */
  lag?: ReplicaLagPort;
  /** CloudWatch DatabaseConnections of draining replicas; unset: each drain lasts until routing.maxDrainSeconds. */
  connections?: DatabaseConnectionsPort;
  metrics?: Pick<OperatorMetrics, 'setInstanceStatuses' | 'setReplicaLag' | 'setTopologyRevision' | 'forgetObject'>;
  /** Namespaces whose objects may adopt existing instances (--adopt-namespaces); unset: none. */
  adoptNamespaces?: readonly string[];
  /** Named in advice about AWS resources to create (a DB subnet group). */
  awsRegion?: string;
}

/** What a ReplicaSetDB reconcile uses of the controller's ReconcileContext: unit tests run it with a plain
 * logger and no signal, without a controller. */
export interface ReplicaSetDBReconcileContext {
  log: ReconcileLogger;
  signal?: AbortSignal;
}

/** Thrown for a failure the error policy (error-policy.ts) answers with `backoff` (throttling, 5xx, the API
 * server): the controller's exponential backoff decides how long to wait. The status was written first. */
export class RetryableReconcileError extends Error {
  override readonly name = 'RetryableReconcileError';
}

/** Thrown when the context's signal was aborted (leadership lost, shutdown): the reconcile stopped between two
 * steps and wrote no status, since another process may already own the object. Not a failure to retry. */
export class ReconcileAbortedError extends Error {
  override readonly name = 'ReconcileAbortedError';
}

function throwIfAborted(signal: AbortSignal | undefined, before: string): void {
  if (signal?.aborted !== true) return;
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  throw new ReconcileAbortedError(`reconcile aborted before ${before}: ${reason}`);
}

/** A reconcile of one ReplicaSetDB; the controller's ReconcileContext satisfies its context, so the controller
 * runs it as it is. */
export type ReplicaSetDBReconciler = (ref: ObjectRef, ctx: ReplicaSetDBReconcileContext) => Promise<ReconcileResult>;

export function createReplicaSetDBReconciler(deps: ReplicaSetDBReconcilerDeps): ReplicaSetDBReconciler {
  const now = deps.now ?? (() => new Date());
  const generatePassword = deps.generatePassword ?? (() => generateMasterPassword());

  return async function reconcile(ref, ctx) {
    throwIfAborted(ctx.signal, 'observing');
    const observed = await observeReplicaSetDB(ref, deps, ctx.signal !== undefined ? { signal: ctx.signal } : {});
    if (observed === undefined) {
      deps.metrics?.forgetObject(ref);
      return {};
    }
    if (observed.world.lagUnavailable !== undefined) {
      ctx.log.warn({ err: observed.world.lagUnavailable }, 'could not read replica lag from CloudWatch; using the last known values');
    }
    const at = now();
    const publication = planPublication(observed, at);
    const plan = planReconcile(observed, { now: at, retirementGate: deps.retirementGate ?? drainBeforeDelete, topology: publication });
    const steps = plan.steps;
    if (steps.length > 0 || plan.blocker !== undefined) {
      ctx.log.debug({ steps: steps.map(describeStep), blocker: plan.blocker?.reason, waits: plan.waits.length }, 'plan');
    }

    const involved: OwnerIdentity = { apiVersion: API_VERSION, kind: KIND, namespace: ref.namespace, name: ref.name, uid: observed.object.uid };
    const outcome = await applyPlan(steps, {
      rds: deps.rds,
      kube: deps.kube,
      ref,
      involved,
      finalizers: observed.object.finalizers,
      resourceVersion: observed.object.resourceVersion,
      generatePassword,
      log: ctx.log,
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    });
    throwIfAborted(ctx.signal, 'the status write');

    const verdict = decideVerdict(observed, plan, outcome, {
      now: at,
      topology: publication,
      ...(deps.awsRegion !== undefined ? { region: deps.awsRegion } : {}),
      intervals: deps.resync,
    });
    // Taken after apply: a drain that starts now is counted from after the ConfigMap write, never before it.
    const publicationStatus = observed.isDeleting() ? undefined : buildPublicationStatus(observed, publication, outcome, now());
    if (!outcome.finalizerRemoved) {
      const status = buildStatus(observed, plan, outcome, verdict, at, publicationStatus);
      if (!sameStatus(status, observed.previousStatus)) {
        const computedFrom = outcome.resourceVersion ?? observed.object.resourceVersion;
        if ((await writeStatusUnlessStale(deps.kube, ref, status, computedFrom, ctx)) === 'stale') return { requeueAfterMs: 0 };
      }
    }
    recordTopologyMetrics(deps.metrics, ref, observed, outcome.finalizerRemoved, publicationStatus);

    const failure = outcome.failure;
    if (failure !== undefined && errorPolicy(failure, { deleting: observed.isDeleting() }).action === 'backoff') {
      throw new RetryableReconcileError(`${failure.operation} failed: ${failure.message}`);
    }
    const requeue = requeueAfterMs(verdict, outcome, deps.resync, observed.isDeleting());
    return requeue === undefined ? {} : { requeueAfterMs: requeue };
  };
}

/** The write is conditional on the version the status was computed from. A conflict means someone wrote the object
 * since (a person, or another process that now leads): this status is stale, so it is dropped and the object
 * reconciled again from a fresh read. That is routine, not an error. */
async function writeStatusUnlessStale(
  kube: KubernetesPort,
  ref: ObjectRef,
  status: ReplicaSetDBStatus,
  resourceVersion: string,
  { log, signal }: ReplicaSetDBReconcileContext,
): Promise<'written' | 'stale'> {
  try {
    await kube.writeStatus(ref, status, resourceVersion, signal !== undefined ? { signal } : {});
    return 'written';
  } catch (err) {
    if (!isConflict(err)) throw err;
    log.debug({ resourceVersion }, 'the object changed since it was observed; status not written, reconciling again');
    return 'stale';
  }
}

function recordTopologyMetrics(
  metrics: ReplicaSetDBReconcilerDeps['metrics'],
  ref: ObjectRef,
  observed: Observed,
  gone: boolean,
  topology: PublicationStatus | undefined,
): void {
  if (metrics === undefined) return;
  if (gone) {
    metrics.forgetObject(ref);
    return;
  }
  metrics.setInstanceStatuses(
    ref,
    observed.managedInstances().map((i) => i.status),
  );
  if (topology === undefined) return;
  if (topology.revision !== undefined) metrics.setTopologyRevision(ref, topology.revision);
  const replicas = new Set([...topology.instances.keys(), ...(observed.previousStatus?.replicas ?? []).map((r) => r.identifier)]);
  replicas.delete(observed.names.primary);
  // A replica that is gone, or whose lag is unknown, loses its series rather than keeping a stale value.
  for (const id of replicas) metrics.setReplicaLag(ref, id, topology.instances.get(id)?.lagSeconds);
}

/** Key order and absent-versus-undefined do not count: the stored status comes back from JSON. */
function sameStatus(next: ReplicaSetDBStatus, previous: ReplicaSetDBStatus | undefined): boolean {
  return previous !== undefined && isDeepStrictEqual(JSON.parse(JSON.stringify(next)), JSON.parse(JSON.stringify(previous)));
}
