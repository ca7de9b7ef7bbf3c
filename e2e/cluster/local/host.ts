// Thin wrappers around host commands (ip, iptables, sysctl, ctr, mount, docker, kind) for the cluster providers.
import { execa } from 'execa';

/** Runs a command, failing with its stderr in the message. */
export async function run(command: string, args: string[], opts: { input?: string } = {}): Promise<string> {
  try {
    const { stdout } = await execa(command, args, { input: opts.input, stripFinalNewline: true });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; shortMessage?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr || e.shortMessage || String(err)).trim()}`, { cause: err });
  }
}

/** Like run, but a failure is returned as undefined (for cleanup steps that may find nothing to clean). */
export async function tryRun(command: string, args: string[], opts: { input?: string } = {}): Promise<string | undefined> {
  try {
    return await run(command, args, opts);
  } catch {
    return undefined;
  }
}

/** The image references in `ctr images ls -q` output (digest-only entries left out). Pure. */
export function imageRefsOfCtrList(listed: string): string[] {
  return listed.split('\n').filter((line) => line.length > 0 && !line.startsWith('sha256:'));
}

export async function commandExists(command: string): Promise<boolean> {
  return (await tryRun('sh', ['-c', `command -v ${command}`])) !== undefined;
}
