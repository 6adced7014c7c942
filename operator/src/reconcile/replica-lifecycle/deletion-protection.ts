// Lifting deletion protection before a DeleteDBInstance, shared by a retiring replica and the deletion of the whole
// object. A separate pass from the deletion: RDS refuses the deletion until it has applied the change.
import type { InstanceRole } from '../../naming/index.js';
import type { RdsInstance } from '../../rds/port.js';
import { isModifiable } from '../instance-states.js';
import type { Plan } from '../plan/types.js';

export function liftDeletionProtection(plan: Plan, instance: RdsInstance, role: InstanceRole): void {
  const id = instance.identifier;
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
