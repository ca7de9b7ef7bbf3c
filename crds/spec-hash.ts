// A stable fingerprint of what a benchmark measured: equal hashes mean the result still describes the spec.
import { createHash } from 'node:crypto';
import type { InferenceServiceSpec, InferenceServiceSpecInput } from './inferenceservice.js';
import { benchmarkLoad } from './benchmark-load.js';
import { parseInferenceServiceSpec } from './parse.js';

/**
 * Spec fields a measurement depends on. Not imagePullPolicy, and not replicas or autoscaling: the benchmark measures
 * the server as configured, and scaling it (by hand, an HPA or the autoscaler) never re-runs a benchmark.
 */
export const MEASURED_FIELDS = ['model', 'provider', 'concurrency', 'sla', 'benchmark', 'resources', 'image'] as const;

/** JSON with object keys sorted at every level and undefined members dropped, so equal values serialize equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`canonicalJson: ${value} has no JSON form`);
  return JSON.stringify(value);
}

/**
 * First 16 hex characters of the SHA-256 of the measured fields, after defaults are applied,
 * so a manifest that spells out a default hashes like one that omits it. Throws InvalidInferenceServiceError on an invalid spec.
 */
export function specHash(spec: InferenceServiceSpec | InferenceServiceSpecInput): string {
  const normalized = parseInferenceServiceSpec(spec);
  // The mode the benchmark runs in, not the one written: a spec that leaves it out hashes as the mode it gets.
  const withMode = { ...normalized, benchmark: { ...normalized.benchmark, mode: benchmarkLoad(normalized).mode } };
  const measured = Object.fromEntries(MEASURED_FIELDS.map((field) => [field, withMode[field]]));
  return createHash('sha256').update(canonicalJson(measured)).digest('hex').slice(0, 16);
}
