// What the liveness and readiness probes answer, from the server's state: one verdict for the HTTP port's routes and
// for the probe port's thread, so both ports always say the same thing for the same reasons.

/** The HTTP thread counts as stalled once it has not run for this long: it can no longer answer any request on time. */
export const HTTP_THREAD_STALL_MS = 2_000;

export interface HealthState {
  /** False from the moment shutdown begins. */
  ready: boolean;
  /** False once an inference executor has stopped. */
  healthy: boolean;
  /** How long ago the HTTP thread last ran: 0 when the question is asked on it. */
  httpThreadSilentMs: number;
}

export interface HealthVerdict {
  status: 200 | 503;
  body: { live: true } | { ready: true } | { error: string };
}

function failure(state: HealthState): string | undefined {
  if (!state.healthy) return 'an inference executor has stopped';
  if (state.httpThreadSilentMs > HTTP_THREAD_STALL_MS) return `the HTTP thread has not run for ${Math.round(state.httpThreadSilentMs)} ms`;
  return undefined;
}

/** GET /v2/health/live: the process can serve, or would after a restart only. */
export function liveness(state: HealthState): HealthVerdict {
  const error = failure(state);
  return error ? { status: 503, body: { error } } : { status: 200, body: { live: true } };
}

/** GET /v2/health/ready: requests sent now will be answered. */
export function readiness(state: HealthState): HealthVerdict {
  const error = state.ready ? failure(state) : 'server is shutting down';
  return error ? { status: 503, body: { error } } : { status: 200, body: { ready: true } };
}
