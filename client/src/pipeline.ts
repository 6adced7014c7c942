// Pipelined statements leaving in one write. pg writes each protocol message of a query on its own (parse, bind,
// describe, execute, sync): five small packets per query, each of which may wake the server before the rest has
// arrived. Corked, the statements of a pipelined pair leave together, and the server reads them in one go.
import type { Socket } from 'node:net';
import type pg from 'pg';

/** The socket under a pg connection; pg offers no public way to it. */
export function socketOf(client: pg.ClientBase): Socket | undefined {
  return (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
}

/** Runs `send`, which queues queries on a pipelined connection (pg writes them at once), with the socket corked. */
export function sendTogether<T>(client: pg.ClientBase, send: () => T): T {
  const socket = socketOf(client);
  socket?.cork();
  try {
    return send();
  } finally {
    socket?.uncork();
  }
}
