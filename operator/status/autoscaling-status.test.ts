import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Decision } from '../autoscaling/decide.js';
import type { WindowFigures } from '../autoscaling/window.js';
import { capacityArgs, desiredCapacityJob } from '../desired/job.js';
import { scaledReplicas } from '../reconciler.js';
import { compactReport, inferenceService, settings } from '../test-support/fixtures.js';
import { capacityOutcome } from './capacity.js';
import { liveOutcome } from './live.js';

const HASH = '0123456789abcdef';
const NOW = new Date('2026-12-01T10:00:00Z');
const capacityReport = (rps: number | null) =>
  compactReport({ mode: 'open', capacity: { variable: 'rate', rps, load: rps ?? 10, p99Ms: 42.123, steps: 6, stoppedBecause: 'sla_missed' } });

test('capacity: waits for the benchmark and a ready pod, then one Job, then the result in status', () => {
  const base = { previous: undefined, hash: HASH, jobName: 'm-capacity-0123456789', job: { state: 'absent' as const } };
  assert.equal(capacityOutcome({ ...base, benchmarked: false, podReady: true }).condition.reason, 'CapacityPending');
  assert.equal(capacityOutcome({ ...base, benchmarked: true, podReady: false }).createJob, false);
  const start = capacityOutcome({ ...base, benchmarked: true, podReady: true });
  assert.equal(start.createJob, true);
  assert.equal(start.condition.reason, 'CapacityMeasuring');
  const done = capacityOutcome({ ...base, benchmarked: true, podReady: true, job: { state: 'succeeded', jobName: base.jobName, report: capacityReport(123.456) } });
  assert.deepEqual(done.capacity, { rpsPerReplica: 123.5, p99Ms: 42.12, specHash: HASH, measuredAt: '2025-01-01T00:00:10Z' });
  assert.equal(done.condition.status, 'True');
  // Known for this hash: kept without looking at any Job.
  const kept = capacityOutcome({ ...base, previous: { capacity: done.capacity }, benchmarked: true, podReady: true, job: undefined });
  assert.deepEqual(kept.capacity, done.capacity);
  assert.equal(kept.createJob, false);
});

test('capacity: a search where no rate met the SLA is a failure that says so', () => {
  const failed = capacityOutcome({ previous: undefined, hash: HASH, benchmarked: true, podReady: true, jobName: 'j', job: { state: 'succeeded', jobName: 'j', report: capacityReport(null) } });
  assert.equal(failed.condition.reason, 'CapacityFailed');
  assert.match(failed.condition.message, /no rate met the SLA \(stopped: sla missed\)/);
  assert.equal(failed.capacity, undefined);
});

test('the capacity Job loads one pod, not the Service, and searches within the SLA', () => {
  const isvc = inferenceService({ autoscaling: { maxReplicas: 4 }, benchmark: { capacitySeconds: 90 } });
  const args = capacityArgs(isvc, '10.244.1.7');
  assert.equal(args[args.indexOf('--url') + 1], 'http://10.244.1.7:8080');
  assert.ok(args.includes('--capacity'));
  assert.equal(args[args.indexOf('--capacity-seconds') + 1], '90');
  assert.equal(args[args.indexOf('--sla-p99-ms') + 1], '100');
  const job = desiredCapacityJob(isvc, HASH, '10.244.1.7', settings());
  assert.equal(job.metadata?.name, 'audio-cnn-capacity-0123456789');
  assert.equal(job.metadata?.labels?.['app.kubernetes.io/component'], 'capacity');
  assert.ok(job.spec!.activeDeadlineSeconds! > 90);
});

const figures = (over: Partial<WindowFigures> = {}): WindowFigures => ({
  rps: 412.34,
  latestRps: 420.5,
  p99Ms: 80.456,
  requests: 24_000,
  podsCounted: 2,
  podsMissing: [],
  windowSeconds: 60,
  complete: true,
  observedAt: NOW.getTime(),
  ...over,
});
const decision = (replicas: number): Decision => ({ replicas, action: 'scale-up', reason: '412 req/s > 2 replicas × 150 req/s × 0.7 = 210 req/s: scaling to 4', history: [] });

test('live: figures, the verdict on live p99, and a scale-up recorded with its reason', () => {
  const out = liveOutcome({ previous: { autoscaling: { desiredReplicas: 2, message: 'x' } }, live: figures(), decision: decision(4), appliedReplicas: 2, slaP99Ms: 100, now: NOW });
  assert.deepEqual(out.live, { rps: 412.3, p99Ms: 80.46, windowSeconds: 60, pods: 2, observedAt: '2026-12-01T10:00:00Z' });
  assert.equal(out.condition.reason, 'LiveP99WithinSLA');
  assert.deepEqual(out.autoscaling, { desiredReplicas: 4, lastScaleTime: '2026-12-01T10:00:00Z', message: decision(4).reason });
  assert.deepEqual(out.scaled, { from: 2, to: 4, reason: decision(4).reason });
  const slow = liveOutcome({ previous: undefined, live: figures({ p99Ms: 140 }), decision: decision(2), appliedReplicas: 2, slaP99Ms: 100, now: NOW });
  assert.equal(slow.condition.status, 'False');
  assert.equal(slow.condition.reason, 'LiveP99AboveSLA');
  assert.equal(slow.scaled, undefined, 'no change, no Event');
});

test('live: too few requests give no p99; no figures say why', () => {
  const quiet = liveOutcome({ previous: undefined, live: figures({ requests: 20 }), decision: undefined, appliedReplicas: 1, slaP99Ms: 100, now: NOW });
  assert.equal(quiet.live?.p99Ms, undefined);
  assert.equal(quiet.condition.reason, 'NotEnoughTraffic');
  const broken = liveOutcome({ previous: undefined, live: undefined, error: 'listing pods: 403', decision: undefined, appliedReplicas: 1, slaP99Ms: 100, now: NOW });
  assert.equal(broken.condition.reason, 'MetricsUnavailable');
  assert.match(broken.condition.message, /403/);
});

test('replicas under autoscaling: the decision, else the last applied, else spec.replicas, always within the bounds', () => {
  const scaling = { minReplicas: 2, maxReplicas: 5, targetUtilization: 0.7, tolerance: 0.1, scaleDownStabilizationSeconds: 300, intervalSeconds: 15, windowSeconds: 60 };
  assert.equal(scaledReplicas(scaling, decision(4), undefined, 1), 4);
  assert.equal(scaledReplicas(scaling, undefined, { autoscaling: { desiredReplicas: 3, message: '' } }, 1), 3);
  assert.equal(scaledReplicas(scaling, undefined, undefined, 1), 2, 'raised to minReplicas');
  assert.equal(scaledReplicas(scaling, decision(9), undefined, 1), 5, 'clamped to maxReplicas');
});
