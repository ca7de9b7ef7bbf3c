// The server pods of a service, their IPs and readiness: the ready ones are scraped, the others may be starting.
import type { V1Pod } from '@kubernetes/client-node';
import { resourcePath, type KubeClient } from '../kube-client.js';
import { at, PODS } from '../resources.js';
import type { ServerPod } from './autoscaler.js';

/**
 * The pods that are not being deleted (a terminating pod is draining, not serving), with whether each is Ready and has
 * an IP: only those serve and are scraped.
 */
export function serverPods(pods: readonly V1Pod[]): ServerPod[] {
  const found: ServerPod[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name;
    if (!name || pod.metadata?.deletionTimestamp) continue;
    const ip = pod.status?.podIP ?? '';
    const ready = ip !== '' && (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
    found.push({ name, ip, ready });
  }
  return found;
}

/** listServerPods for the Autoscaler: one LIST of the namespace's pods by label selector. */
export function serverPodLister(client: KubeClient, timeoutMs = 10_000): (namespace: string, selector: string) => Promise<ServerPod[]> {
  return async (namespace, selector) => {
    const list = await client.request<{ items: V1Pod[] }>({ method: 'GET', path: resourcePath(at(PODS, namespace)), query: { labelSelector: selector }, timeoutMs });
    return serverPods(list.items);
  };
}
