import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeRequest } from '../kube-client.js';
import { serverPodLister, serverPods } from './server-pods.js';

function pod(name: string, options: { ip?: string; ready?: boolean; deleting?: boolean } = {}): V1Pod {
  return {
    metadata: { name, ...(options.deleting ? { deletionTimestamp: new Date() } : {}) },
    status: {
      ...(options.ip !== undefined ? { podIP: options.ip } : {}),
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    },
  };
}

test('serverPods lists the pods not being deleted, ready only with an IP and the Ready condition', () => {
  const pods = [
    pod('serving', { ip: '10.1.0.4' }),
    pod('starting', { ip: '10.1.0.5', ready: false }),
    pod('unscheduled'),
    pod('draining', { ip: '10.1.0.6', deleting: true }),
    pod('v6', { ip: 'fd00::7' }),
  ];
  assert.deepEqual(serverPods(pods), [
    { name: 'serving', ip: '10.1.0.4', ready: true },
    { name: 'starting', ip: '10.1.0.5', ready: false },
    { name: 'unscheduled', ip: '', ready: false },
    { name: 'v6', ip: 'fd00::7', ready: true },
  ]);
});

test('serverPodLister lists the namespace by label selector', async () => {
  const requests: KubeRequest[] = [];
  const client = {
    request: async <T>(req: KubeRequest): Promise<T> => {
      requests.push(req);
      return { items: [pod('a', { ip: '10.1.0.4' })] } as T;
    },
  };
  assert.deepEqual(await serverPodLister(client, 5_000)('ml', 'app=x,tier=server'), [{ name: 'a', ip: '10.1.0.4', ready: true }]);
  assert.deepEqual(requests, [{ method: 'GET', path: '/api/v1/namespaces/ml/pods', query: { labelSelector: 'app=x,tier=server' }, timeoutMs: 5_000 }]);
});
