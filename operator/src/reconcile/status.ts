// The status written after a reconcile: what was observed, overlaid with what the mutating calls answered, and
// the phase and conditions that follow from the plan and its outcome. Pure. Built so that an unchanged world
// produces an identical status (conditions keep their lastTransitionTime, messages carry no timestamps), which
// lets the reconciler skip the write.
import type { Condition, HeldChange, InstanceStatus, Phase, ReplicaSetDBStatus } from '../api/index.js';
import type { InstanceRole } from '../naming/index.js';
import type { RdsInstance } from '../rds/port.js';
import type { ApplyOutcome } from './apply.js';
import { healthOf } from './instance-states.js';
import type { Observed } from './observed.js';
import { appliedPasswordFingerprint, missingCredentials, passwordRejection, rejectedPasswordFingerprint } from './plan/credentials.js';
import { describeStep } from './describe-step.js';
import { AWS_REJECTED_REASON, errorPolicy, type FailureIntervals } from './error-policy.js';
import { describeDeferredChanges, describeHeldChanges, heldChangesAfter, partitionHolds } from './held-changes.js';
import { isMutatingAwsStep, type Plan } from './plan/types.js';
import type { PublicationPlan } from './plan/publication.js';
import type { InstancePublicationStatus, PublicationStatus } from './publication-status.js';
import { withDrainRelease } from './replica-lifecycle/index.js';
import { isLagging } from '../topology/index.js';

export interface Verdict {
  phase: Phase;
  ready: { status: 'True' | 'False'; reason: string; message: string };
  progressing: { status: 'True' | 'False'; reason: string; message: string };
  degraded: { status: 'True' | 'False'; reason: string; message: string };
  /** Whether something is in motion that the next observation should look at soon. */
  transitioning: boolean;
  /** status.heldChanges after this reconcile. */
  heldChanges?: HeldChange[];
  /** Milliseconds until the first deferred change may be sent again, when one waits. */
  nextRetryMs?: number;
}

export interface VerdictContext {
  now: Date;
  topology?: PublicationFindings;
  /** The operator's AWS region, named in advice about resources to create there. */
  region?: string;
  /** How long a change RDS takes only later waits when RDS names no time (error-policy.ts). */
  intervals?: Partial<FailureIntervals>;
}

const MAX_MESSAGE = 4000;

function joinMessages(parts: readonly string[]): string {
  const text = [...new Set(parts)].join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text;
}

/** Instances after apply: the observed ones, replaced by what the calls of this reconcile answered. */
export function effectiveInstances(observed: Observed, outcome: ApplyOutcome): RdsInstance[] {
  const byId = new Map(observed.managedInstances().map((i) => [i.identifier, i]));
  for (const [id, instance] of outcome.instances) byId.set(id, instance);
  const primary = byId.get(observed.names.primary);
  const replicas = [...byId.values()]
    .filter((i) => observed.names.replicaIndexOf(i.identifier) !== undefined)
    .sort((a, b) => observed.names.replicaIndexOf(a.identifier)! - observed.names.replicaIndexOf(b.identifier)!);
  return primary !== undefined ? [primary, ...replicas] : replicas;
}

/** What the topology adds to the verdict: replicas left out for lag, a ConfigMap that cannot be published. They
 * degrade the service without making it unready: the primary and the other replicas serve. */
export type PublicationFindings = Pick<PublicationPlan, 'lagging' | 'problem'>;

function topologyDegradations(topology: PublicationFindings | undefined): string[] {
  if (topology === undefined) return [];
  return [
    ...topology.lagging.map((l) =>
      l.lagSeconds < 0
        ? `${l.identifier} does not replicate (CloudWatch ReplicaLag ${l.lagSeconds}); it takes no reads until replication runs again`
        : `${l.identifier} lags more than routing.maxReplicaLagSeconds (${l.maxLagSeconds}s) behind the primary; it takes no reads until it catches up`,
    ),
    ...(topology.problem !== undefined ? [topology.problem] : []),
  ];
}

export function decideVerdict(observed: Observed, plan: Plan, outcome: ApplyOutcome, context: VerdictContext): Verdict {
  const heldChanges = heldChangesAfter(observed, outcome, context.now, context.intervals ?? {});
  const { deferred } = partitionHolds(heldChanges);
  const retryTimes = deferred.map((h) => Date.parse(h.retryAt!) - context.now.getTime());
  const verdict = decideConditions(observed, plan, outcome, context, heldChanges);
  return {
    ...verdict,
    ...(heldChanges !== undefined ? { heldChanges } : {}),
    ...(retryTimes.length > 0 ? { nextRetryMs: Math.max(0, Math.min(...retryTimes)) } : {}),
  };
}

function decideConditions(
  observed: Observed,
  plan: Plan,
  outcome: ApplyOutcome,
  { topology, region }: VerdictContext,
  heldChanges: HeldChange[] | undefined,
): Verdict {
  const instances = effectiveInstances(observed, outcome);
  const primary = instances.find((i) => i.identifier === observed.names.primary);
  const desiredReplicaIds = new Set(observed.desiredReplicaIndices().map((i) => observed.names.replica(i)));
  const replicas = instances.filter((i) => i.identifier !== observed.names.primary);
  const executed = outcome.executed.filter(isMutatingAwsStep);
  const failure = outcome.failure;
  const decision = failure !== undefined ? errorPolicy(failure, { deleting: observed.isDeleting(), region }) : undefined;
  const unhealthy = plan.unhealthy.map((u) => `${u.identifier} is ${u.status}: ${u.advice}`);
  const credentialsMissing = missingCredentials(observed);
  // What degrades the service without making it unready: the primary serves.
  const degradations = [...(credentialsMissing !== undefined ? [credentialsMissing] : []), ...topologyDegradations(topology)];
  const degraded =
    unhealthy.length > 0
      ? { status: 'True' as const, reason: 'InstanceUnhealthy', message: joinMessages([...unhealthy, ...degradations]) }
      : credentialsMissing !== undefined
        ? { status: 'True' as const, reason: 'CredentialsMissing', message: joinMessages(degradations) }
        : degradations.length > 0
          ? {
              status: 'True' as const,
              reason: (topology?.lagging.length ?? 0) > 0 ? 'ReplicaLagging' : 'TopologyNotPublished',
              message: joinMessages(degradations),
            }
          : { status: 'False' as const, reason: 'Healthy', message: '' };
  const movingInstances = instances.filter((i) => ['transitional', 'deleting'].includes(healthOf(i.status)));
  const moving = movingInstances.length > 0;
  const activity = [
    ...executed.map((s) => `requested: ${describeStep(s)}`),
    ...plan.waits.map((w) => w.message),
    // What RDS is doing says what the operator waits for; without it a person sees only that something moves.
    ...movingInstances.map((i) => `${i.identifier} is ${i.status}`),
    // A failure with a condition (or a deferral) of its own is reported there, not as activity.
    ...(failure !== undefined && decision?.condition === undefined && decision?.action !== 'defer'
      ? [`${failure.operation} failed (${failure.kind}): ${failure.message}`]
      : []),
  ];
  const transitioning = moving || activity.length > 0;

  if (observed.isDeleting()) {
    if (plan.blocker !== undefined) {
      return {
        phase: 'Deleting',
        ready: { status: 'False', reason: plan.blocker.reason, message: plan.blocker.message },
        progressing: { status: 'False', reason: 'DeletionBlocked', message: plan.blocker.message },
        degraded,
        transitioning: false,
      };
    }
    // A rejected request is retried at the steady interval while deleting (the intent cannot change), so it is
    // shown here rather than as Failed.
    const rejected = decision?.condition !== undefined ? [decision.condition.message] : [];
    const message = joinMessages([...activity, ...rejected].length > 0 ? [...activity, ...rejected] : ['removing the finalizer']);
    return {
      phase: 'Deleting',
      ready: { status: 'False', reason: 'Deleting', message },
      progressing: { status: 'True', reason: 'Deleting', message },
      degraded,
      transitioning: true,
    };
  }

  // A rejected password is held by its fingerprint in status.credentials, not among the held changes: the Secret,
  // not the spec, is what a person changes.
  const passwordRejected = failure?.kind === 'terminal' ? passwordRejection(failure.step, failure.message) : undefined;
  const blocked = plan.blocker ?? passwordRejected ?? (decision?.action === 'retry' ? decision.condition : undefined);
  if (blocked !== undefined) {
    return {
      phase: 'Failed',
      ready: { status: 'False', reason: blocked.reason, message: blocked.message },
      progressing: { status: 'False', reason: 'Blocked', message: blocked.message },
      degraded,
      transitioning: false,
    };
  }
  // Held changes need a person, but the rest of the plan goes on: Progressing and the requeue follow it. Deferred
  // ones need nobody: they are only a reason the spec is not in effect yet.
  const { rejected: held, deferred } = partitionHolds(heldChanges);
  if (held.length > 0) {
    const message = describeHeldChanges(held);
    return {
      phase: 'Failed',
      ready: { status: 'False', reason: AWS_REJECTED_REASON, message },
      progressing: transitioning
        ? { status: 'True', reason: 'Modifying', message: joinMessages(activity) || 'waiting for instances to settle' }
        : { status: 'False', reason: 'Blocked', message },
      degraded,
      transitioning,
    };
  }

  const progressingMessage = joinMessages(activity);
  const progressing = (reason: string) =>
    transitioning
      ? { status: 'True' as const, reason, message: progressingMessage || 'waiting for instances to settle' }
      : deferred.length > 0
        ? { status: 'False' as const, reason: 'WaitingForRds', message: describeDeferredChanges(deferred) }
        : plan.pendingChanges.length > 0
          ? { status: 'False' as const, reason: 'PendingMaintenanceWindow', message: joinMessages(plan.pendingChanges) }
          : { status: 'False' as const, reason: 'Converged', message: 'the spec is in effect' };

  if (primary === undefined) {
    return {
      phase: 'Pending',
      ready: { status: 'False', reason: 'Pending', message: `${observed.names.primary} does not exist yet` },
      progressing: progressing('Provisioning'),
      degraded,
      transitioning: true,
    };
  }
  const missingReplicas = [...desiredReplicaIds].filter((id) => !replicas.some((r) => r.identifier === id));
  const creating = instances.filter((i) => i.status === 'creating').map((i) => i.identifier);
  if (primary.status === 'creating' || creating.length > 0 || missingReplicas.length > 0) {
    const waiting = [...creating.map((id) => `${id} is being created`), ...missingReplicas.map((id) => `${id} is to be created`)];
    return {
      phase: 'Provisioning',
      ready: { status: 'False', reason: 'Provisioning', message: joinMessages(waiting) },
      progressing: progressing('Provisioning'),
      degraded,
      transitioning: true,
    };
  }
  if (unhealthy.length > 0 || primary.status === 'deleting') {
    return {
      phase: 'Degraded',
      ready: { status: 'False', reason: 'Degraded', message: joinMessages(unhealthy.length > 0 ? unhealthy : [`${primary.identifier} is being deleted`]) },
      progressing: progressing('Modifying'),
      degraded,
      transitioning,
    };
  }
  if (transitioning) {
    return {
      phase: 'Modifying',
      ready: { status: 'False', reason: 'Modifying', message: progressingMessage || 'waiting for instances to settle' },
      progressing: progressing('Modifying'),
      degraded,
      transitioning,
    };
  }
  const available = replicas.filter((r) => desiredReplicaIds.has(r.identifier)).length;
  return {
    phase: degradations.length > 0 ? 'Degraded' : 'Ready',
    ready: { status: 'True', reason: 'Available', message: `primary ${primary.identifier} and ${available} read replica(s) are available` },
    progressing: progressing('Modifying'),
    degraded,
    transitioning: false,
  };
}

function condition(type: string, value: Verdict['ready'], generation: number, previous: readonly Condition[] | undefined, now: Date): Condition {
  const before = previous?.find((c) => c.type === type);
  return {
    type,
    status: value.status,
    observedGeneration: generation,
    // metav1.Condition: the time the status last changed, not the time of this reconcile.
    lastTransitionTime: before !== undefined && before.status === value.status ? before.lastTransitionTime : now.toISOString(),
    reason: value.reason,
    message: value.message,
  };
}

/** `topology` replaces the topology's fields; without it (a deleting object) they are carried over. */
function instanceStatus(instance: RdsInstance, role: InstanceRole, previous: InstanceStatus | undefined, topology?: InstancePublicationStatus): InstanceStatus {
  return stripUndefined({
    identifier: instance.identifier,
    role,
    rdsStatus: instance.status,
    endpoint: instance.endpoint,
    instanceClass: instance.instanceClass,
    engineVersion: instance.engineVersion,
    allocatedStorageGiB: instance.allocatedStorageGiB,
    availabilityZone: instance.availabilityZone,
    // Owned by the topology publisher; carried over when it said nothing about this instance.
    ...(topology !== undefined
      ? { lagSeconds: topology.lagSeconds, routable: topology.routable, drainingSince: topology.drainingSince }
      : { lagSeconds: previous?.lagSeconds, routable: previous?.routable, drainingSince: previous?.drainingSince }),
  });
}

export function buildStatus(
  observed: Observed,
  plan: Plan,
  outcome: ApplyOutcome,
  verdict: Verdict,
  now: Date,
  topology?: PublicationStatus,
): ReplicaSetDBStatus {
  const previous = observed.previousStatus;
  const generation = observed.object.generation;
  const instances = effectiveInstances(observed, outcome);
  const previousById = new Map([...(previous?.primary ? [previous.primary] : []), ...(previous?.replicas ?? [])].map((s) => [s.identifier, s]));
  const primary = instances.find((i) => i.identifier === observed.names.primary);
  const replicas = instances.filter((i) => i.identifier !== observed.names.primary);
  const maxLag = observed.spec?.routing.maxReplicaLagSeconds;
  const desired = new Set(observed.desiredReplicaIndices().map((i) => observed.names.replica(i)));
  const replicaStatuses = withDrainRelease(
    replicas.map((r) => instanceStatus(r, 'replica', previousById.get(r.identifier), topology?.instances.get(r.identifier))),
    outcome,
    previousById,
  );
  const readyReplicas = replicaStatuses.filter(
    (r) =>
      desired.has(r.identifier) && r.rdsStatus === 'available' && r.drainingSince === undefined && (maxLag === undefined || !isLagging(r.lagSeconds, maxLag)),
  ).length;
  const snapshotRequested = outcome.executed.some((s) => s.kind === 'deleteInstance' && s.role === 'primary' && s.finalSnapshot !== 'skip');

  return stripUndefined({
    ...previous,
    phase: verdict.phase,
    observedGeneration: generation,
    conditions: [
      condition('Ready', verdict.ready, generation, previous?.conditions, now),
      condition('Progressing', verdict.progressing, generation, previous?.conditions, now),
      condition('Degraded', verdict.degraded, generation, previous?.conditions, now),
      // Conditions of other types (set by other parts of the operator) are kept as they are.
      ...(previous?.conditions ?? []).filter((c) => !['Ready', 'Progressing', 'Degraded'].includes(c.type)),
    ],
    primary:
      primary !== undefined ? instanceStatus(primary, 'primary', previousById.get(primary.identifier), topology?.instances.get(primary.identifier)) : undefined,
    replicas: replicaStatuses,
    readyReplicas,
    endpoints: stripUndefined({
      ...previous?.endpoints,
      secretName: observed.names.secret.name,
      ...(topology?.revision !== undefined ? { configMapName: topology.configMapName, topologyRevision: topology.revision } : {}),
    }),
    baseIdentifier: observed.names.base,
    credentials: credentialsStatus(observed, outcome),
    parameterGroupName: observed.names.parameterGroup?.name ?? previous?.parameterGroupName,
    pendingChanges: plan.pendingChanges.length > 0 ? [...new Set(plan.pendingChanges)].slice(0, 64) : undefined,
    finalSnapshotIdentifier: snapshotRequested ? observed.names.finalSnapshot : previous?.finalSnapshotIdentifier,
    heldChanges: verdict.heldChanges,
  });
}

function credentialsStatus(observed: Observed, outcome: ApplyOutcome): ReplicaSetDBStatus['credentials'] {
  const failed = outcome.failure;
  const rejectedNow = failed?.kind === 'terminal' && failed.step.kind === 'applyMasterPassword' ? failed.step.passwordFingerprint : undefined;
  const credentials = stripUndefined({
    appliedPasswordFingerprint: appliedPasswordFingerprint(observed, outcome),
    rejectedPasswordFingerprint: rejectedPasswordFingerprint(observed, outcome, rejectedNow),
  });
  return Object.keys(credentials).length > 0 ? credentials : undefined;
}

function stripUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
