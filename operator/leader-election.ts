// Leader election on a coordination.k8s.io Lease, as client-go does it: acquire when expired, renew, step down on failure.
import { definedOnly } from './defined-only.js';
import { isAlreadyExists, isConflict, isNotFound, resourcePath, type KubeClient } from './kube-client.js';
import { errorField, type Logger } from './log.js';
import { at, LEASES } from './resources.js';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  log: Logger;
  /** How long a lease holds without renewal. */
  leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long (< leaseDurationMs). */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. */
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly o: Required<LeaderElectionOptions>;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  /** The acquire/renew call in progress: stop() waits for it, or its write would race the release. */
  private attempt: Promise<boolean> | undefined;
  /** The holder record last seen and when (by our clock), so expiry does not depend on clock skew. */
  private observed: { record: string; at: number } | undefined;

  constructor(options: LeaderElectionOptions) {
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...definedOnly(options) };
    if (this.o.renewDeadlineMs >= this.o.leaseDurationMs) throw new Error('renewDeadlineMs must be shorter than leaseDurationMs');
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** Stops trying; a leader gives the lease up so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    await this.attempt?.catch(() => undefined);
    for (let tries = 1; ; tries++) {
      try {
        const lease = await this.read();
        if (lease?.spec?.holderIdentity === this.o.identity) {
          lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) };
          await this.o.client.request({ method: 'PUT', path: this.path(), body: lease });
        }
        return;
      } catch (err) {
        // A write of ours may still have been on the wire: read the lease again and retry once or twice.
        if (isConflict(err) && tries < 3) continue;
        this.o.log.warn('could not release the leader lease', { error: errorField(err) });
        return;
      }
    }
  }

  private path(name?: string): string {
    return resourcePath(at(LEASES, this.o.namespace, name ?? this.o.name));
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.o.client.request<Lease>({ method: 'GET', path: this.path() });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let held = false;
    try {
      this.attempt = this.tryAcquireOrRenew();
      held = await this.attempt;
    } catch (err) {
      this.o.log.warn('leader election attempt failed', { lease: `${this.o.namespace}/${this.o.name}`, error: errorField(err) });
    }
    if (this.stopped) return;
    const now = Date.now();
    if (held) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.o.log.info('became leader', { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity });
        this.o.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew > this.o.renewDeadlineMs) {
      this.leading = false;
      this.o.log.error('lost leadership: could not renew the lease in time', { lease: `${this.o.namespace}/${this.o.name}` });
      this.o.onStoppedLeading();
      return;
    }
    this.timer = setTimeout(() => void this.tick(), this.o.retryPeriodMs);
    this.timer.unref();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const durationSeconds = Math.ceil(this.o.leaseDurationMs / 1000);
    const lease = await this.read();
    if (!lease) {
      const body: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.o.name, namespace: this.o.namespace },
        spec: { holderIdentity: this.o.identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      };
      try {
        await this.o.client.request({ method: 'POST', path: resourcePath(at(LEASES, this.o.namespace)), body });
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = `${holder}|${spec.renewTime ?? ''}|${spec.leaseDurationSeconds ?? ''}`;
    if (this.observed?.record !== record) this.observed = { record, at: now.getTime() };
    const expired = this.observed.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < now.getTime();
    if (holder !== '' && holder !== this.o.identity && !expired) return false;
    const mine = holder === this.o.identity;
    lease.spec = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      await this.o.client.request({ method: 'PUT', path: this.path(), body: lease });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}
