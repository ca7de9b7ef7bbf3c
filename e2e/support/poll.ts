// Bounded polling: every wait in the e2e specs has a deadline and says what it waited for when it runs out.
import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown by a probe to stop polling at once: the awaited state can no longer come. */
export class GiveUp extends Error {}

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns something other than undefined, and returns that; throws after `timeoutMs`, naming
 * `what` and the last thing `describe` said about the state. A probe that throws counts as "not yet", unless it
 * throws GiveUp.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: PollOptions & { describe?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err;
    }
    await sleep(Math.min(options.intervalMs ?? 2000, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal });
  }
  const state = options.describe?.() ?? (lastError instanceof Error ? lastError.message : '');
  throw new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${what}${state ? `; last seen: ${state}` : ''}`);
}
