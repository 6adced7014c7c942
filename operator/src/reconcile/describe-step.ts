// One line per step, for logs and Events. Built from the step's fields, none of which is a password.
import { describeChange } from './plan/drift.js';
import type { DrainRelease } from './replica-lifecycle/drain-release.js';
import type { Step } from './plan/types.js';

const DRAIN_RELEASE_TEXT: Record<DrainRelease, string> = {
  ConnectionsQuiet: 'drain released by ConnectionsQuiet: its connections stayed at or below routing.drainConnectionFloor for routing.drainQuietSeconds',
  MaxDrainSeconds: 'drain released by MaxDrainSeconds: the drain maximum was reached',
};

export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'addFinalizer':
      return 'add the finalizer';
    case 'removeFinalizer':
      return 'remove the finalizer';
    case 'createCredentials':
      return `generate the master password into Secret ${step.secret.name}`;
    case 'createParameterGroup':
      return `create parameter group ${step.input.name} (${step.input.family})`;
    case 'setParameters':
      return `set ${Object.keys(step.values).sort().join(', ')} in parameter group ${step.group}`;
    case 'resetParameters':
      return `reset ${step.names.join(', ')} in parameter group ${step.group}`;
    case 'deleteParameterGroup':
      return `delete parameter group ${step.name}`;
    case 'tagResource':
      return `${step.why === 'adopt' ? 'adopt' : 'tag'} ${step.subject} (${Object.keys(step.tags).sort().join(', ')})`;
    case 'createPrimary': {
      const b = step.blueprint;
      return `create primary ${b.identifier}: ${b.instanceClass}, ${b.allocatedStorageGiB} GiB ${b.storageType}, PostgreSQL ${b.engineVersion}${b.multiAZ ? ', Multi-AZ' : ''}`;
    }
    case 'applyMasterPassword':
      return `set the master password of ${step.identifier} to the one in Secret ${step.secret.name}`;
    case 'completeCredentialsSecret':
      return `write DB_USERNAME, DB_PASSWORD and the password's fingerprint key where missing or stale in Secret ${step.secret.name}`;
    case 'createReplica':
      return `create replica ${step.input.identifier} of ${step.input.sourceIdentifier}: ${step.input.instanceClass}`;
    case 'modifyInstance': {
      const when = step.applyImmediately ? ' (applied immediately)' : ' (changes RDS defers wait for the maintenance window)';
      const released =
        step.releasesPending === undefined
          ? ''
          : `; ${step.identifier} is full and cannot wait for the maintenance window, so RDS also applies now what it held for the window: ${step.releasesPending.join(', ')}`;
      return `modify ${step.delta.map((c) => describeChange(step.identifier, c)).join('; ')}${when}${released}`;
    }
    case 'publishTopology':
      if (step.replacedBy !== undefined) {
        return `withdraw the replicas from ConfigMap ${step.configMap.name} (topology revision ${step.revision}): spec.endpoints.configMapName now names ${step.replacedBy}, and pods that still mount ${step.configMap.name} send every query to the primary`;
      }
      return step.changed
        ? `publish topology revision ${step.revision} to ConfigMap ${step.configMap.name}`
        : `restore ConfigMap ${step.configMap.name} to topology revision ${step.revision} (${step.delta.join(', ')})`;
    case 'deleteTopology':
      return `delete ConfigMap ${step.configMap.name}`;
    case 'releaseTopology':
      return `keep ConfigMap ${step.configMap.name} for the retained databases, without the owner reference`;
    case 'deleteInstance': {
      const snapshot = step.finalSnapshot === 'skip' ? 'no final snapshot' : `final snapshot ${step.finalSnapshot.finalSnapshotIdentifier}`;
      const drain = step.drainRelease === undefined ? '' : `; ${DRAIN_RELEASE_TEXT[step.drainRelease]}`;
      return `delete ${step.role} ${step.identifier} (${step.why}; ${snapshot}${drain})`;
    }
  }
}

export function stepSubject(step: Step): string {
  switch (step.kind) {
    case 'addFinalizer':
    case 'removeFinalizer':
      return 'finalizer';
    case 'createCredentials':
    case 'completeCredentialsSecret':
      return step.secret.name;
    case 'applyMasterPassword':
      return step.identifier;
    case 'createParameterGroup':
      return step.input.name;
    case 'setParameters':
    case 'resetParameters':
      return step.group;
    case 'deleteParameterGroup':
      return step.name;
    case 'tagResource':
      return step.subject;
    case 'createPrimary':
      return step.blueprint.identifier;
    case 'createReplica':
      return step.input.identifier;
    case 'publishTopology':
    case 'deleteTopology':
    case 'releaseTopology':
      return step.configMap.name;
    case 'modifyInstance':
    case 'deleteInstance':
      return step.identifier;
  }
}
