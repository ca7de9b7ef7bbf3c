// The API server and the processes a spec ends up in accept the same values: every numeric field of the CRD that
// becomes a flag has the same bounds in the flag's schema, and every such CRD field is accounted for here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { inferenceServiceOpenApiSchema } from '../crds/crd.js';
import { BenchArgs } from './bench-args.js';
import { ServeOptions } from './serve-options.js';

interface Node {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  properties?: Record<string, Node>;
}

/** CRD field → the process option it is passed to. */
const PASSED_TO: Record<string, [z.ZodObject, string]> = {
  'spec.concurrency.workers': [ServeOptions, 'workers'],
  'spec.concurrency.maxBatchSize': [ServeOptions, 'maxBatchSize'],
  'spec.concurrency.maxQueueDelayMs': [ServeOptions, 'maxQueueDelayMs'],
  'spec.concurrency.maxQueue': [ServeOptions, 'maxQueue'],
  'spec.concurrency.intraOpThreads': [ServeOptions, 'intraOpThreads'],
  'spec.benchmark.concurrency': [BenchArgs, 'concurrency'],
  'spec.benchmark.rate': [BenchArgs, 'rate'],
  'spec.benchmark.durationSeconds': [BenchArgs, 'duration'],
  'spec.benchmark.warmupSeconds': [BenchArgs, 'warmup'],
  'spec.benchmark.timeoutMs': [BenchArgs, 'timeoutMs'],
  'spec.benchmark.capacitySeconds': [BenchArgs, 'capacitySeconds'],
  'spec.sla.p99LatencyMs': [BenchArgs, 'slaP99Ms'],
  'spec.sla.minThroughputRps': [BenchArgs, 'slaMinRps'],
};

/** Bounds in one form whatever the dialect (OpenAPI 3.0 has a boolean exclusiveMinimum, JSON Schema 2020 a number). */
function bounds(node: Node): { min?: number; exclusiveMin: boolean; max?: number } {
  if (typeof node.exclusiveMinimum === 'number') return { min: node.exclusiveMinimum, exclusiveMin: true, max: node.maximum };
  return { min: node.minimum, exclusiveMin: node.exclusiveMinimum === true, max: node.maximum };
}

function numericFields(node: Node, path: string, out: Map<string, Node>): Map<string, Node> {
  if (node.type === 'integer' || node.type === 'number') out.set(path, node);
  for (const [name, child] of Object.entries(node.properties ?? {})) numericFields(child, `${path}.${name}`, out);
  return out;
}

const crdSpec = (inferenceServiceOpenApiSchema() as Node).properties!.spec;
const crdFields = numericFields(crdSpec, 'spec', new Map());

test('every numeric CRD field of concurrency, benchmark and sla is passed to a process and accounted for', () => {
  const passed = [...crdFields.keys()].filter((p) => /^spec\.(concurrency|benchmark|sla)\./.test(p));
  assert.deepEqual(passed.sort(), Object.keys(PASSED_TO).sort());
});

for (const [path, [schema, key]] of Object.entries(PASSED_TO)) {
  test(`${path} and the flag it becomes accept the same range`, () => {
    const option = (z.toJSONSchema(schema, { io: 'input' }) as Node).properties![key];
    assert.ok(option, `${key} is an option of the process`);
    assert.deepEqual(bounds(option), bounds(crdFields.get(path)!));
  });
}
