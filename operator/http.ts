// The operator's HTTP endpoint: /metrics for Prometheus, /healthz (alive) and /readyz (informers synced).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ProbeState {
  /** Ready to act: not leading (a standby is healthy) or leading with every informer synced. */
  ready(): { ok: boolean; detail: Record<string, unknown> };
}

export interface OperatorHttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: { host: string; port: number; registry: Registry; probes: ProbeState }): Promise<OperatorHttpServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      const { ok, detail } = options.probes.ready();
      return send(ok ? 200 : 503, 'application/json', `${JSON.stringify({ ready: ok, ...detail })}\n`);
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => send(200, options.registry.contentType, text),
        (err: Error) => send(500, 'text/plain', `${err.message}\n`),
      );
      return;
    }
    send(404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on ${options.host}:${options.port}`, { cause: err })));
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
