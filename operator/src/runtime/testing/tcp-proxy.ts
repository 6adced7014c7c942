// A TCP proxy between a client and the API server that a test can break in the ways networks break watches:
// reset every connection, refuse new ones, or freeze the open ones (they stay open but carry nothing, as when a NAT
// or load balancer drops a flow without telling either end). TLS passes through untouched.
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
  close(): Promise<void>;
}

export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; server: Socket; frozen: boolean }>();
  let refusing = false;

  const server: Server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstreamSocket = connect(upstream.port, upstream.host);
    const pair = { client, server: upstreamSocket, frozen: false };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!pair.frozen) to.write(chunk);
      });
    forward(client, upstreamSocket);
    forward(upstreamSocket, client);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstreamSocket.destroy();
    };
    client.on('close', close).on('error', close);
    upstreamSocket.on('close', close).on('error', close);
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
    close: async () => {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
