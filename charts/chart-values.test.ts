// The chart's files, without helm: values.yaml documented and accepted by the schema, the schema strict, versions in step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, isScalar, parse as parseYaml, parseDocument, type YAMLMap } from 'yaml';
import { repoRoot } from '../crds/crd-file.js';
import { CHART_DIR } from './generated-templates.js';
import { ChartValues } from './values-schema.js';

const chart = join(repoRoot(), CHART_DIR);
const read = (file: string) => readFileSync(join(chart, file), 'utf8');

/** Paths of the values (non-map entries) in values.yaml with no comment on themselves or on a key above them. */
function undocumentedValues(map: YAMLMap, path: string[] = [], ancestorDocumented = false): string[] {
  const missing: string[] = [];
  for (const [index, pair] of map.items.entries()) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    // The yaml parser hangs the comment above a map's first key on the map itself.
    const own = Boolean((pair.key as { commentBefore?: string }).commentBefore) || (index === 0 && Boolean(map.commentBefore));
    const documented = own || ancestorDocumented;
    if (isMap(pair.value) && pair.value.items.length > 0) missing.push(...undocumentedValues(pair.value, [...path, key], documented));
    else if (!documented) missing.push([...path, key].join('.'));
  }
  return missing;
}

/** JSON-schema paths of objects that would let an unknown key through. */
function permissiveObjects(node: unknown, path = '$'): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const schema = node as Record<string, unknown>;
  const found: string[] = [];
  if (schema.type === 'object') {
    if (schema.properties !== undefined && schema.additionalProperties !== false) found.push(path);
    if (schema.properties === undefined && schema.additionalProperties === undefined) found.push(path);
  }
  for (const [key, child] of Object.entries(schema)) {
    if (key === 'properties' && typeof child === 'object' && child) {
      for (const [name, prop] of Object.entries(child)) found.push(...permissiveObjects(prop, `${path}.${name}`));
    } else if (typeof child === 'object' && child) {
      found.push(...permissiveObjects(child, `${path}/${key}`));
    }
  }
  return found;
}

describe('charts/vernier files', () => {
  it('has a Chart.yaml of apiVersion v2 whose appVersion is the package version', () => {
    const meta = parseYaml(read('Chart.yaml')) as { apiVersion: string; name: string; appVersion: string };
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
    assert.equal(meta.apiVersion, 'v2');
    assert.equal(meta.name, 'vernier');
    assert.equal(meta.appVersion, pkg.version);
  });

  it('has values.yaml defaults the values schema accepts', () => {
    const result = ChartValues.safeParse(parseYaml(read('values.yaml')));
    assert.ok(result.success, result.success ? '' : JSON.stringify(result.error.issues, null, 2));
  });

  it('documents every value in values.yaml with a comment', () => {
    const doc = parseDocument(read('values.yaml'));
    assert.ok(isMap(doc.contents));
    assert.deepEqual(undocumentedValues(doc.contents), []);
  });

  it('defaults to a restricted pod, CRDs installed and kept, no ServiceMonitor', () => {
    const values = ChartValues.parse(parseYaml(read('values.yaml')));
    assert.deepEqual(values.podSecurityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(values.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.deepEqual(values.crds, { enabled: true, keep: true });
    assert.equal(values.serviceMonitor?.enabled, false);
    assert.equal(values.rbac?.create, true);
  });

  it('has a values.schema.json that refuses unknown keys at every level it defines', () => {
    const schema = JSON.parse(read('values.schema.json')) as Record<string, unknown>;
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(permissiveObjects(schema), []);
  });

  it('finds undocumented values and permissive schema objects (the checks above can fail)', () => {
    const doc = parseDocument('# documented\na: 1\nb:\n  c: 2\n  # documented\n  d: 3\n# documented\ne:\n  f: 4\ng: {}\n');
    assert.ok(isMap(doc.contents));
    assert.deepEqual(undocumentedValues(doc.contents), ['b.c', 'g']);
    assert.deepEqual(permissiveObjects({ type: 'object', properties: { x: { type: 'object', properties: {} } }, additionalProperties: false }), ['$.x']);
  });
});
