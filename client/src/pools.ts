import pg from 'pg';
import { passwordFor, type ResolvedCredentials } from './credentials.js';
import type { ResolvedOptions } from './options.js';
import { socketOf } from './pipeline.js';
import type { EndpointSpec } from './endpoint-plan.js';
import { explainTlsError, sslConfig, type ResolvedTls } from './tls.js';

const READ_ONLY = '-c default_transaction_read_only=on';

export interface EndpointPools {
  /** Replica: reads. Primary: writes and transactions. */
  main: pg.Pool;
  /** Primary only: reads that land on the primary, on connections that refuse to write. */
  readOnly: pg.Pool | undefined;
  /** One connection for lag checks, so a saturated pool cannot starve them. */
  monitor: pg.Pool;
}

// pg-pool's end() resolves as soon as its clients are told to end, before their sockets close; these count
// connections until pg-pool reports them removed, which happens once a socket has closed.
interface OpenConnections {
  count: number;
  zero: (() => void) | undefined;
  clients: Set<pg.PoolClient>;
  connecting: Set<pg.Client>;
  /** Set by destroyConnections: a connection opened afterwards, for a query that was queued, is destroyed too. */
  cut: boolean;
}

const openConnections = new WeakMap<pg.Pool, OpenConnections>();

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

/** Destroys the socket of every connection the pool still has, idle, running a query or still being opened: the
 * query, or the wait for the connection, fails at once with a connection error and pg-pool drops the client. pg-pool
 * offers no way to abort a client, so this reaches the socket the way pg-pool itself does when a connect times out.
 * Returns how many were cut. */
export function destroyConnections(pool: pg.Pool): number {
  const open = openConnections.get(pool);
  if (!open) return 0;
  open.cut = true;
  let cut = 0;
  for (const client of [...open.clients, ...open.connecting]) {
    socketOf(client)?.destroy();
    cut++;
  }
  return cut;
}

/** A pg.Client whose connect errors caused by TLS name the endpoint and the setting to change; pg-pool connects
 * every client it makes this way, so pool checkouts and lag checks report the same explanation. While it connects it
 * is in `connecting`, where a close out of time can reach it. */
function explainingClient(spec: EndpointSpec, tls: ResolvedTls, connecting: Set<pg.Client>): typeof pg.Client {
  const endpoint = `${spec.role} ${spec.id} (${spec.host}:${spec.port})`;
  const explain = (err: Error): Error => explainTlsError(err, endpoint, spec.tls, tls.source) as Error;
  return class extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error) => void): void;
    override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
      connecting.add(this);
      if (callback === undefined) {
        return super
          .connect()
          .catch((err: Error) => Promise.reject(explain(err)))
          .finally(() => connecting.delete(this));
      }
      super.connect((err: Error) => {
        connecting.delete(this);
        callback(err ? explain(err) : err);
      });
    }
  };
}

/**
 * The pools of one endpoint. `onConnectionLost` hears about idle connections the server closed (a replica
 * stopping), which pg-pool reports on the pool and would otherwise crash the process as an unhandled 'error'.
 */
export function createEndpointPools(
  spec: EndpointSpec,
  credentials: ResolvedCredentials,
  options: ResolvedOptions,
  tls: ResolvedTls,
  onConnectionLost: (err: Error) => void,
): EndpointPools {
  const base: pg.PoolConfig = {
    ...options.pool,
    // An ssl setting the application gives itself wins over what the topology publishes.
    ssl: options.pool.ssl ?? sslConfig(spec.tls, tls),
    host: spec.host,
    port: spec.port,
    database: spec.database,
    user: credentials.user,
    password: passwordFor(credentials, spec.host, spec.port),
  };
  const make = (config: pg.PoolConfig): pg.Pool => {
    const connecting = new Set<pg.Client>();
    const pool = new pg.Pool({ ...config, Client: explainingClient(spec, tls, connecting) });
    pool.on('error', onConnectionLost);
    const open: OpenConnections = { count: 0, zero: undefined, clients: new Set(), connecting, cut: false };
    openConnections.set(pool, open);
    pool.on('connect', (client) => {
      open.count++;
      open.clients.add(client);
      if (open.cut) socketOf(client)?.destroy();
    });
    pool.on('remove', (client) => {
      open.clients.delete(client);
      if (--open.count === 0) open.zero?.();
    });
    return pool;
  };
  // Reads that fall back to the primary must fail there the way they fail on a replica: a write sent through
  // read() is refused by the server instead of silently succeeding on the primary. A replica's connections are
  // read-only too: a replica promoted before the router notices (until its next lag check) is no longer in
  // recovery, and a write committed there would be lost with it.
  const readOnlyOptions = [options.pool.options, READ_ONLY].filter(Boolean).join(' ');
  return {
    // Pipelined: a session's write and its position query, or a replay check and its read, leave in one round
    // trip. Each statement still runs on its own, in order; the router hands out no cursors on these pools.
    main: make({ ...base, pipeline: true, ...(spec.role === 'primary' ? {} : { options: readOnlyOptions }) }),
    readOnly: spec.role === 'primary' ? make({ ...base, options: readOnlyOptions }) : undefined,
    monitor: make({ ...base, max: 1, query_timeout: options.lagCheckTimeoutMs, options: readOnlyOptions }),
  };
}
