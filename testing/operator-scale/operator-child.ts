// `vernier operator` of a chosen build as a child process: its JSON log goes to a file, and the harness can wait for a
// log message, read its pid (for /proc) and kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { eventually } from '../control-plane/eventually.js';

export interface LogLine {
  msg: string;
  level: string;
  [field: string]: unknown;
}

// Killed if the harness dies first, so a crashed run leaves no operator behind to keep writing to the next cluster.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class OperatorChild {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first line logged with each message. */
  private readonly firstByMessage = new Map<string, LogLine>();
  private readonly countsByLevel = new Map<string, number>();
  /** The last lines, for error messages. */
  private readonly tail: string[] = [];
  private readonly child: ChildProcess;
  private readonly log: WriteStream;

  constructor(readonly name: string, cliPath: string, args: string[], logPath: string) {
    this.log = createWriteStream(logPath, { flags: 'a' });
    this.log.write(`==== ${new Date().toISOString()} ${name}: node ${cliPath} operator ${args.join(' ')}\n`);
    this.child = spawn(process.execPath, [cliPath, 'operator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    let buffered = '';
    const onOutput = (chunk: Buffer): void => {
      this.log.write(chunk);
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        this.take(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    };
    this.child.stderr!.on('data', onOutput);
    this.child.stdout!.on('data', onOutput);
    // 'close', not 'exit': the output is drained by then, so nothing is written to the log after it ends.
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        resolve({ code, signal });
      }),
    );
  }

  private take(raw: string): void {
    this.tail.push(raw);
    if (this.tail.length > 100) this.tail.shift();
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      return; // Not a log line (a stack trace): kept in the file and the tail.
    }
    if (!this.firstByMessage.has(line.msg)) this.firstByMessage.set(line.msg, line);
    this.countsByLevel.set(line.level, (this.countsByLevel.get(line.level) ?? 0) + 1);
  }

  get pid(): number | undefined {
    return this.running() ? this.child.pid : undefined;
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines per level so far (warn and error say whether a run was clean). */
  levelCounts(): Record<string, number> {
    return Object.fromEntries(this.countsByLevel);
  }

  async waitForLog(msg: string, timeoutMs: number): Promise<LogLine> {
    return eventually(
      `${this.name} to log "${msg}"`,
      async () => {
        const line = this.firstByMessage.get(msg);
        if (line) return line;
        if (!this.running()) throw new Error(`${this.name} exited before logging "${msg}":\n${this.tail.join('\n')}`);
        return undefined;
      },
      timeoutMs,
      20,
    );
  }

  /** The port of /metrics, from the log line announcing it. */
  async metricsPort(timeoutMs: number): Promise<number> {
    return (await this.waitForLog('serving probes and metrics', timeoutMs)).port as number;
  }

  /** Sends `signal` (SIGKILL after `graceMs` if it is still running) and resolves once it is gone and its log closed. */
  async kill(signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
    if (this.running()) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
    if (!this.log.closed) await new Promise<void>((resolve) => this.log.end(resolve));
  }

  lastLines(): string {
    return this.tail.join('\n');
  }
}
