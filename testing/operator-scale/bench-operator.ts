// `npm run bench:operator`: the operator at scale on the tier-2 control plane (see scale-bench.ts); prints a table and
// writes the figures as JSON with --out.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatReport } from './report.js';
import { runOperatorScaleBench } from './scale-bench.js';
import { parseBenchArgs, usage } from './settings.js';

const log = (line: string): void => console.log(`bench:operator: ${line}`);

async function main(argv: string[]): Promise<number> {
  const parsed = parseBenchArgs(argv);
  if (!parsed) {
    console.log(usage);
    return 0;
  }
  const operatorCli = resolve(parsed.settings.operatorCli);
  if (!existsSync(operatorCli)) throw new Error(`--operator-cli ${operatorCli} does not exist (build that tree first)`);
  const figures = await runOperatorScaleBench({ ...parsed.settings, operatorCli, progress: log });
  console.log(`\n${formatReport(figures)}`);
  if (parsed.out) {
    await mkdir(dirname(resolve(parsed.out)), { recursive: true });
    await writeFile(parsed.out, `${JSON.stringify(figures, null, 1)}\n`);
    log(`figures written to ${parsed.out}`);
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`bench:operator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  for (let cause = err instanceof Error ? err.cause : undefined; cause; cause = cause instanceof Error ? cause.cause : undefined) {
    console.error(`  caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
  }
  process.exitCode = 1;
}
