// What a topology means for the router's endpoints: one per primary and replica, and what a new document creates,
// changes and retires. Pure.
import type { TlsMode, Topology } from '@servio/replicasetdb-contract';

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
    // Escaped, so that no id, host or database can make two endpoints read as one ('a@b' on c, 'a' on 'b@c').
    key: `${role}:${encodeURIComponent(e.id)}@${encodeURIComponent(e.host)}:${e.port}/${encodeURIComponent(t.database)}?sslmode=${tls}`,
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
