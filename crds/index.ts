// The InferenceService API: schema, types, conditions, CRD and helpers. Other folders import from here.
export * from './inferenceservice.js';
export { ConditionType, Reason } from './conditions.js';
export { inferenceServiceCrd, inferenceServiceCrdYaml, inferenceServiceOpenApiSchema, PRINTER_COLUMNS, CRD_NAME } from './crd.js';
export type { CustomResourceDefinition, PrinterColumn } from './crd.js';
export { parseInferenceService, parseInferenceServiceSpec, formatIssues, formatPath, InvalidInferenceServiceError } from './parse.js';
export { specHash, canonicalJson, MEASURED_FIELDS } from './spec-hash.js';
export { serveFlags, benchFlags, BENCH_WAIT_FOR_SERVER_SECONDS, serverModelRef, SERVER_PORT, MODEL_MOUNT_PATH, DOWNLOADED_MODEL_FILE, MAX_ERROR_RATE } from './workload.js';
