// A plain HTTP server on 127.0.0.1 standing in for a pod's /metrics; closed when the test ends.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves `handler` and returns the URL of its /metrics. */
export async function serveMetricsEndpoint(t: { after(fn: () => Promise<void>): void }, handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}
