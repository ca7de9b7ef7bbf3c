// Checks a CRD schema against the API server's structural-schema rules, so a bad CRD fails a unit test, not a deploy.
import type { SchemaNode } from './json-schema.js';

/** Keywords apiextensions.k8s.io/v1 refuses anywhere in a schema. */
const FORBIDDEN = ['$schema', '$ref', '$id', '$defs', 'definitions', 'const', 'patternProperties', 'dependencies', 'additionalItems'];
/** Keywords that must not appear inside anyOf/oneOf/allOf/not (only value validations may). */
const FORBIDDEN_IN_JUNCTORS = ['type', 'description', 'default', 'additionalProperties', 'nullable', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource'];
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const JUNCTORS = ['anyOf', 'oneOf', 'allOf'] as const;

/** Every way `schema` (a CRD's openAPIV3Schema) breaks the structural rules, as `path: problem`; empty when it is structural. */
export function structuralViolations(schema: SchemaNode): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push('<root>: type must be object');
  const metadata = schema.properties?.metadata;
  if (metadata !== undefined) {
    const extra = Object.keys(metadata).filter((key) => key !== 'type');
    if (metadata.type !== 'object' || extra.length > 0) {
      problems.push(`.metadata: only {type: object} is allowed here (found ${extra.join(', ') || `type ${metadata.type}`})`);
    }
  }
  checkNode(schema, '', problems);
  return problems;
}

function checkNode(node: SchemaNode, path: string, problems: string[]): void {
  const at = path || '<root>';
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  for (const keyword of FORBIDDEN) if (keyword in node) problems.push(`${at}: '${keyword}' is not allowed`);
  if (node.type === undefined && !intOrString && !preserveUnknown) problems.push(`${at}: type is missing`);
  if (node.type !== undefined && !TYPES.has(node.type)) problems.push(`${at}: unknown type '${node.type}'`);
  if (intOrString && node.type !== undefined) problems.push(`${at}: x-kubernetes-int-or-string nodes must not set type`);
  for (const bound of ['exclusiveMinimum', 'exclusiveMaximum'] as const) {
    if (bound in node && typeof node[bound] !== 'boolean') problems.push(`${at}: ${bound} must be a boolean in OpenAPI v3.0`);
  }
  if (node.uniqueItems === true) problems.push(`${at}: uniqueItems: true is not allowed; use x-kubernetes-list-type: set`);
  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    problems.push(`${at}: properties and additionalProperties are mutually exclusive`);
  }
  if (typeof node.additionalProperties === 'boolean') problems.push(`${at}: additionalProperties must be a schema, not a boolean`);
  if (node.type === 'array' && node.items === undefined) problems.push(`${at}: arrays need an items schema`);
  if (Array.isArray(node.items)) problems.push(`${at}: items must be one schema, not a list`);
  if (node.type !== 'object' && (node.properties !== undefined || node.additionalProperties !== undefined)) {
    problems.push(`${at}: properties on a node whose type is not object`);
  }
  checkDefault(node, at, problems);
  checkJunctors(node, at, intOrString, problems);
  checkListMap(node, at, problems);

  for (const [name, child] of Object.entries(node.properties ?? {})) checkNode(child, `${path}.${name}`, problems);
  if (typeof node.additionalProperties === 'object') checkNode(node.additionalProperties, `${path}.*`, problems);
  if (node.items !== undefined && !Array.isArray(node.items)) checkNode(node.items, `${path}[]`, problems);
}

/** A default must have the node's type; the API server validates defaults against the schema. */
function checkDefault(node: SchemaNode, at: string, problems: string[]): void {
  if (!('default' in node)) return;
  const value = node.default;
  const fits: Record<string, (v: unknown) => boolean> = {
    object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    array: Array.isArray,
    string: (v) => typeof v === 'string',
    integer: Number.isInteger,
    number: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
  };
  if (node.type !== undefined && fits[node.type] && !fits[node.type](value)) {
    problems.push(`${at}: default ${JSON.stringify(value)} is not of type ${node.type}`);
  }
  if (node.enum !== undefined && !node.enum.includes(value)) problems.push(`${at}: default ${JSON.stringify(value)} is not in the enum`);
}

function checkJunctors(node: SchemaNode, at: string, intOrString: boolean, problems: string[]): void {
  for (const junctor of JUNCTORS) {
    const branches = node[junctor];
    if (branches === undefined) continue;
    const isIntOrStringPair =
      junctor === 'anyOf' &&
      intOrString &&
      JSON.stringify(branches) === JSON.stringify([{ type: 'integer' }, { type: 'string' }]);
    if (isIntOrStringPair) continue;
    branches.forEach((branch, i) => checkJunctorBranch(branch, `${at}.${junctor}[${i}]`, problems));
  }
  if (node.not !== undefined) checkJunctorBranch(node.not, `${at}.not`, problems);
}

function checkJunctorBranch(branch: SchemaNode, at: string, problems: string[]): void {
  for (const keyword of FORBIDDEN_IN_JUNCTORS) if (keyword in branch) problems.push(`${at}: '${keyword}' is not allowed inside anyOf/oneOf/allOf/not`);
}

/** A map-type list needs its keys present in every item: required, or defaulted. */
function checkListMap(node: SchemaNode, at: string, problems: string[]): void {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (keys !== undefined && listType !== 'map') problems.push(`${at}: x-kubernetes-list-map-keys needs x-kubernetes-list-type: map`);
  if (listType !== 'map') return;
  if (!Array.isArray(keys) || keys.length === 0) {
    problems.push(`${at}: x-kubernetes-list-type: map needs x-kubernetes-list-map-keys`);
    return;
  }
  const item = Array.isArray(node.items) ? undefined : node.items;
  for (const key of keys as string[]) {
    const field = item?.properties?.[key];
    if (field === undefined) problems.push(`${at}: list map key '${key}' is not a property of the items`);
    else if (!item?.required?.includes(key) && !('default' in field)) problems.push(`${at}: list map key '${key}' must be required or defaulted`);
  }
}
