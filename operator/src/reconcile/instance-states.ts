// RDS DB instance statuses sorted by what they mean for the reconciler. Source: "Viewing Amazon RDS DB instance
// status" in the RDS User Guide. A status this list does not know is treated as transitional: waiting is
// always safe, acting on an instance in an unknown state is not.

/** Serving clients and not in the middle of a change of our making. */
const SERVING = new Set(['available', 'backing-up', 'storage-optimization']);

/** Needs a person or a replacement; RDS will not get out of it by itself. */
const UNHEALTHY = new Set([
  'failed',
  'storage-full',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-restore',
  'incompatible-credentials',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'restore-error',
  'insufficient-capacity',
  'stopped',
]);

/** States in which DeleteDBInstance is accepted and is the way out. */
const DELETABLE = new Set(['available', ...UNHEALTHY]);

export type InstanceHealth = 'serving' | 'transitional' | 'unhealthy' | 'deleting';

export function healthOf(status: string): InstanceHealth {
  if (status === 'deleting') return 'deleting';
  if (SERVING.has(status)) return 'serving';
  if (UNHEALTHY.has(status)) return 'unhealthy';
  return 'transitional';
}

/** ModifyDBInstance is only sent to an available instance (as ACK does): anything else is waited for. */
export function isModifiable(status: string): boolean {
  return status === 'available';
}

export function isDeletable(status: string): boolean {
  return DELETABLE.has(status);
}

/** Whether RDS can take a final snapshot when deleting an instance in this state. A failed instance, or one whose
 * parameters, network, option group, restore or credentials are incompatible, has no consistent storage to snapshot:
 * DeleteDBInstance with a final snapshot is refused, and only a deletion without one goes through. */
export function canTakeFinalSnapshot(status: string): boolean {
  return status !== 'failed' && !status.startsWith('incompatible-');
}

/** A replica RDS cannot recover: it is replaced (retired, then created again). */
export function needsReplacement(status: string): boolean {
  return status === 'failed';
}

/** How a person lifts deletion protection the operator cannot: it sends modifications to available instances only. */
export function liftProtectionByHand(identifier: string): string {
  return `lift it with \`aws rds modify-db-instance --db-instance-identifier ${identifier} --no-deletion-protection --apply-immediately\` (or ask AWS Support if RDS refuses)`;
}

/** What a person should do about an unhealthy instance, for the Degraded condition. */
export function unhealthyAdvice(status: string, role: 'primary' | 'replica', protectedId?: string): string {
  switch (status) {
    case 'storage-full':
      return role === 'primary'
        ? 'raise spec.primary.allocatedStorageGiB (or set maxAllocatedStorageGiB) so the operator can grow it'
        : 'raise spec.primary.allocatedStorageGiB; replicas get the same storage';
    case 'incompatible-parameters':
      return 'a value in spec.parameters keeps the instance from starting; correct it';
    case 'stopped':
      return 'it was stopped outside the operator; start it with the AWS console or CLI';
    case 'failed':
      if (role === 'primary') return 'restore from a snapshot; see the RDS events';
      // The replacement starts with a deletion, which RDS refuses while deletion protection is on.
      return protectedId === undefined
        ? 'the operator replaces it'
        : `it still has deletion protection, which the operator lifts only on an available instance: ${liftProtectionByHand(protectedId)}; the operator then replaces it`;
    default:
      return 'see the RDS events of the instance';
  }
}
