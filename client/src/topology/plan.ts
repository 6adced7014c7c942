// Pure decisions for a topology reload: whether to take the new document, and what it means for endpoints.
import type { TlsMode, Topology } from './schema.js';

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

export type EndpointRole = 'primary' | 'replica';
export type EndpointState = 'active' | 'draining';

/** What the router needs to run one endpoint. Host, port and database are part of the identity: a changed
 * address is a different server and gets a fresh pool and fresh lag samples. */
export interface EndpointSpec {
  key: string;
  id: string;
  role: EndpointRole;
  host: string;
  port: number;
  database: string;
  state: EndpointState;
  /** What the server requires of a connection; a change needs new connections, so it is part of the key. */
  tls: TlsMode;
}

/** Documents from operators that predate the tls field come from RDS, which wants verified TLS. */
export function tlsModeOf(t: Topology): TlsMode {
  return t.tls?.mode ?? 'verify-full';
}

export function endpointSpecs(t: Topology): EndpointSpec[] {
  const tls = tlsModeOf(t);
  const spec = (role: EndpointRole, e: { id: string; host: string; port: number }, state: EndpointState): EndpointSpec => ({
    key: `${role}:${e.id}@${e.host}:${e.port}/${t.database}?sslmode=${tls}`,
    id: e.id,
    role,
    host: e.host,
    port: e.port,
    database: t.database,
    state,
    tls,
  });
  return [spec('primary', t.primary, 'active'), ...t.replicas.map((r) => spec('replica', r, r.state))];
}

export interface EndpointPlan {
  create: EndpointSpec[];
  /** Existing endpoints whose state changes. */
  update: Array<{ key: string; state: EndpointState }>;
  /** Keys no longer published: they take no new queries and their pools end after in-flight ones. */
  retire: string[];
}

export function planEndpoints(current: ReadonlyMap<string, EndpointState>, next: Topology): EndpointPlan {
  const specs = endpointSpecs(next);
  const wanted = new Set(specs.map((s) => s.key));
  const plan: EndpointPlan = { create: [], update: [], retire: [] };
  for (const s of specs) {
    const state = current.get(s.key);
    if (state === undefined) plan.create.push(s);
    else if (state !== s.state) plan.update.push({ key: s.key, state: s.state });
  }
  for (const key of current.keys()) if (!wanted.has(key)) plan.retire.push(key);
  return plan;
}
