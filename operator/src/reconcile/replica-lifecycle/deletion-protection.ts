// Lifting deletion protection before a DeleteDBInstance, shared by a retiring replica and the deletion of the whole
// object. A separate pass from the deletion: RDS refuses the deletion until it has applied the change.
import type { InstanceRole } from '../../naming/index.js';
import type { RdsInstance } from '../../rds/port.js';
import { healthOf, isModifiable, liftProtectionByHand } from '../instance-states.js';
import type { Plan } from '../plan/types.js';

export function liftDeletionProtection(plan: Plan, instance: RdsInstance, role: InstanceRole): void {
  const id = instance.identifier;
  if (healthOf(instance.status) === 'unhealthy') {
    // A state RDS does not leave by itself: waiting for "available" would wait for ever.
    const message = `${id} is ${instance.status} and still has deletion protection, which the operator lifts only on an available instance: ${liftProtectionByHand(id)}; the operator then deletes it`;
    plan.waits.push({ subject: id, message });
    return;
  }
  if (!isModifiable(instance.status)) {
    plan.waits.push({ subject: id, message: `${id} is ${instance.status}; its deletion protection is lifted once it is available` });
    return;
  }
  plan.steps.push({
    kind: 'modifyInstance',
    identifier: id,
    role,
    changes: { deletionProtection: false },
    delta: [{ field: 'deletionProtection', from: 'true', to: 'false' }],
    applyImmediately: true,
  });
}
