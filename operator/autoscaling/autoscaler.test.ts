import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { AutoscalingSpec } from '../../crds/index.js';
import { latencyBuckets } from '../../server/metrics.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { serveMetricsEndpoint } from '../test-support/metrics-endpoint.js';
import { Autoscaler, metricsUrl, type AutoscalerDeps, type AutoscalerTuning, type ServerPod, type TrackedService } from './autoscaler.js';
import { inferenceRoute, requestDurationFamily } from './inference-requests.js';
import { scrapeMetrics } from './scrape.js';

const silent = createLogger({ write: () => {} });
const interval = 15_000;

/** A server pod's request-duration histogram, as the server registers it. */
class FakePod {
  readonly registry = new Registry();
  private readonly duration = new Histogram({
    name: requestDurationFamily,
    help: 'HTTP request duration, by route template, method and status code.',
    labelNames: ['route', 'method', 'status'],
    buckets: latencyBuckets,
    registers: [this.registry],
  });

  /** Records `count` inference requests answered in `seconds` with `status`. */
  answer(count: number, seconds: number, status = '200'): void {
    for (let i = 0; i < count; i++) this.duration.observe({ route: inferenceRoute, method: 'POST', status }, seconds);
  }

  probe(count: number): void {
    for (let i = 0; i < count; i++) this.duration.observe({ route: '/v2/health/ready', method: 'GET', status: '200' }, 0.0001);
  }
}

/** Serves `pod`'s exposition (or `status` alone) at /metrics on 127.0.0.1; closed when the test ends. */
async function servePod(t: TestContext, pod: FakePod | { status: number }): Promise<string> {
  return serveMetricsEndpoint(t, (req, res) => {
    if ('status' in pod) {
      res.writeHead(pod.status);
      res.end();
      return;
    }
    void pod.registry.metrics().then((text) => {
      res.writeHead(200, { 'Content-Type': pod.registry.contentType });
      res.end(text);
    });
  });
}

function service(overrides: Partial<TrackedService> = {}): TrackedService {
  return {
    key: 'ml/resnet',
    namespace: 'ml',
    podSelector: 'vernier.dev/inferenceservice=resnet,app.kubernetes.io/component=server',
    port: 8080,
    autoscaling: AutoscalingSpec.parse({ maxReplicas: 10 }),
    slaP99Ms: 300,
    capacityRps: 100,
    currentReplicas: 2,
    podsStarting: false,
    ...overrides,
  };
}

/** Fake deps around a manual clock; pods are listed from `pods` and scraped through `scrape`. */
function harness(options: { pods?: ServerPod[]; scrape?: AutoscalerDeps['scrape']; deps?: Partial<AutoscalerDeps>; tuning?: AutoscalerTuning } = {}) {
  const h = {
    clock: 1_700_000_000_000,
    pods: options.pods ?? [],
    listings: [] as string[],
    scrapes: [] as string[],
    changes: [] as string[],
    listError: undefined as Error | undefined,
    metrics: createMetrics({ defaultMetrics: false }),
  };
  const deps: AutoscalerDeps = {
    listServerPods: async (namespace, selector) => {
      h.listings.push(`${namespace} ${selector}`);
      if (h.listError) throw h.listError;
      return h.pods;
    },
    scrape: async (url, timeoutMs) => {
      h.scrapes.push(url);
      if (options.scrape) return options.scrape(url, timeoutMs);
      throw new Error(`nothing at ${url}`);
    },
    onChange: (key) => h.changes.push(key),
    now: () => h.clock,
    log: silent,
    metrics: h.metrics,
  };
  return { h, autoscaler: new Autoscaler({ ...deps, ...options.deps }, options.tuning) };
}

/** Pods at made-up IPs whose scrapes go, over real HTTP, to the URLs given. */
function podsAt(urls: Record<string, string>): { pods: ServerPod[]; scrape: AutoscalerDeps['scrape'] } {
  const names = Object.keys(urls);
  const pods = names.map((name, i) => ({ name, ip: `10.0.0.${i + 1}` }));
  const routes = new Map(pods.map((pod) => [metricsUrl(pod.ip, 8080), urls[pod.name]]));
  return {
    pods,
    scrape: (url, timeoutMs) => {
      const real = routes.get(url);
      return real ? scrapeMetrics(real, timeoutMs) : Promise.reject(new Error(`no pod at ${url}`));
    },
  };
}

async function gaugeValue(gauge: { get(): Promise<{ values: { labels: object; value: number }[] }> }): Promise<number | undefined> {
  const { values } = await gauge.get();
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify({ namespace: 'ml', name: 'resnet' }))?.value;
}

test('two pods scraped over HTTP: rate and p99 across both, a scale-up as the load passes capacity, onChange only on news', async (t) => {
  const a = new FakePod();
  const b = new FakePod();
  const { pods, scrape } = podsAt({ 'resnet-a': await servePod(t, a), 'resnet-b': await servePod(t, b) });
  const { h, autoscaler } = harness({ pods, scrape });

  autoscaler.track(service());
  assert.equal(autoscaler.view('ml/resnet')?.decision?.holdReason, 'no-metrics', 'a decision from the first track');
  await autoscaler.tick();
  assert.deepEqual(h.listings, ['ml vernier.dev/inferenceservice=resnet,app.kubernetes.io/component=server']);
  assert.deepEqual(h.scrapes.sort(), ['http://10.0.0.1:8080/metrics', 'http://10.0.0.2:8080/metrics']);
  assert.equal(autoscaler.view('ml/resnet')?.live, undefined, 'one round gives no figures');
  assert.deepEqual(h.changes, []);

  // 20 req/s in all: one pod answers in 50 ms, the other in 100 ms; health probes are not counted.
  const steadyInterval = () => {
    a.answer(150, 0.05);
    b.answer(150, 0.1);
    a.probe(40);
  };
  steadyInterval();
  h.clock += interval;
  await autoscaler.tick();
  let view = autoscaler.view('ml/resnet')!;
  assert.equal(view.live?.rps, 20);
  assert.equal(view.live?.podsCounted, 2);
  // The merged p99 sits among the 100 ms requests; an average of per-pod p99s would be near 75 ms.
  assert.ok(view.live!.p99Ms! > 90 && view.live!.p99Ms! < 110, `p99 ${view.live?.p99Ms} ms`);
  assert.equal(view.decision?.action, 'hold');
  assert.equal(view.error, undefined);
  assert.deepEqual(h.changes, ['ml/resnet'], 'figures appearing are news');
  assert.equal(await gaugeValue(h.metrics.liveRequestsPerSecond), 20);
  assert.equal(await gaugeValue(h.metrics.desiredReplicas), 2);
  const p99Gauge = await gaugeValue(h.metrics.liveP99Seconds);
  assert.ok(p99Gauge !== undefined && Math.abs(p99Gauge - view.live!.p99Ms! / 1000) < 1e-9);

  // The reconciler writes the status from the view, tracking again as it does on every reconcile.
  autoscaler.track(service());
  steadyInterval();
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(autoscaler.view('ml/resnet')?.live?.rps, 20);
  assert.deepEqual(h.changes, ['ml/resnet'], 'the same figures again are not news');

  // 9000 requests in 15 s: (600 + 9000) / 45 s = 213 req/s over the window, and 600 req/s in the latest interval,
  // beyond 2 × 100 × 0.7 = 140: ⌈600 / 70⌉ = 9 wanted, at most 2 + 4 this step.
  a.answer(4500, 0.05);
  b.answer(4500, 0.1);
  h.clock += interval;
  await autoscaler.tick();
  view = autoscaler.view('ml/resnet')!;
  assert.ok(Math.abs(view.live!.rps - 9600 / 45) < 1e-9);
  assert.equal(view.live!.latestRps, 600);
  assert.equal(view.decision?.action, 'scale-up');
  assert.equal(view.decision?.recommendation, 9);
  assert.equal(view.decision?.replicas, 6);
  assert.deepEqual(h.changes, ['ml/resnet', 'ml/resnet'], 'one onChange for the scale-up round');
  assert.equal(await gaugeValue(h.metrics.desiredReplicas), 6);

  await autoscaler.tick();
  assert.equal(h.changes.length, 2, 'a tick before the interval is up runs no round');
});

test('a pod whose scrape fails is counted as missing', async (t) => {
  const a = new FakePod();
  const { pods, scrape } = podsAt({ 'resnet-a': await servePod(t, a), 'resnet-b': await servePod(t, { status: 500 }) });
  const { h, autoscaler } = harness({ pods, scrape });
  autoscaler.track(service());
  await autoscaler.tick();
  a.answer(300, 0.02);
  h.clock += interval;
  await autoscaler.tick();
  const live = autoscaler.view('ml/resnet')?.live;
  assert.equal(live?.rps, 20);
  assert.equal(live?.podsCounted, 1);
  assert.deepEqual(live?.podsMissing, ['resnet-b']);
  assert.equal(live?.complete, false);
});

test('a listing failure is an error in the view and skips the round; the next listing clears it', async () => {
  const { h, autoscaler } = harness();
  autoscaler.track(service());
  h.listError = new Error('connection refused');
  await autoscaler.tick();
  assert.match(autoscaler.view('ml/resnet')?.error ?? '', /cannot list the server pods: connection refused/);
  assert.deepEqual(h.changes, ['ml/resnet'], 'an error appearing is news');

  h.listError = undefined;
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(autoscaler.view('ml/resnet')?.error, undefined);
  assert.deepEqual(h.changes, ['ml/resnet', 'ml/resnet'], 'and so is its going away');
});

test('untrack stops the scraping and forgets the service and its gauges', async () => {
  const { h, autoscaler } = harness({ pods: [{ name: 'resnet-a', ip: '10.0.0.1' }] });
  autoscaler.track(service());
  await autoscaler.tick();
  assert.equal(h.listings.length, 1);
  assert.equal(await gaugeValue(h.metrics.desiredReplicas), 2);

  autoscaler.untrack('ml/resnet');
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(h.listings.length, 1);
  assert.equal(h.scrapes.length, 1);
  assert.equal(autoscaler.view('ml/resnet'), undefined);
  assert.deepEqual(autoscaler.keys(), []);
  assert.equal(await gaugeValue(h.metrics.desiredReplicas), undefined);
});

test('a round in flight when its service is untracked is discarded', async () => {
  let release!: () => void;
  const pods = [{ name: 'resnet-a', ip: '10.0.0.1' }];
  const { h, autoscaler } = harness({ deps: { listServerPods: () => new Promise<ServerPod[]>((resolve) => (release = () => resolve(pods))) } });
  autoscaler.track(service());
  const round = autoscaler.tick();
  autoscaler.untrack('ml/resnet');
  release();
  await round;
  assert.equal(autoscaler.view('ml/resnet'), undefined);
  assert.deepEqual(h.scrapes, []);
  assert.deepEqual(h.changes, []);
});

test('a new pod selector or port starts a fresh history; other changes keep it', async (t) => {
  const a = new FakePod();
  const { pods, scrape } = podsAt({ 'resnet-a': await servePod(t, a) });
  const { h, autoscaler } = harness({ pods, scrape });
  autoscaler.track(service());
  await autoscaler.tick();
  a.answer(150, 0.02);
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(autoscaler.view('ml/resnet')?.live?.rps, 10);

  autoscaler.track(service({ capacityRps: 50, currentReplicas: 3 }));
  assert.equal(autoscaler.view('ml/resnet')?.live?.rps, 10, 'same pods: same history');

  autoscaler.track(service({ podSelector: 'app=other' }));
  assert.equal(autoscaler.view('ml/resnet')?.live, undefined);
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(h.listings.at(-1), 'ml app=other');
  assert.equal(autoscaler.view('ml/resnet')?.live, undefined, 'one round of the new pods gives no figures yet');
});

test('new bounds take effect on track, without waiting for a round', () => {
  const { autoscaler } = harness();
  autoscaler.track(service({ currentReplicas: 2 }));
  assert.equal(autoscaler.view('ml/resnet')?.decision?.replicas, 2);
  autoscaler.track(service({ currentReplicas: 2, autoscaling: AutoscalingSpec.parse({ minReplicas: 3, maxReplicas: 10 }) }));
  const decision = autoscaler.view('ml/resnet')?.decision;
  assert.equal(decision?.action, 'scale-up');
  assert.equal(decision?.replicas, 3);
});

test('the first track counts the current replicas as recommended: no scale-down before the stabilization window', async () => {
  const pod = new FakePod();
  const { h, autoscaler } = harness({ pods: [{ name: 'resnet-a', ip: '10.0.0.1' }], scrape: () => pod.registry.metrics() });
  autoscaler.track(service({ currentReplicas: 5 }));
  const started = h.clock;
  const actions: string[] = [];
  // 1 req/s, far below 5 replicas' capacity, for 6 minutes.
  for (let round = 0; round <= 24; round++) {
    await autoscaler.tick();
    const decision = autoscaler.view('ml/resnet')!.decision!;
    actions.push(`${(h.clock - started) / 1000}:${decision.action}`);
    if (decision.action === 'scale-down') break;
    pod.answer(15, 0.01);
    h.clock += interval;
  }
  assert.equal(actions.at(-1), '300:scale-down', actions.join(' '));
  assert.equal(autoscaler.view('ml/resnet')?.decision?.replicas, 1);
  assert.ok(actions.slice(0, -1).every((a) => a.endsWith(':hold')), actions.join(' '));
});

test('scrapes of one service run at most 8 at a time, each given the scrape timeout', async () => {
  let inFlight = 0;
  let most = 0;
  const timeouts = new Set<number>();
  const pods = Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, ip: `10.0.1.${i}` }));
  const { h, autoscaler } = harness({
    pods,
    scrape: async (_url, timeoutMs) => {
      timeouts.add(timeoutMs);
      most = Math.max(most, ++inFlight);
      await sleep(5);
      inFlight--;
      return '';
    },
  });
  autoscaler.track(service());
  await autoscaler.tick();
  assert.equal(h.scrapes.length, 20);
  assert.equal(most, 8);
  assert.deepEqual([...timeouts], [2_000]);
});

test('start() runs due rounds from a timer; stop() clears it and forgets every service', async () => {
  const { h, autoscaler } = harness({ tuning: { tickMs: 5 } });
  autoscaler.track(service());
  autoscaler.start();
  for (let waited = 0; h.listings.length === 0 && waited < 2_000; waited += 5) await sleep(5);
  assert.equal(h.listings.length, 1);
  h.clock += interval;
  for (let waited = 0; h.listings.length === 1 && waited < 2_000; waited += 5) await sleep(5);
  assert.equal(h.listings.length, 2);

  await autoscaler.stop();
  assert.deepEqual(autoscaler.keys(), []);
  autoscaler.track(service());
  h.clock += interval;
  await sleep(50);
  assert.equal(h.listings.length, 2, 'no round without the timer');
});

test('at most roundsAtOnce services run their round at once, from tick() and from the timer', async () => {
  let inFlight = 0;
  let most = 0;
  const listed: string[] = [];
  const { h, autoscaler } = harness({
    tuning: { roundsAtOnce: 2, tickMs: 5 },
    deps: {
      listServerPods: async (namespace) => {
        most = Math.max(most, ++inFlight);
        await sleep(10);
        inFlight--;
        listed.push(namespace);
        return [];
      },
    },
  });
  const namespaces = ['a', 'b', 'c', 'd', 'e'];
  for (const ns of namespaces) autoscaler.track(service({ key: `${ns}/resnet`, namespace: ns }));
  await autoscaler.tick();
  assert.deepEqual([...listed].sort(), namespaces);
  assert.equal(most, 2);

  listed.length = 0;
  most = 0;
  h.clock += interval;
  autoscaler.start();
  for (let waited = 0; listed.length < namespaces.length && waited < 2_000; waited += 5) await sleep(5);
  await autoscaler.stop();
  assert.deepEqual([...listed].sort(), namespaces);
  assert.equal(most, 2);
});

test('a shorter interval brings the next round forward', async () => {
  const { h, autoscaler } = harness();
  autoscaler.track(service());
  await autoscaler.tick();
  autoscaler.track(service({ autoscaling: AutoscalingSpec.parse({ maxReplicas: 10, intervalSeconds: 5, windowSeconds: 20 }) }));
  h.clock += 5_000;
  await autoscaler.tick();
  assert.equal(h.listings.length, 2);
});

test('figures go once the pods could not be listed for longer than they stay fresh', async () => {
  const pod = new FakePod();
  const { h, autoscaler } = harness({ pods: [{ name: 'resnet-a', ip: '10.0.0.1' }], scrape: () => pod.registry.metrics() });
  autoscaler.track(service());
  await autoscaler.tick();
  pod.answer(300, 0.02);
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(autoscaler.view('ml/resnet')?.live?.rps, 20);

  h.listError = new Error('etcd is down');
  const seen: (number | undefined)[] = [];
  for (let round = 0; round < 4; round++) {
    h.clock += interval;
    await autoscaler.tick();
    seen.push(autoscaler.view('ml/resnet')?.live?.rps);
  }
  assert.deepEqual(seen, [20, 20, 20, undefined], 'kept for 45 s, gone at 60 s');
  const view = autoscaler.view('ml/resnet')!;
  assert.equal(view.decision?.holdReason, 'no-metrics');
  assert.match(view.error ?? '', /etcd is down/);
  assert.equal(await gaugeValue(h.metrics.liveRequestsPerSecond), undefined);
});

test('a pod that was ready and is not now (overloaded) is scraped and does not hold a scale-up; a pod never yet ready does', async (t) => {
  const a = new FakePod();
  const { pods, scrape } = podsAt({ 'resnet-a': await servePod(t, a) });
  const { h, autoscaler } = harness({ pods, scrape });
  autoscaler.track(service({ currentReplicas: 1 }));
  await autoscaler.tick();
  a.answer(3000, 0.05);
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(autoscaler.view('ml/resnet')?.decision?.action, 'scale-up', '200 req/s > 1 × 100 × 0.7');

  // Overloaded, resnet-a fails its readiness probe; resnet-b, just created by the scale-up, is not ready yet.
  autoscaler.track(service({ currentReplicas: 3 }));
  h.pods = [{ ...pods[0], ready: false }, { name: 'resnet-b', ip: '10.0.0.2', ready: false }];
  const scrapesOfA = (): number => h.scrapes.filter((u) => u.includes(pods[0].ip)).length;
  const before = scrapesOfA();
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(autoscaler.view('ml/resnet')?.decision?.holdReason, 'pods-starting', 'resnet-b has never been ready');
  assert.equal(h.scrapes.filter((u) => u.includes('10.0.0.2')).length, 0, 'a pod never yet ready is not scraped');
  assert.equal(scrapesOfA(), before + 1, 'a pod once ready and now not is still scraped: its figures are the overload');

  // resnet-b has been ready once; now only overloaded pods are not ready: nothing is starting.
  h.pods = [{ ...pods[0], ready: false }, { name: 'resnet-b', ip: '10.0.0.2', ready: true }];
  h.clock += interval;
  await autoscaler.tick();
  h.pods = [{ ...pods[0], ready: false }, { name: 'resnet-b', ip: '10.0.0.2', ready: false }];
  h.clock += interval;
  await autoscaler.tick();
  assert.notEqual(autoscaler.view('ml/resnet')?.decision?.holdReason, 'pods-starting');
});

test('the window starts afresh when the capacity becomes known: the measuring load is not users\' load', async (t) => {
  const a = new FakePod();
  const { pods, scrape } = podsAt({ 'resnet-a': await servePod(t, a) });
  const { h, autoscaler } = harness({ pods, scrape });
  autoscaler.track(service({ currentReplicas: 1, capacityRps: undefined }));
  await autoscaler.tick();
  a.answer(3000, 0.4); // the capacity search, pushing one pod past its SLA
  h.clock += interval;
  await autoscaler.tick();
  assert.equal(autoscaler.view('ml/resnet')?.decision?.holdReason, 'no-capacity');
  autoscaler.track(service({ currentReplicas: 1, capacityRps: 100 }));
  assert.equal(autoscaler.view('ml/resnet')?.live, undefined, 'the figures of the measuring load are dropped');
  assert.equal(autoscaler.view('ml/resnet')?.decision?.holdReason, 'no-metrics');
  a.answer(150, 0.01); // users: 10 req/s
  h.clock += interval;
  await autoscaler.tick();
  h.clock += interval;
  await autoscaler.tick();
  assert.notEqual(autoscaler.view('ml/resnet')?.decision?.action, 'scale-up');
});
