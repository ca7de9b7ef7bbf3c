// Request deadlines with one timer: every request gets the same timeout, so deadlines expire in send order.
import { performance } from 'node:perf_hooks';

export interface Expirable {
  /** performance.now() after which the request has timed out; set by the queue. */
  deadline: number;
  settled: boolean;
  expire(): void;
}

/** Settled entries are skipped from the front, so memory stays about one timeout's worth of requests. */
const compactAfter = 4096;

export class DeadlineQueue {
  private entries: Expirable[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(entry: Expirable): void {
    entry.deadline = performance.now() + this.timeoutMs;
    this.entries.push(entry);
    if (!this.timer) this.arm();
  }

  /** Called when an entry settles: drops settled entries from the front. */
  settled(): void {
    while (this.head < this.entries.length && this.entries[this.head].settled) this.head++;
    if (this.head >= compactAfter && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.settled();
    const next = this.entries[this.head];
    if (!next) return;
    this.timer = setTimeout(this.expireDue, Math.max(0, next.deadline - performance.now()));
    this.timer.unref();
  }

  private readonly expireDue = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head];
      if (!entry.settled && entry.deadline > now) break;
      this.head++;
      if (!entry.settled) entry.expire();
    }
    this.arm();
  };
}
