// Rewrites the JSON Schema zod emits (OpenAPI 3.0 target) into a structural schema the API server accepts.
import type { SchemaNode } from './json-schema.js';

/** zod bounds every z.int() by the safe-integer range; in a CRD that is noise. */
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]);
/** Keywords a CRD rejects or that have no meaning once the schema is embedded in one. */
const DROPPED_KEYWORDS = ['$schema', '$id', 'id', 'title'];
/** The only anyOf a structural schema may carry types in, and only beside x-kubernetes-int-or-string. */
const INT_OR_STRING_ANY_OF: SchemaNode[] = [{ type: 'integer' }, { type: 'string' }];

/** Returns a structural copy of `schema`; throws, naming the path, where no structural form exists. */
export function toStructural(schema: SchemaNode, path = ''): SchemaNode {
  const node: SchemaNode = { ...schema };
  for (const keyword of DROPPED_KEYWORDS) delete node[keyword];
  if (node.$ref !== undefined || node.$defs !== undefined || node.definitions !== undefined) {
    throw new Error(`${path || '<root>'}: schema references ($ref) cannot be embedded in a CRD; convert with reused: 'inline'`);
  }
  if (node['x-kubernetes-int-or-string'] === true) return inReadingOrder(intOrString(node));
  for (const junctor of ['anyOf', 'oneOf', 'allOf', 'not'] as const) {
    if (node[junctor] !== undefined) {
      throw new Error(`${path || '<root>'}: '${junctor}' has no structural form; use an enum, a CEL rule or x-kubernetes-int-or-string`);
    }
  }
  if (node.type === 'integer') {
    if (node.minimum !== undefined && SAFE_INTEGER_BOUNDS.has(node.minimum)) delete node.minimum;
    if (node.maximum !== undefined && SAFE_INTEGER_BOUNDS.has(node.maximum)) delete node.maximum;
  }
  // The API server checks format: date-time itself; zod's equivalent regex only adds noise.
  if (node.format === 'date-time') delete node.pattern;
  if (node.properties !== undefined) {
    node.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => [name, toStructural(child, `${path}.${name}`)]),
    );
  }
  if (node.additionalProperties !== undefined) rewriteAdditionalProperties(node, path);
  if (node.items !== undefined) {
    if (Array.isArray(node.items)) throw new Error(`${path}: tuple items have no structural form; use one item schema`);
    node.items = toStructural(node.items, `${path}[]`);
  }
  return inReadingOrder(node);
}

/** Structural schemas allow properties or additionalProperties, never both, and never `false`. */
function rewriteAdditionalProperties(node: SchemaNode, path: string): void {
  const extra = node.additionalProperties;
  delete node.additionalProperties;
  if (extra === false) return; // unknown fields are pruned by the API server anyway
  const openEnded = extra === true || (typeof extra === 'object' && Object.keys(extra).length === 0);
  if (openEnded) {
    node['x-kubernetes-preserve-unknown-fields'] = true;
    return;
  }
  if (node.properties !== undefined) {
    throw new Error(`${path || '<root>'}: an object with both named properties and a typed catch-all has no structural form`);
  }
  node.additionalProperties = toStructural(extra as SchemaNode, `${path}.*`);
}

/** int-or-string nodes: the API server accepts exactly anyOf [integer, string], with string checks hoisted beside it. */
function intOrString(node: SchemaNode): SchemaNode {
  const stringBranch = (node.anyOf ?? []).find((branch) => branch.type === 'string') ?? {};
  const out: SchemaNode = {};
  if (node.description !== undefined) out.description = node.description;
  out['x-kubernetes-int-or-string'] = true;
  out.anyOf = INT_OR_STRING_ANY_OF.map((branch) => ({ ...branch }));
  for (const check of ['pattern', 'maxLength', 'minLength'] as const) {
    if (stringBranch[check] !== undefined) (out as Record<string, unknown>)[check] = stringBranch[check];
  }
  return out;
}

const LEADING_KEYS = ['description', 'type'];
const TRAILING_KEYS = ['properties', 'required', 'additionalProperties', 'items'];

/** Same schema, keys in reading order: what a field is, its checks, its children, then Kubernetes extensions. */
function inReadingOrder(node: SchemaNode): SchemaNode {
  const rank = (key: string): number =>
    LEADING_KEYS.includes(key) ? LEADING_KEYS.indexOf(key) : TRAILING_KEYS.includes(key) ? 10 + TRAILING_KEYS.indexOf(key) : key.startsWith('x-kubernetes-') ? 20 : 5;
  const keys = Object.keys(node).sort((a, b) => rank(a) - rank(b)); // stable: ties keep zod's order
  return Object.fromEntries(keys.map((key) => [key, node[key]]));
}
