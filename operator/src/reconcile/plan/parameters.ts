// The DB parameter group: one per object and engine family, always managed (even with no parameters), so
// that adding a parameter later changes the group instead of attaching a new one, which would need a reboot.
import type { ReplicaSetDBSpec } from '../../api/index.js';
import type { Observed } from '../observed.js';
import { desiredTags } from './desired.js';
import type { Plan } from './types.js';
import { isModifiable } from '../instance-states.js';

export function planParameterGroup(plan: Plan, observed: Observed, spec: ReplicaSetDBSpec): void {
  const target = observed.names.parameterGroup;
  if (target === undefined) return;
  const tags = desiredTags(spec, observed.names);
  const group = observed.parameterGroup();
  if (group === undefined) {
    plan.steps.push({
      kind: 'createParameterGroup',
      input: {
        name: target.name,
        family: target.family,
        description: `PostgreSQL parameters of ReplicaSetDB ${observed.owner.namespace}/${observed.owner.name}`,
        tags,
      },
    });
    if (Object.keys(spec.parameters).length > 0) plan.steps.push({ kind: 'setParameters', group: target.name, values: { ...spec.parameters } });
    return;
  }

  const missingTags = Object.fromEntries(Object.entries(tags).filter(([k, v]) => group.tags[k] !== v));
  if (Object.keys(missingTags).length > 0) {
    const adopting = observed.ownershipOf(group.tags) !== 'owned';
    plan.steps.push({ kind: 'tagResource', subject: group.name, arn: group.arn, tags: adopting ? tags : missingTags, why: adopting ? 'adopt' : 'drift' });
  }
  const changed = Object.fromEntries(Object.entries(spec.parameters).filter(([name, value]) => group.parameters[name] !== value));
  if (Object.keys(changed).length > 0) plan.steps.push({ kind: 'setParameters', group: group.name, values: changed });
  const removed = Object.keys(group.parameters)
    .filter((name) => !(name in spec.parameters))
    .sort();
  if (removed.length > 0) plan.steps.push({ kind: 'resetParameters', group: group.name, names: removed });
}

/**
 * A major version upgrade moves the instances to the new family's group (`-postgres16`) and leaves the old one
 * (`-postgres15`) behind. It is deleted once no observed instance lists it any more and every instance of this
 * object is available with no engine change pending, so an upgrade still in progress, or held for the maintenance
 * window, keeps its group. Only a group carrying this object's uid is deleted; another object's is never touched.
 * Until then nothing is reported: the left-over group is housekeeping, not part of the spec. A group still in use
 * after all (an instance restored from a snapshot with it) makes RDS answer InvalidDBParameterGroupState, which
 * waits like a busy instance.
 */
export function planRetiredParameterGroups(plan: Plan, observed: Observed): void {
  const settled = observed.managedInstances().every((i) => isModifiable(i.status) && i.pending.engineVersion === undefined);
  if (!settled) return;
  for (const group of observed.retiredParameterGroups()) {
    if (observed.ownershipOf(group.tags) !== 'owned') continue;
    if (observed.instancesUsingParameterGroup(group.name).length > 0) continue;
    plan.steps.push({ kind: 'deleteParameterGroup', name: group.name });
  }
}
