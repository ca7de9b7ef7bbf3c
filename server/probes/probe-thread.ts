// The probe port's thread: answers GET /v2/health/live and /v2/health/ready from the shared state alone, so a probe
// never queues behind request bodies on the HTTP thread. Nothing else is served here.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { liveness, readiness, type HealthVerdict } from './health-verdict.js';
import { readProbeState } from './probe-state.js';

export interface ProbeThreadData {
  state: SharedArrayBuffer;
  host: string;
  port: number;
}

/** What the thread tells its parent once: the port it listens on, or why it cannot. */
export type ProbeThreadMessage = { port: number } | { error: string };

const { state, host, port } = workerData as ProbeThreadData;
const routes: Record<string, (s: ReturnType<typeof readProbeState>) => HealthVerdict> = { '/v2/health/live': liveness, '/v2/health/ready': readiness };

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const route = routes[path];
  let verdict: { status: number; body: object };
  if (!route) verdict = { status: 404, body: { error: `this port answers only GET /v2/health/live and /v2/health/ready; ${path} is on the HTTP port` } };
  else if (req.method !== 'GET' && req.method !== 'HEAD') verdict = { status: 405, body: { error: `${path} answers GET and HEAD, not ${req.method}` } };
  else verdict = route(readProbeState(state));
  const text = JSON.stringify(verdict.body);
  res.writeHead(verdict.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(verdict.status === 405 ? { allow: 'GET, HEAD' } : {}) });
  res.end(req.method === 'HEAD' ? undefined : text);
  req.resume();
});
server.once('error', (err) => parentPort!.postMessage({ error: err.message } satisfies ProbeThreadMessage));
server.listen(port, host, () => parentPort!.postMessage({ port: (server.address() as AddressInfo).port } satisfies ProbeThreadMessage));
