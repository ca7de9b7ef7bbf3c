// The operator process minus its flags: informers feed the work queue, the queue runs reconcile, a Lease picks the leader.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { Autoscaler } from './autoscaling/autoscaler.js';
import { readyPodLister } from './autoscaling/ready-pods.js';
import { scrapeMetrics } from './autoscaling/scrape.js';
import { eventRecorder } from './event-recorder.js';
import { startHttpServer, type OperatorHttpServer } from './http.js';
import { InformerSupervisor, type InformerEventType } from './informer-supervisor.js';
import { kubeClient, resourcePath, type KubeClient } from './kube-client.js';
import { MANAGED_SELECTOR, ownerKey } from './labels.js';
import { LeaderElector } from './leader-election.js';
import { createLogger, errorField, type Logger } from './log.js';
import { createMetrics, type OperatorMetrics } from './metrics.js';
import { makeReconciler } from './reconciler.js';
import { at, DEPLOYMENTS, INFERENCE_SERVICES, JOBS, SERVICES } from './resources.js';
import type { OperatorSettings } from './settings.js';
import { WorkQueue } from './work-queue.js';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface InformerTuning {
  /** Server-side watch timeout; the informer rewatches after it, which proves the connection alive. */
  watchTimeoutSeconds?: number;
  relistEveryMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  settings: OperatorSettings;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  /** Run only while holding this Lease; always run when omitted. */
  leaderElection?: LeaderElectionConfig;
  /** Serve /metrics, /healthz and /readyz; no HTTP server when omitted. */
  http?: { host: string; port: number };
  workers?: number;
  informers?: InformerTuning;
  identity?: string;
  log?: Logger;
  metrics?: OperatorMetrics;
}

export type StopReason = 'stopped' | 'lost-leadership';

export interface RunningOperator {
  identity: string;
  metrics: OperatorMetrics;
  httpPort: number | undefined;
  isLeader(): boolean;
  /** Every informer has listed at least once. */
  synced(): boolean;
  /** Resolves when the operator stops, by stop() or by losing the lease. */
  done: Promise<StopReason>;
  stop(): Promise<void>;
}

interface WatchedResource {
  name: string;
  path: string;
  labelSelector?: string;
  keyOf: (obj: KubernetesObject) => string | undefined;
}

function watchedResources(namespace: string | undefined): WatchedResource[] {
  const child = (name: string, ref: typeof DEPLOYMENTS): WatchedResource => ({
    name,
    path: resourcePath(at(ref, namespace)),
    labelSelector: MANAGED_SELECTOR,
    keyOf: ownerKey,
  });
  return [
    {
      name: 'inferenceservices',
      path: resourcePath(at(INFERENCE_SERVICES, namespace)),
      keyOf: (obj) => (obj.metadata?.namespace && obj.metadata.name ? `${obj.metadata.namespace}/${obj.metadata.name}` : undefined),
    },
    child('deployments', DEPLOYMENTS),
    child('services', SERVICES),
    child('jobs', JOBS),
  ];
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const log = options.log ?? createLogger();
  const client: KubeClient = kubeClient(options.kubeConfig);
  let queue: WorkQueue | undefined;
  const metrics = options.metrics ?? createMetrics({ queueDepth: () => queue?.depth ?? 0 });
  const tuning = options.informers ?? {};
  const watchTimeoutSeconds = tuning.watchTimeoutSeconds ?? 300;

  // Scrapes the server pods of InferenceServices with spec.autoscaling; a change worth writing enqueues a reconcile.
  const autoscaler = new Autoscaler({
    listReadyPodIps: readyPodLister(client),
    scrape: scrapeMetrics,
    onChange: (key) => queue?.add(key),
    log: log.child({ component: 'autoscaler' }),
    metrics,
  });
  const reconcile = makeReconciler({
    client,
    settings: options.settings,
    events: eventRecorder(client, identity, log),
    log,
    onJobCreated: () => metrics.benchmarkJobsCreated.inc(),
    onStatusWritten: () => metrics.statusWrites.inc(),
    autoscaler,
  });

  let supervisors: InformerSupervisor<KubernetesObject>[] = [];
  let running = false;
  let elector: LeaderElector | undefined;
  let resolveDone!: (reason: StopReason) => void;
  const done = new Promise<StopReason>((resolve) => (resolveDone = resolve));

  async function startControllers(): Promise<void> {
    running = true;
    queue = new WorkQueue({
      reconcile,
      workers: options.workers ?? 2,
      onDone: ({ key, durationMs, error, retryInMs }) => {
        metrics.reconcileDuration.observe({ result: error ? 'error' : 'success' }, durationMs / 1000);
        if (error) {
          metrics.reconcileErrors.inc();
          log.warn('reconcile failed', { key, error: errorField(error), retryInMs });
        } else {
          log.debug('reconciled', { key, durationMs: Math.round(durationMs), requeueInMs: retryInMs });
        }
      },
    });
    queue.start();
    autoscaler.start();
    supervisors = watchedResources(options.namespace).map((resource) => {
      const list = (): Promise<KubernetesListObject<KubernetesObject>> =>
        client.request({ method: 'GET', path: resource.path, query: { labelSelector: resource.labelSelector } });
      // Jitter spreads the rewatches of several informers; the server closes each watch after timeoutSeconds.
      const timeout = Math.round(watchTimeoutSeconds * (1 + Math.random()));
      const supervisor = new InformerSupervisor<KubernetesObject>({
        name: resource.name,
        createInformer: () => makeInformer(options.kubeConfig, `${resource.path}?timeoutSeconds=${timeout}`, list, resource.labelSelector),
        onEvent: (type: InformerEventType, obj) => {
          const key = resource.keyOf(obj);
          log.debug('event', { informer: resource.name, type, object: `${obj.metadata?.namespace}/${obj.metadata?.name}`, key });
          if (key) queue?.add(key);
        },
        onRestart: (reason, error) => {
          metrics.informerRestarts.inc({ informer: resource.name, reason });
          const fields = { informer: resource.name, reason, ...(error !== undefined ? { error: errorField(error) } : {}) };
          if (reason === 'error') log.warn('informer restarting', fields);
          else log.debug('informer restarting', fields);
        },
        relistEveryMs: tuning.relistEveryMs,
        staleAfterMs: 2 * timeout * 1000 + 30_000,
        initialBackoffMs: tuning.initialBackoffMs,
        maxBackoffMs: tuning.maxBackoffMs,
      });
      return supervisor;
    });
    await Promise.all(
      supervisors.map(async (s) => {
        await s.start();
        metrics.informerSynced.set({ informer: s.name }, 1);
      }),
    );
    log.info('informers synced', { informers: supervisors.map((s) => s.name), namespace: options.namespace ?? '(all)' });
  }

  async function stopControllers(): Promise<void> {
    if (!running) return;
    running = false;
    await Promise.all(supervisors.map((s) => s.stop()));
    for (const s of supervisors) metrics.informerSynced.set({ informer: s.name }, 0);
    await autoscaler.stop();
    await queue?.shutdown();
  }

  let httpServer: OperatorHttpServer | undefined;
  const synced = () => running && supervisors.length > 0 && supervisors.every((s) => s.synced);
  if (options.http) {
    httpServer = await startHttpServer({
      ...options.http,
      registry: metrics.registry,
      probes: {
        ready: () => {
          const leader = elector ? elector.isLeader : true;
          // A standby replica is healthy; it becomes useful when it takes the lease.
          return { ok: !leader || synced(), detail: { leader, informersSynced: synced() } };
        },
      },
    });
  }

  let stopping = false;
  async function shutdown(reason: StopReason): Promise<void> {
    if (stopping) return;
    stopping = true;
    await stopControllers();
    await elector?.stop();
    metrics.leader.set(0);
    await httpServer?.close();
    resolveDone(reason);
  }

  const fail = (err: unknown) => {
    log.error('could not start the controllers', { error: errorField(err) });
    void shutdown('stopped');
  };

  if (options.leaderElection) {
    const le = options.leaderElection;
    elector = new LeaderElector({
      client,
      namespace: le.namespace,
      name: le.name,
      identity,
      log,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      onStartedLeading: () => {
        metrics.leader.set(1);
        startControllers().catch(fail);
      },
      onStoppedLeading: () => {
        metrics.leader.set(0);
        void shutdown('lost-leadership');
      },
    });
    elector.start();
  } else {
    metrics.leader.set(1);
    try {
      await startControllers();
    } catch (err) {
      await shutdown('stopped');
      throw new Error('the operator could not start its controllers', { cause: err });
    }
  }

  return {
    identity,
    metrics,
    httpPort: httpServer?.port,
    isLeader: () => (elector ? elector.isLeader : true),
    synced,
    done,
    stop: () => shutdown('stopped'),
  };
}
