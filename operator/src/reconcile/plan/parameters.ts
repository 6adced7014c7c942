// The DB parameter group: one per object and engine family, always managed (even with no parameters), so
// that adding a parameter later changes the group instead of attaching a new one, which would need a reboot.
import type { ReplicaSetDBSpec } from '../../api/index.js';
import type { Observed } from '../observed.js';
import { desiredTags } from './desired.js';
import type { Plan } from './types.js';

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
  const removed = Object.keys(group.parameters).filter((name) => !(name in spec.parameters)).sort();
  if (removed.length > 0) plan.steps.push({ kind: 'resetParameters', group: group.name, names: removed });
}
