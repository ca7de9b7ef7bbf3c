import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchmarkStatus, measuredStatus } from '../../contracts/index.js';
import { specHash, type InferenceServiceStatus } from '../../crds/index.js';
import { compactReport, inferenceService } from '../test-support/fixtures.js';
import { benchmarkOutcome } from './benchmark.js';
import { BENCHMARK_RECORD_ANNOTATION, encodeRecord, readRecord, recordedReport, withRecordedBenchmark } from './record.js';

const isvc = inferenceService();
const hash = specHash(isvc.spec);
const report = compactReport({ p99Ms: 40.5 });
const record = { benchmark: benchmarkStatus(report, isvc.spec, hash), report };
const annotations = { [BENCHMARK_RECORD_ANNOTATION]: encodeRecord(record) };

test('the record reads back as written; anything else in the annotation is no record', () => {
  assert.deepEqual(readRecord(annotations), record);
  assert.equal(readRecord(undefined), undefined);
  assert.equal(readRecord({ [BENCHMARK_RECORD_ANNOTATION]: 'not json' }), undefined);
  assert.equal(readRecord({ [BENCHMARK_RECORD_ANNOTATION]: JSON.stringify({ benchmark: record.benchmark }) }), undefined);
  assert.equal(recordedReport(record, hash), report);
  assert.equal(recordedReport(record, 'ffffffffffffffff'), undefined, 'a report of another spec does not describe this one');
});

test('an edited status.benchmark and edited verdicts are written again from the record', () => {
  const measured = measuredStatus(report, isvc.spec, hash);
  const edited: InferenceServiceStatus = {
    observedGeneration: 1,
    benchmark: { ...record.benchmark, p99Ms: 1.5, throughputRps: 99_999 },
    conditions: [
      { type: 'Benchmarked', status: 'True', reason: 'BenchmarkSucceeded', message: 'measured nothing at all', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 1 },
      { type: 'SLAMet', status: 'False', reason: 'P99AboveTarget', message: 'p99 900 ms is above the 100 ms target', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 1 },
    ],
  };
  const previous = withRecordedBenchmark(edited, record);
  assert.deepEqual(previous?.benchmark, record.benchmark);
  const outcome = benchmarkOutcome({ previous, spec: isvc.spec, hash, generation: 1, ready: true, jobName: 'j', job: undefined, report: recordedReport(record, hash) });
  assert.deepEqual(outcome.benchmark, record.benchmark);
  assert.deepEqual(outcome.benchmarked, measured.benchmarked);
  assert.deepEqual(outcome.slaMet, measured.slaMet);
  assert.equal(outcome.createJob, false);
  // Without a record, status is all there is: the edit stands (objects measured before records existed).
  const trusting = benchmarkOutcome({ previous: edited, spec: isvc.spec, hash, generation: 1, ready: true, jobName: 'j', job: undefined });
  assert.equal(trusting.slaMet.reason, 'P99AboveTarget');
});

test('a status.benchmark claiming the current spec is not believed when the record measured another one', () => {
  const older = { ...record, benchmark: { ...record.benchmark, specHash: 'ffffffffffffffff' } };
  const forged: InferenceServiceStatus = { benchmark: record.benchmark };
  const previous = withRecordedBenchmark(forged, older);
  const outcome = benchmarkOutcome({ previous, spec: isvc.spec, hash, generation: 1, ready: true, jobName: 'j', job: { state: 'absent' }, report: recordedReport(older, hash) });
  assert.equal(outcome.createJob, true, 'the current spec is measured for real');
  assert.equal(outcome.benchmark?.specHash, 'ffffffffffffffff');
});
