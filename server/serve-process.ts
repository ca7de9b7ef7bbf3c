import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../contracts/package-root.js';

/** The program's entry point, as a path rather than an import: the server does not depend on the CLI that starts it. */
export const vernierBin = join(packageRoot(), 'dist', 'cli', 'vernier.js');

export interface ServeProcess {
  url: string;
  /** The probe port's URL, when started with --probe-port. */
  probeUrl?: string;
  child: ChildProcess;
  output: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `vernier serve` as a child process on a free loopback port; resolves once it listens, rejects with its output if it exits first. */
export async function startServeProcess(args: string[], timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, [vernierBin, 'serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { url, probeUrl } = await new Promise<{ url: string; probeUrl?: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-64 * 1024);
      // The whole line, so that a URL cut between two chunks is never taken.
      const match = /listening on (http:\/\/[^\s,]+)(?:, probes on (http:\/\/\S+))?\n/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], probeUrl: match[2] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    probeUrl,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
