// A TCP proxy between a client and a server that a test can break in the ways networks break watches:
// reset every connection, refuse new ones, or freeze the open ones (they stay open but carry nothing, as when a NAT
// or load balancer drops a flow without telling either end). TLS passes through untouched. It can also slow the
// server's answers down (a slow AWS call) and show the test every byte the client sends (which calls got through).
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections currently open through the proxy. */
  openConnections(): number;
  /** Resets every open connection. */
  breakAll(): void;
  /** While true, new connections are reset at once. */
  refuseNew(refuse: boolean): void;
  /** Open connections stop carrying data in both directions, without closing. New connections work normally. */
  freezeOpen(): void;
  /** Every byte from the server reaches the client this much later; 0 (the default) forwards at once. */
  delayResponses(ms: number): void;
  /** Called with every chunk a client sends, as it reaches the server, and the number of its connection. */
  onRequestData(listener: (chunk: Buffer, connection: number) => void): void;
  close(): Promise<void>;
}

export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; server: Socket; frozen: boolean }>();
  let refusing = false;
  let responseDelayMs = 0;
  let connections = 0;
  const requestListeners: Array<(chunk: Buffer, connection: number) => void> = [];

  const server: Server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstreamSocket = connect(upstream.port, upstream.host);
    const pair = { client, server: upstreamSocket, frozen: false };
    const connection = ++connections;
    pairs.add(pair);
    const write = (to: Socket, chunk: Buffer) => {
      if (!pair.frozen && !to.destroyed) to.write(chunk);
    };
    client.on('data', (chunk: Buffer) => {
      if (!pair.frozen) for (const listener of requestListeners) listener(chunk, connection);
      write(upstreamSocket, chunk);
    });
    upstreamSocket.on('data', (chunk: Buffer) => {
      // One delay for every chunk keeps them in order: timers of equal delay fire in the order they were set.
      if (responseDelayMs > 0) setTimeout(() => write(client, chunk), responseDelayMs);
      else write(client, chunk);
    });
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstreamSocket.destroy();
    };
    client.on('close', close).on('error', close);
    // A server that answers and closes (HTTP without keep-alive) must not cut off its own delayed answer.
    const closeAfterAnswer = () => (responseDelayMs > 0 ? setTimeout(close, responseDelayMs) : close());
    upstreamSocket.on('close', closeAfterAnswer).on('error', closeAfterAnswer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');

  return {
    port: address.port,
    openConnections: () => pairs.size,
    breakAll: () => {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.server.destroy();
      }
    },
    refuseNew: (refuse) => {
      refusing = refuse;
    },
    freezeOpen: () => {
      for (const pair of pairs) pair.frozen = true;
    },
    delayResponses: (ms) => {
      responseDelayMs = ms;
    },
    onRequestData: (listener) => {
      requestListeners.push(listener);
    },
    close: async () => {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
