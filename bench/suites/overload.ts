// `npm run bench:overload`: a local `vernier serve` under an open-loop load of ten times its measured capacity.
// Measures capacity briefly in closed loop, then offers 10× that rate for --duration seconds, and reports what was
// admitted and refused, the admitted p99, peak memory, and how soon after the load a request is answered normally.
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { watchProcessTree } from '../process-usage.js';
import { buildPayloads, type Payload } from '../payload.js';
import { runBenchmark } from '../index.js';
import { startServeProcess } from '../../server/serve-process.js';
import { fixed } from '../table.js';

/** Sends `payload` every `intervalMs` from `startAt` until one is answered 200; ms from `startAt` to that answer. */
async function firstNormalAnswer(url: string, payload: Payload, startAt: number, giveUpMs: number): Promise<number | null> {
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - performance.now())));
  while (performance.now() - startAt < giveUpMs) {
    try {
      const res = await request(url, { method: 'POST', headers: payload.headers, body: payload.body, headersTimeout: giveUpMs });
      await res.body.dump();
      if (res.statusCode === 200) return performance.now() - startAt;
    } catch {
      // refused or reset: try again
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

/** Cumulative counts of one of the server's histograms, by upper bound in seconds, over the series whose labels hold `labels`. */
async function histogram(url: string, name: string, labels: string[] = []): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<number, number>();
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\d+)`, 'gm'))) {
    if (!labels.every((label) => m[1].includes(label))) continue;
    const le = /le="([^"]+)"/.exec(m[1])![1];
    counts.set(le === '+Inf' ? Infinity : Number(le), Number(m[2]));
  }
  return counts;
}

/** The q-quantile, in ms, of the requests a histogram gained between two snapshots, interpolated within its bucket. */
function quantileMs(before: Map<number, number>, after: Map<number, number>, q: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const gained = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = gained(Infinity);
  if (total === 0) return null;
  let lower = 0;
  for (const le of bounds) {
    if (gained(le) >= q * total) {
      if (le === Infinity) return lower * 1000;
      const below = bounds.indexOf(le) === 0 ? 0 : gained(bounds[bounds.indexOf(le) - 1]);
      return (lower + ((q * total - below) / Math.max(1, gained(le) - below)) * (le - lower)) * 1000;
    }
    lower = le;
  }
  return null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'audio-cnn' },
      strategy: { type: 'string', default: 'batched' },
      duration: { type: 'string', default: '60' },
      factor: { type: 'string', default: '10' },
      'capacity-seconds': { type: 'string', default: '5' },
      // Enough to keep the default two workers busy, few enough to stay within the admission limit: refused requests
      // would come straight back in closed loop and crowd out the ones being served.
      'capacity-concurrency': { type: 'string', default: '8' },
      'request-timeout-ms': { type: 'string', default: '1000' },
    },
  });
  const model = values.model;
  const duration = Number(values.duration);
  const factor = Number(values.factor);
  const timeoutMs = Number(values['request-timeout-ms']);
  const server = await startServeProcess(['--model', `builtin://${model}`, '--strategy', values.strategy, '--request-timeout-ms', String(timeoutMs)], 120_000);
  try {
    const common = { url: server.url, model, payload: 'binary' as const, timeoutMs: Math.max(10_000, 10 * timeoutMs), payloadVariants: 4 };
    console.error(`bench:overload · ${model} · ${values.strategy} · --request-timeout-ms ${timeoutMs}`);
    const concurrency = Number(values['capacity-concurrency']);
    const capacity = await runBenchmark({ ...common, concurrency, durationSeconds: Number(values['capacity-seconds']), warmupSeconds: 1 });
    const rate = Math.max(1, Math.round(capacity.throughputRps * factor));
    console.error(
      `  capacity ${fixed(capacity.throughputRps)} req/s (closed loop, ${concurrency} in flight, p99 ${fixed(capacity.latency.p99Ms)} ms, ` +
        `errors ${JSON.stringify(capacity.errors)}); offering ${rate} req/s for ${duration} s`,
    );

    const [probePayload] = buildPayloads(capacity.target.inputs, { encoding: 'binary', seed: 7, variants: 1 }).variants;
    const inferUrl = `${server.url}/v2/models/${model}/infer`;
    const served = () => histogram(server.url, 'vernier_http_request_duration_seconds', ['route="/v2/models/:model/infer"', 'status="200"']);
    const queued = () => histogram(server.url, 'vernier_queue_wait_seconds');
    const [servedBefore, queuedBefore] = [await served(), await queued()];
    const peakBefore = watchProcessTree(server.child.pid!).stop().peakRssMiB;
    const usage = watchProcessTree(server.child.pid!);
    let recovery: Promise<number | null> | undefined;
    const overload = await runBenchmark(
      { ...common, mode: 'open', rate, durationSeconds: duration },
      {
        onProgress: (p) => {
          // The first report dates the load's start, so the probe can begin the moment the sends stop.
          recovery ??= firstNormalAnswer(inferUrl, probePayload, performance.now() - p.elapsedSeconds * 1000 + duration * 1000, 30_000);
        },
      },
    );
    const answeredAfterMs = await recovery;
    const { peakRssMiB, cpuPercent } = usage.stop();
    const [servedAfter, queuedAfter] = [await served(), await queued()];

    const refused = overload.errors.http_503 ?? 0;
    const otherErrors = Object.entries(overload.errors).filter(([kind]) => kind !== 'http_503');
    const lines = [
      `offered          ${fixed(overload.generator.offeredRps)} req/s (${fixed((overload.generator.offeredRps ?? 0) / capacity.throughputRps)}× capacity); ` +
        `generator ${overload.generator.healthy ? 'healthy' : 'saturated'}: CPU ${fixed(overload.generator.cpuPercent, 0)} %, ` +
        `${overload.generator.lateSends} late sends (max lag ${fixed(overload.generator.maxLagMs, 0)} ms), ${overload.generator.droppedSends} dropped at ${overload.load.maxInFlight} in flight`,
      `admitted         ${overload.requests.ok} (${fixed(overload.throughputRps)} req/s), p50 ${fixed(overload.latency.p50Ms)} ms, p99 ${fixed(overload.latency.p99Ms)} ms, max ${fixed(overload.latency.maxMs)} ms`,
      `  as the server  p50 ${fixed(quantileMs(servedBefore, servedAfter, 0.5))} ms, p99 ${fixed(quantileMs(servedBefore, servedAfter, 0.99))} ms from headers to answer ` +
        `(the client's figures add the generator's lag); queue wait p50 ${fixed(quantileMs(queuedBefore, queuedAfter, 0.5))} ms, p99 ${fixed(quantileMs(queuedBefore, queuedAfter, 0.99))} ms`,
      `refused (503)    ${refused}`,
      `other failures   ${otherErrors.length === 0 ? 'none' : otherErrors.map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
      `server           peak RSS ${fixed(peakBefore, 0)} MiB before the overload, ${fixed(peakRssMiB, 0)} MiB after it; CPU ${fixed(cpuPercent, 0)} % during it`,
      `after the load   first normal answer ${answeredAfterMs === null ? 'none within 30 s' : `${fixed(answeredAfterMs, 0)} ms`} after the sends stopped`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(`bench:overload: ${(err as Error).message}`);
  process.exitCode = 1;
});
