// reconcile(ns/name): read the InferenceService, apply its children, benchmark the current spec once, write status once.
// Every read of an InferenceService, Deployment, Service or Job is from the watch caches; a write is sent only when it
// changes something, and what it returns goes into the cache so the next pass (and the watch event) see it.
import type { V1Deployment, V1Job, V1Pod, V1Service } from '@kubernetes/client-node';
import {
  ConditionType,
  InferenceServiceStatus,
  InvalidInferenceServiceError,
  parseInferenceServiceSpec,
  Reason,
  specHash,
  type ConditionDraft,
  type InferenceServiceSpec,
} from '../crds/index.js';
import { applyIfChanged } from './apply.js';
import type { ClusterCache, Written } from './cache/cluster-cache.js';
import type { StatusEchoes } from './cache/status-echoes.js';
import { desiredDeployment } from './desired/deployment.js';
import { desiredBenchmarkJob, desiredCapacityJob } from './desired/job.js';
import { desiredService } from './desired/service.js';
import type { EventRecorder } from './event-recorder.js';
import { isAlreadyExists, isForbidden, isNamespaceTerminating, isNotFound, resourcePath, type KubeClient } from './kube-client.js';
import type { Decision } from './autoscaling/decide.js';
import { serverPods } from './autoscaling/server-pods.js';
import type { WindowFigures } from './autoscaling/window.js';
import { benchmarkJobName, capacityJobName, deploymentName, endpointUrl, nameProblem, serverSelector, serviceName, type Owner } from './labels.js';
import { errorField, type Logger } from './log.js';
import { at, INFERENCE_SERVICES, JOBS, PODS } from './resources.js';
import { SERVER_PORT, type OperatorSettings } from './settings.js';
import { benchmarkOutcome, failedForGeneration, isFinished, isMeasured, observeJob, type JobObservation } from './status/benchmark.js';
import { capacityKnown, capacityOutcome, type CapacityOutcome } from './status/capacity.js';
import { computeStatus, invalidSpecStatus, sameStatus } from './status/compute.js';
import { isTrue } from './status/conditions.js';
import { liveOutcome, type LiveOutcome } from './status/live.js';
import { readyCondition } from './status/ready.js';
import { msUntilStalled, serverFailureCondition, STALLED_ROLLOUT_MS } from './status/server-failure.js';
import { BENCHMARK_RECORD_ANNOTATION, encodeRecord, readRecord, recordedReport, withRecordedBenchmark, type BenchmarkRecord } from './status/record.js';
import { conditionTransitions } from './status/transitions.js';
import type { ReconcileResult } from './work-queue.js';

/** How often a benchmark Job that has not finished is looked at again (pods are not watched). */
const RUNNING_JOB_RECHECK_MS = 10_000;

/** An InferenceService as read from the API server: spec and status not yet validated. */
export interface RawInferenceService {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; generation?: number; resourceVersion?: string; deletionTimestamp?: string; annotations?: Record<string, string> };
  spec?: unknown;
  status?: unknown;
}

/** A service the autoscaler scrapes and decides for (operator/autoscaling/autoscaler.ts). */
export interface ScaledService {
  key: string;
  namespace: string;
  podSelector: string;
  port: number;
  autoscaling: NonNullable<InferenceServiceSpec['autoscaling']>;
  slaP99Ms: number;
  capacityRps: number | undefined;
  currentReplicas: number;
  podsStarting: boolean;
}

/** What the reconciler needs of the autoscaler: it tells it what to watch and reads what it saw and decided. */
export interface AutoscalerPort {
  track(service: ScaledService): void;
  untrack(key: string): void;
  view(key: string): { live?: WindowFigures; decision?: Decision; error?: string } | undefined;
}

export interface ReconcilerDeps {
  client: KubeClient;
  cache: ClusterCache;
  /** Told each status before it is sent, so its watch event is known for ours. */
  statusEchoes?: StatusEchoes;
  settings: OperatorSettings;
  events: EventRecorder;
  log: Logger;
  now?: () => Date;
  /** Told when a benchmark Job is created (not when it already existed). */
  onJobCreated?: (jobName: string) => void;
  onStatusWritten?: () => void;
  autoscaler?: AutoscalerPort;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) throw new Error(`reconcile key must be namespace/name, got '${key}'`);
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function makeReconciler(deps: ReconcilerDeps): (key: string) => Promise<ReconcileResult> {
  const { client, cache, settings, log } = deps;
  const now = deps.now ?? (() => new Date());
  const remember = (obj: Written) => cache.assume(obj);

  async function writeStatus(isvc: RawInferenceService, status: InferenceServiceStatus): Promise<void> {
    const previous = InferenceServiceStatus.safeParse(isvc.status).data;
    // PUT carries resourceVersion: a concurrent change makes it a 409 and the key is retried with fresh state.
    deps.statusEchoes?.expect(`${isvc.metadata.namespace}/${isvc.metadata.name}`, status);
    const written = await client.request<RawInferenceService>({
      method: 'PUT',
      path: resourcePath(at(INFERENCE_SERVICES, isvc.metadata.namespace, isvc.metadata.name, 'status')),
      body: { ...isvc, status },
    });
    // Its watch event then changes nothing in the cache, so our own write does not wake another pass.
    remember(written);
    deps.onStatusWritten?.();
    for (const event of conditionTransitions(previous?.conditions, status.conditions ?? [])) deps.events.record(written, event);
  }

  /** Writes the annotation (record.ts); resourceVersion makes it a 409 if the object changed since it was read. */
  async function recordBenchmark(isvc: RawInferenceService, record: BenchmarkRecord): Promise<RawInferenceService> {
    try {
      const recorded = await client.request<RawInferenceService>({
        method: 'PATCH',
        path: resourcePath(at(INFERENCE_SERVICES, isvc.metadata.namespace, isvc.metadata.name)),
        contentType: 'application/merge-patch+json',
        body: { metadata: { resourceVersion: isvc.metadata.resourceVersion, annotations: { [BENCHMARK_RECORD_ANNOTATION]: encodeRecord(record) } } },
      });
      remember(recorded);
      return recorded;
    } catch (err) {
      // RBAC from before the record existed (no patch on inferenceservices): status alone keeps the result, as it did.
      if (!isForbidden(err)) throw err;
      log.warn('cannot record the benchmark in an annotation; status alone keeps it', { key: `${isvc.metadata.namespace}/${isvc.metadata.name}`, error: errorField(err) });
      return isvc;
    }
  }

  async function observeBenchmarkJob(namespace: string, jobName: string): Promise<JobObservation> {
    const job = cache.job(namespace, jobName);
    if (!job) return observeJob(job, []);
    // Pods are not cached (there are many, and only a Job's own are read, only while its result is not yet in status):
    // a finished Job's pod holds the report; a running one's tells whether it is stuck (unschedulable, no image).
    const pods = await client.request<{ items: V1Pod[] }>({
      method: 'GET',
      path: resourcePath(at(PODS, namespace)),
      query: { labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata?.uid}` },
    });
    return observeJob(job, pods.items);
  }

  async function createJob(job: V1Job, hash: string): Promise<void> {
    try {
      remember(await client.request<V1Job>({ method: 'POST', path: resourcePath(at(JOBS, job.metadata!.namespace)), body: job }));
      deps.onJobCreated?.(job.metadata!.name!);
      log.info('job created', { job: job.metadata!.name, specHash: hash });
    } catch (err) {
      // Another pass (or an operator before a restart) created it: the same name means the same spec hash.
      if (!isAlreadyExists(err)) throw new Error(`cannot create Job ${job.metadata!.name}`, { cause: err });
    }
  }

  /** A spec change makes a running benchmark (or capacity search) of the old spec pointless; finished ones are left to their TTL. */
  async function deleteStaleRunningJobs(isvc: Owner, currentJobs: readonly string[]): Promise<void> {
    const namespace = isvc.metadata.namespace!;
    for (const job of cache.jobsOf(namespace, isvc.metadata.name)) {
      const name = job.metadata?.name;
      if (!name || currentJobs.includes(name) || isFinished(job) || job.metadata?.deletionTimestamp) continue;
      try {
        await client.request({ method: 'DELETE', path: resourcePath(at(JOBS, namespace, name)), body: { propagationPolicy: 'Background' } });
        log.info('stale benchmark job deleted', { job: name });
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`cannot delete stale benchmark Job ${name}`, { cause: err });
      }
    }
  }

  return async function reconcile(key: string): Promise<ReconcileResult> {
    try {
      return await reconcileKey(key);
    } catch (err) {
      // The namespace is being deleted: its objects go with it and nothing can be created in it any more, so a
      // retry would only fail again (and child deletions would keep waking it up).
      if (isNamespaceTerminating(err)) return {};
      throw err;
    }
  };

  async function reconcileKey(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const isvc = cache.inferenceService(namespace, name);
    // Deleted: the garbage collector removes the children through their owner references.
    if (!isvc || isvc.metadata.deletionTimestamp) {
      deps.autoscaler?.untrack(key);
      deps.statusEchoes?.forget(key);
      return {};
    }
    const generation = isvc.metadata.generation ?? 0;
    const record = readRecord(isvc.metadata.annotations);
    const previous = withRecordedBenchmark(InferenceServiceStatus.safeParse(isvc.status).data, record);

    let spec: InferenceServiceSpec;
    try {
      spec = parseInferenceServiceSpec(isvc.spec);
    } catch (err) {
      if (!(err instanceof InvalidInferenceServiceError)) throw err;
      return invalid(isvc, previous, generation, err.issues.join('; '));
    }
    const problem = nameProblem(name);
    if (problem) return invalid(isvc, previous, generation, problem);

    const owner: Owner = { metadata: isvc.metadata, spec };
    const hash = specHash(spec);
    const scaling = spec.autoscaling;
    const view = scaling ? deps.autoscaler?.view(key) : undefined;
    if (!scaling) deps.autoscaler?.untrack(key);
    const replicas = scaling ? scaledReplicas(scaling, view?.decision, previous, spec.replicas) : spec.replicas;
    // Independent objects: applied at once, so a new service waits on one round trip, not two.
    const [deployment] = await Promise.all([
      applyIfChanged<V1Deployment>(client, desiredDeployment(owner, settings, replicas), cache.deployment(namespace, deploymentName(owner)), remember),
      applyIfChanged<V1Service>(client, desiredService(owner), cache.service(namespace, serviceName(owner)), remember),
    ]);
    const rollout = readyCondition(deployment, replicas, isTrue(previous?.conditions, ConditionType.Ready));
    // A rollout that stopped moving is explained by the server's own exit code where it gave one (no CUDA device, a bad
    // model): pods are not watched, so they are listed only once it has stood still for STALLED_ROLLOUT_MS.
    const untilStalled = rollout.status === 'True' ? undefined : msUntilStalled(deployment, now());
    const stalled = rollout.reason === Reason.DeploymentFailed || untilStalled === 0;
    const ready = stalled ? ((await stoppedServerCondition(owner)) ?? rollout) : rollout;

    const jobName = benchmarkJobName(owner, hash);
    const lookAtJob = !isMeasured(previous, hash) && !failedForGeneration(previous, generation);
    const job = lookAtJob ? await observeBenchmarkJob(namespace, jobName) : undefined;
    const outcome = benchmarkOutcome({ previous, spec, hash, generation, ready: ready.status === 'True', jobName, job, report: recordedReport(record, hash) });
    const capacityJob = capacityJobName(owner, hash);
    const lookAtCapacity = scaling !== undefined && !capacityKnown(previous, hash);
    if (lookAtJob || lookAtCapacity) await deleteStaleRunningJobs(owner, [jobName, capacityJob]);
    if (outcome.createJob) await createJob(desiredBenchmarkJob(owner, hash, settings), hash);

    let autoscaling: { capacity: CapacityOutcome; live: LiveOutcome } | undefined;
    if (scaling) {
      const capacity = await measureCapacity(owner, hash, previous, outcome.benchmark?.specHash === hash, capacityJob, lookAtCapacity);
      const live = liveOutcome({ previous, live: view?.live, error: view?.error, decision: view?.decision, appliedReplicas: previous?.autoscaling?.desiredReplicas, slaP99Ms: spec.sla.p99LatencyMs, now: now() });
      if (live.scaled) await deps.events.record(isvc, { type: 'Normal', reason: 'Scaled', message: `replicas ${live.scaled.from} → ${live.scaled.to}: ${live.scaled.reason}` });
      deps.autoscaler?.track({
        key,
        namespace,
        podSelector: selectorText(owner),
        port: SERVER_PORT,
        autoscaling: scaling,
        slaP99Ms: spec.sla.p99LatencyMs,
        capacityRps: capacity.capacity?.specHash === hash ? capacity.capacity.rpsPerReplica : undefined,
        currentReplicas: deployment.spec?.replicas ?? replicas,
        podsStarting: podsStarting(deployment, replicas),
      });
      autoscaling = { capacity, live };
    }

    const status = computeStatus({
      previous,
      generation,
      endpoint: endpointUrl(owner, SERVER_PORT),
      deployment,
      ready,
      benchmark: outcome,
      selector: selectorText(owner),
      autoscaling,
      now: now(),
    });
    // A new result is recorded before status is written: the record outlives the Job and any edit of status.
    const current = job?.state === 'succeeded' && outcome.benchmark ? await recordBenchmark(isvc, { benchmark: outcome.benchmark, report: job.report }) : isvc;
    if (!sameStatus(isvc.status as InferenceServiceStatus | undefined, status)) await writeStatus(current, status);

    // Informers on the Job bring the result. Pods are not watched: a waiting Job is looked at again every
    // RUNNING_JOB_RECHECK_MS, so a pod that cannot be scheduled or started shows up in Benchmarked.
    const running =
      outcome.benchmarked.reason === Reason.BenchmarkRunning ||
      outcome.benchmarked.reason === Reason.BenchmarkStuck ||
      autoscaling?.capacity.condition.reason === Reason.CapacityMeasuring ||
      autoscaling?.capacity.condition.reason === Reason.CapacityPending;
    const recheck = [running ? RUNNING_JOB_RECHECK_MS : undefined, untilStalled === undefined ? undefined : untilStalled || STALLED_ROLLOUT_MS];
    const requeueAfterMs = Math.min(...recheck.filter((ms): ms is number => ms !== undefined));
    return Number.isFinite(requeueAfterMs) ? { requeueAfterMs } : {};
  }

  /** The capacity search of the current spec: observed, or started against one ready server pod once the benchmark is done. */
  async function measureCapacity(
    owner: Owner,
    hash: string,
    previous: InferenceServiceStatus | undefined,
    benchmarked: boolean,
    jobName: string,
    lookAtJob: boolean,
  ): Promise<CapacityOutcome> {
    const namespace = owner.metadata.namespace!;
    const job = lookAtJob ? await observeBenchmarkJob(namespace, jobName) : undefined;
    // The pod is looked up only when a Job may have to be created, so a measured service costs no LIST.
    const podIp = lookAtJob && benchmarked && job?.state === 'absent' ? await readyServerPodIp(owner) : undefined;
    const result = capacityOutcome({ previous, hash, benchmarked, podReady: podIp !== undefined, jobName, job });
    if (result.createJob && podIp) await createJob(desiredCapacityJob(owner, hash, podIp, settings), hash);
    return result;
  }

  async function listServerPods(owner: Owner): Promise<V1Pod[]> {
    const pods = await client.request<{ items: V1Pod[] }>({
      method: 'GET',
      path: resourcePath(at(PODS, owner.metadata.namespace!)),
      query: { labelSelector: selectorText(owner) },
    });
    return pods.items;
  }

  async function stoppedServerCondition(owner: Owner): Promise<ConditionDraft | undefined> {
    return serverFailureCondition(await listServerPods(owner));
  }

  async function readyServerPodIp(owner: Owner): Promise<string | undefined> {
    return serverPods(await listServerPods(owner)).find((pod) => pod.ready)?.ip;
  }

  async function invalid(isvc: RawInferenceService, previous: InferenceServiceStatus | undefined, generation: number, problem: string): Promise<ReconcileResult> {
    log.warn('invalid InferenceService', { key: `${isvc.metadata.namespace}/${isvc.metadata.name}`, problem });
    const status = invalidSpecStatus(previous, generation, problem, now());
    if (!sameStatus(isvc.status as InferenceServiceStatus | undefined, status)) await writeStatus(isvc, status);
    // Nothing to retry: a fix is a spec change, which is an event.
    return {};
  }
}

/**
 * A scale-up or rollout the Deployment has not finished creating: the autoscaler waits for its pods. (Pods that exist
 * but were never ready are the autoscaler's to see; a pod that was ready and is not now is overloaded, not starting.)
 */
function podsStarting(deployment: V1Deployment, replicas: number): boolean {
  const s = deployment.status ?? {};
  return (s.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0) || (s.replicas ?? 0) !== replicas || (s.updatedReplicas ?? 0) !== (s.replicas ?? 0);
}

/** Server pods as a label selector string (status.selector, the scale subresource, scraping). */
export function selectorText(owner: Owner): string {
  return Object.entries(serverSelector(owner))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Replicas under spec.autoscaling: the autoscaler's decision, else the last one applied, else spec.replicas; within the bounds. */
export function scaledReplicas(
  scaling: NonNullable<InferenceServiceSpec['autoscaling']>,
  decision: Decision | undefined,
  previous: InferenceServiceStatus | undefined,
  specReplicas: number,
): number {
  const wanted = decision?.replicas ?? previous?.autoscaling?.desiredReplicas ?? specReplicas;
  return Math.min(scaling.maxReplicas, Math.max(scaling.minReplicas, wanted));
}
