// The revision rule: `revision` grows on every change of content and only then, and `updatedAt` moves with it. A
// resync that renders the same content therefore renders the same text, and the ConfigMap is not written (its
// resourceVersion stays, clients reload nothing).
//
// The previous revision is the higher of the one in the published document and the one recorded in status:
// the document alone is not enough (deleted by hand, or replaced by an older copy), and the status records every
// revision before it is written to the ConfigMap (the publishTopology step reserves it), so that a ConfigMap
// written and then lost can never leave a revision that a later change would stamp on other content. The
// revision grows by one, except after a reserved revision whose write failed: that one is skipped.
import { isDeepStrictEqual } from 'node:util';
import { parseTopology, type Topology, type TopologyInput } from '@servio/replicasetdb-contract';
import type { TopologyContent } from './document.js';

export interface PreviousPublication {
  /** topology.json of the observed ConfigMap, when it exists and parses. */
  document: Topology | undefined;
  /** status.endpoints.topologyRevision. */
  statusRevision: number | undefined;
}

export interface StampedTopology {
  document: TopologyInput;
  /** Whether the content differs from what was published (and so the revision moved). */
  changed: boolean;
}

const EPOCH = new Date(0).toISOString();

/** Content equality through the contract's own parse, so defaults and key order cannot make equal content
 * look different. */
export function sameContent(published: Topology, content: TopologyContent): boolean {
  const strip = (t: TopologyInput) => ({ ...parseTopology(t), revision: 0, updatedAt: EPOCH });
  return isDeepStrictEqual(strip(published), strip({ ...content, revision: 0, updatedAt: EPOCH }));
}

export function stampRevision(content: TopologyContent, previous: PreviousPublication, now: Date): StampedTopology {
  const { document, statusRevision = 0 } = previous;
  // A document older than the status was put back by someone: its revision is not one clients still trust.
  if (document !== undefined && document.revision >= statusRevision && sameContent(document, content)) {
    return { document: { ...content, revision: document.revision, updatedAt: document.updatedAt }, changed: false };
  }
  const revision = Math.max(document?.revision ?? 0, statusRevision) + 1;
  return { document: { ...content, revision, updatedAt: now.toISOString() }, changed: true };
}
