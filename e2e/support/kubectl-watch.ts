// `kubectl get --watch` of one object, each event's jsonpath line kept with the time it arrived: exact transition
// times (when a replica became ready) at the cost of one process, rather than a kubectl call per sample.
import { execa, type ResultPromise } from 'execa';
import type { Kubectl } from './kubectl.js';

export interface WatchedLine {
  /** ms since the epoch, when the line was read. */
  at: number;
  text: string;
}

export interface KubectlWatch {
  /** Every line so far, in arrival order. */
  readonly lines: readonly WatchedLine[];
  /** Stops the watch (and any restart); resolves once kubectl has exited. */
  stop(): Promise<void>;
}

export interface WatchOptions {
  /** Called with each line as it arrives. */
  onLine?: (line: WatchedLine) => void;
  /** The API server ends watches now and then; kubectl is started again at most this many times. */
  maxRestarts?: number;
  /** The watch stops by itself after this long, whatever happens to the caller. */
  maxDurationMs?: number;
}

/**
 * Watches `kind/name` in `namespace`, printing `jsonpath` (without the trailing newline, added here) once for the
 * current state and once per change.
 */
export function watchObject(kubectl: Kubectl, namespace: string, object: string, jsonpath: string, options: WatchOptions = {}): KubectlWatch {
  const lines: WatchedLine[] = [];
  const maxRestarts = options.maxRestarts ?? 5;
  const deadline = Date.now() + (options.maxDurationMs ?? 30 * 60_000);
  let stopped = false;
  let child: ResultPromise | undefined;

  const start = (): ResultPromise => {
    const args = ['--kubeconfig', kubectl.kubeconfig, '-n', namespace, 'get', object, '--watch', '-o', `jsonpath=${jsonpath}{"\\n"}`];
    const proc = execa(kubectl.command, args, { timeout: Math.max(1, deadline - Date.now()), reject: false, buffer: false });
    let partial = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) {
        const line = { at: Date.now(), text };
        lines.push(line);
        options.onLine?.(line);
      }
    });
    return proc;
  };

  const supervise = async (): Promise<void> => {
    for (let restarts = 0; !stopped && restarts <= maxRestarts && Date.now() < deadline; restarts++) {
      child = start();
      await child;
    }
  };
  const running = supervise();

  return {
    lines,
    async stop() {
      stopped = true;
      child?.kill('SIGTERM');
      await running;
    },
  };
}
