// The program the step-load pod runs (`node -e`, the image holds only the vernier program): `vernier bench` at a fixed
// open-loop rate per phase, in segments of a few seconds, each segment's per-second timeline printed as one log line.
//
// Why segments: kube-proxy balances connections, not requests, and keep-alive connections opened while one replica
// served everything stay on it after a scale-up. Each segment opens new connections, so the load reaches the new
// replicas the way clients that reconnect now and then would bring it.

/** What the runner is told, as JSON in STEP_LOAD_PLAN. */
export interface StepLoadPlan {
  url: string;
  model: string;
  phases: { rate: number; seconds: number }[];
  segmentSeconds: number;
  timeoutMs: number;
  maxInFlight: number;
}

/** Prefix of the log line each finished segment prints (JSON follows). */
export const SEGMENT_MARKER = 'STEP-LOAD-SEGMENT ';
/**
 * Prefix of the log line of a segment that could not run (no ready endpoint behind the Service at that moment, say):
 * its span is then counted as seconds whose every request failed, and the load goes on a second later.
 */
export const FAILED_SEGMENT_MARKER = 'STEP-LOAD-SEGMENT-FAILED ';
/** Prefix of the log line the runner prints when it cannot go on at all, before the pod exits 1. */
export const FAILURE_MARKER = 'STEP-LOAD-FAILED ';
export const PLAN_VARIABLE = 'STEP_LOAD_PLAN';

/**
 * Plain JavaScript for `node -e`. It runs `vernier bench` through the bench command's main(argv, io) (the contract
 * cli/vernier.ts dispatches to) in this one process, so the generator stays warm between segments and the gap
 * between them is a few milliseconds; the report of each segment is read back from its --json file.
 */
export const STEP_LOAD_RUNNER = `
const { readFileSync } = require('node:fs');
const { setTimeout: sleep } = require('node:timers/promises');
const plan = JSON.parse(process.env.${PLAN_VARIABLE});
(async () => {
  const { main } = await import('/app/dist/bench/cli.js');
  const silent = { write: () => true };
  let segment = 0;
  for (const [phase, { rate, seconds: phaseSeconds }] of plan.phases.entries()) {
    // Phases end by the clock, whatever their segments' drains and failures took.
    const phaseEnd = Date.now() + phaseSeconds * 1000;
    for (let left = phaseSeconds; left >= 1; left = Math.round((phaseEnd - Date.now()) / 1000), segment++) {
      const seconds = Math.min(plan.segmentSeconds, left);
      const json = '/tmp/segment-' + segment + '.json';
      const argv = ['--url', plan.url, '--model', plan.model, '--rate', String(rate), '--duration', String(seconds),
        '--timeout-ms', String(plan.timeoutMs), '--max-in-flight', String(plan.maxInFlight),
        // The first segment may wait for the Service's endpoints; a later one that cannot start is a failure to count.
        '--wait-for-server', segment === 0 ? '60' : '5',
        '--quiet', '--json', json];
      const startedAt = new Date().toISOString();
      const code = await main(argv, { stdout: silent, stderr: process.stderr });
      if (code !== 0) {
        await sleep(1000);
        console.log(${JSON.stringify(FAILED_SEGMENT_MARKER)} + JSON.stringify({ segment, phase, rate, code, startedAt, completedAt: new Date().toISOString() }));
        continue;
      }
      const r = JSON.parse(readFileSync(json, 'utf8'));
      console.log(${JSON.stringify(SEGMENT_MARKER)} + JSON.stringify({
        segment, phase, rate, seconds, startedAt: r.startedAt, completedAt: r.completedAt, warmupSeconds: r.warmupSeconds,
        timeline: r.timeline, errors: r.errors, generatorHealthy: r.generator.healthy,
      }));
    }
  }
})().catch((err) => {
  console.log(${JSON.stringify(FAILURE_MARKER)} + JSON.stringify({ error: String(err && err.stack || err) }));
  process.exit(1);
});
`;
