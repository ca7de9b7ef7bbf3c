// The InferenceService CustomResourceDefinition, generated from the zod schema: a pure function, no I/O.
import { z } from 'zod';
import { stringify } from 'yaml';
import { ConditionType } from './conditions.js';
import {
  API_GROUP,
  API_VERSION_NAME,
  InferenceService,
  KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
} from './inferenceservice.js';
import type { SchemaNode } from './json-schema.js';
import { toStructural } from './structural.js';

export const CRD_NAME = `${PLURAL}.${API_GROUP}`;

export interface PrinterColumn {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    scope: 'Namespaced';
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: SchemaNode };
      subresources: { status: Record<string, never>; scale: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string } };
      additionalPrinterColumns: PrinterColumn[];
    }>;
  };
}

export const PRINTER_COLUMNS: PrinterColumn[] = [
  { name: 'Model', type: 'string', jsonPath: '.spec.model.name', description: 'Name the model is served under.' },
  { name: 'Provider', type: 'string', jsonPath: '.spec.provider.type', description: 'Hardware the model runs on.' },
  { name: 'Strategy', type: 'string', jsonPath: '.spec.concurrency.strategy', description: 'Concurrency strategy of the server.' },
  { name: 'P99(ms)', type: 'number', jsonPath: '.status.benchmark.p99Ms', description: 'Measured 99th-percentile latency.' },
  { name: 'RPS', type: 'number', jsonPath: '.status.benchmark.throughputRps', description: 'Measured throughput of successful requests.' },
  {
    name: 'SLA',
    type: 'string',
    jsonPath: `.status.conditions[?(@.type=="${ConditionType.SLAMet}")].status`,
    description: 'Whether the latest benchmark met the SLA.',
  },
  { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas', description: 'Server pods that exist.' },
  { name: 'Live-P99(ms)', type: 'number', jsonPath: '.status.live.p99Ms', description: 'p99 latency across the server pods over the live window.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The CRD's openAPIV3Schema: zod's input-side JSON Schema made structural. */
export function inferenceServiceOpenApiSchema(): SchemaNode {
  const generated = z.toJSONSchema(InferenceService, {
    target: 'openapi-3.0',
    io: 'input', // a manifest may omit defaulted fields; the API server fills them from `default:`
    unrepresentable: 'throw',
    reused: 'inline',
    cycles: 'throw',
  }) as SchemaNode;
  const schema = toStructural(generated);
  const properties = schema.properties ?? {};
  // The API server owns these three: it allows no constraints on metadata beyond name, and sets apiVersion and kind.
  properties.apiVersion = {
    type: 'string',
    description: 'Versioned schema of this object; the API server converts it to the latest internal value.',
  };
  properties.kind = { type: 'string', description: 'REST resource this object represents, in CamelCase.' };
  properties.metadata = { type: 'object' };
  schema.required = ['spec'];
  return schema;
}

export function inferenceServiceCrd(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'vernier' } },
    spec: {
      group: API_GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
        categories: ['vernier'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: API_VERSION_NAME,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: inferenceServiceOpenApiSchema() },
          // The scale subresource lets kubectl scale, an HPA or a KEDA ScaledObject set spec.replicas.
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: PRINTER_COLUMNS,
        },
      ],
    },
  };
}

export const GENERATED_HEADER =
  '# Generated from crds/inferenceservice.ts by `npm run generate`; edit the zod schema, not this file.\n';

/** The CRD as the YAML document checked in at crds/inferenceservice.yaml. */
export function inferenceServiceCrdYaml(): string {
  return GENERATED_HEADER + stringify(inferenceServiceCrd(), { lineWidth: 0 });
}
