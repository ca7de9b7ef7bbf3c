// The operator's own counters, from its Prometheus /metrics.

/** The sum of every sample of `name` (all label sets) in Prometheus text; 0 when absent. Pure. */
export function sumOfSamples(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const next = line.charAt(name.length);
    // "name{...} v" or "name v"; not a longer name that starts the same way.
    if (next !== '{' && next !== ' ') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export interface OperatorCounters {
  reconciles: number;
  queueDepth: number;
}

export async function readOperatorCounters(port: number): Promise<OperatorCounters> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /metrics on port ${port}: HTTP ${response.status}`);
  const text = await response.text();
  return {
    reconciles: sumOfSamples(text, 'vernier_operator_reconcile_duration_seconds_count'),
    queueDepth: sumOfSamples(text, 'vernier_operator_work_queue_depth'),
  };
}
