import pg from 'pg';
import type { ResolvedCredentials } from './credentials.js';
import type { EndpointPools } from './endpoint.js';
import type { ResolvedOptions } from './options.js';
import type { EndpointSpec } from './topology/plan.js';

const READ_ONLY = '-c default_transaction_read_only=on';

// pg-pool's end() resolves as soon as its clients are told to end, before their sockets close; these count
// connections until pg-pool reports them removed, which happens once a socket has closed.
const openConnections = new WeakMap<pg.Pool, { count: number; zero: (() => void) | undefined }>();

const SOCKET_CLOSE_WAIT_MS = 5_000;

/** Ends a pool and resolves once none of its sockets is open any more, or after a bounded wait: a peer that
 * vanished from the network may never acknowledge the close, and close() must not hang on it. */
export async function endPool(pool: pg.Pool): Promise<void> {
  await pool.end();
  const open = openConnections.get(pool);
  if (!open || open.count === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    open.zero = resolve;
    timer = setTimeout(resolve, SOCKET_CLOSE_WAIT_MS);
    timer.unref();
  });
  clearTimeout(timer);
}

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
    const open = { count: 0, zero: undefined as (() => void) | undefined };
    openConnections.set(pool, open);
    pool.on('connect', () => open.count++);
    pool.on('remove', () => {
      if (--open.count === 0) open.zero?.();
    });
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
