import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAlreadyExists, isConflict, isNamespaceTerminating, KubeApiError } from './kube-client.js';

test('API errors are told apart by status, reason and message', () => {
  const terminating = new KubeApiError(
    'POST /apis/batch/v1/namespaces/ml/jobs: HTTP 403 Forbidden: jobs.batch "mlp-bench-1" is forbidden: unable to create new content in namespace ml because it is being terminated',
    403,
    'Forbidden',
  );
  assert.equal(isNamespaceTerminating(terminating), true);
  assert.equal(isNamespaceTerminating(new KubeApiError('HTTP 403 Forbidden: jobs.batch is forbidden: User "x" cannot create', 403, 'Forbidden')), false);
  assert.equal(isNamespaceTerminating(new Error('because it is being terminated')), false);

  assert.equal(isAlreadyExists(new KubeApiError('exists', 409, 'AlreadyExists')), true);
  assert.equal(isConflict(new KubeApiError('exists', 409, 'AlreadyExists')), false);
  assert.equal(isConflict(new KubeApiError('the object has been modified', 409, 'Conflict')), true);
});
