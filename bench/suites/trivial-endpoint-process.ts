// Starts trivial-endpoint.js as a child process (bench:loadgen's target, and bench:server's HTTP floor).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface TrivialEndpoint {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** No config: model 'm', answered at once. A config: that model's metadata, each infer answered `delayMs` after its body. */
export async function startTrivialEndpoint(config?: { metadata: object; delayMs: number }): Promise<TrivialEndpoint> {
  const script = fileURLToPath(new URL('./trivial-endpoint.js', import.meta.url));
  const child = spawn(process.execPath, [script, ...(config ? [JSON.stringify(config)] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
