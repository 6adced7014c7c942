// Pure builders of the desired RDS resources from the spec (CloudNativePG's "desired objects come from pure
// builder functions"). Creation requests and drift checks both read these, so what is created and what is
// later enforced cannot drift apart.
import type { ReplicaSetDBSpec } from '../../api/index.js';
import { resourceTags, type InstanceRole } from '../../naming/index.js';
import type { CreateReplicaInput } from '../../rds/port.js';
import { desiredCreateSettings, desiredSettings } from '../../rds/settings/values.js';
import type { ResourceNames } from '../resource-names.js';
import type { PrimaryBlueprint } from './types.js';

export function desiredTags(spec: ReplicaSetDBSpec, names: ResourceNames, role?: InstanceRole): Record<string, string> {
  return resourceTags(names.owner, spec.tags, role);
}

export function replicaInstanceClass(spec: ReplicaSetDBSpec): string {
  return spec.replicas.instanceClass ?? spec.primary.instanceClass;
}

function parameterGroupNameOf(names: ResourceNames): string {
  if (names.parameterGroup === undefined) throw new Error('a valid spec always has a parameter group name');
  return names.parameterGroup.name;
}

/** What every instance is created with besides its settings: its parameter group and its tags. */
function instanceResources(spec: ReplicaSetDBSpec, names: ResourceNames, role: InstanceRole): { parameterGroupName: string; tags: Record<string, string> } {
  return { parameterGroupName: parameterGroupNameOf(names), tags: desiredTags(spec, names, role) };
}

export function desiredPrimary(spec: ReplicaSetDBSpec, names: ResourceNames): PrimaryBlueprint {
  return { ...desiredCreateSettings(spec, 'primary'), ...instanceResources(spec, names, 'primary'), identifier: names.primary, engine: spec.engine };
}

/** A replica as created from `primary`: with at least the storage the primary has now (autoscaling may have grown
 * it past the spec), since a replica smaller than its source fills up first. */
export function replicaToCreate(spec: ReplicaSetDBSpec, names: ResourceNames, index: number, primary: { allocatedStorageGiB?: number }): CreateReplicaInput {
  const input = desiredReplica(spec, names, index);
  const sourceStorage = primary.allocatedStorageGiB;
  if (sourceStorage === undefined || input.allocatedStorageGiB === undefined || sourceStorage <= input.allocatedStorageGiB) return input;
  return { ...input, allocatedStorageGiB: sourceStorage };
}

export function desiredReplica(spec: ReplicaSetDBSpec, names: ResourceNames, index: number): CreateReplicaInput {
  return {
    ...desiredSettings(spec, 'replica'),
    ...instanceResources(spec, names, 'replica'),
    identifier: names.replica(index),
    sourceIdentifier: names.primary,
  };
}
