// Kubernetes Events about an InferenceService (what `kubectl describe` shows), sent off the reconcile's path: record()
// queues and returns; one sender posts them in order. Repeats are dropped, failures logged, never fatal.
import { randomBytes } from 'node:crypto';
import { API_VERSION, KIND } from '../crds/index.js';
import { resourcePath, type KubeClient } from './kube-client.js';
import { errorField, type Logger } from './log.js';
import type { ConditionEvent } from './status/transitions.js';

export const EVENT_SOURCE = 'vernier-operator';
/** Events waiting to be sent beyond this are dropped (oldest first): a burst must not grow memory without bound. */
export const MAX_QUEUED_EVENTS = 1_000;
/** The same Event about the same object within this long is sent once, as client-go's spam filter does. */
export const REPEAT_WINDOW_MS = 10 * 60_000;

export interface EventSubject {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventRecorder {
  /** Queues an Event; never waits on the API server. */
  record(subject: EventSubject, event: ConditionEvent): void;
  /** Resolves once everything queued so far was sent (or dropped). */
  flush(): Promise<void>;
}

interface Queued {
  subject: EventSubject;
  event: ConditionEvent;
}

export function eventRecorder(client: KubeClient, identity: string, log: Logger, now: () => number = Date.now): EventRecorder {
  const queue: Queued[] = [];
  /** When each (object, reason, message) was last queued, for the repeat filter. */
  const lastSent = new Map<string, number>();
  let sending: Promise<void> | undefined;
  let dropped = 0;

  function body({ subject, event }: Queued) {
    const at = new Date(now()).toISOString();
    const namespace = subject.metadata.namespace ?? 'default';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${subject.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: { apiVersion: API_VERSION, kind: KIND, name: subject.metadata.name, namespace, uid: subject.metadata.uid, resourceVersion: subject.metadata.resourceVersion },
      type: event.type,
      reason: event.reason,
      message: event.message.slice(0, 1024),
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: identity,
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
    };
  }

  async function drain(): Promise<void> {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const namespace = next.subject.metadata.namespace ?? 'default';
      try {
        await client.request({ method: 'POST', path: resourcePath({ group: '', version: 'v1', plural: 'events', namespace }), body: body(next) });
      } catch (err) {
        log.warn('could not record an event', { object: `${namespace}/${next.subject.metadata.name}`, reason: next.event.reason, error: errorField(err) });
      }
    }
    if (dropped > 0) {
      log.warn('events dropped: more were waiting than the queue holds', { dropped, limit: MAX_QUEUED_EVENTS });
      dropped = 0;
    }
  }

  function kick(): void {
    sending ??= drain().finally(() => {
      sending = undefined;
      // Queued after the loop saw an empty queue but before it settled.
      if (queue.length > 0) kick();
    });
  }

  function forgetOld(t: number): void {
    if (lastSent.size < MAX_QUEUED_EVENTS) return;
    for (const [key, at] of lastSent) if (t - at >= REPEAT_WINDOW_MS) lastSent.delete(key);
  }

  return {
    record(subject, event) {
      const t = now();
      const key = `${subject.metadata.uid ?? `${subject.metadata.namespace}/${subject.metadata.name}`}\0${event.type}\0${event.reason}\0${event.message}`;
      const previous = lastSent.get(key);
      if (previous !== undefined && t - previous < REPEAT_WINDOW_MS) return;
      forgetOld(t);
      lastSent.set(key, t);
      queue.push({ subject, event });
      if (queue.length > MAX_QUEUED_EVENTS) {
        queue.shift();
        dropped++;
      }
      kick();
    },
    async flush() {
      while (sending) await sending;
    },
  };
}
