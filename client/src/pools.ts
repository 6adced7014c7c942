import pg from 'pg';
import type { ResolvedCredentials } from './credentials.js';
import type { EndpointPools } from './endpoint.js';
import type { ResolvedOptions } from './options.js';
import type { EndpointSpec } from './topology/plan.js';

const READ_ONLY = '-c default_transaction_read_only=on';

/**
 * The pools of one endpoint. `onConnectionLost` hears about idle connections the server closed (a replica
 * stopping), which pg-pool reports on the pool and would otherwise crash the process as an unhandled 'error'.
 */
export function createEndpointPools(
  spec: EndpointSpec,
  credentials: ResolvedCredentials,
  options: ResolvedOptions,
  onConnectionLost: (err: Error) => void,
): EndpointPools {
  const base: pg.PoolConfig = {
    ...options.pool,
    host: spec.host,
    port: spec.port,
    database: spec.database,
    user: credentials.user,
    password: credentials.password,
  };
  const make = (config: pg.PoolConfig): pg.Pool => {
    const pool = new pg.Pool(config);
    pool.on('error', onConnectionLost);
    return pool;
  };
  // Reads that fall back to the primary must fail there the way they fail on a replica: a write sent through
  // read() is refused by the server instead of silently succeeding on the primary.
  const readOnlyOptions = [options.pool.options, READ_ONLY].filter(Boolean).join(' ');
  return {
    main: make(base),
    readOnly: spec.role === 'primary' ? make({ ...base, options: readOnlyOptions }) : undefined,
    monitor: make({ ...base, max: 1, query_timeout: options.lagCheckTimeoutMs, options: readOnlyOptions }),
  };
}
