// `npm run cluster:up` / `cluster:down` / `cluster:status` (and prepare, load-image, require-image): the e2e cluster of the selected provider
// (VERNIER_E2E_PROVIDER=local, the default, or kind).
import { defaultSettings } from '../../operator/settings.js';
import { requireImage, selectProvider } from './provider.js';

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  const provider = await selectProvider();
  switch (command) {
    case 'up': {
      const started = Date.now();
      const info = await provider.up();
      console.log(`${provider.name} cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(JSON.stringify(info, null, 2));
      console.log(`export KUBECONFIG=${info.kubeconfig}`);
      return 0;
    }
    case 'prepare': {
      const started = Date.now();
      await provider.prepare();
      console.log(`${provider.name} provider prepared in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'load-image': {
      const archives = argv.slice(1);
      if (archives.length === 0) throw new Error('load-image needs the OCI archive(s) to load, e.g. the path e2e/image/build-image.sh prints');
      for (const archive of archives) await provider.loadImage(archive);
      return 0;
    }
    case 'require-image': {
      const [ref = defaultSettings().serverImage] = argv.slice(1);
      await requireImage(provider, ref);
      console.log(`${provider.name} cluster holds ${ref}`);
      return 0;
    }
    case 'down':
      await provider.down();
      return 0;
    case 'status': {
      const info = await provider.status();
      console.log(info ? JSON.stringify(info, null, 2) : `${provider.name} cluster is not up`);
      return info ? 0 : 1;
    }
    default:
      console.error(`usage: node dist/e2e/cluster/cli.js prepare|up|down|status|load-image ARCHIVE...|require-image [REF]   (got ${JSON.stringify(command ?? '')})`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  let cause = err instanceof Error ? err.cause : undefined;
  while (cause) {
    console.error(`caused by: ${cause instanceof Error ? cause.message : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  process.exitCode = 1;
}
