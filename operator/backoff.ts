// Exponential backoff, as client-go's per-item limiter computes it: the work queue and the informer supervisor share it.

/** The delay before retrying after `failures` consecutive failures: `baseMs` doubled per failure, at most `maxMs`. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  // Capping the exponent keeps 2 ** n finite however many times something fails.
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 60));
}
