// The Python baseline: a virtual environment built from bench/python-baseline/requirements.txt (PyPI) into a cache
// outside the repository, reused while the requirements and the interpreter stay the same, and the FastAPI servers
// started on it with one worker process per core: server.py (tensors) by uvicorn, minilm_server.py (text embeddings)
// by gunicorn with uvicorn workers.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** bench/python-baseline at the repository root (the compiled suite runs from dist/bench/suites). */
export const baselineSourceDir = fileURLToPath(new URL('../../../bench/python-baseline/', import.meta.url));

export type BaselineMode = 'direct' | 'executor';

export interface PythonEnv {
  dir: string;
  python: string;
  /** True when this call built it. */
  built: boolean;
}

/** The cache every build script uses (VERNIER_CACHE, default ~/.cache/vernier). */
function cacheRoot(): string {
  return process.env.VERNIER_CACHE || path.join(homedir(), '.cache', 'vernier');
}

async function run(command: string, args: string[], what: string, timeoutMs: number): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${what} failed (${command} ${args.join(' ')}): ${e.message.split('\n')[0]}${output ? `\n${output}` : ''}`, { cause: err });
  }
}

/** The venv for the baseline: reused when its marker file is there, else built from PyPI (tens of seconds, once per machine). */
export async function ensurePythonEnv(log: (line: string) => void = () => {}): Promise<PythonEnv> {
  const basePython = process.env.VERNIER_PYTHON ?? 'python3';
  const version = (await run(basePython, ['--version'], 'the Python baseline needs python3 (3.11+) with venv; checking it', 30_000)).trim();
  const requirements = readFileSync(path.join(baselineSourceDir, 'requirements.txt'), 'utf8');
  const hash = createHash('sha256').update(requirements).update(version).digest('hex').slice(0, 16);
  const dir = path.join(cacheRoot(), `py-baseline-${hash}`);
  const python = path.join(dir, 'bin', 'python');
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return { dir, python, built: false };

  log(`building the Python baseline's environment (${version}) in ${dir} from PyPI`);
  const staging = `${dir}.building-${process.pid}`;
  await mkdir(path.dirname(dir), { recursive: true });
  await rm(staging, { recursive: true, force: true });
  try {
    await run(basePython, ['-m', 'venv', staging], 'creating the Python baseline venv', 120_000);
    const stagedPython = path.join(staging, 'bin', 'python');
    await run(stagedPython, ['-m', 'pip', 'install', '--quiet', '--no-input', '-r', path.join(baselineSourceDir, 'requirements.txt')], 'installing the Python baseline requirements', 600_000);
    await writeFile(path.join(staging, '.complete'), `${version}\n${requirements}`);
    // Only the interpreter is used (`python -m`), so the venv still works after the move; a concurrent build may have won.
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (existsSync(marker)) return { dir, python, built: false };
    throw err;
  }
  return { dir, python, built: true };
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PythonBaselineProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

async function waitForModel(url: string, model: string, child: ChildProcess, output: () => string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    signal?.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the Python baseline exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const res = await fetch(`${url}/v2/models/${model}`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Python baseline was not ready within ${timeoutMs} ms:\n${output()}`);
}

interface BaselineLaunch {
  /** Arguments after `python`. */
  args: (port: number) => string[];
  env: Record<string, string>;
  modelName: string;
}

/** A baseline server on a free loopback port; resolves once the model's metadata answers. */
async function startBaseline(env: PythonEnv, launch: BaselineLaunch, { timeoutMs = 120_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PythonBaselineProcess> {
  const port = await freeLoopbackPort();
  // Its own process group, so the workers can be killed with the master if it does not exit on SIGTERM.
  const child = spawn(env.python, launch.args(port), {
    cwd: baselineSourceDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...launch.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  let output = '';
  const onData = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-64 * 1024));
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    killGroup('SIGKILL'); // any worker the master left behind
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForModel(url, launch.modelName, child, () => output, timeoutMs, signal);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, child, output: () => output, stop };
}

/** uvicorn serving server.py for one tensor model. */
export function startPythonBaseline(
  env: PythonEnv,
  o: { modelPath: string; modelName: string; mode: BaselineMode; workers: number },
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<PythonBaselineProcess> {
  return startBaseline(
    env,
    {
      args: (port) => ['-m', 'uvicorn', 'server:app', '--host', '127.0.0.1', '--port', String(port), '--workers', String(o.workers), '--log-level', 'warning', '--no-access-log'],
      env: { BASELINE_MODEL: o.modelPath, BASELINE_MODEL_NAME: o.modelName, BASELINE_MODE: o.mode },
      modelName: o.modelName,
    },
    options,
  );
}

/** gunicorn with uvicorn workers serving minilm_server.py: a text-embedding model and its tokenizer.json. */
export function startMinilmBaseline(
  env: PythonEnv,
  o: { modelPath: string; tokenizerPath: string; modelName: string; mode: BaselineMode; workers: number; intraOpThreads: number },
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<PythonBaselineProcess> {
  const server = ['-m', 'gunicorn', 'minilm_server:app', '--worker-class', 'uvicorn.workers.UvicornWorker', '--workers', String(o.workers)];
  // gunicorn closes connections idle for 2 s by default, racing clients that reuse them; and without
  // --no-control-socket every gunicorn on the machine would share one control socket path.
  const args = (port: number) => [...server, '--bind', `127.0.0.1:${port}`, '--log-level', 'warning', '--graceful-timeout', '5', '--keep-alive', '75', '--no-control-socket'];
  return startBaseline(
    env,
    {
      args,
      env: {
        MINILM_MODEL: o.modelPath,
        MINILM_TOKENIZER: o.tokenizerPath,
        MINILM_NAME: o.modelName,
        BASELINE_MODE: o.mode,
        BASELINE_INTRA_OP_THREADS: String(o.intraOpThreads),
        // Each worker is a forked process; the tokenizer's own thread pool would only contend with the model's.
        TOKENIZERS_PARALLELISM: 'false',
      },
      modelName: o.modelName,
    },
    options,
  );
}
