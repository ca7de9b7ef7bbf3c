// The step load as a Job in the cluster: the runner in one pod of the Vernier image, under Pod Security "restricted",
// its requests through the Service's DNS name; its log read back as segments once it has finished.
import { stringify } from 'yaml';
import type { Kubectl } from '../support/kubectl.js';
import { pollUntil } from '../support/poll.js';
import { parseSegments, type Segment } from './segments.js';
import { PLAN_VARIABLE, STEP_LOAD_RUNNER, type StepLoadPlan } from './step-load-runner.js';

/** What operator/desired/job.ts requests for its load generators: an open loop needs its sends on time. */
const GENERATOR_CPU = '500m';
/** Beyond the phases: pod start, waiting for the Service, each segment's drain. */
const SLACK_SECONDS = 180;

export interface StepLoadJob {
  name: string;
  namespace: string;
  image: string;
  plan: StepLoadPlan;
}

/**
 * The plan of a load of the builtin mlp through `url`. Like a client's connection pool, the generator keeps a bounded
 * number of requests outstanding and counts sends beyond it as dropped (errors): twice the SLA's worth of sends at the
 * highest rate. A second in which that many are outstanding has a mean latency above twice the SLA, so it misses the
 * SLA with or without the drops, while a single replica facing the step is not buried under an unbounded backlog.
 * A request unanswered after 2 s is an error too.
 */
export function mlpLoadPlan(url: string, phases: StepLoadPlan['phases'], slaP99Ms: number, segmentSeconds = 10): StepLoadPlan {
  const peak = Math.max(...phases.map((p) => p.rate));
  return { url, model: 'mlp', phases, segmentSeconds, timeoutMs: 2000, maxInFlight: Math.max(64, Math.ceil((peak * 2 * slaP99Ms) / 1000)) };
}

export const planSeconds = (plan: StepLoadPlan): number => plan.phases.reduce((sum, p) => sum + p.seconds, 0);

export function stepLoadJobManifest(job: StepLoadJob): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: job.name, namespace: job.namespace, labels: { 'vernier.dev/e2e': 'step-load' } },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: planSeconds(job.plan) + SLACK_SECONDS,
      template: {
        metadata: { labels: { 'vernier.dev/e2e': 'step-load' } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'step-load',
              image: job.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', '-e', STEP_LOAD_RUNNER],
              env: [{ name: PLAN_VARIABLE, value: JSON.stringify(job.plan) }],
              resources: { requests: { cpu: GENERATOR_CPU, memory: '128Mi' }, limits: { memory: '512Mi' } },
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

/** Creates the Job; the load starts as soon as its pod runs. */
export async function startStepLoad(kubectl: Kubectl, job: StepLoadJob): Promise<void> {
  await kubectl(['apply', '-f', '-'], { input: stringify(stepLoadJobManifest(job)) });
}

/** Waits for the Job to finish (bounded by its own deadline) and returns its segments; throws with its log when it failed. */
export async function finishStepLoad(kubectl: Kubectl, job: StepLoadJob, signal?: AbortSignal): Promise<Segment[]> {
  let state = '';
  const outcome = await pollUntil(
    `Job ${job.name} to finish`,
    async () => {
      state = await kubectl(['-n', job.namespace, 'get', 'job', job.name, '-o', 'jsonpath={.status.succeeded}/{.status.failed}']);
      const [succeeded, failed] = state.split('/').map((n) => Number(n || 0));
      return succeeded > 0 ? 'succeeded' : failed > 0 ? 'failed' : undefined;
    },
    { timeoutMs: (planSeconds(job.plan) + SLACK_SECONDS + 30) * 1000, intervalMs: 3000, signal, describe: () => `succeeded/failed ${state}` },
  );
  const log = await kubectl(['-n', job.namespace, 'logs', `job/${job.name}`]);
  if (outcome === 'failed') throw new Error(`the step-load Job ${job.name} failed; its log:\n${log.split('\n').slice(-40).join('\n')}`);
  return parseSegments(log);
}
