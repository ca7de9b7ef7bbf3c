// Recognises the watch event of our own status write: it may arrive before the write's response (so before the cache
// holds that version), and it must not wake another pass. A status edited by anyone else still does.
import type { KubernetesObject } from '@kubernetes/client-node';
import { canonicalJson } from '../../crds/index.js';

type WithStatus = KubernetesObject & { spec?: unknown; status?: unknown };

/** Everything but status and the bookkeeping every write moves. */
function withoutStatus(obj: WithStatus): string {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = obj.metadata ?? {};
  return canonicalJson({ metadata, spec: obj.spec });
}

export class StatusEchoes {
  /** Per InferenceService key, the status this process last sent. */
  private readonly sent = new Map<string, string>();

  /** Called before a status write is sent. */
  expect(key: string, status: unknown): void {
    this.sent.set(key, canonicalJson(status ?? {}));
  }

  forget(key: string): void {
    this.sent.delete(key);
  }

  /** Whether `next` differs from `old` only by a status this process sent. */
  isEcho(key: string, old: WithStatus | undefined, next: WithStatus): boolean {
    const sent = this.sent.get(key);
    if (sent === undefined || !old) return false;
    return canonicalJson(next.status ?? {}) === sent && withoutStatus(old) === withoutStatus(next);
  }
}
