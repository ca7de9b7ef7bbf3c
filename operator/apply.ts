// Server-side apply: the API server merges our intent, owning only the fields we send (fieldManager "vernier"); a
// write is sent only when the live object differs from that intent.
import { createHash } from 'node:crypto';
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { canonicalJson } from '../crds/index.js';
import { FIELD_MANAGER } from './labels.js';
import { resourcePath, type KubeClient, type ResourceRef } from './kube-client.js';
import { appliedResource, at } from './resources.js';

export interface ApplyTarget {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
}

/**
 * The hash of what the operator last applied. A field the operator stops sending changes the hash, so a change that
 * removes something is applied even though the live object still "contains" the new intent.
 */
export const APPLIED_HASH_ANNOTATION = 'vernier.dev/applied-hash';

/** Where `obj` lives in the API, from its apiVersion, kind, namespace and name. */
export function refOf(obj: ApplyTarget): ResourceRef {
  const resource = appliedResource(obj.apiVersion, obj.kind);
  if (!resource) throw new Error(`no resource known for ${obj.apiVersion} ${obj.kind}`);
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind} has no metadata.name`);
  return at(resource, obj.metadata?.namespace, name);
}

/** `desired` with the hash of itself in APPLIED_HASH_ANNOTATION. */
export function withAppliedHash<T extends ApplyTarget>(desired: T): T {
  const hash = createHash('sha256').update(canonicalJson(desired)).digest('hex').slice(0, 16);
  return { ...desired, metadata: { ...desired.metadata, annotations: { ...desired.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}

/**
 * Whether `live` holds every field of `desired` with its value: extra fields (defaults, status, other managers' fields)
 * are fine; a list must have the same length with each element contained; an empty map or list asked for may be
 * absent (the API server drops them).
 */
export function contains(live: unknown, desired: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    if (live === undefined && desired.length === 0) return true;
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => contains(live[i], d));
  }
  if (desired !== null && typeof desired === 'object') {
    const entries = Object.entries(desired);
    if (live === undefined && entries.length === 0) return true;
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    return entries.every(([k, v]) => contains((live as Record<string, unknown>)[k], v));
  }
  return live === desired;
}

/** A write is needed: nothing live, another intent last applied, or a field of ours changed by someone else. */
export function needsApply(desired: ApplyTarget, live: KubernetesObject | undefined): boolean {
  if (!live) return true;
  if (live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] !== desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]) return true;
  return !contains(live, desired);
}

/** PATCH with Content-Type application/apply-patch+yaml (JSON is YAML), force: we are the only writer of these fields. */
export async function serverSideApply<T>(client: KubeClient, obj: ApplyTarget): Promise<T> {
  try {
    return await client.request<T>({
      method: 'PATCH',
      path: resourcePath(refOf(obj)),
      query: { fieldManager: FIELD_MANAGER, force: true },
      contentType: PatchStrategy.ServerSideApply,
      body: obj,
    });
  } catch (err) {
    throw new Error(`server-side apply of ${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name} failed`, { cause: err });
  }
}

/** Applies `desired` (with its hash) unless `live` already matches it; returns the object as it now is. */
export async function applyIfChanged<T extends KubernetesObject>(
  client: KubeClient,
  desired: ApplyTarget,
  live: T | undefined,
  onApplied?: (obj: T) => void,
): Promise<T> {
  const intent = withAppliedHash(desired);
  if (!needsApply(intent, live)) return live!;
  const applied = await serverSideApply<T>(client, intent);
  onApplied?.(applied);
  return applied;
}
