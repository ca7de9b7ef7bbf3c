// Counters every load thread of one run shares (SharedArrayBuffer + Atomics): requests in flight and their peak,
// measured sends claimed against a --requests limit, and the stop flag. One per LoadThreads, reset before each run.

const IN_FLIGHT = 0;
const PEAK = 1;
const CLAIMED = 2;
const STOP = 3;
const SLOTS = 4;

export class SharedCounters {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT)) {
    this.cells = new Int32Array(buffer);
  }

  reset(): void {
    for (let i = 0; i < SLOTS; i++) Atomics.store(this.cells, i, 0);
  }

  /** One more request in flight, unless `max` already are (then false and nothing changes). */
  enter(max = Infinity): boolean {
    const now = Atomics.add(this.cells, IN_FLIGHT, 1) + 1;
    if (now > max) {
      Atomics.sub(this.cells, IN_FLIGHT, 1);
      return false;
    }
    for (let peak = Atomics.load(this.cells, PEAK); now > peak; peak = Atomics.load(this.cells, PEAK)) {
      if (Atomics.compareExchange(this.cells, PEAK, peak, now) === peak) break;
    }
    return true;
  }

  leave(): void {
    Atomics.sub(this.cells, IN_FLIGHT, 1);
  }

  /** Takes one of `limit` measured sends; false once all are taken (no limit: always true). */
  claim(limit: number | undefined): boolean {
    return limit === undefined || Atomics.add(this.cells, CLAIMED, 1) < limit;
  }

  stop(): void {
    Atomics.store(this.cells, STOP, 1);
  }

  get stopped(): boolean {
    return Atomics.load(this.cells, STOP) === 1;
  }

  get inFlight(): number {
    return Atomics.load(this.cells, IN_FLIGHT);
  }

  get peakInFlight(): number {
    return Atomics.load(this.cells, PEAK);
  }
}
