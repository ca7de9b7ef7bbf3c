// Kubernetes Events about an InferenceService (what `kubectl describe` shows); failures are logged, never fatal.
import { randomBytes } from 'node:crypto';
import { API_VERSION, KIND } from '../crds/index.js';
import { resourcePath, type KubeClient } from './kube-client.js';
import { errorField, type Logger } from './log.js';
import type { ConditionEvent } from './status/transitions.js';

export const EVENT_SOURCE = 'vernier-operator';

export interface EventSubject {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventRecorder {
  record(subject: EventSubject, event: ConditionEvent): Promise<void>;
}

export function eventRecorder(client: KubeClient, identity: string, log: Logger): EventRecorder {
  return {
    async record(subject, event) {
      const now = new Date().toISOString();
      const namespace = subject.metadata.namespace ?? 'default';
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${subject.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
        involvedObject: {
          apiVersion: API_VERSION,
          kind: KIND,
          name: subject.metadata.name,
          namespace,
          uid: subject.metadata.uid,
          resourceVersion: subject.metadata.resourceVersion,
        },
        type: event.type,
        reason: event.reason,
        message: event.message.slice(0, 1024),
        source: { component: EVENT_SOURCE },
        reportingComponent: EVENT_SOURCE,
        reportingInstance: identity,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      try {
        await client.request({ method: 'POST', path: resourcePath({ group: '', version: 'v1', plural: 'events', namespace }), body });
      } catch (err) {
        log.warn('could not record an event', { object: `${namespace}/${subject.metadata.name}`, reason: event.reason, error: errorField(err) });
      }
    },
  };
}
