import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConditionType } from './conditions.js';
import { checkedInCrdPath } from './crd-file.js';
import { PRINTER_COLUMNS, inferenceServiceCrd, inferenceServiceCrdYaml, inferenceServiceOpenApiSchema } from './crd.js';
import { InferenceServiceSpec } from './inferenceservice.js';
import type { SchemaNode } from './json-schema.js';
import { structuralViolations } from './structural-check.js';

const REGENERATE = 'npm run generate';

/** Every schema node with its dotted path (`.spec.concurrency.workers`, `.status.conditions[]`). */
function* walk(node: SchemaNode, path = ''): Generator<[string, SchemaNode]> {
  yield [path, node];
  for (const [name, child] of Object.entries(node.properties ?? {})) yield* walk(child, `${path}.${name}`);
  if (node.items && !Array.isArray(node.items)) yield* walk(node.items, `${path}[]`);
  if (typeof node.additionalProperties === 'object') yield* walk(node.additionalProperties, `${path}.*`);
}

function nodeAt(schema: SchemaNode, path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const segment of path.split('.').filter(Boolean)) {
    node = segment.endsWith('[]') ? node?.properties?.[segment.slice(0, -2)]?.items as SchemaNode : node?.properties?.[segment];
  }
  return node;
}

function valueAt(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], obj);
}

describe('InferenceService CRD', () => {
  const crd = inferenceServiceCrd();
  const version = crd.spec.versions[0];
  const schema = version.schema.openAPIV3Schema;

  it('matches the checked-in crds/inferenceservice.yaml', () => {
    const checkedIn = readFileSync(checkedInCrdPath(), 'utf8');
    assert.ok(
      checkedIn === inferenceServiceCrdYaml(),
      `crds/inferenceservice.yaml is out of date with crds/inferenceservice.ts; regenerate it with: ${REGENERATE}`,
    );
  });

  it('renders YAML that parses back to the same object', () => {
    assert.deepEqual(parseYaml(inferenceServiceCrdYaml()), crd);
  });

  it('names the resource as kubectl users expect', () => {
    assert.equal(crd.metadata.name, 'inferenceservices.vernier.dev');
    assert.equal(crd.spec.group, 'vernier.dev');
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(crd.spec.names, {
      kind: 'InferenceService',
      listKind: 'InferenceServiceList',
      plural: 'inferenceservices',
      singular: 'inferenceservice',
      shortNames: ['vis'],
      categories: ['vernier'],
    });
    assert.equal(crd.spec.versions.length, 1);
    assert.equal(version.name, 'v1alpha1');
    assert.equal(version.served && version.storage, true);
    assert.deepEqual(version.subresources, {
      status: {},
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
    });
  });

  it('has a structural schema', () => {
    assert.deepEqual(structuralViolations(schema), []);
  });

  it('leaves metadata, apiVersion and kind to the API server', () => {
    assert.deepEqual(schema.properties?.metadata, { type: 'object' });
    assert.equal(schema.properties?.apiVersion?.type, 'string');
    assert.equal(schema.properties?.apiVersion?.enum, undefined);
    assert.deepEqual(schema.required, ['spec']);
  });

  it('describes every field of spec and status', () => {
    const undescribed = [...walk(schema)]
      .filter(([path]) => /^\.(spec|status)/.test(path) && !path.endsWith('.*') && !path.endsWith('[]'))
      .filter(([, node]) => !node.description)
      .map(([path]) => path);
    assert.deepEqual(undescribed, []);
  });

  it('uses only RE2-compatible patterns (no lookaround, no backreferences)', () => {
    const patterns = [...walk(schema)].filter(([, n]) => n.pattern !== undefined);
    assert.ok(patterns.length >= 5, 'expected patterns on model name, uri, sha256, quantities, conditions');
    for (const [path, node] of patterns) {
      assert.doesNotMatch(node.pattern!, /\(\?[=!<]|\\[1-9]/, `${path}: pattern the API server cannot compile`);
    }
  });

  it('emits exclusive bounds as OpenAPI 3.0 booleans', () => {
    for (const path of ['.spec.sla.p99LatencyMs', '.spec.benchmark.rate']) {
      const node = nodeAt(schema, path)!;
      assert.equal(node.minimum, 0, path);
      assert.equal(node.exclusiveMinimum, true, path);
    }
  });

  it('writes every zod default as a CRD default', () => {
    const expected: Record<string, unknown> = {
      '.spec.provider': {},
      '.spec.provider.type': 'cpu',
      '.spec.concurrency': {},
      '.spec.concurrency.strategy': 'batched',
      '.spec.concurrency.workers': 2,
      '.spec.concurrency.maxBatchSize': 32,
      '.spec.concurrency.maxQueueDelayMs': 2,
      '.spec.concurrency.maxQueue': 512,
      '.spec.benchmark': {},
      '.spec.benchmark.concurrency': 20,
      '.spec.benchmark.durationSeconds': 30,
      '.spec.benchmark.warmupSeconds': 5,
      '.spec.benchmark.payload': 'json',
      '.spec.benchmark.timeoutMs': 10000,
      '.spec.benchmark.capacitySeconds': 120,
      '.spec.replicas': 1,
      '.spec.autoscaling.minReplicas': 1,
      '.spec.autoscaling.targetUtilization': 0.7,
      '.spec.autoscaling.tolerance': 0.1,
      '.spec.autoscaling.scaleDownStabilizationSeconds': 300,
      '.spec.autoscaling.intervalSeconds': 15,
      '.spec.autoscaling.windowSeconds': 60,
    };
    const actual = Object.fromEntries([...walk(schema)].filter(([, n]) => 'default' in n).map(([p, n]) => [p, n.default]));
    assert.deepEqual(actual, expected);
  });

  it('has CRD defaults that agree with what zod fills in', () => {
    const parsed = InferenceServiceSpec.parse({ model: { name: 'm', uri: 'builtin://m' }, sla: { p99LatencyMs: 10 }, autoscaling: { maxReplicas: 4 } });
    for (const [path, node] of walk(schema)) {
      if (!('default' in node) || typeof node.default === 'object') continue;
      assert.deepEqual(valueAt(parsed, path.replace(/^\.spec/, '')), node.default, `default of ${path}`);
    }
  });

  it('states cross-field checks as CEL rules with a field path', () => {
    const model = nodeAt(schema, '.spec.model')!['x-kubernetes-validations'];
    const benchmark = nodeAt(schema, '.spec.benchmark')!['x-kubernetes-validations'];
    assert.deepEqual(model, [
      {
        rule: "!self.uri.startsWith('https://') || has(self.sha256)",
        message: 'sha256 is required when uri is https:// (the download is verified against it)',
        fieldPath: '.sha256',
        reason: 'FieldValueRequired',
      },
    ]);
    assert.equal((benchmark as Array<{ rule: string }>)[0].rule, "!has(self.mode) || self.mode != 'open' || has(self.rate)");
  });

  it('accepts quantities as integers or strings', () => {
    const cpu = nodeAt(schema, '.spec.resources.requests.cpu')!;
    assert.equal(cpu['x-kubernetes-int-or-string'], true);
    assert.deepEqual(cpu.anyOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.ok(cpu.pattern);
  });

  it('keys conditions by type, so kubectl wait and server-side apply see one per type', () => {
    const conditions = nodeAt(schema, '.status.conditions')!;
    assert.equal(conditions['x-kubernetes-list-type'], 'map');
    assert.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type']);
    assert.deepEqual(nodeAt(schema, '.status.conditions[].status')!.enum, ['True', 'False', 'Unknown']);
  });

  it('prints Model, Provider, Strategy, P99(ms), RPS, SLA, Replicas, Live-P99(ms) and Age', () => {
    assert.deepEqual(
      version.additionalPrinterColumns.map((c) => [c.name, c.type, c.jsonPath]),
      [
        ['Model', 'string', '.spec.model.name'],
        ['Provider', 'string', '.spec.provider.type'],
        ['Strategy', 'string', '.spec.concurrency.strategy'],
        ['P99(ms)', 'number', '.status.benchmark.p99Ms'],
        ['RPS', 'number', '.status.benchmark.throughputRps'],
        ['SLA', 'string', `.status.conditions[?(@.type=="${ConditionType.SLAMet}")].status`],
        ['Replicas', 'integer', '.status.replicas'],
        ['Live-P99(ms)', 'number', '.status.live.p99Ms'],
        ['Age', 'date', '.metadata.creationTimestamp'],
      ],
    );
  });

  it('points every printer column at a field the schema has, of a matching type', () => {
    for (const column of PRINTER_COLUMNS.filter((c) => !c.jsonPath.startsWith('.metadata.'))) {
      const fieldPath = column.jsonPath.replace(/\[\?\(.*\)\]/, '[]');
      const node = nodeAt(schema, fieldPath);
      assert.ok(node, `${column.name}: ${column.jsonPath} is not in the schema`);
      const matches = column.type === node.type || (column.type === 'number' && node.type === 'integer');
      assert.ok(matches, `${column.name}: column type ${column.type}, field type ${node.type}`);
    }
  });

  it('builds the schema deterministically', () => {
    assert.equal(JSON.stringify(inferenceServiceOpenApiSchema()), JSON.stringify(inferenceServiceOpenApiSchema()));
  });
});
