// `npm run bench:autoscale`: a step load of 1× → 3× → 1× one replica's measured capacity through the Service of an
// autoscaled mlp, from a pod in the cluster. Prints the share of seconds whose p99 met the SLA, the replica-seconds
// used against a static deployment sized for the peak, and the time from the step to enough ready replicas; writes
// an SVG of rate, p99 and replicas over time, and the samples behind it, under results/.
//
// Uses the running e2e cluster (and the image loaded in it; --load-image builds and loads a fresh one), or brings
// one up as run-e2e.sh does and takes it down at the end.
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { MAX_ERROR_RATE } from '../../contracts/sla.js';
import { repoRoot } from '../../testing/control-plane/binaries.js';
import { clusterSession } from '../support/cluster-session.js';
import { clusterKubectl } from '../support/kubectl.js';
import { installOperator } from '../support/operator-install.js';
import { restrictedNamespace } from '../support/restricted.js';
import { autoscaleSvg } from './autoscale-plot.js';
import { CAPACITY_SECONDS, replicasFor, SHORT_LOOP, SLA_P99_MS, type AutoscalingSettings } from './autoscaled-mlp.js';
import { replicaSeconds, secondsUntilReady, slaAttainment } from './figures.js';
import { observe } from './observe.js';
import { deployAndMeasureCapacity, waitForRest } from './scenario.js';
import { errorTotals, loadEnd, loadSeconds, phaseStart } from './segments.js';
import { finishStepLoad, mlpLoadPlan, planSeconds, startStepLoad, type StepLoadJob } from './step-load-job.js';

const NAME = 'mlp-autoscaled';
const NAMESPACE = 'vernier-bench-autoscale';

interface Settings {
  phaseSeconds: number[];
  multiples: number[];
  segmentSeconds: number;
  autoscaling: AutoscalingSettings;
  capacitySeconds: number;
  loadImage: boolean;
  keep: boolean;
  outDir: string;
}

const usage = `usage: npm run bench:autoscale -- [--phases 60,120,120] [--multiples 1,3,1] [--max-replicas 5]
         [--segment-seconds 10] [--capacity-seconds ${CAPACITY_SECONDS}] [--load-image] [--keep] [--out results/autoscale-<time>]

  --phases           seconds of each phase of the step load
  --multiples        each phase's open-loop rate, in multiples of one replica's measured capacity
  --max-replicas     the service's maxReplicas (minReplicas 1, interval 5 s, window 15 s, scale-down stabilization 20 s)
  --segment-seconds  the load generator reconnects this often (kube-proxy balances connections, not requests)
  --load-image       build the image and load it into a cluster that is already up (a cluster brought up here always is)
  --keep             leave the namespace ${NAMESPACE} in place afterwards`;

function list(name: string, raw: string): number[] {
  const values = raw.split(',').map(Number);
  if (values.length === 0 || values.some((v) => !(Number.isFinite(v) && v > 0))) throw new Error(`--${name}: '${raw}' is not a list of positive numbers`);
  return values;
}

function positiveInteger(name: string, raw: string): number {
  const n = Number(raw);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: '${raw}' is not a positive integer`);
  return n;
}

function parseSettings(argv: string[]): Settings | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      phases: { type: 'string', default: '60,120,120' },
      multiples: { type: 'string', default: '1,3,1' },
      'max-replicas': { type: 'string', default: '5' },
      'segment-seconds': { type: 'string', default: '10' },
      'capacity-seconds': { type: 'string', default: String(CAPACITY_SECONDS) },
      'load-image': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const phaseSeconds = list('phases', values.phases);
  const multiples = list('multiples', values.multiples);
  if (phaseSeconds.length !== multiples.length) throw new Error(`--phases has ${phaseSeconds.length} entries and --multiples ${multiples.length}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    phaseSeconds,
    multiples,
    segmentSeconds: positiveInteger('segment-seconds', values['segment-seconds']),
    autoscaling: { ...SHORT_LOOP, maxReplicas: positiveInteger('max-replicas', values['max-replicas']) },
    capacitySeconds: positiveInteger('capacity-seconds', values['capacity-seconds']),
    loadImage: values['load-image'],
    keep: values.keep,
    outDir: values.out ?? join(repoRoot(), 'results', `autoscale-${stamp}`),
  };
}

const log = (line: string): void => console.log(`bench:autoscale: ${line}`);
const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

async function benchmark(settings: Settings, signal: AbortSignal): Promise<void> {
  const kubectl = await clusterKubectl();
  const image = `vernier:${(JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version}`;
  log('installing the operator with the Helm chart');
  await installOperator(kubectl, image);
  await kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--timeout=180s']);
  await kubectl(['apply', '-f', '-'], { input: stringify(restrictedNamespace(NAMESPACE)) });
  try {
    const { autoscaling } = settings;
    log(`deploying ${NAME} (${JSON.stringify(autoscaling)}) and waiting for its capacity per replica`);
    const capacity = await deployAndMeasureCapacity(kubectl, { name: NAME, namespace: NAMESPACE, autoscaling, capacitySeconds: settings.capacitySeconds }, signal);
    log(`capacity of one replica: ${capacity.rpsPerReplica} req/s (p99 ${capacity.p99Ms} ms, SLA ${SLA_P99_MS} ms)`);
    await waitForRest(kubectl, NAMESPACE, NAME, autoscaling.minReplicas, 180_000, signal);

    const phases = settings.phaseSeconds.map((seconds, i) => ({ seconds, rate: Math.round(settings.multiples[i] * capacity.rpsPerReplica) }));
    const job: StepLoadJob = {
      name: 'step-load',
      namespace: NAMESPACE,
      image,
      plan: mlpLoadPlan(`http://${NAME}.${NAMESPACE}.svc:8080`, phases, SLA_P99_MS, settings.segmentSeconds),
    };
    log(`step load: ${phases.map((p) => `${p.rate} req/s × ${p.seconds} s`).join(' → ')}`);
    const observer = observe(kubectl, NAMESPACE, NAME, (planSeconds(job.plan) + 600) * 1000);
    let segments;
    try {
      await startStepLoad(kubectl, job);
      segments = await finishStepLoad(kubectl, job, signal);
    } finally {
      await observer.stop();
    }

    const from = phaseStart(segments, 0)!;
    const to = loadEnd(segments)!;
    const seconds = loadSeconds(segments).filter((s) => s.at >= Math.floor(from / 1000) * 1000 && s.at < to);
    const changes = observer.replicaChanges();
    const live = observer.liveObservations();
    const peak = Math.max(...phases.map((p) => p.rate));
    const peakPhase = phases.findIndex((p) => p.rate === peak);
    const peakReplicas = replicasFor(peak, capacity.rpsPerReplica, autoscaling);
    const attainment = slaAttainment(seconds, SLA_P99_MS, MAX_ERROR_RATE);
    const used = replicaSeconds(changes, from, to);
    const usedReady = replicaSeconds(changes, from, to, (c) => c.ready);
    const staticPeak = peakReplicas * ((to - from) / 1000);
    const stepAt = phaseStart(segments, peakPhase)!;
    const toScale = secondsUntilReady(changes, stepAt, peakReplicas);

    await mkdir(settings.outDir, { recursive: true });
    const svgPath = join(settings.outDir, 'autoscale.svg');
    const marks = phases.map((p, i) => ({ at: phaseStart(segments, i)!, label: `${settings.multiples[i]}× (${p.rate}/s)` }));
    const title = `mlp, ${phases.map((_, i) => `${settings.multiples[i]}×`).join(' → ')} of ${capacity.rpsPerReplica} req/s per replica: ${percent(attainment.share)} of seconds within the SLA, ${percent(used / staticPeak)} of peak-sized replica-seconds`;
    await writeFile(svgPath, autoscaleSvg({ title, origin: from, seconds: (to - from) / 1000, load: seconds, replicas: changes, live, slaP99Ms: SLA_P99_MS, marks }));
    await writeFile(
      join(settings.outDir, 'samples.json'),
      `${JSON.stringify({ settings, capacity, phases, from, to, seconds, replicaChanges: changes, live, segments }, null, 1)}\n`,
    );

    const fmt = (n: number): string => n.toFixed(0);
    console.log(`
load            ${phases.map((p, i) => `${settings.multiples[i]}× = ${p.rate} req/s for ${p.seconds} s`).join(' → ')} (capacity ${capacity.rpsPerReplica} req/s per replica)
SLA attainment  ${percent(attainment.share)} of seconds (${attainment.met} of ${attainment.counted}) with p99 ≤ ${SLA_P99_MS} ms and ≤ ${MAX_ERROR_RATE * 100} % errors
replica-seconds ${fmt(used)} asked for (${fmt(usedReady)} ready) vs ${fmt(staticPeak)} for a static ${peakReplicas} replicas sized for the peak (⌈${peak} / (${capacity.rpsPerReplica} × ${autoscaling.targetUtilization})⌉): ${percent(used / staticPeak)}
time to scale   ${toScale === undefined ? `${peakReplicas} ready replicas never reached` : `${toScale.toFixed(1)} s`} from the step to ${settings.multiples[peakPhase]}× until ${peakReplicas} replicas were ready
errors          ${JSON.stringify(errorTotals(segments))}; generator ${segments.every((s) => s.generatorHealthy) ? 'healthy' : `not healthy in ${segments.filter((s) => !s.generatorHealthy).length} of ${segments.length} segments`}
goal            ≥ 95 % attainment with ≤ 75 % of the peak-sized replica-seconds: ${attainment.share >= 0.95 && used / staticPeak <= 0.75 ? 'met' : 'not met'}
plot            ${svgPath}`);
  } finally {
    if (!settings.keep) await kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--timeout=180s']).catch(() => undefined);
  }
}

async function main(argv: string[]): Promise<number> {
  const settings = parseSettings(argv);
  if (!settings) {
    console.log(usage);
    return 0;
  }
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort(new Error('interrupted')));
  const session = await clusterSession(log, { reloadImage: settings.loadImage });
  try {
    await benchmark(settings, interrupt.signal);
    return 0;
  } finally {
    await session.end();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`bench:autoscale: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
}
