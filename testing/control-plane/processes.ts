import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process exits, however that happens. */
  readonly exited: Promise<ProcessExit>;
  running(): boolean;
  /** `signal` (SIGTERM unless told), then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<ProcessExit>;
}

export interface StartProcessOptions {
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logPath: string;
  env?: NodeJS.ProcessEnv;
}

// Children still alive when this process ends are killed, so a crashed test leaves nothing behind.
const live = new Set<ChildProcess>();
let exitHooksInstalled = false;

function killAllLive(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllLive);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllLive();
      // Re-raise so the default action (exit with the signal) still happens.
      process.kill(process.pid, signal);
    });
  }
}

export function startProcess(opts: StartProcessOptions): ManagedProcess {
  installExitHooks();
  const fd = openSync(opts.logPath, 'a');
  writeSync(fd, `\n==== ${new Date().toISOString()} starting ${opts.command} ${opts.args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, { stdio: ['ignore', fd, fd], env: opts.env ?? process.env });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (err) => {
      live.delete(child);
      exit = { code: -1, signal: null };
      resolve(exit);
      // Spawn failures (ENOENT, EACCES) also land here; record them next to the process's own output.
      try {
        const errFd = openSync(opts.logPath, 'a');
        writeSync(errFd, `==== ${opts.name} failed to start: ${err.message}\n`);
        closeSync(errFd);
      } catch {
        // The log directory vanished; nothing more to record.
      }
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      exit = { code, signal };
      resolve(exit);
    });
  });
  return {
    name: opts.name,
    pid: child.pid ?? -1,
    logPath: opts.logPath,
    exited,
    running: () => exit === undefined,
    async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM') {
      if (exit) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The last `lines` lines of a log file, for error messages. */
export async function logTail(path: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(could not read ${path}: ${(err as Error).message})`;
  }
}
