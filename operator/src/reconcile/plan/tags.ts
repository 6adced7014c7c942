// Tags on the instances: ownership first (adoption), then the spec's tags. Tags are only ever added or
// overwritten: the operator cannot tell a tag it set from one a person or another tool set on purpose.
import type { ReplicaSetDBSpec } from '../../api/index.js';
import { TAG_ADOPTED, type InstanceRole } from '../../naming/index.js';
import type { RdsInstance } from '../../rds/port.js';
import type { Observed } from '../observed.js';
import { desiredTags } from './desired.js';
import type { Plan } from './types.js';

export function planInstanceTags(plan: Plan, observed: Observed, spec: ReplicaSetDBSpec): void {
  for (const instance of observed.managedInstances()) {
    if (instance.status === 'deleting') continue;
    const role: InstanceRole = instance.identifier === observed.names.primary ? 'primary' : 'replica';
    const wanted = desiredTags(spec, observed.names, role);
    const adopting = observed.ownershipOf(instance.tags) !== 'owned';
    const missing = missingTags(instance, wanted);
    if (adopting) {
      plan.steps.push({ kind: 'tagResource', subject: instance.identifier, arn: instance.arn, tags: { ...wanted, [TAG_ADOPTED]: 'true' }, why: 'adopt' });
    } else if (Object.keys(missing).length > 0) {
      plan.steps.push({ kind: 'tagResource', subject: instance.identifier, arn: instance.arn, tags: missing, why: 'drift' });
    }
  }
}

function missingTags(instance: RdsInstance, wanted: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => instance.tags[k] !== v));
}
