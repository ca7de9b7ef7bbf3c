// The benchmark Job for one spec hash: `vernier bench` against the Service, its compact report in the termination message.
import type { V1Job } from '@kubernetes/client-node';
import { BENCH_WAIT_FOR_SERVER_SECONDS, benchArgsFor, capacitySearchArgs, encodeBenchArgs } from '../../contracts/index.js';
import type { InferenceServiceSpec } from '../../crds/index.js';
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

/** `vernier bench` at the Service with the spec's benchmark settings and SLA (the flags `vernier run` uses too). */
export function benchArgs(isvc: Owner): string[] {
  return ['bench', ...encodeBenchArgs({ ...benchArgsFor(isvc.spec, endpointUrl(isvc, SERVER_PORT)), terminationLog: TERMINATION_LOG, quiet: true })];
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
  });
}

/** `vernier bench --capacity` against one server pod's IP, not the Service: what one replica carries within the SLA. */
export function capacityArgs(isvc: Owner, podIp: string): string[] {
  const search = capacitySearchArgs(benchArgsFor(isvc.spec, `http://${podIp}:${SERVER_PORT}`), isvc.spec.benchmark.capacitySeconds);
  return ['bench', ...encodeBenchArgs({ ...search, terminationLog: TERMINATION_LOG, quiet: true })];
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
  });
}

interface LoadJob {
  name: string;
  component: Component;
  args: string[];
  deadlineSeconds: number;
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
              resources: { requests: { cpu: '500m', memory: '128Mi' }, limits: { memory: '512Mi' } },
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
