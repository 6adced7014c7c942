// Whether a topology read during a reload replaces the one the router holds. Pure.
import type { Topology } from '@servio/replicasetdb-contract';

export type TopologyDecision =
  | { action: 'apply'; reason: 'newer-revision' | 'new-epoch' }
  | { action: 'ignore'; reason: 'older-revision' | 'unchanged' | 'earlier-epoch' }
  | { action: 'reject'; reason: string };

/**
 * Decides what to do with a valid document read after `current`. `leftEpochs` are the epochs this router has
 * switched away from.
 */
export function decideTopologyUpdate(current: Topology, next: Topology, leftEpochs: ReadonlySet<string> = new Set()): TopologyDecision {
  if (next.name !== current.name || next.namespace !== current.namespace) {
    return {
      action: 'reject',
      reason: `topology is for ${next.namespace}/${next.name}, this router serves ${current.namespace}/${current.name}`,
    };
  }
  // A re-created object counts its revisions afresh, so they say nothing against the old object's. Epochs have no
  // order: what keeps a stale projection of the old object from winning back is remembering the ones left.
  // A document without an epoch (an operator before epochs) is judged by revision alone.
  if (next.epoch !== undefined && current.epoch !== undefined && next.epoch !== current.epoch) {
    return leftEpochs.has(next.epoch) ? { action: 'ignore', reason: 'earlier-epoch' } : { action: 'apply', reason: 'new-epoch' };
  }
  // The kubelet can briefly expose an older projection, and a restored ConfigMap can go backwards: neither
  // may undo a newer view.
  if (next.revision < current.revision) return { action: 'ignore', reason: 'older-revision' };
  if (next.revision === current.revision) {
    if (JSON.stringify(next) === JSON.stringify(current)) return { action: 'ignore', reason: 'unchanged' };
    return { action: 'reject', reason: `revision ${next.revision} was published again with different content; keeping the first` };
  }
  return { action: 'apply', reason: 'newer-revision' };
}
