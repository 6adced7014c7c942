// The vocabulary of a plan: the steps apply may execute, the waits that explain why the spec is not yet in
// effect, and the blockers that stop all change until a person acts.
import type { ObjectRef } from '../../ports/kubernetes.js';
import type { CreateParameterGroupInput, CreatePrimaryInput, CreateReplicaInput, FinalSnapshot, InstanceModification } from '../../rds/port.js';
import type { InstanceRole } from '../../naming/index.js';
import type { EndpointsConfigMapContent } from '../../topology/index.js';
import type { DrainRelease } from '../replica-lifecycle/drain-release.js';

/** Everything a primary is created with except the password, which apply reads from the Secret at the last
 * moment: a plan can be logged, compared and tested without ever holding it. */
export type PrimaryBlueprint = Omit<CreatePrimaryInput, 'masterPassword'>;

/** One field that differs, for messages, Events and pendingChanges (`delta.DifferentAt` in ACK's terms). */
export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

/** The instance a modification or a deletion is for. */
interface InstanceStep {
  identifier: string;
  role: InstanceRole;
}

export type Step =
  | { kind: 'addFinalizer' }
  | { kind: 'removeFinalizer' }
  | { kind: 'createCredentials'; secret: ObjectRef; username: string }
  | { kind: 'createParameterGroup'; input: CreateParameterGroupInput }
  | { kind: 'setParameters'; group: string; values: Record<string, string> }
  | { kind: 'resetParameters'; group: string; names: string[] }
  | { kind: 'deleteParameterGroup'; name: string }
  | { kind: 'tagResource'; subject: string; arn: string; tags: Record<string, string>; why: 'adopt' | 'drift' }
  | { kind: 'createPrimary'; blueprint: PrimaryBlueprint; secret: ObjectRef }
  /** Sends the Secret's password to the primary; apply reads it and checks it still has `passwordFingerprint`. */
  | { kind: 'applyMasterPassword'; identifier: string; secret: ObjectRef; passwordFingerprint: string }
  /** Writes the keys the operator keeps in the Secret: DB_USERNAME/DB_PASSWORD as copies of username/password, and
   * the fingerprint key when it has none. */
  | { kind: 'completeCredentialsSecret'; secret: ObjectRef }
  | { kind: 'createReplica'; index: number; input: CreateReplicaInput }
  | (InstanceStep & {
      kind: 'modifyInstance';
      changes: InstanceModification;
      delta: FieldChange[];
      applyImmediately: boolean;
      /** Changes RDS holds for the maintenance window that it applies now too: ApplyImmediately releases every
       * pending change, and the spec did not ask for that (a full instance's growth cannot wait for the window). */
      releasesPending?: string[];
    })
  | {
      kind: 'publishTopology';
      configMap: ObjectRef;
      content: EndpointsConfigMapContent;
      revision: number;
      /** The content changed (the revision moved), as opposed to a ConfigMap repaired at the same revision. */
      changed: boolean;
      /** `revision` is above the one status records: it is written to status first, so that no later reconcile can
       * stamp it on other content, whatever happens to this ConfigMap or this process after the write. */
      reserveRevision: boolean;
      /** Set on the ConfigMap a rename of spec.endpoints.configMapName left behind: the name that replaced it. */
      replacedBy?: string;
      /** What differs from the observed ConfigMap, for the log line. */
      delta: string[];
    }
  | { kind: 'deleteTopology'; configMap: ObjectRef }
  /** Keeps the ConfigMap but drops the object's owner reference (deletionPolicy Retain). */
  | { kind: 'releaseTopology'; configMap: ObjectRef; ownerUid: string }
  | (InstanceStep & {
      kind: 'deleteInstance';
      finalSnapshot: FinalSnapshot;
      why: 'scale-down' | 'replacement' | 'object deleted';
      /** For a primary: every identifier a replica of ours can have, checked by a fresh describe right before. */
      replicaCandidates?: string[];
      /** For a replica deleted without a final snapshot: the primary it must still replicate from when the call is
       * made (a fresh describe right before confirms it), as a promoted one may hold writes of its own. */
      replicaOf?: string;
      /** What ended a replica's drain. */
      drainRelease?: DrainRelease;
    });

export type StepKind = Step['kind'];

/** Why the spec is not in effect yet although nothing is wrong: an instance is busy, or an ordering rule holds a
 * change back. A wait never stops other independent steps of the same plan. */
export interface Wait {
  subject: string;
  message: string;
}

export type BlockReason =
  | 'InvalidSpec'
  | 'IdentifierConflict'
  | 'AdoptionNotAllowed'
  | 'CredentialsInvalid'
  | 'CredentialsUsernameMismatch'
  | 'CredentialsRejected'
  | 'PrimaryLost'
  | 'ReplicaPromoted'
  | 'EngineDowngradeNotSupported'
  | 'DeletionProtected'
  | 'FinalSnapshotImpossible';

/** Nothing more can happen until a person changes something; the message says what. */
export interface Blocker {
  reason: BlockReason;
  message: string;
}

export interface UnhealthyInstance {
  identifier: string;
  role: InstanceRole;
  status: string;
  advice: string;
}

export interface Plan {
  steps: Step[];
  waits: Wait[];
  blocker?: Blocker;
  /** Spec changes not yet in effect, for status.pendingChanges. */
  pendingChanges: string[];
  unhealthy: UnhealthyInstance[];
}

export function emptyPlan(): Plan {
  return { steps: [], waits: [], pendingChanges: [], unhealthy: [] };
}

/** Whether a step calls RDS with a request that changes something. */
export function isMutatingAwsStep(step: Step): boolean {
  return !['addFinalizer', 'removeFinalizer', 'createCredentials', 'completeCredentialsSecret', 'publishTopology', 'deleteTopology'].includes(step.kind);
}
