// One small HTTP server for Prometheus and the kubelet: /metrics, /healthz (liveness), /readyz (readiness).
// node:http and nothing else: it must keep answering while the rest of the operator is busy or broken.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Health, ProbeResult } from './health.js';
import type { Logger } from './logger.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  registry: Registry;
  health: Health;
  logger: Logger;
}

export interface RunningHttpServer {
  /** The bound port (differs from the requested one when that was 0). */
  port: number;
  close(): Promise<void>;
}

function sendProbe(res: ServerResponse, result: ProbeResult): void {
  res.writeHead(result.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(result.ok ? 'ok\n' : `${result.reasons.join('\n')}\n`);
}

async function route(req: IncomingMessage, res: ServerResponse, opts: HttpServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  switch (path) {
    case '/healthz':
    case '/livez':
      return sendProbe(res, opts.health.liveness());
    case '/readyz':
      return sendProbe(res, opts.health.readiness());
    case '/metrics': {
      const body = await opts.registry.metrics();
      res.writeHead(200, { 'content-type': opts.registry.contentType });
      res.end(body);
      return;
    }
    default:
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  }
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    route(req, res, opts).catch((err: unknown) => {
      opts.logger.error({ err, path: req.url }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Probes are tiny; a kubelet or scraper that holds a connection open must not keep the process alive on exit.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info({ host: opts.host, port }, 'serving /metrics, /healthz and /readyz');
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
