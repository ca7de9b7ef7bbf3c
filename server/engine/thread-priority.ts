// Worker threads run below the HTTP thread's priority.
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers this thread's scheduling priority (Linux nice values are per thread; onnxruntime's threads, created later,
 * inherit it), so that on a saturated machine the HTTP thread still answers health checks promptly.
 */
export function lowerThreadPriority(nice: number): void {
  if (nice <= 0) return;
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
    setPriority(tid, nice);
  } catch {
    // not Linux, or not permitted: run at normal priority
  }
}
