// reconcile(ns/name): read the InferenceService, apply its children, benchmark the current spec once, write status once.
import type { V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import {
  InferenceServiceStatus,
  InvalidInferenceServiceError,
  parseInferenceServiceSpec,
  Reason,
  specHash,
  type InferenceServiceSpec,
} from '../crds/index.js';
import { serverSideApply } from './apply.js';
import { desiredDeployment } from './desired/deployment.js';
import { desiredBenchmarkJob } from './desired/job.js';
import { desiredService } from './desired/service.js';
import type { EventRecorder } from './event-recorder.js';
import { isAlreadyExists, isNamespaceTerminating, isNotFound, resourcePath, type KubeClient } from './kube-client.js';
import { benchmarkJobName, endpointUrl, Label, nameProblem, type Owner } from './labels.js';
import type { Logger } from './log.js';
import { at, INFERENCE_SERVICES, JOBS, PODS } from './resources.js';
import { SERVER_PORT, type OperatorSettings } from './settings.js';
import { benchmarkOutcome, failedForGeneration, isFinished, isMeasured, observeJob, type JobObservation } from './status/benchmark.js';
import { computeStatus, invalidSpecStatus, sameStatus } from './status/compute.js';
import { readyCondition } from './status/ready.js';
import { conditionTransitions } from './status/transitions.js';
import type { ReconcileResult } from './work-queue.js';

/** How often a benchmark Job that has not finished is looked at again (pods are not watched). */
const RUNNING_JOB_RECHECK_MS = 10_000;

/** An InferenceService as read from the API server: spec and status not yet validated. */
export interface RawInferenceService {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; generation?: number; resourceVersion?: string; deletionTimestamp?: string };
  spec?: unknown;
  status?: unknown;
}

export interface ReconcilerDeps {
  client: KubeClient;
  settings: OperatorSettings;
  events: EventRecorder;
  log: Logger;
  now?: () => Date;
  /** Told when a benchmark Job is created (not when it already existed). */
  onJobCreated?: (jobName: string) => void;
  onStatusWritten?: () => void;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) throw new Error(`reconcile key must be namespace/name, got '${key}'`);
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function makeReconciler(deps: ReconcilerDeps): (key: string) => Promise<ReconcileResult> {
  const { client, settings, log } = deps;
  const now = deps.now ?? (() => new Date());

  async function get<T>(path: string): Promise<T | undefined> {
    try {
      return await client.request<T>({ method: 'GET', path });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function writeStatus(isvc: RawInferenceService, status: InferenceServiceStatus): Promise<void> {
    const previous = InferenceServiceStatus.safeParse(isvc.status).data;
    // PUT carries resourceVersion: a concurrent change makes it a 409 and the key is retried with fresh state.
    await client.request({
      method: 'PUT',
      path: resourcePath(at(INFERENCE_SERVICES, isvc.metadata.namespace, isvc.metadata.name, 'status')),
      body: { ...isvc, status },
    });
    deps.onStatusWritten?.();
    for (const event of conditionTransitions(previous?.conditions, status.conditions ?? [])) {
      await deps.events.record(isvc, event);
    }
  }

  async function observeBenchmarkJob(namespace: string, jobName: string): Promise<JobObservation> {
    const job = await get<V1Job>(resourcePath(at(JOBS, namespace, jobName)));
    if (!job) return observeJob(job, []);
    // A finished Job's pod holds the report; a running one's tells whether it is stuck (unschedulable, no image).
    const pods = await client.request<{ items: V1Pod[] }>({
      method: 'GET',
      path: resourcePath(at(PODS, namespace)),
      query: { labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata?.uid}` },
    });
    return observeJob(job, pods.items);
  }

  async function createJob(isvc: Owner, hash: string): Promise<void> {
    const job = desiredBenchmarkJob(isvc, hash, settings);
    try {
      await client.request({ method: 'POST', path: resourcePath(at(JOBS, job.metadata!.namespace)), body: job });
      deps.onJobCreated?.(job.metadata!.name!);
      log.info('benchmark job created', { job: job.metadata!.name, specHash: hash });
    } catch (err) {
      // Another pass (or an operator before a restart) created it: the same name means the same spec hash.
      if (!isAlreadyExists(err)) throw new Error(`cannot create benchmark Job ${job.metadata!.name}`, { cause: err });
    }
  }

  /** A spec change makes a running benchmark of the old spec pointless; finished ones are left to their TTL. */
  async function deleteStaleRunningJobs(isvc: Owner, currentJob: string): Promise<void> {
    const namespace = isvc.metadata.namespace!;
    const jobs = await client.request<{ items: V1Job[] }>({
      method: 'GET',
      path: resourcePath(at(JOBS, namespace)),
      query: { labelSelector: `${Label.inferenceService}=${isvc.metadata.name},${Label.component}=benchmark` },
    });
    for (const job of jobs.items) {
      const name = job.metadata?.name;
      if (!name || name === currentJob || isFinished(job)) continue;
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
    const isvc = await get<RawInferenceService>(resourcePath(at(INFERENCE_SERVICES, namespace, name)));
    // Deleted: the garbage collector removes the children through their owner references.
    if (!isvc || isvc.metadata.deletionTimestamp) return {};
    const generation = isvc.metadata.generation ?? 0;
    const previous = InferenceServiceStatus.safeParse(isvc.status).data;

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
    const deployment = await serverSideApply<V1Deployment>(client, desiredDeployment(owner, settings));
    await serverSideApply(client, desiredService(owner));
    const ready = readyCondition(deployment, spec.replicas);

    const jobName = benchmarkJobName(owner, hash);
    const lookAtJob = !isMeasured(previous, hash) && !failedForGeneration(previous, generation);
    const job = lookAtJob ? await observeBenchmarkJob(namespace, jobName) : undefined;
    const outcome = benchmarkOutcome({ previous, spec, hash, generation, ready: ready.status === 'True', jobName, job });
    if (lookAtJob) await deleteStaleRunningJobs(owner, jobName);
    if (outcome.createJob) await createJob(owner, hash);

    const status = computeStatus({ previous, generation, endpoint: endpointUrl(owner, SERVER_PORT), deployment, ready, benchmark: outcome, now: now() });
    if (!sameStatus(isvc.status as InferenceServiceStatus | undefined, status)) await writeStatus(isvc, status);

    // Informers on the Job bring the result. Pods are not watched: a waiting Job is looked at again every
    // RUNNING_JOB_RECHECK_MS, so a pod that cannot be scheduled or started shows up in Benchmarked.
    const running = outcome.benchmarked.reason === Reason.BenchmarkRunning || outcome.benchmarked.reason === Reason.BenchmarkStuck;
    return running ? { requeueAfterMs: RUNNING_JOB_RECHECK_MS } : {};
  }

  async function invalid(isvc: RawInferenceService, previous: InferenceServiceStatus | undefined, generation: number, problem: string): Promise<ReconcileResult> {
    log.warn('invalid InferenceService', { key: `${isvc.metadata.namespace}/${isvc.metadata.name}`, problem });
    const status = invalidSpecStatus(previous, generation, problem, now());
    if (!sameStatus(isvc.status as InferenceServiceStatus | undefined, status)) await writeStatus(isvc, status);
    // Nothing to retry: a fix is a spec change, which is an event.
    return {};
  }
}
