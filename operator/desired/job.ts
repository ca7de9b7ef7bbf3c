// The benchmark Job for one spec hash: `vernier bench` against the Service, its compact report in the termination message.
import type { V1Job } from '@kubernetes/client-node';
import { BENCH_WAIT_FOR_SERVER_SECONDS, benchArgsFor, capacitySearchArgs, encodeBenchArgs } from '../../contracts/index.js';
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { benchmarkLoad, type InferenceServiceSpec } from '../../crds/index.js';
import { benchmarkJobName, capacityJobName, endpointUrl, Label, labelsFor, namespaceOf, ownerReference, type Component, type Owner } from '../labels.js';
import { SERVER_PORT, type OperatorSettings } from '../settings.js';
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  TMP_MOUNT,
  TMP_VOLUME,
  VERNIER_COMMAND,
} from './pod-security.js';

export const BENCH_CONTAINER = 'bench';
export const TERMINATION_LOG = '/dev/termination-log';
/** Beyond warmup and measurement: model metadata, payload generation, the last request's timeout. */
const DEADLINE_SLACK_SECONDS = 120;

/**
 * The generator's CPU per request, kernel included (`npm run bench:loadgen` measures it: about 20–30 µs for a small
 * JSON body on one HTTP/1.1 keep-alive connection per request in flight), with headroom for bigger bodies and TLS.
 */
export const GENERATOR_CPU_SECONDS_PER_REQUEST = 50e-6;
/** Closed loop, rate unknown beforehand: one core per this many requests in flight. */
const USERS_PER_CORE = 32;
/** The limit leaves the generator this much above its request: bursts, GC, and the timeline's bookkeeping. */
const LIMIT_OVER_REQUEST = 2;

export interface BenchPodSize {
  resources: V1ResourceRequirements;
  /** Load threads: the cores of the limit, so each thread can run at once. */
  threads: number;
}

const millicores = (cores: number): string => `${Math.ceil(cores * 10) * 100}m`;

/**
 * CPU and memory of a benchmark pod from the declared load: open loop, the rate times the CPU a request costs; closed
 * loop, the requests in flight. A generator short of CPU measures itself, and one throttled by its limit delays its
 * own sends; the report says so when it happens (generator.throttledMs, warnings).
 */
export function benchPodSize(load: { rate: number } | { concurrency: number }): BenchPodSize {
  const wanted = 'rate' in load ? load.rate * GENERATOR_CPU_SECONDS_PER_REQUEST : load.concurrency / USERS_PER_CORE;
  const request = Math.min(8, Math.max(0.5, wanted));
  const limit = request * LIMIT_OVER_REQUEST;
  const threads = Math.ceil(limit);
  return {
    threads,
    resources: {
      requests: { cpu: millicores(request), memory: `${128 + 32 * threads}Mi` },
      limits: { cpu: millicores(limit), memory: `${512 + 64 * threads}Mi` },
    },
  };
}

/**
 * The capacity search offers rates up to the server's ceiling, unknown beforehand. One replica's ceiling is what is
 * searched, so a generator good for 10,000 req/s (half a core requested, one core its limit) covers most models, and
 * still fits a two-core node next to the server; a faster replica is reported as the generator's limit, not the server's.
 */
export const CAPACITY_POD_SIZE = benchPodSize({ rate: 10_000 });

export function benchmarkPodSize(spec: InferenceServiceSpec): BenchPodSize {
  return benchPodSize(benchmarkLoad(spec));
}

/** `vernier bench` at the Service with the spec's benchmark settings and SLA (the flags `vernier run` uses too). */
export function benchArgs(isvc: Owner): string[] {
  const args = { ...benchArgsFor(isvc.spec, endpointUrl(isvc, SERVER_PORT)), threads: benchmarkPodSize(isvc.spec).threads };
  return ['bench', ...encodeBenchArgs({ ...args, terminationLog: TERMINATION_LOG, quiet: true })];
}

export function benchmarkDeadlineSeconds(spec: InferenceServiceSpec): number {
  const b = spec.benchmark;
  return BENCH_WAIT_FOR_SERVER_SECONDS + b.warmupSeconds + b.durationSeconds + Math.ceil(b.timeoutMs / 1000) + DEADLINE_SLACK_SECONDS;
}

export function desiredBenchmarkJob(isvc: Owner, hash: string, settings: OperatorSettings): V1Job {
  return loadJob(isvc, hash, settings, {
    name: benchmarkJobName(isvc, hash),
    component: 'benchmark',
    args: benchArgs(isvc),
    deadlineSeconds: benchmarkDeadlineSeconds(isvc.spec),
    resources: benchmarkPodSize(isvc.spec).resources,
  });
}

/** `vernier bench --capacity` against one server pod's IP, not the Service: what one replica carries within the SLA. */
export function capacityArgs(isvc: Owner, podIp: string): string[] {
  const search = capacitySearchArgs(benchArgsFor(isvc.spec, `http://${podIp}:${SERVER_PORT}`), isvc.spec.benchmark.capacitySeconds);
  return ['bench', ...encodeBenchArgs({ ...search, threads: CAPACITY_POD_SIZE.threads, terminationLog: TERMINATION_LOG, quiet: true })];
}

export function capacityDeadlineSeconds(spec: InferenceServiceSpec): number {
  return BENCH_WAIT_FOR_SERVER_SECONDS + spec.benchmark.capacitySeconds + Math.ceil(spec.benchmark.timeoutMs / 1000) + DEADLINE_SLACK_SECONDS;
}

export function desiredCapacityJob(isvc: Owner, hash: string, podIp: string, settings: OperatorSettings): V1Job {
  return loadJob(isvc, hash, settings, {
    name: capacityJobName(isvc, hash),
    component: 'capacity',
    args: capacityArgs(isvc, podIp),
    deadlineSeconds: capacityDeadlineSeconds(isvc.spec),
    resources: CAPACITY_POD_SIZE.resources,
  });
}

interface LoadJob {
  name: string;
  component: Component;
  args: string[];
  deadlineSeconds: number;
  resources: V1ResourceRequirements;
}

/** A Job running `vernier bench` once, its compact report in the termination message. */
function loadJob(isvc: Owner, hash: string, settings: OperatorSettings, job: LoadJob): V1Job {
  const spec = isvc.spec;
  const labels = { ...labelsFor(isvc, job.component), [Label.specHash]: hash };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: job.name,
      namespace: namespaceOf(isvc),
      labels,
      ownerReferences: [ownerReference(isvc)],
    },
    spec: {
      // A failed benchmark is reported, not retried: retrying would measure a different moment and hide the failure.
      backoffLimit: 0,
      activeDeadlineSeconds: job.deadlineSeconds,
      ttlSecondsAfterFinished: settings.benchmarkTtlSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(),
          containers: [
            {
              name: BENCH_CONTAINER,
              image: spec.image ?? settings.serverImage,
              imagePullPolicy: spec.imagePullPolicy ?? settings.imagePullPolicy,
              command: VERNIER_COMMAND,
              args: job.args,
              resources: job.resources,
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [TMP_MOUNT],
              terminationMessagePath: TERMINATION_LOG,
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
          volumes: [TMP_VOLUME],
        },
      },
    },
  };
}
