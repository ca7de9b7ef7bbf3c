// Runs a development script's main() when its module is the one node was started with (not when a test imports it).
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

/** Calls main(argv) if `moduleUrl` (import.meta.url) is the entry point; its result is the exit code, a throw is exit 1. */
export function runScript(moduleUrl: string, name: string, main: (argv: string[]) => Promise<number>): void {
  if (!isEntryPoint(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      if (err instanceof Error && err.cause) console.error(err.cause);
      process.exitCode = 1;
    },
  );
}
