import type pg from 'pg';
import type { Endpoint } from './endpoint.js';
import { formatLsn } from './lsn.js';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** What was sent to an endpoint and what happened, counted since the router started; an endpoint replaced under the
 * same id and role counts on. */
export interface EndpointCounters {
  /** Queries sent to this endpoint by routing (plus, for the primary, writes and critical reads). */
  routed: number;
  /** Primary only: reads that fell back to it because no replica could serve them. */
  fallbacks: number;
  /** Primary only: session reads sent to it because no fresh replica had replayed the session's commit yet. */
  readYourWrites: number;
  /** Reads that failed here on a connection error or a recovery conflict and were retried elsewhere. */
  retriedElsewhere: number;
  /** Reads that waited connectionTimeoutMillis for a connection of this endpoint's full pool and moved on
   * (back-pressure: the endpoint stays healthy). */
  poolSaturated: number;
  failures: number;
}

export interface EndpointStats extends EndpointCounters {
  id: string;
  role: 'primary' | 'replica';
  host: string;
  port: number;
  state: 'active' | 'draining' | 'removed';
  healthy: boolean;
  /** null when unknown (not checked yet, or unreachable). */
  lagSeconds: number | null;
  replayLsn: string | null;
  inFlight: number;
  lastError: string | null;
  pool: PoolStats;
  /** Primary only: the read-only pool that serves fallback and critical reads. */
  readOnlyPool?: PoolStats;
}

export interface RouterStats {
  topology: {
    revision: number;
    /** The epoch of the document in effect (the uid of the ReplicaSetDB that published it); null when it has none. */
    epoch: string | null;
    updatedAt: string;
    source: 'file' | 'object';
    /** Reads of the topology file; revisions taken; switches to a new epoch (counted in reloads too); older
     * revisions and earlier epochs ignored; unusable contents reported. */
    reads: number;
    reloads: number;
    epochChanges: number;
    ignored: number;
    rejected: number;
  };
  /** Completed lag-check rounds since start. */
  lagChecks: number;
  fallback: { inFlight: number; limit: number; total: number; rejected: number };
  readYourWrites: ReadYourWritesCounts;
  /** The primary first, then replicas in topology order. */
  endpoints: EndpointStats[];
}

function poolStats(pool: pg.Pool): PoolStats {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

export function endpointStats(ep: Endpoint): EndpointStats {
  const { spec, pools, counters } = ep;
  const stats: EndpointStats = {
    id: spec.id,
    role: spec.role,
    host: spec.host,
    port: spec.port,
    state: ep.state,
    healthy: ep.healthy,
    lagSeconds: Number.isFinite(ep.lagSeconds) ? ep.lagSeconds : null,
    replayLsn: ep.replayLsn === undefined ? null : formatLsn(ep.replayLsn),
    inFlight: ep.inFlight,
    ...counters,
    lastError: ep.lastError ?? null,
    pool: poolStats(pools.main),
  };
  if (pools.readOnly) stats.readOnlyPool = poolStats(pools.readOnly);
  return stats;
}

/** Session reads a replica served (afterWait: after waiting for replay; checkedWithRead: proven by the replay check
 * sent with the read), reads sent behind a check that did not cover the commit and whose results were dropped
 * (discarded; the read was then served as if it had not been tried), and session writes whose commit position came
 * from a position query shared with concurrent writes instead of one sent behind the write (sharedPosition). */
export interface ReadYourWritesCounts {
  onReplica: number;
  /** Sent to the primary because no replica was shown to have replayed the commit, whichever endpoint was primary
   * then; the current primary's own count is endpoints[0].readYourWrites. */
  onPrimary: number;
  afterWait: number;
  checkedWithRead: number;
  discarded: number;
  sharedPosition: number;
}
