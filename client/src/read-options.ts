import type pg from 'pg';
import type { RouterCore } from './core.js';
import type { ReadRequirement } from './eligibility.js';

export interface ReadOptions {
  /** Bound on replica staleness for this call; default routing.maxReplicaLagSeconds of the topology. */
  maxLagSeconds?: number;
}

/** What a transaction callback gets: the transaction's connection, for statements only. */
export type TransactionClient = Pick<pg.PoolClient, 'query' | 'escapeIdentifier' | 'escapeLiteral'>;

export function readRequirement(core: RouterCore, options: ReadOptions | undefined): ReadRequirement {
  const maxLagSeconds = options?.maxLagSeconds ?? core.topology.routing.maxReplicaLagSeconds;
  if (!(maxLagSeconds >= 0)) throw new TypeError(`maxLagSeconds must be a number >= 0, got ${String(options?.maxLagSeconds)}`);
  return { maxLagSeconds, minLsn: undefined };
}
