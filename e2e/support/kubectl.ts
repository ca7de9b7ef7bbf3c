// kubectl against the e2e cluster, through execa: the same commands a user types.
import { execa } from 'execa';
import { defaultSettings } from '../../operator/settings.js';
import { requireImage, selectProvider } from '../cluster/provider.js';

export interface Kubectl {
  kubeconfig: string;
  /** The kubectl program these calls run, for long-running commands such as watches (support/kubectl-watch.ts). */
  command: string;
  /** Runs kubectl; rejects with its stderr on a non-zero exit. */
  (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
}

/** kubectl bound to the running e2e cluster; fails loudly when none is up. */
export async function clusterKubectl(): Promise<Kubectl> {
  const provider = await selectProvider();
  const cluster = await provider.status();
  if (!cluster) {
    throw new Error(`no ${provider.name} e2e cluster is up: run 'npm run cluster:up' first (or 'npm run test:e2e', which does)`);
  }
  // Every spec runs the operator's default server image: say so plainly when it was never loaded.
  await requireImage(provider, defaultSettings().serverImage);
  const command = cluster.kubectl;
  const kubectl = (async (args: string[], opts: { input?: string; timeoutMs?: number } = {}) => {
    try {
      const { stdout } = await execa(command, ['--kubeconfig', cluster.kubeconfig, ...args], {
        input: opts.input,
        timeout: opts.timeoutMs ?? 300_000,
      });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; shortMessage?: string };
      throw new Error(`kubectl ${args.join(' ')} failed: ${(e.stderr || e.shortMessage || String(err)).trim()}`, { cause: err });
    }
  }) as Kubectl;
  kubectl.kubeconfig = cluster.kubeconfig;
  kubectl.command = command;
  return kubectl;
}

/** Everything a person needs to see why a spec failed in `namespace`: pods, describe, events, logs. */
export async function dumpNamespace(kubectl: Kubectl, namespace: string, extraLogs: { namespace: string; selector: string }[] = []): Promise<string> {
  const sections: string[] = [];
  const add = async (title: string, args: string[]): Promise<void> => {
    const out = await kubectl(args, { timeoutMs: 30_000 }).catch((err: Error) => `(failed: ${err.message})`);
    sections.push(`----- ${title}\n${out}`);
  };
  await add(`objects in ${namespace}`, ['-n', namespace, 'get', 'all,inferenceservices,events', '-o', 'wide']);
  await add(`describe pods in ${namespace}`, ['-n', namespace, 'describe', 'pods']);
  await add(`describe jobs in ${namespace}`, ['-n', namespace, 'describe', 'jobs']);
  await add(`events in ${namespace}`, ['-n', namespace, 'get', 'events', '--sort-by=.lastTimestamp']);
  await add(`logs in ${namespace}`, ['-n', namespace, 'logs', '--all-containers', '--prefix', '--tail=80', '-l', 'vernier.dev/e2e!=none']);
  for (const { namespace: ns, selector } of extraLogs) {
    await add(`logs ${ns} ${selector}`, ['-n', ns, 'logs', '--all-containers', '--prefix', '--tail=200', '-l', selector]);
  }
  return sections.join('\n');
}
