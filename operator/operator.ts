// The operator process minus its flags: watches fill the caches and feed the work queue, the queue runs reconcile from
// the caches, a Lease picks the leader.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Autoscaler } from './autoscaling/autoscaler.js';
import { serverPodLister } from './autoscaling/server-pods.js';
import { scrapeMetrics } from './autoscaling/scrape.js';
import { eventRecorder } from './event-recorder.js';
import { startHttpServer, type OperatorHttpServer } from './http.js';
import { clusterCache, INFERENCE_SERVICES_WATCH, WATCHED_RESOURCES, type WatchedResource } from './cache/cluster-cache.js';
import { Reflector } from './cache/reflector.js';
import { StatusEchoes } from './cache/status-echoes.js';
import type { Change } from './cache/store.js';
import { kubeClient, resourcePath, type WatchingKubeClient } from './kube-client.js';
import { LeaderElector } from './leader-election.js';
import { createLogger, errorField, type Logger } from './log.js';
import { createMetrics, type OperatorMetrics } from './metrics.js';
import { makeReconciler, type RawInferenceService } from './reconciler.js';
import { at } from './resources.js';
import type { OperatorSettings } from './settings.js';
import { WorkQueue, type Priority } from './work-queue.js';
import { DEFAULT_RESYNC_MINUTES, DEFAULT_WORKERS } from '../contracts/operator-options.js';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface InformerTuning {
  /** Server-side watch timeout; the informer rewatches after it (from where it was: no list), which proves the connection alive. */
  watchTimeoutSeconds?: number;
  /** Every InferenceService is reconciled again this often from the cache (no API call unless something drifted). */
  resyncEveryMs?: number;
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

/** Which lane a change puts its InferenceService in: a resource already current at its generation is only re-confirmed. */
function priorityOf(resource: WatchedResource, change: Change<KubernetesObject>): Priority {
  if (change.type !== 'add') return 'changed';
  if (resource !== INFERENCE_SERVICES_WATCH) return 'confirm';
  const isvc = change.object as RawInferenceService;
  const observed = (isvc.status as { observedGeneration?: number } | undefined)?.observedGeneration;
  return observed !== undefined && observed === isvc.metadata.generation ? 'confirm' : 'changed';
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const log = options.log ?? createLogger();
  const client: WatchingKubeClient = kubeClient(options.kubeConfig);
  let queue: WorkQueue | undefined;
  const metrics = options.metrics ?? createMetrics({ queueDepth: () => queue?.depth ?? 0 });
  const tuning = options.informers ?? {};
  const watchTimeoutSeconds = tuning.watchTimeoutSeconds ?? 300;

  // Scrapes the server pods of InferenceServices with spec.autoscaling; a change worth writing enqueues a reconcile.
  const autoscaler = new Autoscaler({
    listServerPods: serverPodLister(client),
    scrape: scrapeMetrics,
    onChange: (key) => queue?.add(key),
    log: log.child({ component: 'autoscaler' }),
    metrics,
  });
  // One reflector per watched resource, made anew each time this process starts leading.
  let reflectors: Reflector<KubernetesObject>[] = [];
  const statusEchoes = new StatusEchoes();
  const reconcilerDeps = {
    client,
    statusEchoes,
    settings: options.settings,
    events: eventRecorder(client, identity, log),
    log,
    onJobCreated: () => metrics.benchmarkJobsCreated.inc(),
    onStatusWritten: () => metrics.statusWrites.inc(),
    autoscaler,
  };
  let resyncTimer: NodeJS.Timeout | undefined;
  let running = false;
  let elector: LeaderElector | undefined;
  let resolveDone!: (reason: StopReason) => void;
  const done = new Promise<StopReason>((resolve) => (resolveDone = resolve));

  function reflectorFor(resource: WatchedResource): Reflector<KubernetesObject> {
    return new Reflector<KubernetesObject>({
      name: resource.name,
      client,
      path: resourcePath(at(resource.ref, options.namespace)),
      labelSelector: resource.labelSelector,
      transform: resource.transform,
      indexOf: resource.indexOf,
      onChange: (change) => {
        const key = resource.keyOf(change.object);
        // The echo of our own status write, arriving before (or after) the write's response: nothing to do.
        if (key && resource === INFERENCE_SERVICES_WATCH && change.type === 'update' && statusEchoes.isEcho(key, change.old, change.object)) return;
        log.debug('event', { informer: resource.name, type: change.type, object: `${change.object.metadata?.namespace}/${change.object.metadata?.name}`, key });
        if (key) queue?.add(key, priorityOf(resource, change));
      },
      onRestart: (reason, error) => {
        metrics.informerRestarts.inc({ informer: resource.name, reason });
        const fields = { informer: resource.name, reason, ...(error !== undefined ? { error: errorField(error) } : {}) };
        if (reason === 'error') log.warn('informer restarting', fields);
        else log.debug('informer restarting', fields);
      },
      watchTimeoutSeconds,
      initialBackoffMs: tuning.initialBackoffMs,
      maxBackoffMs: tuning.maxBackoffMs,
    });
  }

  async function startControllers(): Promise<void> {
    running = true;
    reflectors = WATCHED_RESOURCES.map((resource) => reflectorFor(resource));
    queue = new WorkQueue({
      reconcile: makeReconciler({ ...reconcilerDeps, cache: clusterCache(Object.fromEntries(reflectors.map((r) => [r.name, r.store]))) }),
      workers: options.workers ?? DEFAULT_WORKERS,
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
    await Promise.all(
      reflectors.map(async (r) => {
        await r.start();
        metrics.informerSynced.set({ informer: r.name }, 1);
      }),
    );
    // Reconciles start once every cache is complete: a pass must not take a child not yet listed for a missing one.
    queue.start();
    autoscaler.start();
    // A resync replays the cache: every InferenceService is looked at again, behind anything that changed.
    const isvcs = reflectors.find((r) => r.name === INFERENCE_SERVICES_WATCH.name)!;
    resyncTimer = setInterval(() => {
      for (const key of isvcs.store.keys()) queue?.add(key, 'confirm');
    }, tuning.resyncEveryMs ?? DEFAULT_RESYNC_MINUTES * 60_000);
    resyncTimer.unref();
    log.info('informers synced', { informers: reflectors.map((r) => r.name), namespace: options.namespace ?? '(all)', objects: Object.fromEntries(reflectors.map((r) => [r.name, r.store.size])) });
  }

  async function stopControllers(): Promise<void> {
    if (!running) return;
    running = false;
    clearInterval(resyncTimer);
    await Promise.all(reflectors.map((r) => r.stop()));
    for (const r of reflectors) metrics.informerSynced.set({ informer: r.name }, 0);
    await autoscaler.stop();
    await queue?.shutdown();
    await reconcilerDeps.events.flush();
  }

  let httpServer: OperatorHttpServer | undefined;
  const synced = () => running && reflectors.length > 0 && reflectors.every((r) => r.synced);
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
