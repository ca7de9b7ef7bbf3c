// The flags of `npm run bench:operator`, and the smoke settings CI runs.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Progress } from './convergence.js';

export const usage = `usage: npm run bench:operator -- [--count 1000] [--idle-minutes 30] [--operator-cli dist/cli/vernier.js]
         [--namespaces 10] [--create-concurrency 16] [--out FILE.json] [--keep] [--smoke]

  --count               InferenceServices to create (copies of examples/mlp.yaml)
  --idle-minutes        how long to watch the operator idle once it has settled (fractions allowed)
  --operator-cli        the vernier CLI whose operator is measured, e.g. another build's dist/cli/vernier.js
  --quiet-timeout-minutes  the longest wait for the operator to go quiet after creation and after the restart (default 10)
  --out                 write the figures as JSON here
  --keep                keep the work directory (audit log, operator logs)
  --smoke               30 objects, 20 s idle, short settling: a quick check that the harness works`;

export interface ScaleSettings {
  count: number;
  namespaces: number;
  /** The `vernier` CLI whose operator is measured (dist/cli/vernier.js of some build). */
  operatorCli: string;
  idleSeconds: number;
  createConcurrency: number;
  /** After the last object is observed, this long still counts as creation (its last events and writes). */
  settleSeconds: number;
  /** Quiet means: no reconcile and an empty work queue for this long. */
  quietSeconds: number;
  /** The longest wait for quiet, after creation and after the restart. */
  quietTimeoutSeconds: number;
  observeTimeoutSeconds: number;
  /** How many specs are changed one at a time (latency), and how many while the operator is down. */
  changes: number;
  /** Keep the work directory (audit log, operator logs) afterwards. */
  keep: boolean;
  progress: Progress;
}

/** This tree's CLI (dist/cli/vernier.js next to this compiled file's folder). */
export const thisTreeCli = (): string => fileURLToPath(new URL('../../cli/vernier.js', import.meta.url));

export const SMOKE: Pick<ScaleSettings, 'count' | 'idleSeconds' | 'settleSeconds' | 'quietSeconds' | 'quietTimeoutSeconds' | 'observeTimeoutSeconds'> = {
  count: 30,
  idleSeconds: 20,
  settleSeconds: 2,
  quietSeconds: 3,
  quietTimeoutSeconds: 30,
  observeTimeoutSeconds: 60,
};

function positive(name: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)))) throw new Error(`--${name}: '${raw}' is not a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

export interface CliSettings {
  settings: Omit<ScaleSettings, 'progress'>;
  out?: string;
}

/** Flags → settings; undefined for --help. */
export function parseBenchArgs(argv: string[]): CliSettings | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string' },
      'idle-minutes': { type: 'string' },
      'operator-cli': { type: 'string' },
      namespaces: { type: 'string', default: '10' },
      'create-concurrency': { type: 'string', default: '16' },
      'quiet-timeout-minutes': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const count = values.count !== undefined ? positive('count', values.count, true) : values.smoke ? SMOKE.count : 1000;
  const idleSeconds = values['idle-minutes'] !== undefined ? positive('idle-minutes', values['idle-minutes'], false) * 60 : values.smoke ? SMOKE.idleSeconds : 30 * 60;
  const quietTimeoutSeconds =
    values['quiet-timeout-minutes'] !== undefined ? positive('quiet-timeout-minutes', values['quiet-timeout-minutes'], false) * 60 : values.smoke ? SMOKE.quietTimeoutSeconds : 600;
  return {
    settings: {
      count,
      namespaces: positive('namespaces', values.namespaces, true),
      operatorCli: values['operator-cli'] ?? thisTreeCli(),
      idleSeconds,
      createConcurrency: positive('create-concurrency', values['create-concurrency'], true),
      settleSeconds: values.smoke ? SMOKE.settleSeconds : 5,
      quietSeconds: values.smoke ? SMOKE.quietSeconds : 10,
      quietTimeoutSeconds,
      // Generous: a slow build on a busy machine should produce figures, not a timeout.
      observeTimeoutSeconds: values.smoke ? SMOKE.observeTimeoutSeconds : 120 + count * 0.5,
      changes: 10,
      keep: values.keep,
    },
    out: values.out,
  };
}
