// The probe port (--probe-port): liveness and readiness answered by a thread of their own, so a kubelet's probe is
// answered on time however busy the HTTP thread is with request bodies. The HTTP thread publishes its state there
// every PUBLISH_EVERY_MS; a thread that stops publishing is reported as stalled (health-verdict.ts).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { createProbeState, publishProbeState } from './probe-state.js';
import type { ProbeThreadData, ProbeThreadMessage } from './probe-thread.js';

export const PUBLISH_EVERY_MS = 100;

export interface ProbeListener {
  url: string;
  /** Publishes the state now, rather than at the next tick: shutdown turns readiness off at once. */
  publish(): void;
  close(): Promise<void>;
}

/** A URL to reach `host:port` from this machine: the loopback address for a wildcard one. */
function reachableUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

export async function startProbeListener(o: { host: string; port: number; state: () => { ready: boolean; healthy: boolean } }): Promise<ProbeListener> {
  const buffer = createProbeState();
  const publish = () => publishProbeState(buffer, o.state());
  publish();
  const worker = new Worker(new URL('./probe-thread.js', import.meta.url), { workerData: { state: buffer, host: o.host, port: o.port } satisfies ProbeThreadData });
  const [message] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([err]) => [{ error: (err as Error).message }])])) as [ProbeThreadMessage];
  if ('error' in message) {
    await worker.terminate();
    throw new Error(`cannot listen on ${o.host}:${o.port} (--probe-port): ${message.error}`);
  }
  const url = reachableUrl(o.host, message.port);
  // A probe port that stopped answering fails the kubelet's probes, which restarts the pod: said once, here.
  worker.on('error', (err) => console.error(`vernier serve: the probe thread stopped (${err.message}); probes on ${url} fail from now on`));
  worker.unref(); // the HTTP listener keeps the process alive, never the probe port alone
  const timer = setInterval(publish, PUBLISH_EVERY_MS).unref();
  return {
    url,
    publish,
    async close() {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
