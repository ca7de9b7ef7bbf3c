// `vernier operator` as a child process, so a test can SIGKILL it mid-reconcile and start another.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './cluster.js';

const CLI = fileURLToPath(new URL('../../cli/vernier.js', import.meta.url));

export interface LogLine {
  msg: string;
  level: string;
  [field: string]: unknown;
}

export class OperatorProcess {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(readonly name: string, args: string[]) {
    this.child = spawn(process.execPath, [CLI, 'operator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    this.child.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        this.raw.push(line);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          // Not a log line (e.g. a stack trace): kept in raw.
        }
      }
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.raw.push(chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async waitForLog(msg: string, timeoutMs = 60_000): Promise<LogLine> {
    return eventually(`${this.name} to log "${msg}"`, async () => this.lines.find((l) => l.msg === msg), timeoutMs, 20);
  }

  /** The port it serves /metrics on, from its log. */
  async httpPort(): Promise<number> {
    return (await this.waitForLog('serving probes and metrics')).port as number;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  dump(): string {
    return `--- ${this.name} (pid ${this.pid}) ---\n${this.raw.join('\n')}\n`;
  }
}
