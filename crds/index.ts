// The InferenceService API: schema, types, conditions, CRD and helpers. Other folders import from here.
export * from './inferenceservice.js';
export { ConditionType, Reason, formatTime, type ConditionDraft } from './conditions.js';
export { LIMITS, bounded, type Range } from './limits.js';
export { inferenceServiceCrd, inferenceServiceCrdYaml, inferenceServiceOpenApiSchema, PRINTER_COLUMNS, CRD_NAME } from './crd.js';
export type { CustomResourceDefinition, PrinterColumn } from './crd.js';
export { parseInferenceService, parseInferenceServiceSpec, formatIssues, formatPath, InvalidInferenceServiceError } from './parse.js';
export { specHash, canonicalJson, MEASURED_FIELDS } from './spec-hash.js';
export { benchmarkLoad, type BenchmarkLoad } from './benchmark-load.js';
