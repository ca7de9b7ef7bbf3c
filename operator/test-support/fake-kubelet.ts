// The k8s tier has no kubelet: this plays the node, writing pod status the way a kubelet would.
import type { V1Pod } from '@kubernetes/client-node';
import { resourcePath, type KubeClient } from '../kube-client.js';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function podPath(pod: V1Pod): string {
  return resourcePath({ group: '', version: 'v1', plural: 'pods', namespace: pod.metadata!.namespace, name: pod.metadata!.name, subresource: 'status' });
}

async function patchStatus(client: KubeClient, pod: V1Pod, status: Record<string, unknown>): Promise<void> {
  await client.request({ method: 'PATCH', path: podPath(pod), contentType: 'application/merge-patch+json', body: { status } });
}

/**
 * Running and Ready, every container started: what the ReplicaSet and Deployment controllers count as available.
 * `podIP` is the address the pod is reached at (status.podIP and status.podIPs); a placeholder when nothing listens.
 */
export async function markPodReady(client: KubeClient, pod: V1Pod, podIP?: string): Promise<void> {
  const t = now();
  await patchStatus(client, pod, {
    phase: 'Running',
    startTime: t,
    podIP: podIP ?? '10.244.0.10',
    ...(podIP !== undefined ? { podIPs: [{ ip: podIP }] } : {}),
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: t })),
    containerStatuses: pod.spec!.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: t } },
    })),
  });
}

/** Every container of `pod` not ready, in `state` (per container), with `extra` fields such as lastState. */
function stoppedContainers(pod: V1Pod, restartCount: number, state: (name: string) => Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return pod.spec!.containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount, state: state(c.name), ...extra }));
}

/** A pod that is not (or no longer) Ready, with `reason` on its Ready condition. */
async function notReady(client: KubeClient, pod: V1Pod, phase: string, reason: string, containerStatuses: unknown[]): Promise<void> {
  const t = now();
  await patchStatus(client, pod, {
    phase,
    startTime: pod.status?.startTime ?? t,
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
      { type: 'Ready', status: 'False', reason, lastTransitionTime: t },
    ],
    containerStatuses,
  });
}

/** The container exited: Succeeded with exit code 0, else Failed; `message` is what it wrote to its termination log. */
export async function finishPod(client: KubeClient, pod: V1Pod, result: { exitCode: number; message: string }): Promise<void> {
  const t = now();
  const succeeded = result.exitCode === 0;
  const terminated = { exitCode: result.exitCode, reason: succeeded ? 'Completed' : 'Error', message: result.message, startedAt: t, finishedAt: t };
  await notReady(client, pod, succeeded ? 'Succeeded' : 'Failed', 'PodCompleted', stoppedContainers(pod, 0, () => ({ terminated })));
}

/** The containers keep exiting and are restarted with backoff: CrashLoopBackOff, the last exit in lastState. */
export async function crashLoopPod(client: KubeClient, pod: V1Pod, last: { exitCode: number; message: string; restartCount: number }): Promise<void> {
  const t = now();
  const lastState = { terminated: { exitCode: last.exitCode, reason: 'Error', message: last.message, startedAt: t, finishedAt: t } };
  const waiting = (name: string) => ({ waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${name}` } });
  await notReady(client, pod, 'Running', 'ContainersNotReady', stoppedContainers(pod, last.restartCount, waiting, { lastState }));
}

export async function listPods(client: KubeClient, namespace: string, labelSelector: string): Promise<V1Pod[]> {
  const list = await client.request<{ items: V1Pod[] }>({ method: 'GET', path: resourcePath({ group: '', version: 'v1', plural: 'pods', namespace }), query: { labelSelector } });
  return list.items;
}

export const isReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
export const isFinished = (pod: V1Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
