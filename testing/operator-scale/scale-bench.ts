// One scale run of the operator on the tier-2 control plane: create N InferenceServices, wait until the operator has
// observed them all, let it settle and idle, change a few specs, kill and restart it; then count what it asked of the
// API server in each phase (from the audit log) and what it cost (CPU, RSS, reconciles).
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readOperatorRequests } from './audit-log.js';
import { waitAllObserved, waitEachCurrent, waitQuiet } from './convergence.js';
import { changeSla, createAll, exampleManifest, keyOf, scaleRefs, spreadPick, type ObjectRef } from './inference-services.js';
import { OperatorChild } from './operator-child.js';
import { readOperatorCounters } from './operator-metrics.js';
import { busyShare, machineTicks, type MachineTicks } from '../../bench/machine-ticks.js';
import { cpuSeconds, RssSampler } from './process-stats.js';
import { startScaleCluster, type ScaleCluster } from './scale-cluster.js';
import { scaleFigures, type Mark, type Marks, type ScaleFigures } from './scale-figures.js';
import type { ScaleSettings } from './settings.js';

export type { ScaleFigures } from './scale-figures.js';

const STARTUP_TIMEOUT_MS = 300_000;

/** Counts and CPU of the running operator, and the machine's CPU ticks, at one moment. */
interface Snapshot {
  at: number;
  reconciles: number;
  cpuSeconds: number;
  machine: MachineTicks;
}

/** Takes a Snapshot, to subtract from a later one. */
async function snapshot(operator: OperatorChild, port: number): Promise<Snapshot> {
  const counters = await readOperatorCounters(port);
  return { at: Date.now(), reconciles: counters.reconciles, cpuSeconds: cpuSeconds(operator.pid!), machine: machineTicks() };
}

function between(from: Snapshot, to: Snapshot): Mark {
  return {
    window: { from: from.at, to: to.at },
    reconciles: to.reconciles - from.reconciles,
    cpuSeconds: to.cpuSeconds - from.cpuSeconds,
    machineBusy: busyShare(from.machine, to.machine),
  };
}

/** What every phase needs: the settings, the cluster, where logs go, and the operators started (to stop them all). */
interface Run {
  settings: ScaleSettings;
  cluster: ScaleCluster;
  workDir: string;
  operators: OperatorChild[];
  say: (line: string) => void;
}

/** A running operator and the port of its /metrics. */
interface Running {
  operator: OperatorChild;
  port: number;
}

async function startOperator(run: Run, name: string): Promise<Running> {
  const args = [`--kubeconfig=${run.cluster.operatorKubeconfigPath}`, '--metrics-host=127.0.0.1', '--metrics-port=0', '--log-level=info'];
  const operator = new OperatorChild(name, run.settings.operatorCli, args, join(run.workDir, `${name}.log`));
  run.operators.push(operator);
  const port = await operator.metricsPort(STARTUP_TIMEOUT_MS);
  await operator.waitForLog('informers synced', STARTUP_TIMEOUT_MS);
  return { operator, port };
}

const elapsed = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** From the first create until every object is observed, plus a few seconds for the last writes. */
async function creation(run: Run, { operator, port }: Running, refs: readonly ObjectRef[], expected: ReadonlyMap<string, number>) {
  const { settings, say } = run;
  say(`creating ${settings.count} InferenceServices in ${run.cluster.namespaces.length} namespaces, ${settings.createConcurrency} at a time`);
  const start = await snapshot(operator, port);
  let lastLine = Date.now();
  await createAll(run.cluster.admin, exampleManifest(), refs, settings.createConcurrency, (done) => {
    if (Date.now() - lastLine < 5_000) return;
    say(`created ${done}/${settings.count} after ${elapsed(start.at)}`);
    lastLine = Date.now();
  });
  const createSeconds = (Date.now() - start.at) / 1000;
  say(`created ${settings.count} in ${createSeconds.toFixed(1)} s`);
  const observedMs = await waitAllObserved(run.cluster.admin, expected, { since: start.at, timeoutMs: settings.observeTimeoutSeconds * 1000, progress: say });
  say(`all ${settings.count} observed after ${(observedMs / 1000).toFixed(1)} s`);
  await sleep(settings.settleSeconds * 1000);
  const end = await snapshot(operator, port);
  return { mark: between(start, end), end, createSeconds, allObservedSeconds: observedMs / 1000 };
}

/** Until the operator has nothing left to do (kube-controller-manager is still filling in Deployments). */
async function settle(run: Run, { operator, port }: Running, start: Snapshot) {
  const { settings, say } = run;
  say(`waiting for the operator to go quiet (${settings.quietSeconds} s without a reconcile, at most ${settings.quietTimeoutSeconds} s)`);
  const quiet = await waitQuiet(port, { quietMs: settings.quietSeconds * 1000, timeoutMs: settings.quietTimeoutSeconds * 1000, progress: say });
  say(quiet.reached ? `quiet after ${(quiet.ms / 1000).toFixed(1)} s` : `not quiet after ${settings.quietTimeoutSeconds} s; idling anyway`);
  const end = await snapshot(operator, port);
  return { mark: { ...between(start, end), quiet: quiet.reached }, end };
}

/** Nothing changes: whatever the operator asks for now is its steady-state cost. */
async function idle(run: Run, { operator, port }: Running, start: Snapshot) {
  const seconds = run.settings.idleSeconds;
  run.say(`idle for ${seconds} s`);
  const endAt = start.at + seconds * 1000;
  while (Date.now() < endAt) {
    await sleep(Math.min(60_000, endAt - Date.now()));
    if (Date.now() < endAt) run.say(`idle: ${Math.round((Date.now() - start.at) / 1000)}/${seconds} s`);
  }
  const end = await snapshot(operator, port);
  return { mark: between(start, end), end };
}

/** Spec changes one at a time: from each PATCH until status.observedGeneration caught up. */
async function specChanges(run: Run, { operator, port }: Running, start: Snapshot, refs: readonly ObjectRef[]) {
  run.say(`changing the spec of ${refs.length} InferenceServices, one at a time`);
  const latenciesMs: number[] = [];
  for (const [i, ref] of refs.entries()) {
    const patchedAt = Date.now();
    await changeSla(run.cluster.admin, ref, 60 + i);
    // As long as creation may take: behind a backlog (a re-list of thousands) a change waits its turn in the queue.
    const reached = await waitEachCurrent(run.cluster.admin, [ref], { since: patchedAt, timeoutMs: run.settings.observeTimeoutSeconds * 1000, intervalMs: 20 });
    latenciesMs.push(reached.get(keyOf(ref))!);
  }
  return { ...between(start, await snapshot(operator, port)), latenciesMs };
}

/** SIGKILL, change specs while nothing runs, start a new operator; until it is quiet again. */
async function restart(run: Run, killed: OperatorChild, refs: readonly ObjectRef[], expected: ReadonlyMap<string, number>, onStarted: (r: Running) => void) {
  const { settings, say, cluster } = run;
  say(`killing the operator; changing ${refs.length} specs while it is down; starting a new one`);
  await killed.kill('SIGKILL');
  for (const [i, ref] of refs.entries()) await changeSla(cluster.admin, ref, 80 + i);
  const startedAt = Date.now();
  const machineAtStart = machineTicks();
  const restarted = await startOperator(run, 'operator-restarted');
  onStarted(restarted);
  const syncedSeconds = (Date.now() - startedAt) / 1000;
  const timeoutMs = settings.observeTimeoutSeconds * 1000;
  const changedReached = await waitEachCurrent(cluster.admin, refs, { since: startedAt, timeoutMs, intervalMs: 100 });
  const allCurrentMs = await waitAllObserved(cluster.admin, expected, { since: startedAt, timeoutMs, progress: say });
  say(`restarted: synced after ${syncedSeconds.toFixed(1)} s, all current after ${(allCurrentMs / 1000).toFixed(1)} s; waiting for quiet`);
  const quiet = await waitQuiet(restarted.port, { quietMs: settings.quietSeconds * 1000, timeoutMs: settings.quietTimeoutSeconds * 1000, progress: say });
  // A new process: its reconcile count and CPU time start at zero.
  const end = await snapshot(restarted.operator, restarted.port);
  return {
    mark: {
      window: { from: startedAt, to: end.at },
      reconciles: end.reconciles,
      cpuSeconds: end.cpuSeconds,
      machineBusy: busyShare(machineAtStart, end.machine),
      syncedSeconds,
      changedCurrentMs: [...changedReached.values()],
      allCurrentSeconds: allCurrentMs / 1000,
      quiet: quiet.reached,
      changed: new Set(refs.map(keyOf)),
    },
    operator: restarted.operator,
  };
}

async function runPhases(run: Run): Promise<Marks> {
  const startedAt = Date.now();
  let current: OperatorChild | undefined;
  const rss = new RssSampler(() => current?.pid);
  try {
    const refs = scaleRefs(run.settings.count, run.cluster.namespaces);
    const expected = new Map(run.cluster.namespaces.map((ns) => [ns, refs.filter((r) => r.namespace === ns).length]));
    const first = await startOperator(run, 'operator');
    current = first.operator;
    const rssStart = rss.sample()?.bytes ?? Number.NaN;
    const created = await creation(run, first, refs, expected);
    const settled = await settle(run, first, created.end);
    const idled = await idle(run, first, settled.end);
    const rssIdleEnd = rss.sample()?.bytes ?? Number.NaN;
    const specChange = await specChanges(run, first, idled.end, spreadPick(refs, run.settings.changes, 0));
    const restarted = await restart(run, first.operator, spreadPick(refs, run.settings.changes, 1), expected, (r) => (current = r.operator));
    return {
      startedAt,
      createSeconds: created.createSeconds,
      allObservedSeconds: created.allObservedSeconds,
      creation: created.mark,
      settle: settled.mark,
      idle: idled.mark,
      specChange,
      restart: restarted.mark,
      rssSamples: rss.samples,
      rssStart,
      rssIdleEnd,
      logLevels: { first: first.operator.levelCounts(), restarted: restarted.operator.levelCounts() },
    };
  } finally {
    rss.stop();
  }
}

/** One whole run; the operator(s) and the control plane are always stopped, the work directory kept on failure. */
export async function runOperatorScaleBench(settings: ScaleSettings): Promise<ScaleFigures> {
  const workDir = await mkdtemp(join(tmpdir(), 'vernier-operator-scale-'));
  const say = settings.progress;
  say(`work directory ${workDir}; operator ${settings.operatorCli}`);
  const operators: OperatorChild[] = [];
  let cluster: ScaleCluster | undefined;
  let marks: Marks;
  try {
    cluster = await startScaleCluster(workDir, settings.namespaces);
    say(`control plane up in ${(cluster.cp.startupMs / 1000).toFixed(1)} s (${cluster.cp.server}, Kubernetes ${cluster.cp.k8sVersion})`);
    marks = await runPhases({ settings, cluster, workDir, operators, say });
  } catch (err) {
    const tails = operators.map((o) => `--- ${o.name} (last lines) ---\n${o.lastLines()}`).join('\n');
    throw new Error(`the scale run failed; audit log and operator logs kept in ${workDir}\n${tails}`, { cause: err });
  } finally {
    await Promise.all(operators.map((o) => o.kill('SIGTERM')));
    await cluster?.stop();
  }
  say('reading the audit log');
  const records = await readOperatorRequests(cluster.auditLogPath, cluster.operatorUser);
  const environment = { cpus: cpus().length, node: process.version, kubernetes: cluster.cp.k8sVersion, startedAt: new Date(marks.startedAt).toISOString() };
  const figures = scaleFigures(settings, marks, records, environment);
  if (settings.keep) figures.workDir = workDir;
  else await rm(workDir, { recursive: true, force: true });
  return figures;
}
