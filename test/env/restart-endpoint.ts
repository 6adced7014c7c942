// The API server is a child of the global setup's process, out of the test files' reach: this loopback endpoint
// lets a test file restart it (one restart at a time), and answers only once it is ready again, so no file can
// leave the shared server down for the files after it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiserverRestart } from './control-plane.js';

export interface RestartEndpoint {
  url: string;
  close(): Promise<void>;
}

export async function startRestartEndpoint(restart: (downMs: number) => Promise<ApiserverRestart>): Promise<RestartEndpoint> {
  let queue: Promise<unknown> = Promise.resolve();
  const server: Server = createServer((req, res) => {
    const downMs = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('downMs') ?? '0');
    if (req.method !== 'POST' || !Number.isFinite(downMs) || downMs < 0 || downMs > 60_000) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('POST ?downMs=<0..60000>');
      return;
    }
    const done = queue.then(() => restart(downMs));
    queue = done.catch(() => undefined);
    done.then(
      (times) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(times)),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kube-apiserver/restart`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
