// Executes a plan's steps in order. Every step is idempotent (a create that finds its resource, a delete that
// finds nothing, are done), so a step repeated after a crash or a lost response does no harm. Apply stops at
// the first step that fails or must wait; the next reconcile observes again and plans from there.
//
// The signal fences the run: once it is aborted (leadership lost, shutdown) no further step starts and nothing more
// is written, not even an Event, because another process may already be reconciling the same object.
//
// An Event records every mutating AWS call and every failure. The master password exists here only between
// reading the Secret and the call that sends it (CreateDBInstance, ModifyDBInstance MasterUserPassword, the
// Secret's own DB_PASSWORD copy), and is redacted from anything built from the answer.
import type { EventType, KubernetesPort, ObjectRef, OwnerIdentity } from '../ports/kubernetes.js';
import { FINALIZER, MANAGED_BY } from '../naming/index.js';
import { RdsError, toRdsError, type RdsErrorKind } from '../rds/errors.js';
import type { RdsInstance, RdsPort } from '../rds/port.js';
import {
  credentialsSecretData,
  ENVIRONMENT_KEYS,
  generateFingerprintKey,
  masterPasswordProblem,
  passwordFingerprint,
  redact,
  SECRET_FINGERPRINT_KEY,
  SECRET_PASSWORD_KEY,
  staleEnvironmentKeys,
  uidKeyedPasswordFingerprint,
  type PasswordIdentity,
} from './credentials.js';
import { confirmDeletion } from './deletion-check.js';
import { describeStep, stepSubject } from './describe-step.js';
import type { ReconcileLogger } from './logger.js';
import { AWS_OPERATION } from './plan/aws-operations.js';
import { isMutatingAwsStep, type Step } from './plan/types.js';

export interface ApplyContext {
  rds: RdsPort;
  kube: KubernetesPort;
  ref: ObjectRef;
  involved: OwnerIdentity;
  finalizers: readonly string[];
  generatePassword: () => string;
  log: ReconcileLogger;
  /** Aborted when this process must stop acting on the object (it lost leadership, or is shutting down). */
  signal?: AbortSignal;
  /** The object's resourceVersion as observed: a status patch during apply is conditional on it. */
  resourceVersion: string;
}

export type FailureKind = RdsErrorKind | 'kubernetes';

export interface StepFailure {
  step: Step;
  kind: FailureKind;
  code: string;
  operation: string;
  /** Safe to show: redacted. */
  message: string;
}

export interface ApplyOutcome {
  executed: Step[];
  /** Instances as the mutating calls' answers describe them (a created instance is `creating`, ...). */
  instances: Map<string, RdsInstance>;
  failure?: StepFailure;
  finalizerRemoved: boolean;
  /** The signal was aborted: the remaining steps did not run. */
  aborted?: boolean;
  /** The object's resourceVersion after this run's own patches of it (finalizer, reserved revision), which the
   * status write is conditional on. */
  resourceVersion?: string;
  /** The topology revision this run wrote to status before writing it to the ConfigMap. */
  reservedTopologyRevision?: number;
  /** Fingerprint of the master password a call of this reconcile gave RDS. */
  appliedPasswordFingerprint?: string;
  /** The Secret's password as this reconcile found it when it wrote the Secret's first fingerprint key: status may
   * record this fingerprint at once for a password it already had recorded (see plan/credentials.ts). */
  fingerprintKeyWritten?: PasswordIdentity & { passwordFingerprint: string };
}

const EVENT_REASON: Record<Step['kind'], string> = {
  addFinalizer: 'FinalizerAdded',
  removeFinalizer: 'FinalizerRemoved',
  createCredentials: 'CredentialsGenerated',
  createParameterGroup: 'CreatedParameterGroup',
  setParameters: 'SetParameters',
  resetParameters: 'ResetParameters',
  deleteParameterGroup: 'DeletedParameterGroup',
  tagResource: 'TaggedResource',
  createPrimary: 'CreatingPrimary',
  applyMasterPassword: 'MasterPasswordChanged',
  completeCredentialsSecret: 'CredentialsSecretUpdated',
  createReplica: 'CreatingReplica',
  modifyInstance: 'ModifyingInstance',
  deleteInstance: 'DeletingInstance',
  publishTopology: 'TopologyPublished',
  deleteTopology: 'TopologyDeleted',
  releaseTopology: 'TopologyRetained',
};

const EVENT_REASON_OF_FAILURE: Partial<Record<FailureKind, string>> = {
  terminal: 'AwsRequestRejected',
  'action-required': 'AwsActionRequired',
  cooldown: 'AwsRequestDeferred',
  kubernetes: 'KubernetesRequestFailed',
};

class KubernetesStepError extends Error {
  override readonly name = 'KubernetesStepError';
}

/** The old name's ConfigMap after a rename loses its replicas: the pods still mounting it need a person's attention. */
function isWithdrawal(step: Step): boolean {
  return step.kind === 'publishTopology' && step.replacedBy !== undefined;
}

export async function applyPlan(steps: readonly Step[], ctx: ApplyContext): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { executed: [], instances: new Map(), finalizerRemoved: false };
  let finalizers = [...ctx.finalizers];
  for (const step of steps) {
    if (stopIfAborted(step, ctx, outcome)) break;
    const secrets: string[] = [];
    try {
      const note = await executeStep(step, ctx, outcome, secrets, finalizers);
      if (step.kind === 'addFinalizer') finalizers = [...finalizers, FINALIZER];
      if (step.kind === 'removeFinalizer') outcome.finalizerRemoved = true;
      outcome.executed.push(step);
      const line = note === undefined ? describeStep(step) : `${describeStep(step)}: ${note}`;
      ctx.log.info({ step: step.kind, subject: stepSubject(step) }, line);
      if (ctx.signal?.aborted) continue;
      if (isMutatingAwsStep(step) || step.kind === 'createCredentials' || step.kind === 'completeCredentialsSecret' || isWithdrawal(step))
        // Changes released before the window the spec chose are worth a person's attention.
        await event(
          ctx,
          step.kind === 'modifyInstance' && step.releasesPending !== undefined ? 'Warning' : 'Normal',
          isWithdrawal(step) ? 'TopologyWithdrawn' : EVENT_REASON[step.kind],
          line,
        );
    } catch (err) {
      // A call cut short by the signal is not a failure of the step: the next leader runs it again.
      if (stopIfAborted(step, ctx, outcome)) break;
      outcome.failure = failureOf(step, err, secrets);
      const { kind, operation, message } = outcome.failure;
      const reason = EVENT_REASON_OF_FAILURE[kind] ?? 'AwsRequestFailed';
      const line = `${operation} ${stepSubject(step)} failed (${kind}): ${message}`;
      ctx.log.warn({ step: step.kind, subject: stepSubject(step), kind, code: outcome.failure.code }, line);
      await event(ctx, 'Warning', reason, line);
      break;
    }
  }
  return outcome;
}

function stopIfAborted(step: Step, ctx: ApplyContext, outcome: ApplyOutcome): boolean {
  if (ctx.signal?.aborted !== true) return false;
  outcome.aborted = true;
  ctx.log.warn({ step: step.kind, subject: stepSubject(step), reason: reasonOf(ctx.signal) }, `stopped before ${describeStep(step)}: reconcile aborted`);
  return true;
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
}

async function event(ctx: ApplyContext, type: EventType, reason: string, message: string): Promise<void> {
  try {
    await ctx.kube.recordEvent(ctx.involved, type, reason, message.slice(0, 1024));
  } catch (err) {
    ctx.log.warn({ reason, err: err instanceof Error ? err.message : String(err) }, 'could not record an Event');
  }
}

function failureOf(step: Step, err: unknown, secrets: readonly string[]): StepFailure {
  const operation = AWS_OPERATION[step.kind];
  if (err instanceof KubernetesStepError || operation === undefined) {
    const message = err instanceof Error ? err.message : String(err);
    return { step, kind: 'kubernetes', code: 'KubernetesError', operation: step.kind, message: redact(message, secrets) };
  }
  const rdsError = toRdsError(err, operation);
  return { step, kind: rdsError.kind, code: rdsError.code, operation: rdsError.operation, message: redact(rdsError.message, secrets) };
}

async function kube<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new KubernetesStepError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Runs one step; returns a note when the step turned out to be already done. */
async function executeStep(
  step: Step,
  ctx: ApplyContext,
  outcome: ApplyOutcome,
  secrets: string[],
  finalizers: readonly string[],
): Promise<string | undefined> {
  const { rds } = ctx;
  // Cuts a call in flight short when the reconcile is aborted; AWS or the API server may still have acted on it,
  // which the next observation sees (every step is idempotent).
  const abortable = ctx.signal !== undefined ? { signal: ctx.signal } : {};
  const alreadyDone = async (call: () => Promise<unknown>, kind: RdsErrorKind, note: string): Promise<string | undefined> => {
    try {
      await call();
      return undefined;
    } catch (err) {
      if (err instanceof RdsError && err.kind === kind) return note;
      throw err;
    }
  };

  switch (step.kind) {
    case 'addFinalizer':
      outcome.resourceVersion = (await kube(() => ctx.kube.addFinalizer(ctx.ref, finalizers, FINALIZER, abortable))) ?? outcome.resourceVersion;
      return undefined;
    case 'removeFinalizer':
      outcome.resourceVersion = (await kube(() => ctx.kube.removeFinalizer(ctx.ref, finalizers, FINALIZER, abortable))) ?? outcome.resourceVersion;
      return undefined;
    case 'createCredentials': {
      const password = ctx.generatePassword();
      secrets.push(password);
      const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/instance': ctx.ref.name };
      const data = credentialsSecretData(step.username, password, generateFingerprintKey());
      const result = await kube(() => ctx.kube.createSecret(step.secret, data, labels, abortable));
      return result === 'exists' ? 'the Secret already exists and is kept' : undefined;
    }
    case 'createParameterGroup':
      return alreadyDone(() => rds.createParameterGroup(step.input, abortable), 'already-exists', 'it already exists');
    case 'setParameters':
      await rds.setParameters(step.group, step.values, abortable);
      return undefined;
    case 'resetParameters':
      await rds.resetParameters(step.group, step.names, abortable);
      return undefined;
    case 'deleteParameterGroup':
      await rds.deleteParameterGroup(step.name, abortable);
      return undefined;
    case 'tagResource':
      await rds.addTags(step.arn, step.tags, abortable);
      return undefined;
    case 'createPrimary': {
      const data = await kube(() => ctx.kube.getSecret(step.secret, abortable));
      const password = data?.password;
      const problem = masterPasswordProblem(password);
      if (password === undefined || problem !== undefined) {
        // Observed usable a moment ago; changed since. Nothing was sent; the next reconcile sees the new state.
        throw new RdsError(
          'retryable',
          'CredentialsChanged',
          'CreateDBInstance',
          `Secret ${step.secret.name} cannot supply the password: ${problem ?? 'missing'}`,
        );
      }
      secrets.push(password);
      try {
        const created = await rds.createPrimary({ ...step.blueprint, masterPassword: password }, abortable);
        outcome.instances.set(created.identifier, created);
        // A Secret a person wrote has no fingerprint key until completeCredentialsSecret, which status then uses.
        const fingerprintKey = data?.[SECRET_FINGERPRINT_KEY];
        if (fingerprintKey) outcome.appliedPasswordFingerprint = passwordFingerprint(password, fingerprintKey);
        return undefined;
      } catch (err) {
        // The identifier is deterministic: an instance with it is the one an earlier, interrupted attempt created
        // (or a foreign one, which the next observation reports as a conflict). Never a second instance.
        if (err instanceof RdsError && err.kind === 'already-exists') return 'it already exists (an earlier attempt)';
        throw err;
      }
    }
    case 'applyMasterPassword': {
      const data = await kube(() => ctx.kube.getSecret(step.secret, abortable));
      const password = data?.[SECRET_PASSWORD_KEY];
      if (password !== undefined) secrets.push(password);
      // The plan was made for the password it fingerprinted; one edited since then is the next reconcile's.
      if (
        password === undefined ||
        masterPasswordProblem(password) !== undefined ||
        !data?.[SECRET_FINGERPRINT_KEY] ||
        passwordFingerprint(password, data[SECRET_FINGERPRINT_KEY]) !== step.passwordFingerprint
      ) {
        throw new RdsError('retryable', 'CredentialsChanged', 'ModifyDBInstance', `Secret ${step.secret.name} changed since it was read; nothing was sent`);
      }
      const modified = await rds.setMasterPassword(step.identifier, password, abortable);
      outcome.instances.set(modified.identifier, modified);
      outcome.appliedPasswordFingerprint = step.passwordFingerprint;
      return undefined;
    }
    case 'completeCredentialsSecret': {
      const data = await kube(() => ctx.kube.getSecret(step.secret, abortable));
      if (data === undefined) throw new KubernetesStepError(`Secret ${step.secret.name} is gone`);
      const password = data[SECRET_PASSWORD_KEY];
      if (password !== undefined) secrets.push(password);
      const key = data[SECRET_FINGERPRINT_KEY] ? undefined : generateFingerprintKey();
      const set = { ...staleEnvironmentKeys(data), ...(key !== undefined ? { [SECRET_FINGERPRINT_KEY]: key } : {}) };
      if (Object.keys(set).length === 0) return 'they are already in sync';
      // Written only if username and password are still what was read: the key's fingerprint below is of this password.
      const sources = Object.fromEntries(Object.values(ENVIRONMENT_KEYS).flatMap((k) => (data[k] !== undefined ? [[k, data[k]]] : [])));
      await kube(() => ctx.kube.patchSecretKeys(step.secret, set, sources, abortable));
      if (key !== undefined && password !== undefined) {
        outcome.fingerprintKeyWritten = {
          passwordFingerprint: passwordFingerprint(password, key),
          uidKeyedFingerprint: uidKeyedPasswordFingerprint(password, ctx.involved.uid),
        };
      }
      return undefined;
    }
    case 'createReplica':
      try {
        const created = await rds.createReplica(step.input, abortable);
        outcome.instances.set(created.identifier, created);
        return undefined;
      } catch (err) {
        if (err instanceof RdsError && err.kind === 'already-exists') return 'it already exists (an earlier attempt)';
        throw err;
      }
    case 'modifyInstance': {
      const modified = await rds.modifyInstance(step.identifier, step.changes, step.applyImmediately, abortable);
      outcome.instances.set(modified.identifier, modified);
      return undefined;
    }
    case 'publishTopology':
      // One reservation covers every lower revision of the same reconcile (a renamed ConfigMap's, written after).
      if (step.reserveRevision && step.revision > (outcome.reservedTopologyRevision ?? 0)) {
        const from = outcome.resourceVersion ?? ctx.resourceVersion;
        outcome.resourceVersion = await kube(() => ctx.kube.reserveTopologyRevision(ctx.ref, step.revision, from, abortable));
        outcome.reservedTopologyRevision = step.revision;
      }
      await kube(() => ctx.kube.applyConfigMap(step.configMap, step.content, ctx.involved, abortable));
      return undefined;
    case 'deleteTopology':
      await kube(() => ctx.kube.deleteConfigMap(step.configMap, abortable));
      return undefined;
    case 'releaseTopology':
      await kube(() => ctx.kube.releaseConfigMap(step.configMap, step.ownerUid, abortable));
      return undefined;
    case 'deleteInstance':
      if ((await confirmDeletion(rds, step, ctx.involved, abortable)) === 'gone') return 'it is already gone';
      // The check may have taken a while: a reconcile aborted meanwhile deletes nothing.
      ctx.signal?.throwIfAborted();
      try {
        const deleted = await rds.deleteInstance(step.identifier, step.finalSnapshot, abortable);
        if (deleted !== undefined) outcome.instances.set(step.identifier, { ...deleted, status: 'deleting' });
        return undefined;
      } catch (err) {
        if (err instanceof RdsError && err.kind === 'not-found') return 'it is already gone';
        throw err;
      }
  }
}
