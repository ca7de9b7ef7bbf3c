// The InferenceServices of a scale run: N copies of examples/mlp.yaml spread over the namespaces, created with bounded
// concurrency, and read back to see which ones the operator has observed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { isAlreadyExists, KubeApiError, resourcePath, type KubeClient } from '../../operator/kube-client.js';
import { packageRoot } from '../../contracts/package-root.js';

const GROUP = 'vernier.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'inferenceservices';

export interface ObjectRef {
  namespace: string;
  name: string;
}

export const keyOf = (ref: ObjectRef): string => `${ref.namespace}/${ref.name}`;

const isvcPath = (namespace: string, name?: string): string => resourcePath({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name });

/** mlp-0001 … mlp-N (at least four digits), the i-th in namespaces[(i - 1) % namespaces.length]. Pure. */
export function scaleRefs(count: number, namespaces: readonly string[]): ObjectRef[] {
  const digits = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => ({
    namespace: namespaces[i % namespaces.length],
    name: `mlp-${String(i + 1).padStart(digits, '0')}`,
  }));
}

/**
 * `count` refs spread evenly over `refs`, one in each of `count` equal slices; `offset` moves the pick inside each slice
 * (two picks with different offsets do not overlap when the slices hold two or more) and so does the slice's index, so
 * a pick also spreads over the namespaces. Pure.
 */
export function spreadPick(refs: readonly ObjectRef[], count: number, offset: number): ObjectRef[] {
  const slice = Math.max(1, Math.floor(refs.length / count));
  return Array.from({ length: Math.min(count, refs.length) }, (_, i) => refs[i * slice + ((i + offset) % slice)]);
}

export function exampleManifest(): Record<string, any> {
  return parse(readFileSync(join(packageRoot(), 'examples', 'mlp.yaml'), 'utf8')) as Record<string, any>;
}

const transient = (err: unknown): boolean =>
  !(err instanceof KubeApiError) || err.status === 429 || err.status >= 500;

/** Creates every ref from `template`, `concurrency` at a time; calls `onCreated` with the running total. */
export async function createAll(
  admin: KubeClient,
  template: Record<string, any>,
  refs: readonly ObjectRef[],
  concurrency: number,
  onCreated: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const ref = refs[next++];
      const body = { ...template, metadata: { ...template.metadata, name: ref.name, namespace: ref.namespace } };
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.request({ method: 'POST', path: isvcPath(ref.namespace), body });
          break;
        } catch (err) {
          // A create that timed out may have gone through: AlreadyExists then means done.
          if (attempt > 1 && isAlreadyExists(err)) break;
          if (attempt >= 5 || !transient(err)) throw new Error(`creating ${keyOf(ref)} failed`, { cause: err });
          await sleep(200 * attempt);
        }
      }
      onCreated(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
}

interface StoredGenerations {
  metadata: { name: string; namespace: string; generation?: number };
  status?: { observedGeneration?: number };
}

const isCurrent = (o: StoredGenerations): boolean => o.status?.observedGeneration !== undefined && o.status.observedGeneration === o.metadata.generation;

/** The names in `namespace` whose status.observedGeneration equals metadata.generation, and how many exist. */
export async function observedIn(admin: KubeClient, namespace: string): Promise<{ existing: number; current: Set<string> }> {
  const list = await admin.request<{ items: StoredGenerations[] }>({ method: 'GET', path: isvcPath(namespace), timeoutMs: 60_000 });
  return { existing: list.items.length, current: new Set(list.items.filter(isCurrent).map((o) => o.metadata.name)) };
}

export async function isCurrentNow(admin: KubeClient, ref: ObjectRef): Promise<boolean> {
  return isCurrent(await admin.request<StoredGenerations>({ method: 'GET', path: isvcPath(ref.namespace, ref.name) }));
}

/** Changes spec.sla.p99LatencyMs (a spec change: the generation goes up); returns the new generation. */
export async function changeSla(admin: KubeClient, ref: ObjectRef, p99LatencyMs: number): Promise<number> {
  const patched = await admin.request<StoredGenerations>({
    method: 'PATCH',
    path: isvcPath(ref.namespace, ref.name),
    contentType: 'application/merge-patch+json',
    body: { spec: { sla: { p99LatencyMs } } },
  });
  return patched.metadata.generation ?? 0;
}
