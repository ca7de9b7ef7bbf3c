// Plays the node for one InferenceService's server pods with real `vernier serve` processes: each pod the ReplicaSet
// creates gets a server of its own on a loopback address, and is marked Ready with that address as its pod IP once
// the server listens; a pod that is deleted (a scale-down) has its server stopped and its address freed.
import type { V1Pod } from '@kubernetes/client-node';
import { startServeProcess, type ServeProcess } from '../../server/serve-process.js';
import { isNotFound, type KubeClient } from '../kube-client.js';
import { SERVER_PORT } from '../settings.js';
import { markPodReady } from './fake-kubelet.js';
import { serverPods } from './isvc.js';

export interface ServedPod {
  pod: string;
  ip: string;
  /** http://IP:8080, as the server printed it. */
  url: string;
  server: ServeProcess;
}

/** The server container's args without the `serve` subcommand (startServeProcess adds it). */
function serveArgsOf(pod: V1Pod): string[] {
  const args = pod.spec?.containers.find((c) => c.name === 'server')?.args ?? [];
  return args[0] === 'serve' ? args.slice(1) : args;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopServer(server: ServeProcess, graceMs = 10_000): Promise<void> {
  const exited = server.stop('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

export class ServingNode {
  /** Every server started, in order: pod, address and when. */
  readonly started: Array<{ pod: string; ip: string; at: number }> = [];
  /** Every server stopped because its pod went away. */
  readonly stopped: Array<{ pod: string; ip: string; at: number }> = [];
  /** What went wrong while playing the node (a server that did not start, a pod status that could not be written). */
  readonly errors: string[] = [];
  private readonly free: string[];
  private readonly running = new Map<string, ServedPod>();
  private readonly starting = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;

  /**
   * @param addresses loopback addresses to give the pods, one each (127.0.0.0/8 needs no configuration on Linux).
   * @param overrides flags appended to the pod's own args (after --host and --port), e.g. a shorter shutdown delay.
   */
  constructor(
    private readonly admin: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
    addresses: readonly string[],
    private readonly overrides: readonly string[] = [],
  ) {
    this.free = [...addresses];
  }

  start(pollMs = 100): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.poll(), pollMs);
  }

  /** Servers of pods marked Ready and not deleted since, in the order they started. */
  servers(): ServedPod[] {
    return [...this.running.values()];
  }

  /** Stops looking at pods and stops every server (those still starting too). */
  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.pending]);
    const servers = [...this.running.values()];
    this.running.clear();
    await Promise.all(servers.map((s) => stopServer(s.server, 5_000)));
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const pods = (await serverPods(this.admin, this.namespace, this.name)).filter((p) => !p.metadata?.deletionTimestamp);
      const present = new Set(pods.map((p) => p.metadata!.name!));
      for (const [name, served] of this.running) if (!present.has(name)) this.release(served);
      for (const pod of pods) {
        const name = pod.metadata!.name!;
        if (!this.running.has(name) && !this.starting.has(name)) this.launch(pod);
      }
    } catch (err) {
      if (!this.closed) this.errors.push(`listing the server pods: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private launch(pod: V1Pod): void {
    const ip = this.free.shift();
    if (ip === undefined) return; // every address is taken: the pod waits for one, as on a full node
    const name = pod.metadata!.name!;
    this.starting.add(name);
    this.track(
      (async () => {
        let server: ServeProcess | undefined;
        try {
          server = await startServeProcess([...serveArgsOf(pod), '--host', ip, '--port', String(SERVER_PORT), ...this.overrides]);
          if (this.closed) throw new Error('the node is stopping');
          await markPodReady(this.admin, pod, ip);
          this.running.set(name, { pod: name, ip, url: server.url, server });
          this.started.push({ pod: name, ip, at: Date.now() });
        } catch (err) {
          if (server) await stopServer(server);
          this.free.push(ip);
          // A pod deleted while its server was starting is not a failure: the next poll forgets it.
          if (!this.closed && !isNotFound(err)) this.errors.push(`starting a server for pod ${name} on ${ip}: ${(err as Error).message}`);
        } finally {
          this.starting.delete(name);
        }
      })(),
    );
  }

  private release(served: ServedPod): void {
    this.running.delete(served.pod);
    this.stopped.push({ pod: served.pod, ip: served.ip, at: Date.now() });
    this.track(
      (async () => {
        await stopServer(served.server);
        // The address is given out again only once nothing listens on it.
        this.free.push(served.ip);
      })(),
    );
  }
}
