// Parsing an InferenceService from untrusted input, with errors that name each offending field.
import type { z } from 'zod';
import { InferenceService, InferenceServiceSpec } from './inferenceservice.js';

/** Thrown when an object is not a valid InferenceService; `issues` holds one `path: message` line per problem. */
export class InvalidInferenceServiceError extends Error {
  readonly issues: string[];
  constructor(subject: string, issues: string[], options?: ErrorOptions) {
    super(`invalid InferenceService ${subject}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`, options);
    this.name = 'InvalidInferenceServiceError';
    this.issues = issues;
  }
}

/** Validates `obj` and applies defaults; throws InvalidInferenceServiceError listing every problem. */
export function parseInferenceService(obj: unknown): InferenceService {
  const result = InferenceService.safeParse(obj, { reportInput: true });
  if (result.success) return result.data;
  throw new InvalidInferenceServiceError(describeSubject(obj), formatIssues(result.error.issues), { cause: result.error });
}

/** Validates a spec on its own (paths still start at `spec.`) and applies defaults. */
export function parseInferenceServiceSpec(spec: unknown): InferenceServiceSpec {
  const result = InferenceServiceSpec.safeParse(spec, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ ...issue, path: ['spec', ...issue.path] }));
  throw new InvalidInferenceServiceError('spec', formatIssues(issues), { cause: result.error });
}

/** `spec.concurrency.workers`, `status.conditions[0].type`: the notation kubectl and the API server use. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out || '<root>';
}

/** One human-readable line per problem; unknown keys get a line each so every typo is named. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown field`);
      continue;
    }
    lines.push(`${formatPath(issue.path)}: ${describeIssue(issue)}`);
  }
  return lines;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // With reportInput, an absent field is an issue whose input is undefined.
  const missing = 'input' in issue ? issue.input === undefined : true;
  if (missing && issue.code === 'invalid_type') return `required (expected ${issue.expected})`;
  if (missing && issue.code === 'invalid_value') return `required (expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
  return issue.message;
}

function describeSubject(obj: unknown): string {
  const metadata = (obj as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined;
  if (name === undefined) return '(unnamed)';
  return namespace === undefined ? `"${name}"` : `"${namespace}/${name}"`;
}
