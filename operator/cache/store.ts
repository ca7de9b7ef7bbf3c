// The objects of one watched resource as last seen, keyed namespace/name, with what each list or watch event changed.
import type { KubernetesObject } from '@kubernetes/client-node';

export type ChangeType = 'add' | 'update' | 'delete';

export interface Change<T> {
  type: ChangeType;
  object: T;
  /** The object before an update. */
  old?: T;
}

export const objectKey = (obj: KubernetesObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
const resourceVersionOf = (obj: KubernetesObject): string | undefined => obj.metadata?.resourceVersion;

/**
 * Whether `candidate` is at least as recent as `current`. resourceVersions are opaque to clients, but every API server
 * backed by etcd issues them as increasing integers (its revision); anything else is never taken as newer.
 */
export function isNotOlder(candidate: KubernetesObject, current: KubernetesObject | undefined): boolean {
  if (!current) return true;
  const a = resourceVersionOf(candidate);
  const b = resourceVersionOf(current);
  if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) >= BigInt(b);
}

export class ObjectStore<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  /** Keys by index value (e.g. the owning InferenceService), when an index function is given. */
  private readonly index = new Map<string, Set<string>>();

  constructor(private readonly indexOf?: (obj: T) => string | undefined) {}

  get size(): number {
    return this.objects.size;
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** The objects whose index value is `value`. */
  indexed(value: string): T[] {
    const keys = this.index.get(value);
    if (!keys) return [];
    const found: T[] = [];
    for (const key of keys) {
      const obj = this.objects.get(key);
      if (obj) found.push(obj);
    }
    return found;
  }

  /** A watch event: what it changed, or undefined when the store already had that version (e.g. our own write). */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): Change<T> | undefined {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (type === 'DELETED') {
      if (!old) return undefined;
      this.remove(key, old);
      return { type: 'delete', object: old };
    }
    if (old && resourceVersionOf(old) === resourceVersionOf(obj)) return undefined;
    this.put(key, obj, old);
    return old ? { type: 'update', object: obj, old } : { type: 'add', object: obj };
  }

  /** A full list: the store becomes exactly `items`; only what differs from before is reported. */
  replace(items: readonly T[]): Array<Change<T>> {
    const changes: Array<Change<T>> = [];
    const present = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      present.add(key);
      const old = this.objects.get(key);
      if (old && resourceVersionOf(old) === resourceVersionOf(obj)) continue;
      this.put(key, obj, old);
      changes.push(old ? { type: 'update', object: obj, old } : { type: 'add', object: obj });
    }
    for (const [key, old] of [...this.objects]) {
      if (present.has(key)) continue;
      this.remove(key, old);
      changes.push({ type: 'delete', object: old });
    }
    return changes;
  }

  /**
   * What a write of ours returned, so the next read sees it before its watch event arrives (the event then changes
   * nothing and wakes no one). Ignored when the store already holds a newer version.
   */
  assume(obj: T): void {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (old && !isNotOlder(obj, old)) return;
    this.put(key, obj, old);
  }

  private put(key: string, obj: T, old: T | undefined): void {
    this.objects.set(key, obj);
    if (!this.indexOf) return;
    const before = old ? this.indexOf(old) : undefined;
    const after = this.indexOf(obj);
    if (before === after) return;
    if (before !== undefined) this.unindex(before, key);
    if (after !== undefined) {
      let keys = this.index.get(after);
      if (!keys) this.index.set(after, (keys = new Set()));
      keys.add(key);
    }
  }

  private remove(key: string, old: T): void {
    this.objects.delete(key);
    const value = this.indexOf?.(old);
    if (value !== undefined) this.unindex(value, key);
  }

  private unindex(value: string, key: string): void {
    const keys = this.index.get(value);
    keys?.delete(key);
    if (keys?.size === 0) this.index.delete(value);
  }
}
