// Steps a kubelet would take for the operator's pods, driven by the test.
import type { V1Job } from '@kubernetes/client-node';
import { toCompactFailure, type CompactBenchReport } from '../../contracts/compact-report.js';
import type { KubeClient } from '../kube-client.js';
import { eventually } from './cluster.js';
import { finishPod, isFinished, isReady, markPodReady } from './fake-kubelet.js';
import { jobPods, serverPods } from './isvc.js';

/** Marks the InferenceService's server pods Ready until `replicas` of them are, as a kubelet would once the server answers. */
export async function serverPodsBecomeReady(admin: KubeClient, namespace: string, name: string, replicas: number, timeoutMs = 60_000): Promise<void> {
  await eventually(
    `${replicas} ready server pods of ${namespace}/${name}`,
    async () => {
      const pods = (await serverPods(admin, namespace, name)).filter((p) => !p.metadata?.deletionTimestamp);
      for (const pod of pods) if (!isReady(pod)) await markPodReady(admin, pod);
      const ready = (await serverPods(admin, namespace, name)).filter((p) => isReady(p) && !p.metadata?.deletionTimestamp);
      return ready.length === replicas && pods.length === replicas ? true : undefined;
    },
    timeoutMs,
    50,
  );
}

/** The benchmark pod of `job` exits: with the compact report (exit 0), or with a failure (exit 1). */
export async function benchmarkPodFinishes(admin: KubeClient, job: V1Job, outcome: { report: CompactBenchReport } | { error: string }): Promise<void> {
  const pod = await eventually(`the pod of Job ${job.metadata?.name}`, async () => (await jobPods(admin, job)).find((p) => !isFinished(p)), 60_000, 50);
  const result = 'report' in outcome ? { exitCode: 0, message: JSON.stringify(outcome.report) } : { exitCode: 1, message: JSON.stringify(toCompactFailure(outcome.error)) };
  await finishPod(admin, pod, result);
}
