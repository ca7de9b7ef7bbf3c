// Keeps an informer alive: client-node informers stop for good on any error other than 410 Gone, so a supervisor
// replaces them with backoff, relists periodically and restarts a watch that has gone silent.
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import { backoffDelay } from './backoff.js';
import { definedOnly } from './defined-only.js';
import { retryAfterOf } from './kube-client.js';

export type InformerEventType = 'add' | 'update' | 'delete';
export type RestartReason = 'error' | 'stale' | 'relist';

/** The slice of client-node's makeInformer result the supervisor uses. */
export type ManagedInformer<T extends KubernetesObject> = Pick<Informer<T>, 'on' | 'start' | 'stop'> & Pick<ObjectCache<T>, 'list'>;

export interface InformerSupervisorOptions<T extends KubernetesObject> {
  name: string;
  /** Builds a fresh informer (e.g. () => makeInformer(kc, path, list, labelSelector)); called on every (re)start. */
  createInformer: () => ManagedInformer<T>;
  onEvent: (type: InformerEventType, obj: T) => void;
  /** Told about each restart (for metrics) and error (for logs). */
  onRestart?: (reason: RestartReason, error?: unknown) => void;
  /** First delay after an error; doubles per consecutive failure up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Replace the informer (full list, so missed deletions surface) this often. */
  relistEveryMs?: number;
  /** Restart when nothing (event or reconnect) arrived for this long; watches end on their own well before it. */
  staleAfterMs?: number;
  /** An informer that lived this long counts as healthy: the next failure starts the backoff over. */
  healthyAfterMs?: number;
}

interface Generation<T extends KubernetesObject> {
  id: number;
  informer: ManagedInformer<T>;
  startedAt: number;
}

export class InformerSupervisor<T extends KubernetesObject> {
  readonly name: string;
  private readonly opts: Required<Omit<InformerSupervisorOptions<T>, 'onRestart'>> & Pick<InformerSupervisorOptions<T>, 'onRestart'>;
  private current: Generation<T> | undefined;
  /** The latest informer that completed a list: what we last knew, for the deletion diff. */
  private lastSynced: Generation<T> | undefined;
  private nextId = 0;
  private failures = 0;
  private lastActivity = Date.now();
  private stopped = true;
  private restartTimer: NodeJS.Timeout | undefined;
  private relistTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private syncedOnce = false;
  private waiters: Array<() => void> = [];
  /** Restarts so far, by reason. */
  readonly restarts: Record<RestartReason, number> = { error: 0, stale: 0, relist: 0 };
  lastError: unknown;

  constructor(options: InformerSupervisorOptions<T>) {
    this.name = options.name;
    this.opts = {
      initialBackoffMs: 200,
      maxBackoffMs: 30_000,
      relistEveryMs: 10 * 60_000,
      staleAfterMs: 10 * 60_000,
      healthyAfterMs: 30_000,
      ...definedOnly(options),
    };
  }

  /** True once a list succeeded: the informer's view is complete. */
  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Objects as last seen; empty until synced. */
  list(): ReadonlyArray<T> {
    return this.lastSynced?.informer.list() ?? [];
  }

  /** Starts and resolves once the first list succeeded (or rejects after `timeoutMs`). */
  async start(timeoutMs = 60_000): Promise<void> {
    this.stopped = false;
    this.launch();
    const watchdogEvery = Math.max(50, Math.min(this.opts.staleAfterMs / 4, 30_000));
    this.watchdogTimer = setInterval(() => this.checkStaleness(), watchdogEvery);
    this.watchdogTimer.unref();
    this.scheduleRelist();
    await this.waitForSync(timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.relistTimer);
    clearInterval(this.watchdogTimer);
    const old = this.current;
    this.current = undefined;
    if (old) await old.informer.stop().catch(() => undefined);
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

  private launch(): void {
    if (this.stopped) return;
    const id = ++this.nextId;
    let informer: ManagedInformer<T>;
    try {
      informer = this.opts.createInformer();
    } catch (err) {
      this.current = undefined;
      this.fail(id, err);
      return;
    }
    const generation: Generation<T> = { id, informer, startedAt: Date.now() };
    this.current = generation;
    this.lastActivity = Date.now();
    // Events from a replaced informer are ignored: only the current generation speaks.
    const live = () => this.current?.id === id && !this.stopped;
    const emit = (type: InformerEventType) => (obj: T) => {
      if (!live()) return;
      this.lastActivity = Date.now();
      this.opts.onEvent(type, obj);
    };
    informer.on('add', emit('add'));
    informer.on('update', emit('update'));
    informer.on('delete', emit('delete'));
    informer.on('connect', () => {
      if (live()) this.lastActivity = Date.now();
    });
    informer.on('error', (err?: unknown) => {
      if (live()) this.fail(id, err);
    });
    informer.start().then(
      () => {
        if (!live()) return;
        this.onSynced(generation);
      },
      (err: unknown) => {
        if (live()) this.fail(id, err);
      },
    );
  }

  /** The new informer has listed: report objects the previous one knew that no longer exist, then mark synced. */
  private onSynced(generation: Generation<T>): void {
    const previous = this.lastSynced;
    this.lastSynced = generation;
    if (previous && previous !== generation) {
      const present = new Set(generation.informer.list().map(keyOf));
      for (const obj of previous.informer.list()) if (!present.has(keyOf(obj))) this.opts.onEvent('delete', obj);
    }
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private fail(id: number, err: unknown): void {
    if (this.stopped) return;
    if (this.current && this.current.id !== id) return;
    this.lastError = err;
    const lived = this.current ? Date.now() - this.current.startedAt : 0;
    if (lived >= this.opts.healthyAfterMs) this.failures = 0;
    this.retire();
    this.failures++;
    // A list refused with Retry-After (the watch's own client does not show it) waits at least that long.
    const delay = Math.max(backoffDelay(this.failures, this.opts.initialBackoffMs, this.opts.maxBackoffMs), retryAfterOf(err) ?? 0);
    this.restarts.error++;
    this.opts.onRestart?.('error', err);
    this.replaceAfter(delay);
  }

  /** Silences the current informer and stops its watch; its cache stays readable for the deletion diff. */
  private retire(): void {
    const old = this.current;
    if (!old) return;
    old.id = -1;
    void old.informer.stop().catch(() => undefined);
  }

  private replaceAfter(delayMs: number): void {
    clearTimeout(this.restartTimer);
    // Not unref'd: during an outage this timer may be the only thing that brings the informer back.
    this.restartTimer = setTimeout(() => this.launch(), delayMs);
  }

  private checkStaleness(): void {
    // A retired informer waiting out its backoff is not stale, it is resting.
    if (this.stopped || !this.current || this.current.id === -1) return;
    if (Date.now() - this.lastActivity < this.opts.staleAfterMs) return;
    this.restarts.stale++;
    this.opts.onRestart?.('stale');
    this.retire();
    this.replaceAfter(0);
  }

  private scheduleRelist(): void {
    clearTimeout(this.relistTimer);
    this.relistTimer = setTimeout(() => {
      if (this.stopped) return;
      this.restarts.relist++;
      this.opts.onRestart?.('relist');
      this.retire();
      this.replaceAfter(0);
      this.scheduleRelist();
    }, this.opts.relistEveryMs);
    this.relistTimer.unref();
  }
}

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
