// One encoder/decoder between a process's zod options schema and its command line: flags, --help and VERNIER_*
// variables are all derived from the schema's fields, so a field cannot be accepted in one place and missing in another.
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** How a field is written on the command line. */
export type FlagKind = 'string' | 'number' | 'boolean' | 'string-list' | 'number-list';

/** The unit of a duration field: its plain numbers are in it, and `30s`, `2m`, `1h`, `250ms` are converted to it. */
export type DurationUnit = 's' | 'ms';

/** What a reader of --help learns about one field; the flag is always the field's name in kebab case. */
export interface OptionDoc {
  help: string;
  /** A one-letter alias (e.g. 'c' for --concurrency). */
  short?: string;
  /** The heading it is listed under in --help. */
  group?: string;
  /** A number field that is a duration in this unit: it also takes a number with a unit (30s, 2m, 500ms). */
  unit?: DurationUnit;
  /** A list field given once per item (`--header A --header B`) rather than comma-separated; its variable has one item per line. */
  repeat?: boolean;
}

/** Help for every field of the schema: a missing one is a compile error. */
export type OptionDocs<S extends z.ZodObject> = { [K in keyof z.input<S> & string]-?: OptionDoc | string };

export interface CommandLine<S extends z.ZodObject> {
  /** e.g. 'vernier serve' */
  command: string;
  /** The lines above the options in --help. */
  synopsis: string;
  schema: S;
  docs: OptionDocs<S>;
  /** Lines below the options in --help. */
  epilogue?: string;
}

/** Bad flags or variables: the message names each one and what it expects. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function envName(key: string): string {
  return `VERNIER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The leaf type under optional/default/pipe wrappers. */
function leafType(schema: z.ZodType): Def {
  let def = defOf(schema);
  for (;;) {
    if (def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else return def;
  }
}

export function flagKind(schema: z.ZodType): FlagKind {
  const leaf = leafType(schema);
  if (leaf.type === 'boolean') return 'boolean';
  if (leaf.type === 'number' || leaf.type === 'int') return 'number';
  if (leaf.type === 'array') return leafType(leaf.element!).type === 'number' ? 'number-list' : 'string-list';
  return 'string';
}

function fields<S extends z.ZodObject>(schema: S): [string, z.ZodType][] {
  return Object.entries(schema.shape as Record<string, z.ZodType>);
}

const msPerUnit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `2m`, `1.5h`, `250ms` or a plain number (already in `unit`) → a number in `unit`; undefined when unreadable. */
export function parseDuration(text: string, unit: DurationUnit): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[2] === undefined ? value : (value * msPerUnit[match[2]]) / msPerUnit[unit];
}

/** argv for `values` (fields left undefined are left out, so the receiving process applies its own defaults). */
export function encodeArgs<S extends z.ZodObject>(schema: S, values: Partial<z.input<S>>, docs?: OptionDocs<S>): string[] {
  const checked = schema.safeParse(values);
  if (!checked.success) throw new UsageError(`cannot build the command line: ${describeIssues(schema, checked.error.issues, () => false)}`);
  const args: string[] = [];
  for (const [key, field] of fields(schema)) {
    const value = (values as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const kind = flagKind(field);
    const repeat = docs !== undefined && docOfDocs(docs, key).repeat === true;
    if (kind === 'boolean') {
      if (value === true) args.push(`--${kebab(key)}`);
    } else if (Array.isArray(value) && repeat) {
      for (const item of value) args.push(`--${kebab(key)}`, String(item));
    } else if (Array.isArray(value)) {
      args.push(`--${kebab(key)}`, value.join(','));
    } else {
      args.push(`--${kebab(key)}`, String(value));
    }
  }
  return args;
}

/** A flag's or variable's text as the schema's field type, or an issue that names it. */
function convert(kind: FlagKind, text: string | string[], doc: OptionDoc): { value: unknown } | { problem: string } {
  if (Array.isArray(text)) return { value: text };
  const number = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined);
  if (kind === 'number' && doc.unit) {
    const n = parseDuration(text, doc.unit);
    const example = doc.unit === 's' ? '30, 30s, 2m or 1h' : '500, 500ms, 2s or 1m';
    return n === undefined ? { problem: `expected a duration such as ${example}, got '${text}'` } : { value: n };
  }
  if (kind === 'string-list' && doc.repeat) return { value: text.split('\n').filter((s) => s.trim() !== '') };
  switch (kind) {
    case 'number': {
      const n = number(text);
      return n === undefined ? { problem: `expected a number, got '${text}'` } : { value: n };
    }
    case 'boolean':
      if (['true', '1', 'yes'].includes(text.toLowerCase())) return { value: true };
      if (['false', '0', 'no', ''].includes(text.toLowerCase())) return { value: false };
      return { problem: `expected true or false, got '${text}'` };
    case 'number-list': {
      const items = text.split(',').map((s) => number(s));
      return items.some((n) => n === undefined) ? { problem: `expected numbers separated by commas, got '${text}'` } : { value: items };
    }
    case 'string-list':
      return { value: text.split(',').map((s) => s.trim()) };
    default:
      return { value: text };
  }
}

function label(key: string, withEnv: boolean): string {
  return withEnv ? `--${kebab(key)} (${envName(key)})` : `--${kebab(key)}`;
}

/** One line per issue, naming the flag (and the variable, where the value came from one). */
function describeIssues(schema: z.ZodObject, issues: z.core.$ZodIssue[], fromEnv: (key: string) => boolean): string {
  return issues
    .map((issue) => {
      const key = issue.path[0];
      return typeof key === 'string' && key in schema.shape ? `${label(key, fromEnv(key))}: ${issue.message}` : issue.message;
    })
    .join('\n');
}

/**
 * Options from argv, falling back to VERNIER_* variables in `env`, then to the schema's defaults.
 * Returns 'help' for -h/--help; throws a UsageError naming every bad flag.
 */
export function decodeArgs<S extends z.ZodObject>(line: CommandLine<S>, argv: string[], env: NodeJS.ProcessEnv = {}): z.output<S> | 'help' {
  const schema = line.schema;
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  const shorts = new Map<string, string>([['h', 'help']]);
  for (const [key, field] of fields(schema)) {
    const { short, repeat } = docOf(line, key);
    if (short !== undefined) {
      // A programming error in the command's definition, not a user's: two flags cannot share a letter.
      if (shorts.has(short)) throw new Error(`${line.command}: -${short} is both --${kebab(shorts.get(short)!)} and --${kebab(key)}`);
      shorts.set(short, key);
    }
    options[kebab(key)] = { type: flagKind(field) === 'boolean' ? 'boolean' : 'string', ...(short ? { short } : {}), ...(repeat ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  if (parsed.values.help) return 'help';
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const fromEnv = new Set<string>();
  for (const [key, field] of fields(schema)) {
    const given = parsed.values[kebab(key)];
    const variable = env[envName(key)];
    if (given === undefined && (variable === undefined || variable === '')) continue;
    if (given === undefined) fromEnv.add(key);
    if (typeof given === 'boolean') {
      raw[key] = given;
      continue;
    }
    const converted = convert(flagKind(field), (given as string | string[] | undefined) ?? variable!, docOf(line, key));
    if ('problem' in converted) problems.push(`${label(key, given === undefined)}: ${converted.problem}`);
    else raw[key] = converted.value;
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const result = schema.safeParse(raw);
  if (!result.success) throw new UsageError(describeIssues(schema, result.error.issues, (key) => fromEnv.has(key) || !(key in raw)), { cause: result.error });
  return result.data;
}

function docOfDocs<S extends z.ZodObject>(docs: OptionDocs<S>, key: string): OptionDoc {
  const doc = (docs as Record<string, OptionDoc | string>)[key];
  return typeof doc === 'string' ? { help: doc } : doc;
}

function docOf<S extends z.ZodObject>(line: CommandLine<S>, key: string): OptionDoc {
  return docOfDocs(line.docs, key);
}

/** --help: the synopsis, then every field under its group, with its flag, value kind and help. */
export function helpText<S extends z.ZodObject>(line: CommandLine<S>): string {
  const rows = fields(line.schema).map(([key, field]) => {
    const doc = docOf(line, key);
    const kind = flagKind(field);
    const value = kind === 'boolean' ? '' : doc.repeat ? ` ${valueName(key, 'string')}…` : kind.endsWith('list') ? ' A,B,…' : ` ${doc.unit ? 'DURATION' : valueName(key, kind)}`;
    const short = doc.short ? `-${doc.short}, ` : '';
    const units = doc.unit ? ` (${doc.unit === 's' ? 'seconds, or 30s, 2m, 1h' : 'milliseconds, or 2s, 1m'})` : '';
    return { group: doc.group ?? '', text: `  ${`${short}--${kebab(key)}${value}`.padEnd(28)} ${doc.help}${units}` };
  });
  const groups = [...new Set(rows.map((r) => r.group))];
  const body = groups.flatMap((g) => [...(g ? ['', `${g}:`] : ['']), ...rows.filter((r) => r.group === g).map((r) => r.text)]);
  const lines = [line.synopsis, ...body, '  -h, --help                   this help', '', `Every option can also be set as a variable: --${kebab(firstKey(line))} ↔ ${envName(firstKey(line))}.`];
  if (line.epilogue) lines.push('', line.epilogue);
  return lines.join('\n');
}

function firstKey<S extends z.ZodObject>(line: CommandLine<S>): string {
  return Object.keys(line.schema.shape)[0];
}

function valueName(key: string, kind: FlagKind): string {
  if (/Ms$/.test(key)) return 'MS';
  if (/Seconds$/.test(key)) return 'S';
  return kind === 'number' ? 'N' : key.replace(/[A-Z].*/, '').toUpperCase();
}

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Exit code of a command whose flags were wrong. */
export const USAGE_EXIT_CODE = 2;

/** decodeArgs for a command's main(): prints --help or the usage error itself and then returns the exit code instead. */
export function readCommandLine<S extends z.ZodObject>(
  line: CommandLine<S>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr },
): z.output<S> | number {
  try {
    const options = decodeArgs(line, argv, env);
    if (options !== 'help') return options;
    io.stdout.write(`${helpText(line)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${line.command}: ${err.message}\n(see ${line.command} --help)\n`);
    return USAGE_EXIT_CODE;
  }
}
