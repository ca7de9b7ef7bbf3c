// The autoscaling loop: for each tracked InferenceService, scrape its ready server pods every interval, compute the live
// figures over the window, decide the replica count, and ask for a reconcile when there is something worth writing.
import type { AutoscalingSpec } from '../../crds/index.js';
import { errorField, type Logger } from '../log.js';
import type { OperatorMetrics } from '../metrics.js';
import { autoscalingPolicy, decideReplicas, defaultAutoscalingPolicy, type AutoscalingPolicy, type Decision, type Recommendation } from './decide.js';
import type { HistogramSnapshot } from './histogram.js';
import { inferenceSlaSeries, requestDurationFamily } from './inference-requests.js';
import { mapBounded } from './map-bounded.js';
import { liveFiguresMoved } from './notable-change.js';
import { extractHistogram } from './prometheus-histogram.js';
import { recordRound, windowFigures, type ScrapeRound, type WindowFigures } from './window.js';

/** What the autoscaler needs to know of one InferenceService; the reconciler passes it on every reconcile. */
export interface TrackedService {
  /** The work-queue key, 'namespace/name': onChange is called with it. */
  key: string;
  namespace: string;
  /** Label selector of the server pods, in query form ('a=b,c=d'). */
  podSelector: string;
  /** Port the server pods serve /metrics on. */
  port: number;
  autoscaling: AutoscalingSpec;
  slaP99Ms: number;
  /** status.capacity.rpsPerReplica when it was measured for the current spec. */
  capacityRps: number | undefined;
  /** The replica count the Deployment asks for now. */
  currentReplicas: number;
  /** The Deployment has not yet created or updated every pod it asks for (a scale-up or rollout in progress). */
  podsStarting: boolean;
}

export interface ServerPod {
  name: string;
  ip: string;
  /** Ready to serve (absent: ready). Only ready pods are scraped. */
  ready?: boolean;
}

export type AutoscalerMetrics = Pick<OperatorMetrics, 'desiredReplicas' | 'liveP99Seconds' | 'liveRequestsPerSecond'>;

export interface AutoscalerDeps {
  /** The pods matching `selector` in `namespace` (not being deleted), with their pod IPs and readiness. */
  listServerPods(namespace: string, selector: string): Promise<ServerPod[]>;
  /** The text at `url`, rejecting after `timeoutMs` (scrapeMetrics fits). */
  scrape(url: string, timeoutMs: number): Promise<string>;
  /** Something worth writing to the status or the Deployment changed for `key`: reconcile it. */
  onChange(key: string): void;
  /** ms since the epoch; Date.now by default. */
  now?(): number;
  log: Logger;
  metrics?: AutoscalerMetrics;
}

export interface AutoscalerTuning {
  /** How often the timer looks for services whose interval is due. */
  tickMs?: number;
  /** Time allowed for one pod's scrape. */
  scrapeTimeoutMs?: number;
  /** Pods of one service scraped at once. */
  scrapesPerService?: number;
  /** Services whose round runs at once. */
  roundsAtOnce?: number;
}

/** What the reconciler reads on each reconcile: the live figures, the decision, and why either is missing. */
export interface AutoscalerView {
  /** Undefined until two rounds were scraped. */
  live?: WindowFigures;
  /** Undefined only when the autoscaling settings are invalid. */
  decision?: Decision;
  /** Why the latest round or decision could not be made (the pods could not be listed, an invalid policy). */
  error?: string;
}

/** What the view held when onChange last asked for a status write, to tell whether a later one is worth another. */
interface Reported {
  live: WindowFigures | undefined;
  outcome: string | undefined;
  failing: boolean;
}

interface ServiceState {
  service: TrackedService;
  rounds: ScrapeRound[];
  recommendations: Recommendation[];
  live?: WindowFigures;
  decision?: Decision;
  listError?: string;
  policyError?: string;
  /** When the next round is due (ms since the epoch). */
  nextRoundAt: number;
  running: boolean;
  reported: Reported;
  /** When the round that last called onChange started. */
  lastChangeAt?: number;
  /** Pods seen ready: one not ready now is overloaded or failing, not starting, and must not stall a scale-up. */
  seenReady: Set<string>;
  /** A pod exists that has never been ready: its effect on the metrics is still to come. */
  neverReadyPods: boolean;
}

const defaults: Required<AutoscalerTuning> = { tickMs: 1_000, scrapeTimeoutMs: 2_000, scrapesPerService: 8, roundsAtOnce: 16 };

export class Autoscaler {
  private readonly deps: AutoscalerDeps;
  private readonly tuning: Required<AutoscalerTuning>;
  private readonly now: () => number;
  private readonly services = new Map<string, ServiceState>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: AutoscalerDeps, tuning: AutoscalerTuning = {}) {
    this.deps = deps;
    this.tuning = { ...defaults, ...tuning };
    this.now = deps.now ?? Date.now;
  }

  /**
   * Starts or updates the tracking of a service; call it on every reconcile of a service with spec.autoscaling.
   * A new service, or one whose pods moved (selector, port, namespace), starts a fresh scrape history.
   */
  track(service: TrackedService): void {
    const now = this.now();
    const existing = this.services.get(service.key);
    if (existing !== undefined && sameTarget(existing.service, service)) {
      const previous = existing.service;
      existing.service = service;
      // A shorter interval brings the next round forward; a longer one applies from the next round on.
      const shortenedBy = (previous.autoscaling.intervalSeconds - service.autoscaling.intervalSeconds) * 1000;
      if (shortenedBy > 0) existing.nextRoundAt -= shortenedBy;
      // A capacity just measured: the window so far holds the benchmark's and the capacity search's own load (which
      // overloads a pod on purpose), not users'; acting on it would scale out for traffic that has already stopped.
      if (previous.capacityRps === undefined && service.capacityRps !== undefined) {
        existing.rounds = [];
        existing.live = undefined;
      }
      // New bounds, capacity or SLA take effect now; the rest waits for the next round.
      if (!sameDecisionInputs(previous, service)) this.decide(existing, now);
      return;
    }
    const state: ServiceState = {
      service,
      rounds: [],
      // A restarted operator must not scale down at once: the current count stands for a stabilization window.
      recommendations: existing?.recommendations ?? [{ at: now, replicas: clampToBounds(service.currentReplicas, service.autoscaling) }],
      nextRoundAt: now,
      running: false,
      reported: { live: undefined, outcome: undefined, failing: false },
      lastChangeAt: existing?.lastChangeAt,
      seenReady: existing?.seenReady ?? new Set(),
      neverReadyPods: existing?.neverReadyPods ?? false,
    };
    this.services.set(service.key, state);
    this.decide(state, now);
    this.updateLiveMetrics(state);
    // A decision without metrics is not worth a reconcile of its own: the figures appearing will bring one.
    state.reported = reportedOf(state);
  }

  /** Forgets everything of `key`; a round in flight for it is discarded. */
  untrack(key: string): void {
    const state = this.services.get(key);
    if (state === undefined) return;
    this.services.delete(key);
    const labels = labelsOf(state.service);
    this.deps.metrics?.desiredReplicas.remove(labels);
    this.deps.metrics?.liveP99Seconds.remove(labels);
    this.deps.metrics?.liveRequestsPerSecond.remove(labels);
  }

  view(key: string): AutoscalerView | undefined {
    const state = this.services.get(key);
    if (state === undefined) return undefined;
    return { live: state.live, decision: state.decision, error: errorOf(state) };
  }

  /** The keys being tracked. */
  keys(): string[] {
    return [...this.services.keys()];
  }

  /** Runs the rounds of due services from a timer, until stop(). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.launchDue(), this.tuning.tickMs);
    this.timer.unref();
  }

  /** Stops the timer and forgets every service (a new leader, or this one started again, tracks them afresh); resolves when rounds in flight end. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const key of [...this.services.keys()]) this.untrack(key);
    await Promise.all([...this.inFlight]);
  }

  /** Runs the round of every service due now once, and resolves when they end (the timer's work, for tests). */
  async tick(): Promise<void> {
    const now = this.now();
    const due = [...this.services.values()].filter((state) => !state.running && state.nextRoundAt <= now);
    await mapBounded(due, this.tuning.roundsAtOnce, (state) => (this.isCurrent(state) && !state.running ? this.launch(state) : Promise.resolve()));
  }

  /** Starts the rounds of due services, as many as roundsAtOnce allows; the others wait for a slot or the next tick. */
  private launchDue(): void {
    const free = this.tuning.roundsAtOnce - this.inFlight.size;
    if (free <= 0) return;
    const now = this.now();
    const due = [...this.services.values()].filter((state) => !state.running && state.nextRoundAt <= now);
    // When not all fit, the longest overdue go first, so that no service waits behind others round after round.
    if (due.length > free) due.sort((a, b) => a.nextRoundAt - b.nextRoundAt);
    for (const state of due.slice(0, free)) void this.launch(state);
  }

  private launch(state: ServiceState): Promise<void> {
    state.running = true;
    const round = this.runRound(state)
      .catch((err: unknown) => this.deps.log.error('autoscaling round failed', { key: state.service.key, error: errorField(err) }))
      .finally(() => {
        state.running = false;
        this.inFlight.delete(round);
        // A freed slot goes to a waiting service now rather than at the next tick.
        if (this.timer !== undefined) this.launchDue();
      });
    this.inFlight.add(round);
    return round;
  }

  private async runRound(state: ServiceState): Promise<void> {
    const startedAt = this.now();
    const { service } = state;
    state.nextRoundAt = startedAt + service.autoscaling.intervalSeconds * 1000;
    let pods: ServerPod[];
    try {
      const listed = await this.deps.listServerPods(service.namespace, service.podSelector);
      if (this.isCurrent(state)) notePodReadiness(state, listed);
      // A pod once ready and now not is overloaded (its probe answered late) or failing: its figures are the load that
      // overwhelmed it, and leaving them out would read the overload as no traffic at all.
      pods = listed.filter((pod) => pod.ip !== '' && (pod.ready !== false || state.seenReady.has(pod.name)));
    } catch (err) {
      if (!this.isCurrent(state)) return;
      const error = `cannot list the server pods: ${errorField(err)}`;
      if (state.listError === undefined) this.deps.log.warn('autoscaling cannot list the server pods', { key: service.key, error });
      state.listError = error;
      // Figures too old to act on are no longer live: they go, and a window spanning the outage is not kept either.
      if (state.live !== undefined && startedAt - state.live.observedAt > staleAfterSeconds(service.autoscaling) * 1000) {
        state.rounds = [];
        state.live = undefined;
        this.decide(state, startedAt);
        this.updateLiveMetrics(state);
      }
      this.reportIfNotable(state, startedAt);
      return;
    }
    if (!this.isCurrent(state)) return;
    // The rate is counted between sample times: taken after the listing, whose latency varies, just before the scrapes.
    const at = this.now();
    const samples = await mapBounded(pods, this.tuning.scrapesPerService, (pod) => this.scrapePod(state.service, pod));
    if (!this.isCurrent(state)) return;
    // Rounds must be recorded in time order; a clock that stood still or went back loses this one.
    const last = state.rounds.at(-1);
    if (last !== undefined && at <= last.at) return;
    if (state.listError !== undefined) this.deps.log.info('autoscaling lists the server pods again', { key: service.key });
    state.listError = undefined;
    const { windowSeconds } = state.service.autoscaling;
    const podSamples = Object.fromEntries(pods.map((pod, i) => [pod.name, samples[i]]));
    state.rounds = recordRound(state.rounds, { at, pods: podSamples }, windowSeconds);
    state.live = windowFigures(state.rounds, windowSeconds);
    this.decide(state, this.now());
    this.updateLiveMetrics(state);
    this.reportIfNotable(state, startedAt);
  }

  /** The pod's request-duration histogram, or null when its scrape failed or served no such histogram. */
  private async scrapePod(service: TrackedService, pod: ServerPod): Promise<HistogramSnapshot | null> {
    const url = metricsUrl(pod.ip, service.port);
    try {
      const histogram = extractHistogram(await this.deps.scrape(url, this.tuning.scrapeTimeoutMs), requestDurationFamily, inferenceSlaSeries);
      if (histogram === undefined) throw new Error(`no ${requestDurationFamily} histogram in the exposition`);
      return histogram;
    } catch (err) {
      this.deps.log.debug('autoscaling scrape failed', { key: service.key, pod: pod.name, url, error: errorField(err) });
      return null;
    }
  }

  private decide(state: ServiceState, now: number): void {
    const { service } = state;
    let policy: AutoscalingPolicy;
    try {
      policy = policyFor(service.autoscaling);
    } catch (err) {
      state.policyError = errorField(err);
      state.decision = undefined;
      this.deps.metrics?.desiredReplicas.remove(labelsOf(service));
      return;
    }
    state.policyError = undefined;
    state.decision = decideReplicas({
      now,
      currentReplicas: service.currentReplicas,
      podsStarting: service.podsStarting || state.neverReadyPods,
      window: state.live,
      capacityRps: service.capacityRps,
      slaP99Ms: service.slaP99Ms,
      policy,
      history: state.recommendations,
    });
    state.recommendations = state.decision.history;
    this.deps.metrics?.desiredReplicas.set(labelsOf(service), state.decision.replicas);
  }

  private updateLiveMetrics(state: ServiceState): void {
    const metrics = this.deps.metrics;
    if (metrics === undefined) return;
    const labels = labelsOf(state.service);
    const { live } = state;
    if (live === undefined) metrics.liveRequestsPerSecond.remove(labels);
    else metrics.liveRequestsPerSecond.set(labels, live.rps);
    if (live?.p99Ms == null) metrics.liveP99Seconds.remove(labels);
    else metrics.liveP99Seconds.set(labels, live.p99Ms / 1000);
  }

  /**
   * Calls onChange when the decision asks for other replicas than the Deployment has, or the status written from
   * the view would differ notably from the last one: at most once per interval, so that many services do not flood
   * the API server with status writes. A change held back is still there at the next round.
   */
  private reportIfNotable(state: ServiceState, roundStartedAt: number): void {
    const { service, reported, decision } = state;
    const notable =
      (decision !== undefined && decision.replicas !== service.currentReplicas) ||
      liveFiguresMoved(reported.live, state.live, service.slaP99Ms) ||
      outcomeOf(decision) !== reported.outcome ||
      (errorOf(state) !== undefined) !== reported.failing;
    if (!notable) return;
    // Round starts are at least an interval apart, so one report per round is within the limit.
    if (state.lastChangeAt !== undefined && roundStartedAt - state.lastChangeAt < service.autoscaling.intervalSeconds * 1000) return;
    state.lastChangeAt = roundStartedAt;
    state.reported = reportedOf(state);
    try {
      this.deps.onChange(service.key);
    } catch (err) {
      this.deps.log.error('autoscaling onChange failed', { key: service.key, error: errorField(err) });
    }
  }

  private isCurrent(state: ServiceState): boolean {
    return this.services.get(state.service.key) === state;
  }
}

/** The decision policy of a spec. */
export function policyFor(spec: AutoscalingSpec): AutoscalingPolicy {
  return autoscalingPolicy({
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    targetUtilization: spec.targetUtilization,
    tolerance: spec.tolerance,
    scaleDownStabilizationSeconds: spec.scaleDownStabilizationSeconds,
    staleAfterSeconds: staleAfterSeconds(spec),
  });
}

/** Metrics count as stale once about three rounds were missed, however long the interval. */
const staleAfterSeconds = (spec: AutoscalingSpec): number => Math.max(defaultAutoscalingPolicy.staleAfterSeconds, 3 * spec.intervalSeconds);

/** The /metrics URL of a pod; an IPv6 address goes in brackets. */
export function metricsUrl(ip: string, port: number): string {
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}/metrics`;
}

const sameTarget = (a: TrackedService, b: TrackedService): boolean => a.namespace === b.namespace && a.podSelector === b.podSelector && a.port === b.port;

function sameDecisionInputs(a: TrackedService, b: TrackedService): boolean {
  const keys = Object.keys({ ...a.autoscaling, ...b.autoscaling }) as (keyof AutoscalingSpec)[];
  return a.slaP99Ms === b.slaP99Ms && a.capacityRps === b.capacityRps && keys.every((k) => a.autoscaling[k] === b.autoscaling[k]);
}

const clampToBounds = (replicas: number, spec: AutoscalingSpec): number => Math.min(spec.maxReplicas, Math.max(spec.minReplicas, replicas));

/** The metric labels of a service: its namespace and its name, the rest of its key. */
const labelsOf = (service: TrackedService): { namespace: string; name: string } => ({
  namespace: service.namespace,
  name: service.key.startsWith(`${service.namespace}/`) ? service.key.slice(service.namespace.length + 1) : service.key,
});

/** The kind of decision a status message shows (its numbers aside). */
const outcomeOf = (decision: Decision | undefined): string | undefined => decision && `${decision.action}/${decision.holdReason ?? ''}`;

function errorOf(state: ServiceState): string | undefined {
  const errors = [state.listError, state.policyError].filter((e): e is string => e !== undefined);
  return errors.length === 0 ? undefined : errors.join('; ');
}

const reportedOf = (state: ServiceState): Reported => ({ live: state.live, outcome: outcomeOf(state.decision), failing: errorOf(state) !== undefined });

/** Remembers which pods have been ready, and whether one exists that never was (a pod of the last scale-up, starting). */
function notePodReadiness(state: ServiceState, pods: readonly ServerPod[]): void {
  const present = new Set(pods.map((p) => p.name));
  for (const name of state.seenReady) if (!present.has(name)) state.seenReady.delete(name);
  for (const pod of pods) if (pod.ready !== false) state.seenReady.add(pod.name);
  state.neverReadyPods = pods.some((p) => p.ready === false && !state.seenReady.has(p.name));
}
