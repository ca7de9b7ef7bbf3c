// The ready server pods of a service and their IPs, for the autoscaler to scrape.
import type { V1Pod } from '@kubernetes/client-node';
import { resourcePath, type KubeClient } from '../kube-client.js';
import { at, PODS } from '../resources.js';
import type { ReadyPod } from './autoscaler.js';

/** The pods that are Ready, have an IP and are not being deleted (a terminating pod is draining, not serving). */
export function readyPods(pods: readonly V1Pod[]): ReadyPod[] {
  const ready: ReadyPod[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name;
    const ip = pod.status?.podIP;
    if (!name || !ip || pod.metadata?.deletionTimestamp) continue;
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.push({ name, ip });
  }
  return ready;
}

/** listReadyPodIps for the Autoscaler: one LIST of the namespace's pods by label selector. */
export function readyPodLister(client: KubeClient, timeoutMs = 10_000): (namespace: string, selector: string) => Promise<ReadyPod[]> {
  return async (namespace, selector) => {
    const list = await client.request<{ items: V1Pod[] }>({ method: 'GET', path: resourcePath(at(PODS, namespace)), query: { labelSelector: selector }, timeoutMs });
    return readyPods(list.items);
  };
}
