import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { SERVE_EXIT_CODES } from '../../contracts/index.js';
import { Reason } from '../../crds/index.js';
import { msUntilStalled, serverFailureCondition, STALLED_ROLLOUT_MS } from './server-failure.js';

const NO_DEVICE = 'vernier serve: no CUDA device visible: the CUDA runtime says "no CUDA-capable device is detected"; the pod needs ...';

const crashLooping = (exitCode: number, message: string): V1Pod => ({
  metadata: { name: 'audio-cnn-t4-6d5f-abcde' },
  status: {
    containerStatuses: [
      {
        name: 'server',
        image: 'vernier:0.1.0-cuda',
        imageID: '',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode, message: `some onnxruntime log line\n${message}\n` } },
      },
    ],
  },
});

test('a server that exits for want of CUDA gives Ready=False CUDAUnavailable with its own line', () => {
  const condition = serverFailureCondition([crashLooping(SERVE_EXIT_CODES.cudaUnavailable, NO_DEVICE)]);
  assert.deepEqual(condition, {
    type: 'Ready',
    status: 'False',
    reason: Reason.CUDAUnavailable,
    message: `server pod audio-cnn-t4-6d5f-abcde exited with code ${SERVE_EXIT_CODES.cudaUnavailable}, restarted 4 time(s): ${NO_DEVICE.replace('vernier serve: ', '')}`,
  });
});

test('a bad model is ModelLoadFailed; other exits (OOM kill, crash) and running pods say nothing', () => {
  assert.equal(serverFailureCondition([crashLooping(SERVE_EXIT_CODES.badModel, 'vernier serve: cannot load model /x.onnx: ...')])?.reason, Reason.ModelLoadFailed);
  assert.equal(serverFailureCondition([crashLooping(137, 'Killed')]), undefined);
  assert.equal(serverFailureCondition([{ metadata: { name: 'p' }, status: { containerStatuses: [] } }]), undefined);
  assert.equal(serverFailureCondition([]), undefined);
});

test('a rollout counts as stalled once its Progressing condition has not moved for STALLED_ROLLOUT_MS', () => {
  // As the cache holds it: times are JSON strings.
  const at = (lastUpdateTime: string | undefined) =>
    ({ status: { conditions: [{ type: 'Progressing', status: 'True', lastUpdateTime, lastTransitionTime: '2026-12-02T10:00:00Z' }] } }) as unknown as V1Deployment;
  const now = new Date('2026-12-02T10:00:20Z');
  assert.equal(msUntilStalled(at('2026-12-02T10:00:10Z'), now), STALLED_ROLLOUT_MS - 10_000, 'moved 10 s ago');
  assert.equal(msUntilStalled(at('2026-12-02T09:59:00Z'), now), 0, 'still for 80 s');
  assert.equal(msUntilStalled(at(undefined), now), STALLED_ROLLOUT_MS - 20_000, 'the transition time when no update time');
  assert.equal(msUntilStalled({ status: {} }, now), undefined, 'nothing to wait for');
  assert.equal(msUntilStalled(undefined, now), undefined);
});
