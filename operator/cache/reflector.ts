// Keeps an ObjectStore in step with one resource: list once, then watch from the list's resourceVersion; list again
// only when the server says that version is gone (410), never on a clock. Failures back off (Retry-After honoured),
// and a watch that has gone silent is restarted.
import type { KubernetesObject } from '@kubernetes/client-node';
import { backoffDelay } from '../backoff.js';
import { KubeApiError, retryAfterOf, type WatchEvent, type WatchingKubeClient } from '../kube-client.js';
import { ObjectStore, type Change } from './store.js';

/** error: a list or watch failed; stale: a watch went silent; expired: the resourceVersion was gone (410), listed again. */
export type RestartReason = 'error' | 'stale' | 'expired';

export interface ReflectorOptions<T extends KubernetesObject> {
  name: string;
  client: WatchingKubeClient;
  /** The collection, e.g. /apis/apps/v1/deployments or a namespaced one. */
  path: string;
  labelSelector?: string;
  /** What the store keeps of each object (strip what is never read: the cache is most of the operator's memory). */
  transform: (obj: KubernetesObject) => T;
  indexOf?: (obj: T) => string | undefined;
  /** Told of every change to the store a list or watch made (not of events that changed nothing). */
  onChange: (change: Change<T>) => void;
  onRestart?: (reason: RestartReason, error?: unknown) => void;
  /** The server ends each watch after this long (jittered ×1–2 so several reflectors do not rewatch together). */
  watchTimeoutSeconds?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A watch that lived this long counts as healthy: the next failure starts the backoff over. */
  healthyAfterMs?: number;
  /** Restart a watch when nothing (event or bookmark) arrived for this long. Default 2 × the watch timeout + 30 s. */
  staleAfterMs?: number;
}

const isGone = (err: unknown): boolean => err instanceof KubeApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone');
/** A watch that ends sooner than this was not a normal expiry: treated as a failure, so a flapping server gets backoff. */
const MIN_HEALTHY_WATCH_MS = 1_000;

interface ListResponse {
  metadata?: { resourceVersion?: string };
  items?: KubernetesObject[];
}

export class Reflector<T extends KubernetesObject> {
  readonly name: string;
  readonly store: ObjectStore<T>;
  /** Restarts so far, by reason. */
  readonly restarts: Record<RestartReason, number> = { error: 0, stale: 0, expired: 0 };
  lastError: unknown;
  private readonly timeoutSeconds: number;
  private readonly staleAfterMs: number;
  private resourceVersion: string | undefined;
  private stopped = true;
  private failures = 0;
  private syncedOnce = false;
  private waiters: Array<() => void> = [];
  private watchAbort: AbortController | undefined;
  private sleepAbort: AbortController | undefined;
  private lastActivity = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.name = opts.name;
    this.store = new ObjectStore<T>(opts.indexOf);
    this.timeoutSeconds = Math.round((opts.watchTimeoutSeconds ?? 300) * (1 + Math.random()));
    this.staleAfterMs = opts.staleAfterMs ?? 2 * this.timeoutSeconds * 1000 + 30_000;
  }

  /** True once a list succeeded: the store is complete. */
  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Starts and resolves once the first list succeeded (or rejects after `timeoutMs`, still retrying). */
  async start(timeoutMs = 60_000): Promise<void> {
    this.stopped = false;
    this.loop = this.run();
    const every = Math.max(50, Math.min(this.staleAfterMs / 4, 30_000));
    this.watchdog = setInterval(() => this.checkStaleness(), every);
    this.watchdog.unref();
    await this.waitForSync(timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.watchAbort?.abort();
    this.sleepAbort?.abort();
    await this.loop;
  }

  waitForSync(timeoutMs: number): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`informer ${this.name} did not sync within ${timeoutMs} ms`, { cause: this.lastError }));
      }, timeoutMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const startedAt = Date.now();
      try {
        if (this.resourceVersion === undefined) await this.list();
        await this.watch();
        if (this.stopped) return;
        if (Date.now() - startedAt < MIN_HEALTHY_WATCH_MS) throw new Error(`the watch of ${this.name} ended after ${Date.now() - startedAt} ms`);
        this.failures = 0;
      } catch (err) {
        if (this.stopped) return;
        if (isGone(err)) {
          // The server no longer has our resourceVersion: list again now (the store reports only what differs).
          this.resourceVersion = undefined;
          this.restarts.expired++;
          this.opts.onRestart?.('expired', err);
          continue;
        }
        const stale = err instanceof StaleWatch;
        if (Date.now() - startedAt >= (this.opts.healthyAfterMs ?? 30_000)) this.failures = 0;
        this.failures++;
        this.lastError = err;
        const reason: RestartReason = stale ? 'stale' : 'error';
        this.restarts[reason]++;
        this.opts.onRestart?.(reason, stale ? undefined : err);
        // A server that said when to come back (Retry-After) is not asked sooner.
        const delay = stale ? 0 : Math.max(backoffDelay(this.failures, this.opts.initialBackoffMs ?? 200, this.opts.maxBackoffMs ?? 30_000), retryAfterOf(err) ?? 0);
        await this.pause(delay);
      }
    }
  }

  private async list(): Promise<void> {
    const list = await this.opts.client.request<ListResponse>({ method: 'GET', path: this.opts.path, query: { labelSelector: this.opts.labelSelector } });
    const items = (list.items ?? []).map((obj) => this.opts.transform(obj));
    for (const change of this.store.replace(items)) this.opts.onChange(change);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.lastActivity = Date.now();
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private async watch(): Promise<void> {
    const abort = new AbortController();
    this.watchAbort = abort;
    this.lastActivity = Date.now();
    let failure: unknown;
    try {
      await this.opts.client.watch({
        path: this.opts.path,
        query: { labelSelector: this.opts.labelSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.timeoutSeconds },
        signal: abort.signal,
        onEvent: (event) => {
          if (failure !== undefined) return;
          this.lastActivity = Date.now();
          failure = this.handle(event);
          if (failure !== undefined) abort.abort();
        },
      });
    } catch (err) {
      if (failure !== undefined) throw failure;
      if (abort.signal.reason instanceof StaleWatch) throw abort.signal.reason;
      throw err;
    } finally {
      if (this.watchAbort === abort) this.watchAbort = undefined;
    }
    if (failure !== undefined) throw failure;
  }

  /** Applies one watch event; returns the error that ends the watch, if it is one. */
  private handle(event: WatchEvent): unknown {
    const rv = event.object.metadata?.resourceVersion;
    switch (event.type) {
      case 'ERROR': {
        const code = typeof event.object.code === 'number' ? event.object.code : 500;
        const reason = typeof event.object.reason === 'string' ? event.object.reason : undefined;
        return new KubeApiError(`watch of ${this.name}: ${code} ${event.object.message ?? ''}`.trim(), code, reason);
      }
      case 'BOOKMARK':
        break;
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const change = this.store.apply(event.type, this.opts.transform(event.object as KubernetesObject));
        if (change) this.opts.onChange(change);
        break;
      }
    }
    if (rv) this.resourceVersion = rv;
    return undefined;
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    const abort = new AbortController();
    this.sleepAbort = abort;
    return new Promise((resolve) => {
      // Not unref'd: during an outage this timer may be the only thing that brings the watch back.
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private checkStaleness(): void {
    if (this.stopped || !this.watchAbort) return;
    if (Date.now() - this.lastActivity < this.staleAfterMs) return;
    this.watchAbort.abort(new StaleWatch(this.name, this.staleAfterMs));
  }
}

class StaleWatch extends Error {
  constructor(name: string, afterMs: number) {
    super(`the watch of ${name} was silent for ${afterMs} ms`);
  }
}
