// A cluster for a script outside `npm run test:e2e`: the running one as it is, or one brought up the way run-e2e.sh
// does (host packages, helm, the image built and loaded), which the caller then takes down again.
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../testing/control-plane/binaries.js';
import { selectProvider } from '../cluster/provider.js';

export interface ClusterSession {
  /** True when this session brought the cluster up: end() then takes it down. */
  startedHere: boolean;
  end(): Promise<void>;
}

/** Runs a repository script with its output on stderr; returns its last stdout line (build-image.sh prints the archive). */
async function repoScript(path: string, args: string[] = []): Promise<string> {
  const { stdout } = await execa('bash', [join(repoRoot(), path), ...args], { stdout: 'pipe', stderr: 'inherit' });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/** The image as `npm run image:build` makes it, loaded into the cluster. */
export async function buildAndLoadImage(log: (line: string) => void): Promise<void> {
  const provider = await selectProvider();
  log('building the image (e2e/image/build-image.sh)');
  const archive = await repoScript('e2e/image/build-image.sh');
  log(`loading ${archive}`);
  await provider.loadImage(archive);
}

/** Uses the running cluster (`reloadImage`: with a freshly built image), or brings one up with the image loaded. */
export async function clusterSession(log: (line: string) => void, options: { reloadImage?: boolean } = {}): Promise<ClusterSession> {
  const provider = await selectProvider();
  if (await provider.status()) {
    log(`using the running ${provider.name} cluster${options.reloadImage ? '' : ' and the image already loaded in it'}`);
    if (options.reloadImage) await buildAndLoadImage(log);
    return { startedHere: false, end: async () => undefined };
  }
  await provider.prepare();
  await repoScript('testing/control-plane/build-binaries.sh', ['helm']);
  log(`bringing the ${provider.name} cluster up`);
  await provider.up();
  const session: ClusterSession = {
    startedHere: true,
    end: async () => {
      log(`taking the ${provider.name} cluster down`);
      await provider.down();
    },
  };
  try {
    await buildAndLoadImage(log);
  } catch (err) {
    await session.end();
    throw err;
  }
  return session;
}
