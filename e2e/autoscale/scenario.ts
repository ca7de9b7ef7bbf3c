// The steps before a load: the autoscaled service deployed, its capacity per replica measured, and the service back
// at rest (the benchmark's and the capacity search's own traffic can scale it up for a stabilization window).
import { stringify } from 'yaml';
import type { Kubectl } from '../support/kubectl.js';
import { GiveUp, pollUntil } from '../support/poll.js';
import { CAPACITY_SECONDS, mlpInferenceService, type MlpManifestOptions } from './autoscaled-mlp.js';

interface Condition { type: string; status: string; reason: string; message: string }
export interface IsvcStatus {
  conditions?: Condition[];
  benchmark?: { specHash: string };
  capacity?: { rpsPerReplica: number; p99Ms?: number; specHash: string };
  live?: { rps: number; p99Ms?: number; pods: number };
  autoscaling?: { desiredReplicas: number; message: string };
}

export async function isvcStatus(kubectl: Kubectl, namespace: string, name: string): Promise<IsvcStatus> {
  const isvc = JSON.parse(await kubectl(['-n', namespace, 'get', 'inferenceservice', name, '-o', 'json'])) as { status?: IsvcStatus };
  return isvc.status ?? {};
}

/** Pod start, the benchmark Job (its Service wait included), then the capacity Job within its budget. */
const capacityTimeoutMs = (capacitySeconds: number): number => (240 + capacitySeconds) * 1000;

/** Applies the service and waits for its measured capacity; throws at once when the benchmark or the search failed. */
export async function deployAndMeasureCapacity(kubectl: Kubectl, o: MlpManifestOptions, signal?: AbortSignal): Promise<{ rpsPerReplica: number; p99Ms?: number }> {
  await kubectl(['apply', '-f', '-'], { input: stringify(mlpInferenceService(o)) });
  let last: IsvcStatus = {};
  return pollUntil(
    `the capacity of ${o.name}`,
    async () => {
      last = await isvcStatus(kubectl, o.namespace, o.name);
      const failed = last.conditions?.find((c) => ['BenchmarkFailed', 'CapacityFailed'].includes(c.reason));
      if (failed) throw new GiveUp(`${o.name}: ${failed.type} ${failed.reason}: ${failed.message}`);
      const c = last.capacity;
      return c && c.specHash === last.benchmark?.specHash && c.rpsPerReplica > 0 ? { rpsPerReplica: c.rpsPerReplica, p99Ms: c.p99Ms } : undefined;
    },
    { timeoutMs: capacityTimeoutMs(o.capacitySeconds ?? CAPACITY_SECONDS), intervalMs: 3000, signal, describe: () => JSON.stringify(last.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}`)) },
  );
}

/** Waits until the Deployment runs `replicas` ready pods and the live window has no traffic left in it. */
export async function waitForRest(kubectl: Kubectl, namespace: string, name: string, replicas: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  let state = '';
  await pollUntil(
    `${name} at rest with ${replicas} replica(s)`,
    async () => {
      state = await kubectl(['-n', namespace, 'get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}/{.status.readyReplicas}']);
      const live = (await isvcStatus(kubectl, namespace, name)).live;
      state += ` live ${live?.rps ?? '-'} req/s`;
      return state.startsWith(`${replicas}/${replicas} `) && (live?.rps ?? 0) < 1 ? true : undefined;
    },
    { timeoutMs, intervalMs: 2000, signal, describe: () => state },
  );
}
