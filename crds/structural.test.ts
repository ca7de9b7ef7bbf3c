import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { SchemaNode } from './json-schema.js';
import { structuralViolations } from './structural-check.js';
import { toStructural } from './structural.js';

const openapi = (schema: z.ZodType): SchemaNode =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', reused: 'inline' }) as SchemaNode;

describe('toStructural', () => {
  it('drops additionalProperties: false from strict objects', () => {
    const raw = openapi(z.strictObject({ a: z.string() }));
    assert.equal(raw.additionalProperties, false, 'zod should emit it, or this test proves nothing');
    const out = toStructural(raw);
    assert.equal('additionalProperties' in out, false);
    assert.deepEqual(structuralViolations(out), []);
  });

  it('keeps maps as additionalProperties', () => {
    const out = toStructural(openapi(z.object({ labels: z.record(z.string(), z.string()) })));
    assert.deepEqual(out.properties?.labels, { type: 'object', additionalProperties: { type: 'string' } });
  });

  it('turns open-ended objects into x-kubernetes-preserve-unknown-fields', () => {
    const out = toStructural(openapi(z.object({ meta: z.looseObject({ name: z.string() }) })));
    assert.equal(out.properties?.meta?.['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal('additionalProperties' in (out.properties?.meta ?? {}), false);
  });

  it('drops the safe-integer bounds zod puts on every integer but keeps real ones', () => {
    const out = toStructural(openapi(z.object({ a: z.int(), b: z.int().min(1).max(9) })));
    assert.deepEqual(out.properties?.a, { type: 'integer' });
    assert.deepEqual(out.properties?.b, { type: 'integer', minimum: 1, maximum: 9 });
  });

  it('drops the regex zod adds to date-time strings', () => {
    const out = toStructural(openapi(z.object({ at: z.iso.datetime() })));
    assert.deepEqual(out.properties?.at, { type: 'string', format: 'date-time' });
  });

  it('rewrites marked int-or-string unions to the one form the API server accepts', () => {
    const q = z.union([z.int().min(0), z.string().regex(/^[0-9]+m?$/)]).meta({ 'x-kubernetes-int-or-string': true });
    const out = toStructural(openapi(z.object({ cpu: q })));
    assert.deepEqual(out.properties?.cpu, {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: '^[0-9]+m?$',
    });
    assert.deepEqual(structuralViolations(out), []);
  });

  it('refuses unions it cannot express, naming the field', () => {
    assert.throws(() => toStructural(openapi(z.object({ x: z.union([z.string(), z.number()]) }))), /^Error: \.x: 'anyOf'/);
  });

  it('refuses a typed catch-all beside named properties', () => {
    const raw = openapi(z.object({ a: z.string() }).catchall(z.number()));
    assert.throws(() => toStructural(raw), /both named properties and a typed catch-all/);
  });
});

describe('structuralViolations', () => {
  const valid: SchemaNode = { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer' } } } } };

  it('accepts a structural schema', () => {
    assert.deepEqual(structuralViolations(valid), []);
  });

  const cases: Array<[string, SchemaNode, RegExp]> = [
    ['a field without type', { type: 'object', properties: { a: {} } }, /^\.a: type is missing/],
    ['properties beside additionalProperties', { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: { type: 'string' } } } }, /mutually exclusive/],
    ['additionalProperties: false', { type: 'object', properties: { a: { type: 'object', additionalProperties: false } } }, /must be a schema/],
    ['a numeric exclusiveMinimum', { type: 'object', properties: { a: { type: 'number', exclusiveMinimum: 0 } } }, /exclusiveMinimum must be a boolean/],
    ['a type inside anyOf', { type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'number' }] } } }, /'type' is not allowed inside anyOf/],
    ['a $ref', { type: 'object', properties: { a: { type: 'object', $ref: '#/x' } } }, /'\$ref' is not allowed/],
    ['const', { type: 'object', properties: { a: { type: 'string', const: 'x' } } }, /'const' is not allowed/],
    ['constraints on metadata', { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, /^\.metadata: only \{type: object\}/],
    ['an array without items', { type: 'object', properties: { a: { type: 'array' } } }, /arrays need an items schema/],
    ['a default of the wrong type', { type: 'object', properties: { a: { type: 'integer', default: 'two' } } }, /default "two" is not of type integer/],
    ['a default outside the enum', { type: 'object', properties: { a: { type: 'string', enum: ['x'], default: 'y' } } }, /not in the enum/],
    ['a list-map key that is optional', { type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } } } }, /list map key 'k' must be required or defaulted/],
    ['a root that is not an object', { type: 'string' }, /^<root>: type must be object/],
  ];
  for (const [what, schema, expected] of cases) {
    it(`reports ${what}`, () => {
      const problems = structuralViolations(schema);
      assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} in ${JSON.stringify(problems)}`);
    });
  }
});
