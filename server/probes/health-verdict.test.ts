import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HTTP_THREAD_STALL_MS, liveness, readiness } from './health-verdict.js';
import { createProbeState, publishProbeState, readProbeState } from './probe-state.js';

const serving = { ready: true, healthy: true, httpThreadSilentMs: 0 };

describe('health verdicts', () => {
  it('a serving server is live and ready', () => {
    assert.deepEqual(liveness(serving), { status: 200, body: { live: true } });
    assert.deepEqual(readiness(serving), { status: 200, body: { ready: true } });
  });

  it('shutting down: not ready, still live', () => {
    assert.deepEqual(readiness({ ...serving, ready: false }), { status: 503, body: { error: 'server is shutting down' } });
    assert.equal(liveness({ ...serving, ready: false }).status, 200);
  });

  it('a stopped executor fails both', () => {
    for (const verdict of [liveness({ ...serving, healthy: false }), readiness({ ...serving, healthy: false })]) {
      assert.deepEqual(verdict, { status: 503, body: { error: 'an inference executor has stopped' } });
    }
  });

  it(`an HTTP thread silent for more than ${HTTP_THREAD_STALL_MS} ms fails both, and says for how long`, () => {
    assert.equal(readiness({ ...serving, httpThreadSilentMs: HTTP_THREAD_STALL_MS }).status, 200);
    const stalled = { ...serving, httpThreadSilentMs: HTTP_THREAD_STALL_MS + 500.4 };
    assert.deepEqual(liveness(stalled), { status: 503, body: { error: `the HTTP thread has not run for ${HTTP_THREAD_STALL_MS + 500} ms` } });
    assert.deepEqual(readiness(stalled).body, { error: `the HTTP thread has not run for ${HTTP_THREAD_STALL_MS + 500} ms` });
  });
});

describe('probe state in shared memory', () => {
  it('reads what was published, and how long ago', () => {
    const buffer = createProbeState();
    publishProbeState(buffer, { ready: true, healthy: false }, 1_000_000_000n);
    assert.deepEqual(readProbeState(buffer, 4_000_000_000n), { ready: true, healthy: false, httpThreadSilentMs: 3000 });
  });

  it('never published reads as stalled, so a thread that never started its clock is never reported ready', () => {
    const state = readProbeState(createProbeState());
    assert.equal(state.httpThreadSilentMs, Infinity);
    assert.equal(readiness(state).status, 503);
  });
});
